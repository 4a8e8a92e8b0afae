import Foundation
import JSON

/// A named set of misbehaviours, read from a JSON file in `MockData/scenarios/` (format in
/// `MockData/scenarios/README.md`). Several can be active at once: their rules are all
/// consulted in order, and for settings the scenario listed last wins.
public struct MockScenario: Sendable {
    /// Identifier used on the command line and in the admin API, e.g. `token-expiry`.
    public var name: String
    /// What the scenario does, in a sentence or two.
    public var description: String
    /// What a correct client should do when facing it.
    public var expectation: String?
    /// Per-call answers that replace or alter the normal one.
    public var rules: [MockRule]
    /// `expires_in` (seconds) for tokens issued while active.
    public var tokenLifetime: Int?
    /// Data calls an access token answers before it dies (401).
    public var accessTokenMaxCalls: Int?
    /// How the last page of a list says it is the last.
    public var lastPageToken: LastPageTokenStyle?
    /// Most items per page, whatever `pageSize` asks (the API may return fewer than asked).
    public var pageSizeCap: Int?
    /// When true, devices and device groups lists are empty (and no device is found by uuid).
    public var emptyFleet: Bool
    /// After this many devices pages served, the fleet changes once (see `README`).
    public var fleetChangeAfterDevicePages: Int?
    /// The first page boundary of a devices listing repeats the page's last device on the next page.
    public var duplicateAcrossPages: Bool
    /// A devices page fetched with `pageToken` T answers `nextPageToken` T again (an endless loop).
    public var repeatPageToken: Bool
    /// Statuses a Sekoia task reports on successive polls (the last one sticks).
    public var sekoiaTaskStates: [String]?
    /// When false, accepted pushes answer 200 `{}` without a `task_id` (the field is optional).
    public var sekoiaTaskIDs: Bool?
    /// The kinds of contract violation this scenario causes on purpose (an HTML 502, a body cut
    /// in half): contract checks of answers it produced accept those, and only those.
    public var offContract: [ContractViolation.Kind] = []
    /// Every devices page carries this many devices more than it should (synthetic copies of the
    /// page's first device with fresh uuids): a page larger than `pageSize` asked.
    public var extraDevicesPerPage: Int?
    /// Changes planted in fixture devices while the scenario is active.
    public var devicePatches: [MockDevicePatch] = []

    /// How the last page signals its end.
    public enum LastPageTokenStyle: String, Sendable {
        /// `"nextPageToken": ""` (the OpenAPI description; the mock's default).
        case empty
        /// No `nextPageToken` member (ESET's help pages).
        case missing
        /// `"nextPageToken": null` (Sekoia's tests).
        case null
    }

    /// A scenario that changes nothing, to be filled in by code.
    public init(name: String, description: String, expectation: String? = nil, rules: [MockRule] = []) {
        self.name = name
        self.description = description
        self.expectation = expectation
        self.rules = rules
        self.emptyFleet = false
        self.duplicateAcrossPages = false
        self.repeatPageToken = false
    }

    /// Parses one scenario document. `source` names it in errors.
    /// - Throws: `ESETMockError` naming the source and the offending field (or line/column).
    public init(json bytes: [UInt8], source: String) throws {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ESETMockError("malformed JSON: \(error.reason)", file: source, line: error.line, column: error.column)
        }
        try self.init(value: document, source: source)
    }

    /// Builds a scenario from an already parsed JSON object (the admin API accepts inline ones).
    package init(value document: JSONValue, source: String) throws {
        let reader = FieldReader(source: source)
        guard let object = document.objectValue else { throw reader.error("", "expected a JSON object") }
        try reader.allowOnly(object, "", ["name", "description", "expect", "rules", "tokenLifetime", "accessTokenMaxCalls",
                                          "lastPageToken", "pageSizeCap", "fleet", "fleetChange", "duplicateAcrossPages",
                                          "repeatPageToken", "sekoiaTaskStates", "sekoiaTaskIds", "extraDevicesPerPage",
                                          "devicePatches", "offContract", "comment"])
        let name = try reader.requiredString(object, "", "name")
        guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
            throw reader.error("name", "must be lower-case letters, digits and '-'")
        }
        self.init(name: name, description: try reader.requiredString(object, "", "description"),
                  expectation: try reader.optionalString(object, "", "expect"))
        tokenLifetime = try reader.optionalInt(object, "", "tokenLifetime", minimum: 1)
        accessTokenMaxCalls = try reader.optionalInt(object, "", "accessTokenMaxCalls", minimum: 1)
        pageSizeCap = try reader.optionalInt(object, "", "pageSizeCap", minimum: 1)
        if let style = try reader.optionalString(object, "", "lastPageToken") {
            guard let parsed = LastPageTokenStyle(rawValue: style) else {
                throw reader.error("lastPageToken", "expected \"empty\", \"missing\" or \"null\"")
            }
            lastPageToken = parsed
        }
        if let fleet = try reader.optionalString(object, "", "fleet") {
            guard fleet == "empty" || fleet == "fixtures" else { throw reader.error("fleet", "expected \"empty\" or \"fixtures\"") }
            emptyFleet = fleet == "empty"
        }
        if let change = object["fleetChange"] {
            guard let changeObject = change.objectValue else { throw reader.error("fleetChange", "expected an object") }
            try reader.allowOnly(changeObject, "fleetChange.", ["afterDevicePages", "comment"])
            fleetChangeAfterDevicePages = try reader.optionalInt(changeObject, "fleetChange.", "afterDevicePages", minimum: 1) ?? 1
        }
        duplicateAcrossPages = try reader.optionalBool(object, "", "duplicateAcrossPages") ?? false
        repeatPageToken = try reader.optionalBool(object, "", "repeatPageToken") ?? false
        if let states = object["sekoiaTaskStates"] {
            guard let list = states.arrayValue, !list.isEmpty else {
                throw reader.error("sekoiaTaskStates", "expected a non-empty array of strings")
            }
            sekoiaTaskStates = try list.enumerated().map { index, element in
                guard let text = element.stringValue, !text.isEmpty else {
                    throw reader.error("sekoiaTaskStates[\(index)]", "expected a non-empty string")
                }
                return text
            }
        }
        sekoiaTaskIDs = try reader.optionalBool(object, "", "sekoiaTaskIds")
        extraDevicesPerPage = try reader.optionalInt(object, "", "extraDevicesPerPage", minimum: 1, maximum: 100_000)
        if let patches = object["devicePatches"] {
            guard let list = patches.arrayValue else { throw reader.error("devicePatches", "expected an array") }
            devicePatches = try list.enumerated().map { index, element in
                try MockDevicePatch(value: element, place: "devicePatches[\(index)]", reader: reader)
            }
        }
        if let kinds = object["offContract"] {
            guard let list = kinds.arrayValue else { throw reader.error("offContract", "expected an array of strings") }
            offContract = try list.enumerated().map { index, element in
                guard let text = element.stringValue, let kind = ContractViolation.Kind(rawValue: text) else {
                    throw reader.error("offContract[\(index)]", "expected one of \(ContractViolation.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
        }
        if let rulesValue = object["rules"] {
            guard let list = rulesValue.arrayValue else { throw reader.error("rules", "expected an array") }
            rules = try list.enumerated().map { index, element in
                try MockRule(value: element, place: "rules[\(index)]", reader: reader)
            }
        }
    }

    /// Loads every `*.json` file of `directory` (sorted by file name).
    /// - Throws: `ESETMockError` for an unreadable or invalid file, or two files with the same name.
    public static func loadLibrary(directory: URL) throws -> [MockScenario] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ESETMockError("cannot list scenarios directory", file: directory.path)
        }
        var scenarios: [MockScenario] = []
        var seen: [String: String] = [:]
        for file in names.sorted() where file.hasSuffix(".json") {
            let path = directory.appendingPathComponent(file).path
            let scenario = try MockScenario(json: readFile(path), source: path)
            if let other = seen[scenario.name] {
                throw ESETMockError("scenario name '\(scenario.name)' already used by \(other)", file: path)
            }
            seen[scenario.name] = path
            scenarios.append(scenario)
        }
        return scenarios
    }
}

/// One rule of a scenario: which calls it concerns and what happens to them.
public struct MockRule: Sendable {
    /// Which endpoint a rule watches.
    public enum Route: String, Sendable, CaseIterable {
        /// `POST /oauth/token` (optionally narrowed by `grant`).
        case token
        /// `GET /v1/devices`.
        case devices
        /// `GET /v1/device_groups`.
        case deviceGroups = "device_groups"
        /// `GET /v1/devices/{uuid}`.
        case device
        /// `GET /v1/devices:batchGet`.
        case batchGet
        /// `GET /v1/device_groups/{groupUuid}/devices`.
        case memberDevices = "member_devices"
        /// `POST /v1/devices/{deviceUuid}:move`.
        case move
        /// `POST /v1/devices/{deviceUuid}:rename`.
        case rename
        /// `POST /v1/devices:batchImport`.
        case batchImport
        /// Any of the eight device-management calls.
        case data
        /// `POST /sekoia/api/v2/asset-management/asset-connector/{uuid}`.
        case sekoiaPush = "sekoia-push"
        /// `GET /sekoia/api/v1/tasks/{id}`.
        case sekoiaTask = "sekoia-task"
    }

    /// The shape of an error body.
    public enum Body: String, Sendable {
        /// No body at all.
        case empty
        /// A short non-JSON text (`text/html`), as a proxy would answer.
        case text
        /// `{"code": N, "message": "...", "details": []}` (google.rpc.Status).
        case rpc
        /// `{"error": "invalid_grant", "error_description": "..."}`.
        case oauth
        /// The normal answer cut in the middle and ended with a NUL byte: never valid JSON.
        case malformed
        /// The normal answer (useful with `delayMs` or `fault`).
        case normal
        /// A chunked body that never ends (`streamSeconds` bounds it; the connection then closes).
        case endless
        /// `Content-Length: declaredLength` (default 10 GB) announced; bytes flow (at
        /// `bytesPerSecond`, or as fast as read) until `streamSeconds`, then the connection closes.
        case hugeLength = "huge-length"
        /// `Content-Encoding: gzip` whose unpacked form is `unpackedBytes` (default 200 MB) of
        /// spaces followed by the normal answer: valid JSON once inflated, if memory allows.
        case gzipBomb = "gzip-bomb"

        /// Whether this body is one of the hostile, unbounded kinds.
        var isHostile: Bool { self == .endless || self == .hugeLength || self == .gzipBomb }
    }

    /// What happens to the connection after (or instead of) the answer.
    public enum Fault: String, Sendable {
        /// Full `Content-Length` announced, half the body sent, connection closed.
        case truncate
        /// Nothing sent; the connection is reset (TCP RST).
        case reset
        /// Answer sent with `Connection: close`, then closed.
        case close
    }

    /// The endpoint watched.
    public var route: Route
    /// For `token`: only this `grant_type` (`password` or `refresh_token`).
    public var grant: String?
    /// Only calls to this region.
    public var region: MockRegion?
    /// 1-based numbers of the matching calls the rule fires on (each rule counts the calls that
    /// match its route, grant and region); nil with `fromCall` nil means every call.
    public var calls: [Int]?
    /// Fire on every matching call from this number on.
    public var fromCall: Int?
    /// Status to answer; nil keeps the normal status (with `delayMs`/`fault`/`body` applied).
    public var status: Int?
    /// Body shape; nil picks a default for the status (see README).
    public var body: Body?
    /// Message inside an `rpc`/`oauth`/`text` body.
    public var message: String?
    /// `Retry-After` header value to send, verbatim.
    public var retryAfter: String?
    /// Milliseconds to wait before answering.
    public var delayMs: Int?
    /// Connection fault to produce.
    public var fault: Fault?
    /// For status 202: how many re-sends with `response-id` still get 202 before the 200.
    public var pendingPolls: Int?
    /// For status 202: how long the cached answer stays fetchable (ESET: 10 minutes).
    public var expiresAfterMs: Int?
    /// With a 3xx status: where `Location` points (`foreign-origin` or an absolute http(s) URL).
    public var redirect: MockRedirect?
    /// For `huge-length`: the `Content-Length` announced.
    public var declaredLength: Int?
    /// For `gzip-bomb`: the size of the inflated body.
    public var unpackedBytes: Int?
    /// For `endless` and `huge-length`: the pace of the stream (nil: as fast as the client reads).
    public var bytesPerSecond: Int?
    /// For `endless` and `huge-length`: when the mock gives up streaming and closes (default 60).
    public var streamSeconds: Int?

    /// A rule built in code (other fields default to "unchanged").
    public init(route: Route, calls: [Int]? = nil, status: Int? = nil) {
        self.route = route
        self.calls = calls
        self.status = status
    }

    init(value: JSONValue, place: String, reader: FieldReader) throws {
        guard let object = value.objectValue else { throw reader.error(place, "expected an object") }
        let prefix = place + "."
        try reader.allowOnly(object, prefix, ["route", "grant", "region", "calls", "fromCall", "status", "body", "message",
                                              "retryAfter", "delayMs", "fault", "pendingPolls", "expiresAfterMs", "redirect",
                                              "declaredLength", "unpackedBytes", "bytesPerSecond", "streamSeconds", "comment"])
        let routeName = try reader.requiredString(object, prefix, "route")
        guard let route = Route(rawValue: routeName) else {
            throw reader.error(prefix + "route", "unknown route '\(routeName)' (known: \(Route.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(route: route)
        grant = try reader.optionalString(object, prefix, "grant")
        if let grant, grant != "password" && grant != "refresh_token" {
            throw reader.error(prefix + "grant", "expected \"password\" or \"refresh_token\"")
        }
        if grant != nil && route != .token { throw reader.error(prefix + "grant", "only meaningful with route \"token\"") }
        if let regionName = try reader.optionalString(object, prefix, "region") {
            guard let parsed = MockRegion(rawValue: regionName) else { throw reader.error(prefix + "region", "unknown region '\(regionName)'") }
            region = parsed
        }
        if let list = object["calls"] {
            guard let numbers = list.arrayValue else { throw reader.error(prefix + "calls", "expected an array of call numbers") }
            calls = try numbers.enumerated().map { index, number in
                guard case .int(let call) = number, call >= 1, call <= Int64(Int32.max) else {
                    throw reader.error(prefix + "calls[\(index)]", "expected an integer in 1...\(Int32.max), found \(number.jsonText)")
                }
                return Int(call)
            }
        }
        fromCall = try reader.optionalInt(object, prefix, "fromCall", minimum: 1)
        if calls != nil && fromCall != nil { throw reader.error(prefix + "fromCall", "use either calls or fromCall") }
        status = try reader.optionalInt(object, prefix, "status", minimum: 200, maximum: 599)
        if let bodyName = try reader.optionalString(object, prefix, "body") {
            guard let parsed = Body(rawValue: bodyName) else {
                throw reader.error(prefix + "body",
                                   "expected one of empty, text, rpc, oauth, malformed, normal, endless, huge-length, gzip-bomb")
            }
            body = parsed
        }
        message = try reader.optionalString(object, prefix, "message")
        if let retry = object["retryAfter"] {
            switch retry {
            case .string(let text):
                if text.hasPrefix("http-date") {
                    let offset = text.dropFirst("http-date".count)
                    // A date must stay printable: ±100 years, whatever the file says.
                    guard offset.first == "+" || offset.first == "-",
                          let seconds = Int(offset.dropFirst()), abs(seconds) <= MockRule.maxRetryAfterDateOffset else {
                        throw reader.error(prefix + "retryAfter",
                                           "\"http-date+N\" / \"http-date-N\" needs N in 0...\(MockRule.maxRetryAfterDateOffset) seconds")
                    }
                }
                retryAfter = text
            case .int(let seconds): retryAfter = String(seconds)
            default: throw reader.error(prefix + "retryAfter", "expected a string or an integer")
            }
        }
        delayMs = try reader.optionalInt(object, prefix, "delayMs", minimum: 0, maximum: 600_000)
        if let faultName = try reader.optionalString(object, prefix, "fault") {
            guard let parsed = Fault(rawValue: faultName) else { throw reader.error(prefix + "fault", "expected truncate, reset or close") }
            fault = parsed
        }
        pendingPolls = try reader.optionalInt(object, prefix, "pendingPolls", minimum: 0, maximum: 1_000_000)
        expiresAfterMs = try reader.optionalInt(object, prefix, "expiresAfterMs", minimum: 0, maximum: 86_400_000)
        if let target = try reader.optionalString(object, prefix, "redirect") {
            guard let parsed = MockRedirect(target) else {
                throw reader.error(prefix + "redirect", "expected \"foreign-origin\" or an absolute http:// or https:// URL")
            }
            redirect = parsed
            if status == nil { status = 307 }
            guard let status, (300...399).contains(status) else {
                throw reader.error(prefix + "redirect", "needs a 3xx status (absent: 307)")
            }
        }
        declaredLength = try reader.optionalInt(object, prefix, "declaredLength", minimum: 1, maximum: 1 << 50)
        unpackedBytes = try reader.optionalInt(object, prefix, "unpackedBytes", minimum: 0, maximum: 2_000_000_000)
        bytesPerSecond = try reader.optionalInt(object, prefix, "bytesPerSecond", minimum: 1, maximum: 1 << 30)
        streamSeconds = try reader.optionalInt(object, prefix, "streamSeconds", minimum: 1, maximum: 3600)
        if declaredLength != nil && body != .hugeLength {
            throw reader.error(prefix + "declaredLength", "only meaningful with body \"huge-length\"")
        }
        if unpackedBytes != nil && body != .gzipBomb {
            throw reader.error(prefix + "unpackedBytes", "only meaningful with body \"gzip-bomb\"")
        }
        if (bytesPerSecond != nil || streamSeconds != nil) && body != .endless && body != .hugeLength {
            throw reader.error(prefix + (bytesPerSecond != nil ? "bytesPerSecond" : "streamSeconds"),
                               "only meaningful with body \"endless\" or \"huge-length\"")
        }
        if redirect != nil && body != nil {
            throw reader.error(prefix + "body", "a redirect has no body to choose")
        }
        if (pendingPolls != nil || expiresAfterMs != nil) && status != 202 {
            throw reader.error(prefix + "pendingPolls", "pendingPolls and expiresAfterMs need status 202")
        }
        if status == 202 && ![.devices, .deviceGroups, .device, .batchGet, .data].contains(route) {
            throw reader.error(prefix + "status", "the 202 flow exists only on device-management routes")
        }
    }

    /// Largest `N` of `retryAfter` `"http-date+N"`: 100 years.
    public static let maxRetryAfterDateOffset = 3_155_760_000

    /// Whether call number `count` (1-based, among calls matching this rule) fires it.
    func fires(onCall count: Int) -> Bool {
        if let calls { return calls.contains(count) }
        if let fromCall { return count >= fromCall }
        return true
    }
}

/// Typed access to scenario fields with errors naming the file and the field path.
struct FieldReader {
    let source: String

    func error(_ field: String, _ message: String) -> ESETMockError {
        ESETMockError(field.isEmpty ? message : "\(field): \(message)", file: source)
    }

    func allowOnly(_ object: JSONObject, _ prefix: String, _ allowed: Set<String>) throws {
        for key in object.keys where !allowed.contains(key) {
            throw error(prefix + key, "unknown field (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func requiredString(_ object: JSONObject, _ prefix: String, _ key: String) throws -> String {
        guard let value = object[key] else { throw error(prefix + key, "missing (expected a string)") }
        guard let text = value.stringValue else { throw error(prefix + key, "expected a string, found \(value.typeName)") }
        return text
    }

    func optionalString(_ object: JSONObject, _ prefix: String, _ key: String) throws -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue else { throw error(prefix + key, "expected a string, found \(value.typeName)") }
        return text
    }

    func optionalInt(_ object: JSONObject, _ prefix: String, _ key: String, minimum: Int,
                     maximum: Int = Int(Int32.max)) throws -> Int? {
        guard let value = object[key] else { return nil }
        guard case .int(let number) = value, number >= Int64(minimum), number <= Int64(maximum) else {
            throw error(prefix + key, "expected an integer in \(minimum)...\(maximum), found \(value.jsonText)")
        }
        return Int(number)
    }

    func optionalBool(_ object: JSONObject, _ prefix: String, _ key: String) throws -> Bool? {
        guard let value = object[key] else { return nil }
        guard let flag = value.boolValue else { throw error(prefix + key, "expected true or false") }
        return flag
    }
}

/// Where a scenario's redirect points.
public enum MockRedirect: Sendable, Equatable {
    /// The mock's foreign-origin trap: a second loopback listener that records what reaches it
    /// (`ESETMockServer.foreignOriginRequests`, `GET /__admin/foreign`).
    case foreignOrigin
    /// A fixed absolute URL.
    case url(String)

    init?(_ text: String) {
        if text == "foreign-origin" {
            self = .foreignOrigin
            return
        }
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), text.count <= 2048,
              !text.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else { return nil }
        self = .url(text)
    }
}

/// A change planted in one fixture device while a scenario is active (the device keeps its place).
public struct MockDevicePatch: Sendable {
    /// Index of the device in the fixture fleet; beyond the fleet, the last device.
    public var device: Int
    /// Top-level fields replaced (or added) with these JSON values; the object is re-encoded.
    package var set: [(name: String, value: JSONValue)]
    /// A top-level string field whose value gets the bytes `FF FE` inserted after its 8th byte
    /// (or at its end): invalid UTF-8 on the wire, which no JSON escape can express.
    public var invalidUTF8In: String?

    init(value: JSONValue, place: String, reader: FieldReader) throws {
        guard let object = value.objectValue else { throw reader.error(place, "expected an object") }
        let prefix = place + "."
        try reader.allowOnly(object, prefix, ["device", "set", "invalidUTF8In", "comment"])
        device = try reader.optionalInt(object, prefix, "device", minimum: 0, maximum: 10_000_000) ?? 0
        set = []
        if let fields = object["set"] {
            guard let fieldObject = fields.objectValue else { throw reader.error(prefix + "set", "expected an object") }
            set = fieldObject.members.map { ($0.key, $0.value) }
        }
        invalidUTF8In = try reader.optionalString(object, prefix, "invalidUTF8In")
        if set.isEmpty && invalidUTF8In == nil {
            throw reader.error(place, "expected \"set\" or \"invalidUTF8In\"")
        }
    }
}
