import Synchronization
import HTTPServer
import JSON

/// One of the eight device-management calls.
enum DataCall {
    case listDevices
    case listGroups
    case batchGet
    case device(String)
    case memberDevices(String)
    case move(String)
    case rename(String)
    case batchImport

    var route: MockRule.Route {
        switch self {
        case .listDevices: return .devices
        case .listGroups: return .deviceGroups
        case .batchGet: return .batchGet
        case .device: return .device
        case .memberDevices: return .memberDevices
        case .move: return .move
        case .rename: return .rename
        case .batchImport: return .batchImport
        }
    }

    /// The method ESET defines for the call.
    var method: String {
        switch self {
        case .move, .rename, .batchImport: return "POST"
        default: return "GET"
        }
    }
}

/// The filters of `GET /v1/devices`, matched exactly against the raw top-level fields.
struct DeviceFilters {
    var displayNames: [String] = []
    var functionalityStatus: String?
    var isMuted: Bool?

    var isEmpty: Bool { displayNames.isEmpty && functionalityStatus == nil && isMuted == nil }

    /// A canonical text of the filters, stored in page tokens so a later page must ask the same.
    var key: String {
        guard !isEmpty else { return "" }
        return "d=" + displayNames.joined(separator: "\u{1}") + "\u{2}f=" + (functionalityStatus ?? "")
            + "\u{2}m=" + (isMuted.map { $0 ? "1" : "0" } ?? "")
    }

    func matches(_ record: FixtureRecord) -> Bool {
        if !displayNames.isEmpty {
            guard let name = record.displayName, displayNames.contains(name) else { return false }
        }
        if let functionalityStatus, record.functionalityStatus != functionalityStatus { return false }
        if let isMuted, record.isMuted != isMuted { return false }
        return true
    }
}

private let devicesOpen: [UInt8] = Array("{\"devices\":[".utf8)
private let groupsOpen: [UInt8] = Array("{\"deviceGroups\":[".utf8)
private let comma: [UInt8] = [UInt8(ascii: ",")]
private let closeWithEmptyToken: [UInt8] = Array("],\"nextPageToken\":\"\"}".utf8)
private let closeWithoutToken: [UInt8] = Array("]}".utf8)
private let closeWithNullToken: [UInt8] = Array("],\"nextPageToken\":null}".utf8)
private let deviceOpen: [UInt8] = Array("{\"device\":".utf8)
private let objectClose: [UInt8] = Array("}".utf8)

extension MockEngine {
    /// Most uuids one batchGet may ask for (ESET documents none; the mock picks the page maximum).
    static let batchGetLimit = 1000

    /// Authentication, permission and rate limit, then the 202 flow, scenario rules and the call.
    func data(_ request: HTTPRequest, region: MockRegion, call: DataCall, _ context: inout CallContext) -> HTTPResponse {
        guard request.method == call.method else { return Reply.methodNotAllowed(call.method) }
        guard let bearer = MockEngine.bearer(request) else {
            return Reply.rpc(400, "missing or malformed Authorization header; expected 'Bearer <access token>'")
        }
        enum Gate {
            case answer(HTTPResponse)
            case proceed(FiredRule?, username: String)
            /// A list page cut in the same critical section as the gate (no rule fired).
            case page(PageOutcome)
        }
        let clock = now
        let responseID = request.headers["response-id"]
        let client = MockEngine.clientAddress(request.remoteAddress)
        // Pure functions of the request, computed before the lock so that the critical section
        // is only the state's part: a list call then takes the state lock once, for the gate and
        // the page together (see docs/benchmarks.md, "Small pages at 8 connections").
        let listing: Listing? = switch call {
        case .listDevices: .devices
        case .listGroups: .deviceGroups
        default: nil
        }
        let invalid = checkParameters(request, operationPath: context.operationPath ?? request.path)
        let query = listing.map { MockEngine.pageQuery(request, listing: $0) }
        let presented = SecureToken.split(bearer)
        let gate: Gate = state.withLock { state in
            guard let (selector, validator) = presented,
                  var token = state.accessTokens[selector],
                  SecureToken.constantTimeEquals(token.validator, validator),
                  token.region == region else {
                return .answer(Reply.rpc(401, "access token invalid"))
            }
            guard clock < token.expiresAt else { return .answer(Reply.rpc(401, "access token expired")) }
            // Read at call time, so a scenario switched on later also limits tokens issued before.
            if let maxCalls = state.settings.accessTokenMaxCalls, token.callsUsed >= maxCalls {
                return .answer(Reply.rpc(401, "access token expired"))
            }
            token.callsUsed += 1
            state.accessTokens[selector] = token
            let permitted = configuration.accounts.first { $0.username == token.username }?.hasIntegrationsPermission ?? false
            guard permitted else { return .answer(Reply.rpc(403, Reply.defaultMessage(for: 403))) }
            if configuration.rateLimitPerSecond != nil,
               let limited = rateLimit(&state, key: "\(token.username)|\(region.rawValue)|\(client)", now: clock) {
                return .answer(limited)
            }
            if let responseID {
                let queryKey = token.username + " " + MockEngine.queryKey(request)
                return .answer(pollCachedAnswer(&state, id: responseID, queryKey: queryKey, now: clock))
            }
            let fired = state.fireRule(route: call.route, region: region)
            if fired == nil, let listing, let query {
                if let invalid { return .answer(invalid) }
                switch query {
                case .failure(let error): return .answer(error.response)
                case .success(let query): return .page(pageOutcome(&state, query, region: region, listing: listing))
                }
            }
            return .proceed(fired, username: token.username)
        }
        switch gate {
        case .answer(let response):
            return response
        case .page(let outcome):
            return finishPage(outcome)
        case .proceed(let fired, let username):
            if let invalid { return invalid }
            if let fired, fired.rule.status == 202 {
                return acceptAndCache(fired, request: request, username: username, &context) {
                    serve(call, request, region: region)
                }
            }
            return apply(fired, route: call.route, &context) { serve(call, request, region: region) }
        }
    }

    /// The identity of a query for the 202 flow: path and raw query string.
    static func queryKey(_ request: HTTPRequest) -> String {
        guard let question = request.target.firstIndex(of: "?") else { return request.path }
        return request.path + request.target[question...]
    }

    static func clientAddress(_ remote: String) -> String {
        if remote.hasPrefix("["), let end = remote.firstIndex(of: "]") { return String(remote[...end]) }
        return hostWithoutPort(remote)
    }

    /// A token bucket per credential and source address: `rate` calls at once, then `rate` per second.
    func rateLimit(_ state: inout MockState, key: String, now: Double) -> HTTPResponse? {
        guard let rate = configuration.rateLimitPerSecond, rate > 0 else { return nil }
        let capacity = Double(rate)
        var bucket = state.rateBuckets[key] ?? RateBucket(tokens: capacity, last: now)
        bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.last) * capacity)
        bucket.last = now
        defer { state.rateBuckets[key] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        var response = Reply.empty(429)
        if configuration.sendsRetryAfter {
            let wait = (1 - bucket.tokens) / capacity
            response.headers.set("Retry-After", String(max(1, Int(wait.rounded(.up)))))
        }
        return response
    }

    /// The 202 answer of ESET's "response took too long; request cached".
    static func accepted(responseID: String) -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 128)
        writer.beginObject()
        writer.key("code")
        writer.int(14)
        writer.key("message")
        writer.string("response took too long; request cached: re-send the same query with header response-id")
        writer.key("details")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        var response = HTTPResponse.json(202, writer.bytes)
        response.headers.set("response-id", responseID)
        return response
    }

    func acceptAndCache(_ fired: FiredRule, request: HTTPRequest, username: String, _ context: inout CallContext,
                        normal: () -> HTTPResponse) -> HTTPResponse {
        context.scenario = fired.scenario
        if let delay = fired.rule.delayMs, delay > 0 { MockEngine.sleep(milliseconds: delay) }
        let answer = normal()
        let id = SecureToken.uuid()
        let cached = CachedAnswer(queryKey: username + " " + MockEngine.queryKey(request), response: answer,
                                  pendingPolls: fired.rule.pendingPolls ?? 0,
                                  expiresAt: now + Double(fired.rule.expiresAfterMs ?? 600_000) / 1000)
        state.withLock { $0.cachedAnswers[id] = cached }
        return MockEngine.accepted(responseID: id)
    }

    func pollCachedAnswer(_ state: inout MockState, id: String, queryKey: String, now: Double) -> HTTPResponse {
        guard var cached = state.cachedAnswers[id], now < cached.expiresAt else {
            state.cachedAnswers[id] = nil
            return Reply.rpc(404, "no cached response for this response-id (unknown, expired or already fetched)")
        }
        guard cached.queryKey == queryKey else { return Reply.rpc(400, "response-id belongs to another query") }
        if cached.pendingPolls > 0 {
            cached.pendingPolls -= 1
            state.cachedAnswers[id] = cached
            return MockEngine.accepted(responseID: id)
        }
        state.cachedAnswers[id] = nil
        return cached.response
    }

    // MARK: The calls themselves

    func serve(_ call: DataCall, _ request: HTTPRequest, region: MockRegion) -> HTTPResponse {
        switch call {
        case .listDevices: return listPage(request, region: region, listing: .devices)
        case .listGroups: return listPage(request, region: region, listing: .deviceGroups)
        case .device(let uuid): return device(uuid)
        case .batchGet: return batchGet(request)
        case .memberDevices(let group): return memberDevices(request, region: region, group: group)
        case .move(let uuid): return move(request, device: uuid)
        case .rename(let uuid): return rename(request, device: uuid)
        case .batchImport: return batchImport(request)
        }
    }

    /// `pageSize`: absent, empty or 0 → 50; above 1000 → 1000; negative or not a number → 400.
    static func pageSize(_ request: HTTPRequest) -> Result<Int, HTTPError> {
        guard let raw = request.query("pageSize"), !raw.isEmpty else { return .success(50) }
        var digits = Substring(raw)
        var negative = false
        if digits.first == "+" || digits.first == "-" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure(HTTPError(Reply.rpc(400, "invalid pageSize '\(raw)': expected a non-negative integer")))
        }
        let value = Int(digits) ?? Int.max
        if negative && value != 0 {
            return .failure(HTTPError(Reply.rpc(400, "invalid pageSize '\(raw)': must not be negative")))
        }
        if value == 0 { return .success(50) }
        return .success(min(value, 1000))
    }

    static func filters(_ request: HTTPRequest) -> Result<DeviceFilters, HTTPError> {
        var filters = DeviceFilters()
        filters.displayNames = request.queryValues("displayNames").filter { !$0.isEmpty }
        if let status = request.query("functionalityStatus"), !status.isEmpty { filters.functionalityStatus = status }
        if let muted = request.query("isMuted"), !muted.isEmpty {
            switch muted {
            case "true": filters.isMuted = true
            case "false": filters.isMuted = false
            default: return .failure(HTTPError(Reply.rpc(400, "invalid isMuted '\(muted)': expected true or false")))
            }
        }
        return .success(filters)
    }

    /// What a list call asks for, read from the request alone.
    struct PageQuery {
        let pageSize: Int
        let tokenText: String
        /// `tokenText` split into selector and validator (nil when absent or malformed).
        let tokenParts: (selector: String, validator: [UInt8])?
        let filters: DeviceFilters
        let filterKey: String
    }

    /// `pageSize`, `pageToken` and (devices) the filters; the first problem is the 400 to send.
    static func pageQuery(_ request: HTTPRequest, listing: Listing) -> Result<PageQuery, HTTPError> {
        let pageSize: Int
        switch MockEngine.pageSize(request) {
        case .success(let size): pageSize = size
        case .failure(let error): return .failure(error)
        }
        let tokenText = request.query("pageToken") ?? ""
        guard tokenText.utf8.count <= 128 else {
            return .failure(HTTPError(Reply.rpc(400, "invalid pageToken: longer than 128 characters")))
        }
        var filters = DeviceFilters()
        if listing == .devices {
            switch MockEngine.filters(request) {
            case .success(let parsed): filters = parsed
            case .failure(let error): return .failure(error)
            }
        }
        return .success(PageQuery(pageSize: pageSize, tokenText: tokenText,
                                  tokenParts: tokenText.isEmpty ? nil : SecureToken.split(tokenText),
                                  filters: filters, filterKey: filters.key))
    }

    /// A list page (devices: with `extraDevicesPerPage` applied) on its own, for a call whose
    /// gate has already been passed in another critical section (a fired rule, the 202 flow).
    func listPage(_ request: HTTPRequest, region: MockRegion, listing: Listing) -> HTTPResponse {
        switch MockEngine.pageQuery(request, listing: listing) {
        case .failure(let error): return error.response
        case .success(let query):
            return finishPage(state.withLock { pageOutcome(&$0, query, region: region, listing: listing) })
        }
    }

    /// The state's part of a list page, under the state lock: the cursor, the slice, the next
    /// token and the scenario effects (duplicate, repeated token, fleet change, extra devices).
    /// The page cache lookup and any copying of bytes happen after the lock, in `finishPage`.
    func pageOutcome(_ state: inout MockState, _ query: PageQuery, region: MockRegion, listing: Listing) -> PageOutcome {
        let (pageSize, tokenText, filters, filterKey) = (query.pageSize, query.tokenText, query.filters, query.filterKey)
        var offset = 0
        if !tokenText.isEmpty {
            guard let (selector, validator) = query.tokenParts,
                  let cursor = state.pageCursors[selector],
                  SecureToken.constantTimeEquals(cursor.validator, validator),
                  cursor.region == region, cursor.listing == listing else {
                return .answer(Reply.rpc(400, "invalid pageToken"))
            }
            guard cursor.filterKey == filterKey else {
                return .answer(Reply.rpc(400, "invalid pageToken: the query's filters differ from the first page's"))
            }
            offset = cursor.offset
        }
        let records: [FixtureRecord] = state.settings.emptyFleet ? [] : (listing == .devices ? state.devices : fixtures.groups)
        let selected = filters.isEmpty ? nil : filteredIndices(&state, records: records, filters: filters)
        let count = selected?.count ?? records.count
        let size = min(pageSize, state.settings.pageSizeCap ?? Int.max)
        let start = min(offset, count)
        let end = min(start + size, count)
        var next: String?
        if listing == .devices && state.settings.repeatPageToken && !tokenText.isEmpty {
            next = tokenText
        } else if end < count {
            var nextOffset = end
            if listing == .devices && state.settings.duplicateAcrossPages && !state.duplicateServed && end - start >= 2 {
                nextOffset = end - 1
                state.duplicateServed = true
            }
            next = pageToken(&state, region: region, listing: listing, offset: nextOffset, filterKey: filterKey)
        }
        // The records as they are now: a fleet change below replaces `state.devices` (copy on
        // write), so this page still shows the fleet as it was asked.
        let page = PageSlice(records: records, selected: selected, range: start..<end, listing: listing,
                             key: PageBodyKey(listing: listing, fleetVersion: state.fleetVersion,
                                              emptyFleet: state.settings.emptyFleet, filterKey: filterKey,
                                              start: start, end: end, next: next, lastPageToken: state.settings.lastPageToken))
        var extra: ExtraDevices?
        if listing == .devices {
            state.devicePagesServed += 1
            if let after = state.settings.fleetChangeAfterDevicePages, !state.fleetChanged, state.devicePagesServed >= after {
                MockEngine.changeFleet(&state)
            }
            // After the fleet change, as when it was a critical section of its own after this one.
            extra = MockEngine.reserveExtraDevices(&state)
        }
        return .page(page, extra: extra)
    }

    /// The closing member of a list page: the next token, or the last page's style.
    static func closing(next: String?, last: MockScenario.LastPageTokenStyle) -> [UInt8] {
        if let next {
            var close = Array("],\"nextPageToken\":".utf8)
            JSONWriter.appendEscaped(next, to: &close)
            close.append(UInt8(ascii: "}"))
            return close
        }
        switch last {
        case .empty: return closeWithEmptyToken
        case .missing: return closeWithoutToken
        case .null: return closeWithNullToken
        }
    }

    /// Joins a page outside the state lock (or takes it from the cache) and caches it; applies
    /// `extraDevicesPerPage`.
    func finishPage(_ outcome: PageOutcome) -> HTTPResponse {
        switch outcome {
        case .answer(let response):
            return response
        case .page(let page, let extra):
            let key = page.key
            if let cached = pageBodies.lookup(key) { return MockEngine.oversized(MockEngine.pageResponse(cached), extra) }
            // Joined outside the lock: other requests need not wait for a megabyte copy. Each
            // object is copied once, straight from the (mapped) fixture into the body.
            let opening = page.listing == .devices ? devicesOpen : groupsOpen
            let closing = MockEngine.closing(next: key.next, last: key.lastPageToken)
            var length = opening.count + closing.count
            for position in page.range { length += page.record(at: position).byteCount + 1 }
            var body: [UInt8] = []
            body.reserveCapacity(length)
            body.append(contentsOf: opening)
            for position in page.range {
                if position > page.range.lowerBound { body.append(contentsOf: comma) }
                page.record(at: position).append(to: &body)
            }
            body.append(contentsOf: closing)
            pageBodies.store(body, for: key)
            return MockEngine.oversized(MockEngine.pageResponse(body), extra)
        }
    }

    /// A list page to take from the cache or to join, or a complete answer (an error).
    enum PageOutcome {
        case answer(HTTPResponse)
        /// A page to take from the cache or to join.
        case page(PageSlice, extra: ExtraDevices?)
    }

    /// Bytes of assembled pages kept for re-serving: about 40 pages of 1,000 typical devices.
    static let pageBodyCacheLimit = 64 * 1024 * 1024

    static func pageResponse(_ body: [UInt8]) -> HTTPResponse {
        // One buffer: the server sends head and body in a single gathered write, where 2,000
        // small chunks (a comma and an object per device) cost more than the copy.
        HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), bodyChunks: [body])
    }

    /// The page token for a position, reused when the same position is asked again so that
    /// re-reading a page gives the same `nextPageToken`.
    func pageToken(_ state: inout MockState, region: MockRegion, listing: Listing, offset: Int, filterKey: String) -> String {
        let positionKey = "\(region.rawValue)|\(listing.rawValue)|\(offset)|\(filterKey)"
        if let existing = state.pageTokenByPosition[positionKey],
           let (selector, _) = SecureToken.split(existing), state.pageCursors[selector] != nil {
            return existing
        }
        let token = SecureToken.make()
        state.pageCursors[token.selector] = PageCursor(validator: token.validator, region: region, listing: listing,
                                                      offset: offset, filterKey: filterKey)
        if state.pageTokenByPosition.count >= configuration.tokenCapacity { state.pageTokenByPosition.removeAll() }
        state.pageTokenByPosition[positionKey] = token.text
        return token.text
    }

    /// Filtering is a scan; the last result is cached so walking a filtered list page by page
    /// scans once, not once per page.
    func filteredIndices(_ state: inout MockState, records: [FixtureRecord], filters: DeviceFilters) -> [Int] {
        let cacheKey = filters.key + "\u{3}" + (state.settings.emptyFleet ? "empty" : "fleet")
        if let cache = state.filterCache, cache.key == cacheKey, cache.version == state.fleetVersion {
            return cache.indices
        }
        let indices = records.indices.filter { filters.matches(records[$0]) }
        state.filterCache = (cacheKey, state.fleetVersion, indices)
        return indices
    }

    func device(_ uuid: String) -> HTTPResponse {
        state.withLock { state in
            guard !state.settings.emptyFleet, let index = state.deviceIndex.position(of: uuid, in: state.devices) else {
                return Reply.rpc(404, "device \(uuid) not found")
            }
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                                bodyChunks: [deviceOpen, state.devices[index].bytes, objectClose])
        }
    }

    func batchGet(_ request: HTTPRequest) -> HTTPResponse {
        let uuids = request.queryValues("devicesUuids")
        guard !uuids.isEmpty else { return Reply.rpc(400, "devicesUuids is required (repeat it for each device)") }
        guard uuids.count <= MockEngine.batchGetLimit else {
            return Reply.rpc(400, "too many devicesUuids: \(uuids.count) > \(MockEngine.batchGetLimit)")
        }
        return state.withLock { state in
            var chunks: [[UInt8]] = [devicesOpen]
            chunks.reserveCapacity(uuids.count * 2 + 1)
            for (position, uuid) in uuids.enumerated() {
                guard !state.settings.emptyFleet, let index = state.deviceIndex.position(of: uuid, in: state.devices) else {
                    return Reply.rpc(404, "device \(uuid) not found")
                }
                if position > 0 { chunks.append(comma) }
                chunks.append(state.devices[index].bytes)
            }
            chunks.append(closeWithoutToken)
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), bodyChunks: chunks)
        }
    }

    /// The uuid of the device `fleet-changes-between-pages` adds.
    static let addedDeviceUUID = "feedc0de-0000-4000-8000-000000000001"

    /// The one-time change of `fleet-changes-between-pages`: the last device is deleted, the one
    /// before it gets " (renamed)" appended to its `displayName`, and a copy of the first device
    /// with uuid `addedDeviceUUID` and displayName `ADDED-BETWEEN-PAGES` is appended. The two
    /// touched objects are re-encoded (compact); all others stay verbatim.
    static func changeFleet(_ state: inout MockState) {
        state.fleetChanged = true
        guard state.devices.count >= 3 else { return }
        state.devices.removeLast()
        let renamedIndex = state.devices.count - 1
        if var object = (try? JSONParser.parse(state.devices[renamedIndex].bytes))?.objectValue {
            let oldName = object["displayName"]?.stringValue ?? ""
            object["displayName"] = .string(oldName + " (renamed)")
            state.devices[renamedIndex] = record(object)
        }
        if var object = (try? JSONParser.parse(state.devices[0].bytes))?.objectValue {
            object["uuid"] = .string(addedDeviceUUID)
            object["displayName"] = .string("ADDED-BETWEEN-PAGES")
            state.devices.append(record(object))
        }
        state.deviceIndex = index(state.devices)
        state.fleetVersion += 1
    }

    static func record(_ object: JSONObject) -> FixtureRecord {
        let bytes = JSONValue.object(object).serialized()
        return FixtureRecord(bytes: bytes, uuid: object["uuid"]?.stringValue, displayName: object["displayName"]?.stringValue,
                             functionalityStatus: object["functionalityStatus"]?.stringValue,
                             isMuted: object["isMuted"]?.boolValue, parentGroupUuid: object["parentGroupUuid"]?.stringValue)
    }
}

/// Everything the bytes of an assembled list page depend on: the records (listing and fleet
/// version), the selection, the slice, and the closing member with its token.
struct PageBodyKey: Hashable {
    let listing: Listing
    let fleetVersion: Int
    let emptyFleet: Bool
    let filterKey: String
    let start: Int
    let end: Int
    /// The closing member: the next token, or (last page) the scenario's style.
    let next: String?
    let lastPageToken: MockScenario.LastPageTokenStyle
}

/// The records of one list page as the state lock saw them (the array is shared, not copied).
struct PageSlice {
    let records: [FixtureRecord]
    let selected: [Int]?
    let range: Range<Int>
    let listing: Listing
    let key: PageBodyKey

    func record(at position: Int) -> FixtureRecord { records[selected?[position] ?? position] }
}

/// Assembled list pages by everything their bytes depend on, behind their own lock so that a
/// page asked again is found without the state lock. Keys carry the fleet version, which never
/// repeats (a reset continues the count), so an entry stored late by a call that began before a
/// reset or a fleet change can never be served for the new fleet.
final class PageBodyCache: Sendable {
    private struct Entries {
        var bodies: [PageBodyKey: [UInt8]] = [:]
        var bytes = 0
    }
    private let entries = Mutex(Entries())

    func lookup(_ key: PageBodyKey) -> [UInt8]? { entries.withLock { $0.bodies[key] } }

    func store(_ body: [UInt8], for key: PageBodyKey) {
        guard body.count <= MockEngine.pageBodyCacheLimit / 8 else { return }
        entries.withLock { entries in
            if entries.bytes + body.count > MockEngine.pageBodyCacheLimit {
                entries.bodies.removeAll()
                entries.bytes = 0
            }
            if entries.bodies.updateValue(body, forKey: key) == nil { entries.bytes += body.count }
        }
    }

    func removeAll() { entries.withLock { $0 = Entries() } }
}

/// An answer to send instead of the normal one, carried through `Result`.
struct HTTPError: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
