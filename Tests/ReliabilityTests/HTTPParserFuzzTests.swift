import Foundation
import HTTPServer
import HTTPTesting
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Random, mutated and known-bad requests sent over real sockets to an `HTTPServer` on port 0.
/// The server must never crash, answer only with allowed statuses (or close), answer
/// well-formed requests exactly, stop after every error answer, keep serving clean requests,
/// and give back every descriptor.
final class HTTPParserFuzzTests: XCTestCase {
    static let seed = Budget.seed(0x4854_5450_4655_5A5A)

    /// Tallies shared by the worker threads.
    struct Tally {
        var inputs = 0
        var bytesSent = 0
        var statuses: [Int: Int] = [:]
        var closedWithoutAnswer = 0
        var resets = 0
        var kinds: [String: Int] = [:]
        var failures: [String] = []
    }

    func testRandomAndMutatedRequestsGetOnlyAllowedAnswers() throws {
        var configuration = HTTPServer.Configuration()
        configuration.idleTimeout = 5
        let server = HTTPServer(configuration: configuration, handler: echoHandler)
        try server.start()
        defer { server.stop(timeout: 2) }
        let limits = (header: configuration.maxHeaderBytes, body: configuration.maxBodyBytes)

        // Warm up once so lazily opened descriptors (Foundation, the accept thread) are counted.
        try assertCleanRequest(server, label: "warm-up")
        XCTAssertTrue(waitUntil(5) { server.connectionCount == 0 })
        let descriptorsBefore = ProcessResources.openDescriptorCount()
        let residentBefore = ProcessResources.residentKiB()

        let total = Budget.count(1200)
        let batches = 6
        let tally = Mutex(Tally())
        let started = Date()
        for batch in 0..<batches {
            let range = (batch * total / batches)..<((batch + 1) * total / batches)
            let next = Atomic<Int>(range.lowerBound)
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < range.upperBound else { return }
                    var generator = HTTPRequestGenerator(seed: Self.seed, index: index,
                                                         maxHeaderBytes: limits.header, maxBodyBytes: limits.body)
                    let input = generator.next()
                    let exchange = WireClient.exchange(port: server.port, input: input.bytes, halfClose: true, timeout: 15)
                    let verdict = judge(input, exchange)
                    tally.withLock { tally in
                        tally.inputs += 1
                        tally.bytesSent += input.bytes.count
                        tally.kinds[String(input.kind.prefix { $0 != ":" }), default: 0] += 1
                        for status in verdict.statuses { tally.statuses[status, default: 0] += 1 }
                        if verdict.statuses.isEmpty { tally.closedWithoutAnswer += 1 }
                        if exchange.ending == .reset { tally.resets += 1 }
                        if let problem = verdict.problem {
                            let path = FailureArchive.keep(input.bytes, suite: "http", index: index)
                            tally.failures.append("input \(index) (\(input.kind), seed \(Self.seed)): \(problem); input kept at \(path)")
                        }
                    }
                }
            }
            XCTAssertTrue(server.isRunning, "server stopped during batch \(batch)")
            try assertCleanRequest(server, label: "after batch \(batch)")
        }
        let seconds = Date().timeIntervalSince(started)

        XCTAssertTrue(waitUntil(10) { server.connectionCount == 0 }, "connections left open: \(server.connectionCount)")
        let descriptorsAfter = ProcessResources.waitForDescriptors(atMost: descriptorsBefore, within: 5)
        let residentAfter = ProcessResources.residentKiB()
        let result = tally.withLock { $0 }
        for failure in result.failures.prefix(20) { XCTFail(failure) }
        XCTAssertEqual(result.inputs, total)
        XCTAssertLessThanOrEqual(descriptorsAfter, descriptorsBefore, "descriptor leak: \(descriptorsBefore) before, \(descriptorsAfter) after")
        // Bodies up to 1 MiB are buffered per connection; a leak per input would exceed this by far.
        XCTAssertLessThan(residentAfter - residentBefore, 128 * 1024, "resident memory grew from \(residentBefore) to \(residentAfter) KiB")
        reportFigures("http-fuzz", [
            "seed": Self.seed, "inputs": result.inputs, "bytes": result.bytesSent,
            "statuses": result.statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","),
            "closed-without-answer": result.closedWithoutAnswer, "resets": result.resets,
            "kinds": result.kinds.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","),
            "failures": result.failures.count, "fd-before": descriptorsBefore, "fd-after": descriptorsAfter,
            "rss-before-kib": residentBefore, "rss-after-kib": residentAfter, "seconds": String(format: "%.1f", seconds),
        ])
    }

    /// A client that stops sending mid-request (and does not close) gets 408 once the idle timeout
    /// passes; it never holds the server, which keeps answering others meanwhile.
    func testStalledPartialRequestsTimeOutWith408() throws {
        var configuration = HTTPServer.Configuration()
        configuration.idleTimeout = 0.4
        let server = HTTPServer(configuration: configuration, handler: echoHandler)
        try server.start()
        defer { server.stop(timeout: 2) }
        let limits = (header: configuration.maxHeaderBytes, body: configuration.maxBodyBytes)

        let count = Budget.count(24)
        let failures = Mutex<[String]>([])
        let statuses = Mutex<[Int: Int]>([:])
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                var generator = HTTPRequestGenerator(seed: Self.seed ^ 0x408, index: index,
                                                     maxHeaderBytes: limits.header, maxBodyBytes: limits.body)
                var request = generator.validRequest().bytes
                // Cut strictly inside the request so the server is left waiting for more.
                if request.count > 1 { request.removeSubrange(generator.random.within(1...(request.count - 1))...) }
                let exchange = WireClient.exchange(port: server.port, input: request, halfClose: false, timeout: 10)
                let parsed = parseResponseStream(exchange.received)
                let answered = parsed.responses.map(\.status)
                statuses.withLock { for status in answered { $0[status, default: 0] += 1 } }
                var problem: String?
                if exchange.ending == .timedOut { problem = "server neither answered nor closed within 10 s" }
                else if let issue = parsed.problem { problem = issue }
                else if answered != [408] {
                    // The cut is strictly inside one request, so the only right answer is 408.
                    problem = "unexpected answers \(answered) (ending \(exchange.ending.rawValue))"
                }
                if let problem {
                    let path = FailureArchive.keep(request, suite: "http-stall", index: index)
                    failures.withLock { $0.append("stalled input \(index): \(problem); kept at \(path)") }
                }
            }
        }
        try assertCleanRequest(server, label: "after stalled clients")
        for failure in failures.withLock({ $0 }) { XCTFail(failure) }
        reportFigures("http-stall", ["inputs": count, "statuses": statuses.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")])
    }

    /// Replays one input (by seed and index) and says what went wrong, for debugging a failure:
    /// `RELIABILITY_SEED=S RELIABILITY_HTTP_CASE=N swift test --filter testReplayOneInput`.
    func testReplayOneInput() throws {
        guard let text = Budget.environment["RELIABILITY_HTTP_CASE"], let index = Int(text) else {
            throw XCTSkip("set RELIABILITY_HTTP_CASE=N to replay one HTTP fuzz input")
        }
        let server = HTTPServer(configuration: .init(), handler: echoHandler)
        try server.start()
        defer { server.stop(timeout: 2) }
        var generator = HTTPRequestGenerator(seed: Self.seed, index: index, maxHeaderBytes: server.configuration.maxHeaderBytes,
                                             maxBodyBytes: server.configuration.maxBodyBytes)
        let input = generator.next()
        let exchange = WireClient.exchange(port: server.port, input: input.bytes, halfClose: true, timeout: 15)
        print("kind \(input.kind), \(input.bytes.count) bytes, ending \(exchange.ending)")
        print(String(decoding: exchange.received.prefix(2000), as: UTF8.self))
        if let problem = judge(input, exchange).problem { XCTFail(problem) }
    }

    private func assertCleanRequest(_ server: HTTPServer, label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let connection = try RawHTTPConnection(port: server.port, timeout: 10)
        defer { connection.close() }
        let body = Array("clean \(label)".utf8)
        let response = try connection.request("POST", "/clean?label=x", body: body)
        XCTAssertEqual(response.status, 200, "clean request \(label)", file: file, line: line)
        XCTAssertEqual(response.body, body, "clean request \(label) echoed", file: file, line: line)
        XCTAssertEqual(response.header("X-Echo-Target"), "/clean?label=x", file: file, line: line)
    }
}

/// What one exchange showed: the statuses answered and, when the server misbehaved, why.
struct HTTPVerdict {
    var statuses: [Int]
    var problem: String?
}

/// Judges one exchange against the rules every answer must follow and what is known of the input.
func judge(_ input: HTTPFuzzInput, _ exchange: WireClient.Exchange) -> HTTPVerdict {
    if exchange.ending == .connectFailed { return HTTPVerdict(statuses: [], problem: "cannot connect: the server is gone") }
    if exchange.ending == .timedOut {
        return HTTPVerdict(statuses: [], problem: "no close within \(Int(exchange.seconds)) s after the client half-closed")
    }
    let parsed = parseResponseStream(exchange.received)
    let statuses = parsed.responses.map(\.status)
    if let problem = parsed.problem { return HTTPVerdict(statuses: statuses, problem: problem) }
    if parsed.incompleteTail && exchange.ending != .reset {
        return HTTPVerdict(statuses: statuses, problem: "answer cut short although the server closed normally")
    }
    for status in statuses where !allowedHTTPStatuses.contains(status) {
        return HTTPVerdict(statuses: statuses, problem: "status \(status) is not an allowed answer")
    }
    // After an error answer the position of the next request cannot be trusted: nothing may follow.
    if let errorIndex = parsed.responses.firstIndex(where: { $0.status >= 400 }) {
        let error = parsed.responses[errorIndex]
        if errorIndex != parsed.responses.count - 1 {
            return HTTPVerdict(statuses: statuses, problem: "answers after error \(error.status): \(statuses)")
        }
        if error.header("Connection")?.lowercased() != "close" {
            return HTTPVerdict(statuses: statuses, problem: "error \(error.status) without Connection: close")
        }
    }
    let finals = parsed.responses.filter { !(100..<200).contains($0.status) }
    switch input.expectation {
    case .anyAllowed:
        break
    case .status(let expected):
        if finals.map(\.status) != [expected] && !(finals.isEmpty && exchange.ending == .reset) {
            return HTTPVerdict(statuses: statuses, problem: "expected only \(expected), got \(statuses) (ending \(exchange.ending.rawValue))")
        }
    case .echoes(let expected):
        let got = finals.map { ExpectedEcho(method: $0.header("X-Echo-Method") ?? "?", target: $0.header("X-Echo-Target") ?? "?", body: $0.body) }
        if finals.contains(where: { $0.status != 200 }) || got != expected {
            let summary = got.map { "\($0.method) \($0.target) \($0.body.count)B" }
            let wanted = expected.map { "\($0.method) \($0.target) \($0.body.count)B" }
            return HTTPVerdict(statuses: statuses, problem: "well-formed requests answered wrongly: got \(statuses) \(summary), want \(wanted)")
        }
    }
    return HTTPVerdict(statuses: statuses, problem: nil)
}
