@testable import ESETMock
import Foundation
import HTTPServer
import XCTest

/// The per-request helpers rewritten for speed (request ids, the bearer credential) give the
/// same answers as before.
final class RequestIdentityTests: XCTestCase {
    func testUUIDsAreLowerCaseVersion4AndDistinct() throws {
        let pattern = try NSRegularExpression(pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        var seen = Set<String>()
        var nibbles = Set<Character>()
        for _ in 0..<2000 {
            let uuid = SecureToken.uuid()
            XCTAssertEqual(pattern.numberOfMatches(in: uuid, range: NSRange(uuid.startIndex..., in: uuid)), 1, uuid)
            seen.insert(uuid)
            nibbles.formUnion(uuid.replacingOccurrences(of: "-", with: ""))
        }
        XCTAssertEqual(seen.count, 2000)
        XCTAssertEqual(nibbles, Set("0123456789abcdef"), "every hex digit appears")
    }

    func testRandomBytesHaveTheAskedLengthAndVary() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 7, 8, 9, 12, 32, 33] {
            XCTAssertEqual(SecureToken.randomBytes(count, &generator).count, count)
        }
        let samples = (0..<64).map { _ in SecureToken.randomBytes(12, &generator) }
        XCTAssertEqual(Set(samples).count, 64)
        XCTAssertEqual(Set(samples.flatMap { $0 }).count > 200, true, "bytes spread over the whole range")
        XCTAssertEqual(SecureToken.make().text.count, 60)
    }

    /// What `bearer` answered before its ASCII fast path (Foundation's Unicode trimming throughout).
    static func referenceBearer(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let credential = trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return credential.isEmpty ? nil : credential
    }

    func testBearerMatchesTheFoundationTrimmingForEveryShape() {
        let values: [String?] = [
            nil, "", "Bearer", "Bearer ", "Bearer  ", "Bearer x", "bearer x", "BEARER x", "BeArEr x.y", " Bearer x ",
            "\tBearer\tx", "Bearer \t x \t", "Bearer  a b ", "Bearerx", "Basic abc", "Bearer\u{A0}x", "Bearer \u{A0}x\u{A0}",
            "\u{3000}Bearer x", "Bearer x\u{2003}", "Bearer é", "Bearer x\u{7F}", "Bearer x\u{1}", " \t ", "Bearer\t",
            "Bearer tok.en-_~+/=", "Bearer " + String(repeating: "a", count: 300),
        ]
        for value in values {
            let headers = value.map { HTTPHeaders([("Authorization", $0)]) } ?? HTTPHeaders()
            let request = HTTPRequest(method: "GET", target: "/", headers: headers)
            XCTAssertEqual(MockEngine.bearer(request), Self.referenceBearer(value), String(reflecting: value))
        }
    }

    func testPathSegmentsSplitLikeStringSplit() {
        let paths = ["", "/", "//", "/a", "/a/", "/eu.device-management.eset.systems/v1/devices", "/a//b///c", "a/b",
                     "/%2F/x", "/é/ü", "/a\u{301}/b", "/\u{301}/x", "/a/\r\n/b"]
        for path in paths {
            XCTAssertEqual(MockEngine.pathSegments(path), path.split(separator: "/", omittingEmptySubsequences: false),
                           String(reflecting: path))
        }
    }
}
