import HTTPServer
import JSON

/// The settings of the active scenarios folded together (the scenario listed last wins).
struct ScenarioSettings {
    var tokenLifetime: Int?
    var accessTokenMaxCalls: Int?
    var lastPageToken: MockScenario.LastPageTokenStyle = .empty
    var pageSizeCap: Int?
    var emptyFleet = false
    var fleetChangeAfterDevicePages: Int?
    var duplicateAcrossPages = false
    var repeatPageToken = false
    var sekoiaTaskStates: [String]?
    var sekoiaTaskIDs = true
    var extraDevicesPerPage: Int?
    var devicePatches: [MockDevicePatch] = []

    init(_ scenarios: [MockScenario]) {
        for scenario in scenarios {
            if let value = scenario.tokenLifetime { tokenLifetime = value }
            if let value = scenario.accessTokenMaxCalls { accessTokenMaxCalls = value }
            if let value = scenario.lastPageToken { lastPageToken = value }
            if let value = scenario.pageSizeCap { pageSizeCap = value }
            if scenario.emptyFleet { emptyFleet = true }
            if let value = scenario.fleetChangeAfterDevicePages { fleetChangeAfterDevicePages = value }
            if scenario.duplicateAcrossPages { duplicateAcrossPages = true }
            if scenario.repeatPageToken { repeatPageToken = true }
            if let value = scenario.sekoiaTaskStates { sekoiaTaskStates = value }
            if let value = scenario.sekoiaTaskIDs { sekoiaTaskIDs = value }
            if let value = scenario.extraDevicesPerPage { extraDevicesPerPage = value }
            devicePatches += scenario.devicePatches
        }
    }
}

struct IssuedAccessToken {
    let validator: [UInt8]
    let region: MockRegion
    let username: String
    let expiresAt: Double
    /// Data calls presented with this token since it was issued, whatever their answer.
    var callsUsed = 0
}

struct IssuedRefreshToken {
    let validator: [UInt8]
    let region: MockRegion
    let username: String
}

/// Which list a page token walks.
enum Listing: String {
    case devices
    case deviceGroups = "deviceGroups"
    case memberDevices = "memberDevices"
}

struct PageCursor {
    let validator: [UInt8]
    let region: MockRegion
    let listing: Listing
    let offset: Int
    /// The filters of the query that produced the token; a later page must use the same ones.
    let filterKey: String
}

/// A 202'd answer waiting to be fetched with its `response-id`.
struct CachedAnswer {
    let queryKey: String
    let response: HTTPResponse
    var pendingPolls: Int
    let expiresAt: Double
}

struct RateBucket {
    var tokens: Double
    var last: Double
}

struct SekoiaTask {
    let connector: String
    let states: [String]
    var polls = 0
}

/// A rule chosen to answer a call, and the scenario it belongs to.
struct FiredRule {
    let rule: MockRule
    let scenario: String
}

/// All mutable state of one mock instance but the journal, guarded by one mutex that a device
/// page request takes once (authentication, rate limit, rules and the page itself); the slow
/// parts, assembling bodies, sleeping and writing, happen outside it.
struct MockState {
    var accessTokens: BoundedStore<IssuedAccessToken>
    var refreshTokens: BoundedStore<IssuedRefreshToken>
    var pageCursors: BoundedStore<PageCursor>
    /// The token already handed out for a position, so re-reading a page gives the same token.
    var pageTokenByPosition: [String: String] = [:]
    var cachedAnswers: BoundedStore<CachedAnswer>
    var rateBuckets: [String: RateBucket] = [:]

    var scenarios: [MockScenario] = []
    var settings = ScenarioSettings([])
    var ruleCounters: [[Int]] = []

    var devices: [FixtureRecord]
    var deviceIndex: DeviceIndex
    var fleetVersion = 0
    var fleetChanged = false
    var devicePagesServed = 0
    var duplicateServed = false
    /// Synthetic devices already added by `extraDevicesPerPage` (their uuids count on).
    var extraDevicesServed = 0
    var filterCache: (key: String, version: Int, indices: [Int])?

    var sekoiaTasks: BoundedStore<SekoiaTask>
    var sekoiaBatches: [MockSekoiaBatch] = []
    var sekoiaItems: [[UInt8]] = []
    var sekoiaItemsStart = 0
    var sekoiaItemsReceived = 0
    var sekoiaBatchesRejected = 0
    var sekoiaBatchesAccepted = 0

    init(fixtures: MockFixtures, originalIndex: DeviceIndex, tokenCapacity: Int) {
        accessTokens = BoundedStore(capacity: tokenCapacity)
        refreshTokens = BoundedStore(capacity: tokenCapacity)
        pageCursors = BoundedStore(capacity: tokenCapacity)
        cachedAnswers = BoundedStore(capacity: 10_000)
        sekoiaTasks = BoundedStore(capacity: tokenCapacity)
        devices = fixtures.devices
        deviceIndex = originalIndex
    }

    mutating func activate(_ scenarios: [MockScenario]) {
        self.scenarios = scenarios
        settings = ScenarioSettings(scenarios)
        ruleCounters = scenarios.map { Array(repeating: 0, count: $0.rules.count) }
        if !settings.devicePatches.isEmpty {
            // `devices` holds the fixture fleet here (a fresh state, or one just restored).
            MockEngine.applyPatches(settings.devicePatches, to: &devices)
            deviceIndex = MockEngine.index(devices)
            fleetVersion += 1
        }
    }

    /// Counts this call for every rule watching it and returns the first rule that fires.
    mutating func fireRule(route: MockRule.Route, grant: String? = nil, region: MockRegion?) -> FiredRule? {
        var fired: FiredRule?
        for scenarioIndex in scenarios.indices {
            for (ruleIndex, rule) in scenarios[scenarioIndex].rules.enumerated() {
                let routeMatches = rule.route == route
                    || (rule.route == .data && MockRule.Route.deviceManagementRoutes.contains(route))
                guard routeMatches else { continue }
                if let wanted = rule.grant, wanted != grant { continue }
                if let wanted = rule.region, wanted != region { continue }
                ruleCounters[scenarioIndex][ruleIndex] += 1
                if fired == nil, rule.fires(onCall: ruleCounters[scenarioIndex][ruleIndex]) {
                    fired = FiredRule(rule: rule, scenario: scenarios[scenarioIndex].name)
                }
            }
        }
        return fired
    }

    mutating func storeSekoiaItems(_ items: [[UInt8]], capacity: Int) {
        sekoiaItemsReceived += items.count
        guard capacity > 0 else { return }
        sekoiaItems.append(contentsOf: items)
        let excess = sekoiaItems.count - sekoiaItemsStart - capacity
        if excess > 0 { sekoiaItemsStart += excess }
        if sekoiaItemsStart > 65536 && sekoiaItemsStart * 2 > sekoiaItems.count {
            sekoiaItems.removeFirst(sekoiaItemsStart)
            sekoiaItemsStart = 0
        }
    }

    var storedSekoiaItems: ArraySlice<[UInt8]> { sekoiaItems[sekoiaItemsStart...] }
}

/// The request journal and the call counters, behind their own mutex (`MockEngine.journal`), so
/// that recording a call never waits for the state lock, and a call holding the state lock never
/// waits for the journal. Every call is recorded once; `sequence` is the order of recording.
/// Lock order, where both are needed (reset, counters): `state` first, then `journal`.
struct MockJournal {
    var entries: [MockJournalEntry] = []
    var entriesStart = 0
    var sequence = 0
    var counters: [String: [Int: Int]] = [:]
    var totalCalls = 0

    mutating func record(_ entry: MockJournalEntry, capacity: Int) {
        sequence += 1
        var entry = entry
        entry.sequence = sequence
        counters[entry.route, default: [:]][entry.status, default: 0] += 1
        totalCalls += 1
        guard capacity > 0 else { return }
        if entries.count - entriesStart < capacity {
            entries.append(entry)
        } else {
            entries.append(entry)
            entriesStart += 1
        }
        if entriesStart > 4096 && entriesStart * 2 > entries.count {
            entries.removeFirst(entriesStart)
            entriesStart = 0
        }
    }

    var storedEntries: [MockJournalEntry] { Array(entries[entriesStart...]) }
}

/// One line of the request journal. It never holds secrets: no header values, no bodies, and
/// query values other than a few harmless parameters are replaced by `REDACTED`.
public struct MockJournalEntry: Sendable, Equatable {
    /// 1-based position among all recorded requests since the last reset.
    public var sequence: Int
    /// Wall-clock time the request arrived, RFC 3339 UTC.
    public var time: String
    /// The request method.
    public var method: String
    /// The request path (no query).
    public var path: String
    /// The query with values redacted except `pageSize`, `devicesUuids` and the filters;
    /// `pageToken` values are always redacted.
    public var query: String
    /// The status answered (for a `reset` fault: the status that would have been sent).
    public var status: Int
    /// The ESET region addressed, if any.
    public var region: MockRegion?
    /// The service addressed.
    public var service: MockService
    /// `token`, `devices`, `device_groups`, `device`, `batchGet`, `sekoia-push`, `sekoia-task` or `unknown`.
    public var route: String
    /// The `request-id` sent back.
    public var requestID: String
    /// The scenario whose rule answered, if one did.
    public var scenario: String?
    /// `truncate`, `reset` or `close` when the answer was deliberately broken; `redirect`,
    /// `endless`, `huge-length` or `gzip-bomb` for the hostile answers.
    public var fault: String?
    /// Time spent answering, in milliseconds (delays included).
    public var durationMilliseconds: Double
}

/// Calls answered since the last reset, by route and status.
public struct MockCounters: Sendable, Equatable {
    /// Every journaled call (admin calls are not counted).
    public var total: Int
    /// route → status → count.
    public var byRoute: [String: [Int: Int]]
    /// Items received by the Sekoia intake (all of them, even those no longer stored).
    public var sekoiaItemsReceived: Int
    /// Batches accepted by the Sekoia intake.
    public var sekoiaBatchesAccepted: Int
    /// Batches refused (auth, validation, scenario errors).
    public var sekoiaBatchesRejected: Int

    /// Calls to `route` answered with `status`.
    public func count(route: String, status: Int) -> Int { byRoute[route]?[status] ?? 0 }
    /// Calls to `route`, any status.
    public func count(route: String) -> Int { byRoute[route]?.values.reduce(0, +) ?? 0 }
}

/// One accepted POST to the mock Sekoia intake.
public struct MockSekoiaBatch: Sendable, Equatable {
    /// The `{uuid}` of the asset-connector path.
    public var connectorUUID: String
    /// The task created for it.
    public var taskID: String
    /// Items in the batch.
    public var itemCount: Int
    /// Wall-clock arrival, RFC 3339 UTC.
    public var receivedAt: String
}
