import Foundation
import HTTPServer
import JSON
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the router learned about a call, for the journal and counters.
struct CallContext {
    var region: MockRegion?
    var service: MockService = .unknown
    var route = "unknown"
    var scenario: String?
    var fault: String?
    /// The path below the region's host (what ESET's OpenAPI description calls the path).
    var operationPath: String?
    /// The request-target, for a redirect's `Location`.
    var target = ""
}

/// The mock's request handling, separate from the socket server so it can be driven in-process
/// and so the server's handler does not keep the public object alive.
final class MockEngine: Sendable {
    let configuration: ESETMockConfiguration
    let fixtures: MockFixtures
    /// Built once at start: the index of the unchanged fleet, reused by every reset.
    let originalDeviceIndex: DeviceIndex
    /// The fixtures' group tree (groups do not change while the mock runs).
    let groupTree: GroupTree
    let state: Mutex<MockState>
    /// The journal and counters, apart from `state` (see `MockJournal` for the lock order).
    let journal = Mutex(MockJournal())
    /// Assembled list pages, apart from `state` (taken after it where both are needed).
    let pageBodies = PageBodyCache()
    /// The second listener redirect scenarios point at.
    let foreign: ForeignOriginTrap

    init(configuration: ESETMockConfiguration, scenarios: [MockScenario]) {
        self.configuration = configuration
        fixtures = configuration.fixtures
        originalDeviceIndex = fixtures.deviceIndex
        groupTree = GroupTree(fixtures.groups)
        var initial = MockState(fixtures: fixtures, originalIndex: originalDeviceIndex,
                                tokenCapacity: configuration.tokenCapacity)
        initial.activate(scenarios)
        state = Mutex(initial)
        foreign = ForeignOriginTrap(host: configuration.host,
                                    secrets: configuration.accounts.map(\.password) + [configuration.sekoiaAPIKey])
    }

    static func index(_ records: [FixtureRecord]) -> DeviceIndex {
        DeviceIndex(records)
    }

    var now: Double { configuration.clock() }

    // MARK: Entry point

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = now
        let arrival = Date()
        let requestID = SecureToken.uuid()
        var context = CallContext()
        context.target = request.target
        var response = route(request, &context)
        response.headers.set("request-id", requestID)
        if let observer = configuration.responseObserver {
            let declared = state.withLock { Set($0.scenarios.flatMap(\.offContract)) }.union(configuration.fixturesOffContract)
            observer(MockObservedExchange(
                method: request.method, path: request.path, service: context.service, route: context.route,
                operationPath: context.operationPath ?? request.path, status: response.status, headers: response.headers,
                body: response.body, scenario: context.scenario, fault: context.fault, declaredOffContract: declared))
        }
        if context.service != .admin {
            let entry = MockJournalEntry(
                sequence: 0, time: MockEngine.timestamp(arrival), method: request.method, path: request.path,
                query: MockEngine.redactedQuery(request), status: response.status, region: context.region,
                service: context.service, route: context.route, requestID: requestID, scenario: context.scenario,
                fault: context.fault, durationMilliseconds: ((now - started) * 1_000_000).rounded() / 1000)
            let capacity = configuration.journalCapacity
            journal.withLock { $0.record(entry, capacity: capacity) }
        }
        return response
    }

    func route(_ request: HTTPRequest, _ context: inout CallContext) -> HTTPResponse {
        let rawSegments = MockEngine.pathSegments(request.path).dropFirst()
        let segments = rawSegments.map { MockEngine.percentDecode($0) }
        guard request.path.hasPrefix("/"), let first = segments.first else {
            return Reply.html(404, "no such host or path")
        }
        if let (region, service) = MockRegion.hostTable[first.lowercased()] {
            return regional(request, region: region, service: service, rest: Array(segments.dropFirst()), &context)
        }
        if let host = request.headers["Host"].map(MockEngine.hostWithoutPort),
           let (region, service) = MockRegion.hostTable[host.lowercased()] {
            return regional(request, region: region, service: service, rest: segments, &context)
        }
        if first == "__admin" {
            context.service = .admin
            context.route = "admin"
            return admin(request, rest: Array(segments.dropFirst()))
        }
        if first == "sekoia" {
            context.service = .sekoia
            return sekoia(request, rest: Array(segments.dropFirst()), &context)
        }
        // Go's default 404, as a reverse proxy in front of an unknown host would answer.
        return HTTPResponse.text(404, "404 page not found")
    }

    func regional(_ request: HTTPRequest, region: MockRegion, service: MockService, rest: [String],
                  _ context: inout CallContext) -> HTTPResponse {
        context.region = region
        context.service = service
        context.operationPath = "/" + rest.joined(separator: "/")
        switch service {
        case .iam:
            guard rest == ["oauth", "token"] else { return HTTPResponse.text(404, "404 page not found") }
            context.route = MockRule.Route.token.rawValue
            return token(request, region: region, &context)
        case .deviceManagement:
            guard rest.count >= 2, rest[0] == "v1" else { return Reply.rpc(404, "unknown path") }
            let call: DataCall
            switch (rest.count, rest[1]) {
            case (2, "devices"): call = .listDevices
            case (2, "device_groups"): call = .listGroups
            case (2, "devices:batchGet"): call = .batchGet
            case (2, "devices:batchImport"): call = .batchImport
            // Like ESET's gateway, a GET of `{uuid}:move` is a device lookup (of a uuid that does
            // not exist); any other method is the move operation (405 with `Allow: POST` unless POST).
            case (3, "devices") where request.method != "GET" && rest[2].hasSuffix(":move") && rest[2].count > 5:
                call = .move(String(rest[2].dropLast(5)))
            case (3, "devices") where request.method != "GET" && rest[2].hasSuffix(":rename") && rest[2].count > 7:
                call = .rename(String(rest[2].dropLast(7)))
            case (3, "devices") where !rest[2].isEmpty: call = .device(rest[2])
            case (4, "device_groups") where !rest[2].isEmpty && rest[3] == "devices": call = .memberDevices(rest[2])
            default: return Reply.rpc(404, "unknown path")
            }
            context.route = call.route.rawValue
            return data(request, region: region, call: call, &context)
        default:
            return HTTPResponse.text(404, "404 page not found")
        }
    }

    // MARK: Rules

    /// Produces the answer a fired rule asks for; `normal` builds the regular answer when the
    /// rule keeps or alters it. Sleeps for `delayMs` first (on the connection's own thread).
    func apply(_ fired: FiredRule?, route: MockRule.Route, _ context: inout CallContext,
               normal: () -> HTTPResponse) -> HTTPResponse {
        guard let fired else { return normal() }
        let rule = fired.rule
        context.scenario = fired.scenario
        if let delay = rule.delayMs, delay > 0 { MockEngine.sleep(milliseconds: delay) }
        var response: HTTPResponse
        if let redirect = rule.redirect {
            context.fault = "redirect"
            response = redirectAnswer(redirect, status: rule.status ?? 307, target: context.target)
        } else if let body = rule.body, body.isHostile {
            context.fault = body.rawValue
            response = hostileAnswer(rule, route: route, normal: normal)
            if let status = rule.status { response.status = status }
        } else if rule.body == .malformed {
            response = Reply.malformed(normal())
            if let status = rule.status { response.status = status }
        } else if let status = rule.status, rule.body != .normal {
            response = status == 200 ? normal() : Reply.forRule(rule, status: status, route: route)
        } else {
            response = normal()
            if let status = rule.status { response.status = status }
        }
        if let retryAfter = rule.retryAfter { response.headers.set("Retry-After", MockEngine.retryAfterValue(retryAfter)) }
        if let fault = rule.fault {
            context.fault = fault.rawValue
            switch fault {
            case .truncate: response.disposition = .truncate(afterBodyBytes: response.bodyLength / 2)
            case .reset: response.disposition = .reset
            case .close: response.disposition = .close
            }
        }
        return response
    }

    // MARK: Helpers

    /// A rule's `retryAfter`, sent verbatim except `http-date+N` / `http-date-N`, which become the
    /// IMF-fixdate N seconds from now (a fixed date in a file would soon lie in the past).
    static func retryAfterValue(_ raw: String) -> String {
        guard raw.hasPrefix("http-date") else { return raw }
        let offset = Int(raw.dropFirst("http-date".count).replacingOccurrences(of: "+", with: "")) ?? 0
        // Clamped again here: an inline scenario built in code skips the loader's range check.
        let bounded = max(-MockRule.maxRetryAfterDateOffset, min(MockRule.maxRetryAfterDateOffset, offset))
        return httpDate(Date().addingTimeInterval(Double(bounded)))
    }

    /// RFC 9110 IMF-fixdate of `date`, rounded up to the next whole second.
    static func httpDate(_ date: Date) -> String {
        imfFixdate(time_t(date.timeIntervalSince1970.rounded(.up)))
    }

    static func sleep(milliseconds: Int) {
        var remaining = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var left = timespec()
        while nanosleep(&remaining, &left) != 0 && errno == EINTR { remaining = left }
    }

    /// `path.split(separator: "/", omittingEmptySubsequences: false)`. For an ASCII path (what
    /// the server passes on) a `/` byte is always a `Character` of its own, so a byte scan gives
    /// the same slices at a fraction of the cost of splitting by grapheme clusters.
    static func pathSegments(_ path: String) -> [Substring] {
        let utf8 = path.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return path.split(separator: "/", omittingEmptySubsequences: false) }
        var segments: [Substring] = []
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                segments.append(path[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        segments.append(path[start..<utf8.endIndex])
        return segments
    }

    static func hostWithoutPort(_ host: String) -> String {
        if host.hasPrefix("[") { return host }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }

    /// Percent-decodes one path segment (so `devices%3AbatchGet` routes like `devices:batchGet`).
    static func percentDecode(_ segment: Substring) -> String {
        HTTPRequest.percentDecode(segment)
    }

    /// Parses an `application/x-www-form-urlencoded` body (`+` is a space).
    static func formFields(_ body: [UInt8]) -> [(name: String, value: String)] {
        HTTPRequest.parseFormEncoded(String(decoding: body, as: UTF8.self))
    }

    /// Query parameters whose values are harmless enough to keep in the journal.
    static let journalSafeParameters: Set<String> = ["pageSize", "devicesUuids", "displayNames", "functionalityStatus",
                                                     "isMuted", "limit", "offset", "recurseSubgroups"]

    static func redactedQuery(_ request: HTTPRequest) -> String {
        request.queryItems.map { item in
            let value = journalSafeParameters.contains(item.name) ? item.value : "REDACTED"
            return "\(item.name)=\(value)"
        }.joined(separator: "&")
    }

    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = Int(((seconds - Double(whole)) * 1000).rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// The bearer credential of `Authorization`, nil when absent or of another scheme.
    static func bearer(_ request: HTTPRequest) -> String? {
        guard let value = request.headers["Authorization"] else { return nil }
        // ASCII (every real client): the only `.whitespaces` members are space and tab, so the
        // same answer comes from a byte scan instead of Foundation's Unicode trimming.
        if value.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }) { return asciiBearer(value) }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let credential = trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return credential.isEmpty ? nil : credential
    }

    /// `bearer` for a header value of printable ASCII and tabs (one byte, one `Character`):
    /// identical results, without Foundation.
    static func asciiBearer(_ value: String) -> String? {
        var utf8 = Substring(value).utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        while let first = utf8.first, isBlank(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, isBlank(last) { utf8 = utf8.dropLast() }
        guard utf8.count > 7 else { return nil }
        let scheme: [UInt8] = Array("bearer ".utf8)
        for (byte, wanted) in zip(utf8.prefix(7), scheme) {
            let lower = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
            guard lower == wanted else { return nil }
        }
        var credential = utf8.dropFirst(7)
        while let first = credential.first, isBlank(first) { credential = credential.dropFirst() }
        return credential.isEmpty ? nil : String(Substring(credential))
    }
}
