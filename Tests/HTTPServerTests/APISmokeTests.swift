import XCTest
import HTTPServer
import HTTPTesting

final class APISmokeTests: XCTestCase {
    func testHeadersLookupIsCaseInsensitive() {
        var headers = HTTPHeaders([("Content-Type", "a"), ("X-A", "1")])
        headers.add("x-a", "2")
        XCTAssertEqual(headers["content-type"], "a")
        XCTAssertEqual(headers.values("X-A"), ["1", "2"])
    }
}
