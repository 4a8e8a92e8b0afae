import HTTPServer
import XCTest

final class HeadersAndRequestTests: XCTestCase {
    func testHeaderLookupIsCaseInsensitiveAndKeepsOrder() {
        var headers = HTTPHeaders([("Content-Type", "a"), ("X-A", "1")])
        headers.add("x-a", "2")
        XCTAssertEqual(headers["content-TYPE"], "a")
        XCTAssertEqual(headers["X-a"], "1")
        XCTAssertEqual(headers.values("X-A"), ["1", "2"])
        XCTAssertNil(headers["missing"])
        XCTAssertEqual(headers.map(\.name), ["Content-Type", "X-A", "x-a"])
    }

    func testSetReplacesEveryValueInPlaceAndRemoveDeletesAll() {
        var headers = HTTPHeaders([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
        headers.set("A", "new")
        XCTAssertEqual(headers.map { "\($0.name)=\($0.value)" }, ["A=new", "B=2", "C=4"])
        headers.set("D", "5")
        XCTAssertEqual(headers["d"], "5")
        headers.remove("b")
        XCTAssertEqual(headers.map(\.name), ["A", "C", "D"])
        XCTAssertEqual(headers.count, 3)
    }

    func testDictionaryLiteralKeepsOrder() {
        let headers: HTTPHeaders = ["B": "2", "A": "1"]
        XCTAssertEqual(headers.map(\.name), ["B", "A"])
        XCTAssertEqual(headers["a"], "1")
    }

    func testHasTokenReadsCommaSeparatedLists() {
        let headers = HTTPHeaders([("Connection", "keep-alive, Upgrade"), ("Connection", " CLOSE ")])
        XCTAssertTrue(headers.hasToken("close", in: "connection"))
        XCTAssertTrue(headers.hasToken("upgrade", in: "Connection"))
        XCTAssertFalse(headers.hasToken("keep", in: "Connection"))
    }

    func testQueryIsPercentDecodedInOrderWithRepeats() {
        let request = HTTPRequest(method: "GET", target: "/a/b%2Fc?x=1&y=%20&x=2&z=a+b&flag&&e=%zz&%E2%82%AC=euro")
        XCTAssertEqual(request.path, "/a/b%2Fc", "path stays percent-encoded")
        XCTAssertEqual(request.queryItems.map(\.name), ["x", "y", "x", "z", "flag", "e", "€"])
        XCTAssertEqual(request.queryItems.map(\.value), ["1", " ", "2", "a b", "", "%zz", "euro"])
        XCTAssertEqual(request.query("x"), "1")
        XCTAssertEqual(request.queryValues("x"), ["1", "2"])
        XCTAssertNil(request.query("missing"))
    }

    /// Origin-form targets of visible ASCII take a byte scan; these cases pin that it splits
    /// exactly as the general path does (fragment dropped, first `?` splits, `#` ends the query).
    func testOriginFormTargetsSplitAtTheFirstQuestionMarkAndDropTheFragment() {
        let cases: [(String, String, [String])] = [
            ("/a?b=1?c=2", "/a", ["b"]),
            ("/a#frag?x=1", "/a", []),
            ("/a?x=1#frag&y=2", "/a", ["x"]),
            ("/#", "/", []),
            ("/?", "/", []),
            ("/p%3Fq?r=%23", "/p%3Fq", ["r"]),
            ("/é?x=1", "/é", ["x"]),
        ]
        for (target, path, names) in cases {
            let request = HTTPRequest(method: "GET", target: target)
            XCTAssertEqual(request.path, path, target)
            XCTAssertEqual(request.queryItems.map(\.name), names, target)
        }
        XCTAssertEqual(HTTPRequest(method: "GET", target: "/a?b=1?c=2").query("b"), "1?c=2")
        XCTAssertEqual(HTTPRequest(method: "GET", target: "/p?r=%23").query("r"), "#")
    }

    func testTargetWithoutQueryAndAbsoluteForm() {
        XCTAssertEqual(HTTPRequest(method: "GET", target: "/plain").path, "/plain")
        XCTAssertTrue(HTTPRequest(method: "GET", target: "/plain").queryItems.isEmpty)
        let absolute = HTTPRequest(method: "GET", target: "http://example.test:8080/p/q?a=1")
        XCTAssertEqual(absolute.path, "/p/q")
        XCTAssertEqual(absolute.query("a"), "1")
        XCTAssertEqual(HTTPRequest(method: "GET", target: "http://example.test").path, "/")
        XCTAssertEqual(HTTPRequest(method: "GET", target: "/x?").queryItems.count, 0)
    }

    func testResponseConstructors() {
        let text = HTTPResponse.text(404, "nope")
        XCTAssertEqual(text.status, 404)
        XCTAssertEqual(text.headers["content-type"], "text/plain; charset=utf-8")
        XCTAssertEqual(text.body, Array("nope".utf8))
        let json = HTTPResponse.json(200, Array("{}".utf8))
        XCTAssertEqual(json.headers["Content-Type"], "application/json")
        let chunked = HTTPResponse(status: 200, bodyChunks: [[1, 2], [], [3]])
        XCTAssertEqual(chunked.bodyLength, 3)
        XCTAssertEqual(chunked.body, [1, 2, 3])
        XCTAssertEqual(HTTPResponse(status: 204).bodyChunks.count, 0)
        XCTAssertEqual(text.with(.close).disposition, .close)
    }
}
