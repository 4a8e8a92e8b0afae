import HTTPClient
import XCTest

/// The transport's body assembly: what arrives in chunks is what the caller gets, whatever the
/// head declared, and never more than the limit.
final class ResponseBodyTests: XCTestCase {
    /// 1.7 MB of varied bytes (a page's size), deterministic.
    private let source: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<1_700_003).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }()

    /// Feeds `bytes` in chunks of 1, 2, 3, … up to 16,384 bytes (libcurl's largest), cycling.
    private func feed(_ bytes: [UInt8], into body: inout ResponseBody) -> Bool {
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            let accepted = bytes[offset..<end].withUnsafeBytes { body.append($0) }
            guard accepted else { return false }
            offset = end
            size = size % 16_384 + 1 + size / 3
        }
        return true
    }

    func testChunksOfEverySizeAssembleToTheBytesSent() {
        for declared in [source.count, nil, 1000, source.count * 2] as [Int?] {
            var body = ResponseBody(limit: 33 << 20)
            body.reserve(declared: declared)
            XCTAssertTrue(feed(source, into: &body), "declared \(String(describing: declared))")
            XCTAssertEqual(body.bytes.count, source.count, "declared \(String(describing: declared))")
            XCTAssertTrue(body.bytes == source, "declared \(String(describing: declared)): the bytes differ")
            XCTAssertFalse(body.overflowed)
        }
    }

    func testTheDeclaredLengthIsReservedOnceSoTheBodyIsNotRegrown() {
        var body = ResponseBody(limit: 33 << 20)
        body.reserve(declared: source.count)
        let reserved = body.bytes.capacity
        XCTAssertGreaterThanOrEqual(reserved, source.count)
        XCTAssertTrue(feed(source, into: &body))
        XCTAssertEqual(body.bytes.capacity, reserved, "the storage reserved from Content-Length was replaced")
    }

    func testAReservationNeverExceedsTheLimit() {
        var body = ResponseBody(limit: 1 << 20)
        body.reserve(declared: 10 << 30)  // 10 GiB declared: refused by the transport, never reserved here
        XCTAssertLessThan(body.bytes.capacity, 2 << 20)
        body.reserve(declared: nil)
        XCTAssertLessThan(body.bytes.capacity, 2 << 20)
        var tiny = ResponseBody(limit: 10)
        tiny.reserve(declared: nil)
        XCTAssertLessThan(tiny.bytes.capacity, 1024, "the undeclared start is bounded by the limit too")
    }

    func testExactlyTheLimitIsAcceptedAndOneByteMoreIsRefused() {
        let limit = 100_000
        var exact = ResponseBody(limit: limit)
        exact.reserve(declared: nil)
        XCTAssertTrue(feed(Array(source[0..<limit]), into: &exact))
        XCTAssertEqual(exact.bytes, Array(source[0..<limit]))

        var over = ResponseBody(limit: limit)
        over.reserve(declared: nil)
        XCTAssertFalse(feed(Array(source[0...limit]), into: &over))
        XCTAssertTrue(over.overflowed)
        XCTAssertTrue(over.bytes.isEmpty, "what arrived before the refusal is released")
        XCTAssertFalse([UInt8]([1]).withUnsafeBytes { over.append($0) }, "nothing is accepted after a refusal")
        XCTAssertTrue(over.bytes.isEmpty)
    }

    func testAZeroLimitAcceptsOnlyAnEmptyBody() {
        var body = ResponseBody(limit: 0)
        body.reserve(declared: 0)
        XCTAssertTrue([UInt8]().withUnsafeBytes { body.append($0) })
        XCTAssertEqual(body.bytes, [])
        XCTAssertFalse([UInt8]([7]).withUnsafeBytes { body.append($0) })
        XCTAssertTrue(body.overflowed)
    }
}
