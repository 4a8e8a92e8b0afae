import HTTPServer
import JSON

extension MockEngine {
    /// `/__admin/...`: health, reset, scenarios, journal, counters, received Sekoia items.
    func admin(_ request: HTTPRequest, rest: [String]) -> HTTPResponse {
        if let refusal = adminRefusal(request) { return refusal }
        switch (request.method, rest) {
        case ("GET", ["health"]):
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("status")
            writer.string("ok")
            writer.key("devices")
            writer.int(fixtures.deviceCount)
            writer.key("deviceGroups")
            writer.int(fixtures.deviceGroupCount)
            writer.key("regions")
            writer.beginArray()
            for region in MockRegion.allCases { writer.string(region.rawValue) }
            writer.endArray()
            writer.key("activeScenarios")
            writer.beginArray()
            for name in activeScenarioNames { writer.string(name) }
            writer.endArray()
            writer.endObject()
            return Reply.written(writer)
        case ("POST", ["reset"]):
            reset()
            return HTTPResponse.json(200, Array("{\"reset\":true}".utf8))
        case ("GET", ["scenarios"]):
            return scenariosDocument()
        case ("POST", ["scenarios"]):
            let document: JSONValue
            do {
                document = try JSONParser.parse(request.body)
            } catch {
                return Reply.message(400, "invalid JSON body at line \(error.line), column \(error.column): \(error.reason)")
            }
            guard let list = document["scenarios"]?.arrayValue else {
                return Reply.message(400, "expected {\"scenarios\": [name or scenario object, ...]}")
            }
            do {
                activate(try resolveScenarios(list))
            } catch let error as ESETMockError {
                return Reply.message(400, error.description)
            } catch {
                return Reply.message(400, "\(error)")
            }
            return scenariosDocument()
        case ("GET", ["journal"]):
            var entries = journal.withLock { $0.storedEntries }
            switch MockEngine.countParameter(request, "limit", default: entries.count) {
            case .success(let limit): entries = Array(entries.suffix(limit))
            case .failure(let error): return error.response
            }
            var writer = JSONWriter(reservingCapacity: 256 * entries.count + 64)
            writer.beginObject()
            writer.key("capacity")
            writer.int(configuration.journalCapacity)
            writer.key("entries")
            writer.beginArray()
            for entry in entries { MockEngine.write(entry, to: &writer) }
            writer.endArray()
            writer.endObject()
            return Reply.written(writer)
        case ("GET", ["foreign"]):
            let requests = foreign.requests
            var writer = JSONWriter(reservingCapacity: 96 * requests.count + 32)
            writer.beginObject()
            writer.key("requests")
            writer.beginArray()
            for request in requests {
                writer.beginObject()
                writer.key("method")
                writer.string(request.method)
                writer.key("path")
                writer.string(request.path)
                writer.key("authorization")
                writer.bool(request.authorization)
                writer.key("credential")
                writer.bool(request.credential)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            return Reply.written(writer)
        case ("GET", ["counters"]):
            var writer = JSONWriter()
            MockEngine.write(counters, to: &writer)
            return Reply.written(writer)
        case ("GET", ["sekoia", "items"]):
            let offset: Int, limit: Int
            switch (MockEngine.countParameter(request, "offset", default: 0), MockEngine.countParameter(request, "limit", default: 1000)) {
            case (.success(let first), .success(let count)): (offset, limit) = (first, count)
            case (.failure(let error), _), (_, .failure(let error)): return error.response
            }
            let (total, stored, items) = state.withLock { state -> (Int, Int, [[UInt8]]) in
                let all = state.storedSekoiaItems
                // Clamped before adding: offset and limit may each be near Int.max.
                let from = all.startIndex + min(offset, all.count)
                let to = from + min(limit, all.endIndex - from)
                return (state.sekoiaItemsReceived, all.count, Array(all[from..<to]))
            }
            var writer = JSONWriter(reservingCapacity: items.reduce(128) { $0 + $1.count + 1 })
            writer.beginObject()
            writer.key("received")
            writer.int(total)
            writer.key("stored")
            writer.int(stored)
            writer.key("offset")
            writer.int(offset)
            writer.key("items")
            writer.beginArray()
            for item in items { writer.raw(item) }
            writer.endArray()
            writer.endObject()
            return Reply.written(writer)
        case ("GET", ["sekoia", "batches"]):
            let batches = state.withLock { $0.sekoiaBatches }
            var writer = JSONWriter(reservingCapacity: 160 * batches.count + 32)
            writer.beginObject()
            writer.key("batches")
            writer.beginArray()
            for batch in batches {
                writer.beginObject()
                writer.key("connector")
                writer.string(batch.connectorUUID)
                writer.key("taskId")
                writer.string(batch.taskID)
                writer.key("items")
                writer.int(batch.itemCount)
                writer.key("receivedAt")
                writer.string(batch.receivedAt)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            return Reply.written(writer)
        case (_, ["health"]), (_, ["journal"]), (_, ["counters"]), (_, ["foreign"]), (_, ["sekoia", "items"]), (_, ["sekoia", "batches"]):
            return Reply.methodNotAllowed("GET")
        case (_, ["reset"]):
            return Reply.methodNotAllowed("POST")
        case (_, ["scenarios"]):
            return Reply.methodNotAllowed("GET, POST")
        default:
            return Reply.message(404, "unknown admin endpoint; see MockData/scenarios/README.md")
        }
    }

    /// Largest `offset`/`limit` the admin API accepts (far beyond any capacity, far below overflow).
    static let maxAdminCount = 1_000_000_000

    /// A non-negative decimal query parameter no larger than `maxAdminCount`; absent → `defaultValue`.
    static func countParameter(_ request: HTTPRequest, _ name: String, default defaultValue: Int) -> Result<Int, HTTPError> {
        guard let text = request.query(name) else { return .success(defaultValue) }
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = Int(text), value <= maxAdminCount else {
            return .failure(HTTPError(Reply.message(400, "\(name) must be an integer in 0...\(maxAdminCount), got '\(text.prefix(40))'")))
        }
        return .success(value)
    }

    // MARK: Shared with the public API

    var activeScenarioNames: [String] { state.withLock { $0.scenarios.map(\.name) } }

    /// Forgets every issued token, cached answer, counter, journal entry and received item, and
    /// restores the fixture fleet; the active scenarios stay active, their call counts restart.
    func reset() {
        let capacity = configuration.tokenCapacity
        state.withLock { state in
            let scenarios = state.scenarios
            // The fleet version counts on across resets: a page key never names two fleets.
            let version = state.fleetVersion + 1
            state = MockState(fixtures: fixtures, originalIndex: originalDeviceIndex, tokenCapacity: capacity)
            state.fleetVersion = version
            state.activate(scenarios)
            pageBodies.removeAll()
            // Under the state lock as well, so state and journal are reset as one step for readers.
            journal.withLock { $0 = MockJournal() }
        }
        foreign.reset()
    }

    /// Makes `scenarios` the active set: rule counts restart and the fleet is restored; tokens,
    /// journal and received items are kept.
    func activate(_ scenarios: [MockScenario]) {
        state.withLock { state in
            state.devices = fixtures.devices
            state.deviceIndex = originalDeviceIndex
            state.activate(scenarios)
            state.fleetVersion += 1
            state.fleetChanged = false
            state.devicePagesServed = 0
            state.duplicateServed = false
            state.filterCache = nil
            pageBodies.removeAll()
        }
    }

    /// Names are looked up in the library; objects are parsed as inline scenarios.
    func resolveScenarios(_ list: [JSONValue]) throws -> [MockScenario] {
        try list.enumerated().map { index, element in
            if let name = element.stringValue { return try scenario(named: name) }
            if element.objectValue != nil { return try MockScenario(value: element, source: "scenarios[\(index)]") }
            throw ESETMockError("scenarios[\(index)]: expected a scenario name or a scenario object")
        }
    }

    func scenario(named name: String) throws -> MockScenario {
        guard let found = configuration.scenarioLibrary.first(where: { $0.name == name }) else {
            let known = configuration.scenarioLibrary.map(\.name).joined(separator: ", ")
            throw ESETMockError("unknown scenario '\(name)' (available: \(known.isEmpty ? "none" : known))")
        }
        return found
    }

    var counters: MockCounters {
        state.withLock { state in
            let (total, byRoute) = journal.withLock { ($0.totalCalls, $0.counters) }
            return MockCounters(total: total, byRoute: byRoute,
                         sekoiaItemsReceived: state.sekoiaItemsReceived, sekoiaBatchesAccepted: state.sekoiaBatchesAccepted,
                         sekoiaBatchesRejected: state.sekoiaBatchesRejected)
        }
    }

    private func scenariosDocument() -> HTTPResponse {
        let active = state.withLock { $0.scenarios }
        var writer = JSONWriter(reservingCapacity: 4096)
        writer.beginObject()
        writer.key("active")
        writer.beginArray()
        for scenario in active { writer.string(scenario.name) }
        writer.endArray()
        writer.key("available")
        writer.beginArray()
        for scenario in configuration.scenarioLibrary {
            writer.beginObject()
            writer.key("name")
            writer.string(scenario.name)
            writer.key("description")
            writer.string(scenario.description)
            if let expectation = scenario.expectation {
                writer.key("expect")
                writer.string(expectation)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return Reply.written(writer)
    }

    static func write(_ entry: MockJournalEntry, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("seq")
        writer.int(entry.sequence)
        writer.key("time")
        writer.string(entry.time)
        writer.key("method")
        writer.string(entry.method)
        writer.key("path")
        writer.string(entry.path)
        writer.key("query")
        writer.string(entry.query)
        writer.key("status")
        writer.int(entry.status)
        writer.key("region")
        if let region = entry.region { writer.string(region.rawValue) } else { writer.null() }
        writer.key("service")
        writer.string(entry.service.rawValue)
        writer.key("route")
        writer.string(entry.route)
        writer.key("requestId")
        writer.string(entry.requestID)
        if let scenario = entry.scenario {
            writer.key("scenario")
            writer.string(scenario)
        }
        if let fault = entry.fault {
            writer.key("fault")
            writer.string(fault)
        }
        writer.key("durationMs")
        writer.double(entry.durationMilliseconds)
        writer.endObject()
    }

    static func write(_ counters: MockCounters, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("total")
        writer.int(counters.total)
        writer.key("byRoute")
        writer.beginObject()
        for route in counters.byRoute.keys.sorted() {
            writer.key(route)
            writer.beginObject()
            for (status, count) in counters.byRoute[route]!.sorted(by: { $0.key < $1.key }) {
                writer.key(String(status))
                writer.int(count)
            }
            writer.endObject()
        }
        writer.endObject()
        writer.key("sekoia")
        writer.beginObject()
        writer.key("itemsReceived")
        writer.int(counters.sekoiaItemsReceived)
        writer.key("batchesAccepted")
        writer.int(counters.sekoiaBatchesAccepted)
        writer.key("batchesRejected")
        writer.int(counters.sekoiaBatchesRejected)
        writer.endObject()
        writer.endObject()
    }
}
