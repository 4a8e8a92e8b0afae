import Foundation
import HTTPServer
import JSON

extension MockEngine {
    /// The mock Sekoia.io intake: `POST /sekoia/api/v2/asset-management/asset-connector/{uuid}`
    /// and `GET /sekoia/api/v1/tasks/{id}`.
    func sekoia(_ request: HTTPRequest, rest: [String], _ context: inout CallContext) -> HTTPResponse {
        if rest.count == 5, rest[0] == "api", rest[1] == "v2", rest[2] == "asset-management",
           rest[3] == "asset-connector", !rest[4].isEmpty {
            context.route = MockRule.Route.sekoiaPush.rawValue
            guard request.method == "POST" else { return Reply.methodNotAllowed("POST") }
            if let refused = checkAPIKey(request) {
                state.withLock { $0.sekoiaBatchesRejected += 1 }
                return refused
            }
            let fired = state.withLock { $0.fireRule(route: .sekoiaPush, region: nil) }
            let response = apply(fired, route: .sekoiaPush, &context) { push(request, connector: rest[4]) }
            if response.status != 200 { state.withLock { $0.sekoiaBatchesRejected += 1 } }
            return response
        }
        if rest.count == 4, rest[0] == "api", rest[1] == "v1", rest[2] == "tasks", !rest[3].isEmpty {
            context.route = MockRule.Route.sekoiaTask.rawValue
            guard request.method == "GET" else { return Reply.methodNotAllowed("GET") }
            if let refused = checkAPIKey(request) { return refused }
            let fired = state.withLock { $0.fireRule(route: .sekoiaTask, region: nil) }
            return apply(fired, route: .sekoiaTask, &context) { task(rest[3]) }
        }
        if rest == ["api", "v1", "apiauth", "auth", "validate"] {
            context.route = "sekoia-validate"
            guard request.method == "GET" else { return Reply.methodNotAllowed("GET") }
            return validate(request)
        }
        return Reply.message(404, "not found")
    }

    /// `GET /sekoia/api/v1/apiauth/auth/validate`: the call Sekoia.io's own integrations make to
    /// test a key. 200 with the key's identity (never the key), or 401
    /// `{"message": "The token is invalid", "code": "T300"}` as Sekoia.io answers a bad key.
    private func validate(_ request: HTTPRequest) -> HTTPResponse {
        guard let key = MockEngine.bearer(request), SecureToken.constantTimeEquals(key, configuration.sekoiaAPIKey) else {
            var writer = JSONWriter(reservingCapacity: 64)
            writer.beginObject()
            writer.key("message")
            writer.string("The token is invalid")
            writer.key("code")
            writer.string("T300")
            writer.endObject()
            var response = Reply.written(writer, status: 401)
            response.headers.set("WWW-Authenticate", "Bearer")
            return response
        }
        let issued = Int64(Date().timeIntervalSince1970)
        var writer = JSONWriter(reservingCapacity: 160)
        writer.beginObject()
        writer.key("identity")
        writer.string("apikey:mock")
        writer.key("type")
        writer.string("access")
        writer.key("fresh")
        writer.bool(false)
        writer.key("iat")
        writer.int(issued)
        writer.key("nbf")
        writer.int(issued)
        writer.key("jti")
        writer.string(SecureToken.uuid())
        writer.key("user_claims")
        writer.null()
        writer.endObject()
        return Reply.written(writer)
    }

    /// 401 without a bearer credential, 403 with a wrong one.
    private func checkAPIKey(_ request: HTTPRequest) -> HTTPResponse? {
        guard let key = MockEngine.bearer(request) else {
            var response = Reply.message(401, "missing API key: send 'Authorization: Bearer <api key>'")
            response.headers.set("WWW-Authenticate", "Bearer")
            return response
        }
        guard SecureToken.constantTimeEquals(key, configuration.sekoiaAPIKey) else {
            return Reply.message(403, "invalid API key")
        }
        return nil
    }

    /// Validates `{"version": 1, "items": [object, ...]}`, keeps the items verbatim, opens a task.
    private func push(_ request: HTTPRequest, connector: String) -> HTTPResponse {
        let document: JSONValue
        do {
            document = try JSONParser.parse(request.body)
        } catch {
            return Reply.message(400, "invalid JSON body at line \(error.line), column \(error.column): \(error.reason)")
        }
        guard let object = document.objectValue else { return Reply.message(400, "the body must be a JSON object") }
        guard let version = object["version"] else { return Reply.message(400, "missing field 'version' (expected 1)") }
        guard version == .int(1) else { return Reply.message(400, "unsupported version \(version.jsonText) (expected 1)") }
        guard let itemsValue = object["items"] else { return Reply.message(400, "missing field 'items'") }
        guard let items = itemsValue.arrayValue else {
            return Reply.message(400, "field 'items' must be an array, found \(itemsValue.typeName)")
        }
        let limit = configuration.sekoiaMaxItemsPerBatch
        guard items.count <= limit else {
            return Reply.message(413, "too many items: \(items.count) > \(limit) per request")
        }
        for (index, item) in items.enumerated() where item.objectValue == nil {
            return Reply.message(400, "items[\(index)] must be a JSON object, found \(item.typeName)")
        }
        let verbatim = MockEngine.verbatimItems(request.body)
        let taskID = SecureToken.uuid()
        let received = MockEngine.timestamp(Date())
        let capacity = configuration.sekoiaItemCapacity
        let tokenCapacity = configuration.tokenCapacity
        let answersTaskID = state.withLock { state in
            let states = state.settings.sekoiaTaskStates ?? ["PENDING", "RUNNING", "FINISHED"]
            state.sekoiaTasks[taskID] = SekoiaTask(connector: connector, states: states)
            state.sekoiaBatchesAccepted += 1
            state.sekoiaBatches.append(MockSekoiaBatch(connectorUUID: connector, taskID: taskID, itemCount: verbatim.count,
                                                       receivedAt: received))
            if state.sekoiaBatches.count > tokenCapacity { state.sekoiaBatches.removeFirst(state.sekoiaBatches.count / 2) }
            state.storeSekoiaItems(verbatim, capacity: capacity)
            return state.settings.sekoiaTaskIDs
        }
        guard answersTaskID else { return HTTPResponse.json(200, Array("{}".utf8)) }
        var writer = JSONWriter(reservingCapacity: 64)
        writer.beginObject()
        writer.key("task_id")
        writer.string(taskID)
        writer.endObject()
        return Reply.written(writer)
    }

    /// The items' exact bytes, found without re-encoding (the body is already validated).
    static func verbatimItems(_ body: [UInt8]) -> [[UInt8]] {
        body.withUnsafeBufferPointer { buffer -> [[UInt8]] in
            let start = ShallowScanner.skipWhitespace(buffer, 0, buffer.count)
            var itemsRange: Range<Int>?
            guard start < buffer.count else { return [] }
            let end = ShallowScanner.skipValue(buffer, start, buffer.count)
            ShallowScanner.forEachMember(buffer, objectAt: start..<end) { key, value in
                if key == "items" { itemsRange = value }
                return true
            }
            guard let itemsRange else { return [] }
            let slice = Array(buffer[itemsRange])
            guard let ranges = try? JSONParser.arrayElementRanges(slice) else { return [] }
            return ranges.map { Array(slice[$0]) }
        }
    }

    /// Each poll moves the task one step along its states; the last one sticks.
    private func task(_ id: String) -> HTTPResponse {
        let status: String? = state.withLock { state in
            guard var task = state.sekoiaTasks[id] else { return nil }
            let status = task.states[min(task.polls, task.states.count - 1)]
            task.polls += 1
            state.sekoiaTasks[id] = task
            return status
        }
        guard let status else { return Reply.message(404, "task \(id) not found") }
        var writer = JSONWriter(reservingCapacity: 96)
        writer.beginObject()
        writer.key("task_id")
        writer.string(id)
        writer.key("status")
        writer.string(status)
        writer.endObject()
        return Reply.written(writer)
    }
}
