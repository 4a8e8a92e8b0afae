import HTTPServer
import JSON

extension MockRule.Route {
    /// The eight device-management calls (what a rule on route `data` watches).
    static let deviceManagementRoutes: Set<MockRule.Route> = [
        .devices, .deviceGroups, .device, .batchGet, .memberDevices, .move, .rename, .batchImport,
    ]
}

/// The group tree of the fixtures, built once: member-device listings and moves need it.
struct GroupTree: Sendable {
    /// group uuid → its parent's uuid (nil for a root).
    let parents: [String: String?]
    /// group uuid → its direct subgroups, in fixture order.
    let children: [String: [String]]

    init(_ groups: [FixtureRecord]) {
        var parents: [String: String?] = [:]
        var children: [String: [String]] = [:]
        for group in groups {
            guard let uuid = group.uuid, parents[uuid] == nil else { continue }
            parents[uuid] = .some(group.parentGroupUuid)
            if let parent = group.parentGroupUuid { children[parent, default: []].append(uuid) }
        }
        self.parents = parents
        self.children = children
    }

    func contains(_ uuid: String) -> Bool { parents[uuid] != nil }

    /// `root` and every group below it; a cycle in hand-written fixtures cannot loop.
    func subtree(_ root: String) -> Set<String> {
        var seen: Set<String> = [root]
        var pending = [root]
        while let next = pending.popLast() {
            for child in children[next] ?? [] where seen.insert(child).inserted { pending.append(child) }
        }
        return seen
    }
}

extension MockEngine {
    /// Most devices one batchImport may carry.
    static let batchImportLimit = 1000
    /// Most devices all imports together may add until the next reset: the mock's memory stays
    /// bounded whatever a client sends.
    static let importCapacity = 10_000

    // MARK: Validation like ESET's gateway

    /// Checks the query and path parameters of the operation at `operationPath` against the contract's schemas (enum,
    /// integer, boolean, string length): the first problem is a 400 rpcStatus with code 3 naming
    /// the parameter. `pageSize` follows the description's prose (0 → 50, above 1000 → 1000),
    /// not its `maximum` (see docs/eset-mock.md).
    func checkParameters(_ request: HTTPRequest, operationPath: String) -> HTTPResponse? {
        guard let (operation, pathValues) = OpenAPIContract.eset.operation(
            service: "device-management", method: request.method, path: operationPath) else { return nil }
        for parameter in operation.parameters {
            let values: [String]
            if parameter.location == "path" {
                values = pathValues[parameter.name].map { [$0] } ?? []
            } else {
                values = request.queryValues(parameter.name)
            }
            let schema = parameter.schema
            let isArray = schema.typeName == "array"
            if !isArray && values.count > 1 {
                return Reply.rpc(400, "invalid \(parameter.name): given \(values.count) times, expected once")
            }
            for value in values {
                if let problem = MockEngine.parameterProblem(value, name: parameter.name, schema: isArray ? schema.items : schema) {
                    return Reply.rpc(400, problem)
                }
            }
        }
        return nil
    }

    static func parameterProblem(_ value: String, name: String, schema: OpenAPIContract.Schema?) -> String? {
        guard let schema else { return nil }
        switch schema.typeName {
        case "boolean":
            guard value == "true" || value == "false" || value.isEmpty else {
                return "invalid \(name) '\(value)': expected true or false"
            }
        case "integer":
            // pageSize keeps its own prose rules (checked where pages are cut).
            guard name != "pageSize" else { return nil }
            guard value.isEmpty || Int64(value) != nil else { return "invalid \(name) '\(value)': expected an integer" }
        case "string":
            if let allowed = schema.allowedValues, !value.isEmpty, !allowed.contains(value) {
                return "invalid \(name) '\(value)': expected one of \(allowed.sorted().joined(separator: ", "))"
            }
            // Lengths only: the `uuid` format of path parameters is not enforced, as ESET's ids are
            // opaque and an unknown one is a 404 (the seed's own group is `group-uuid-1`).
            let length = value.unicodeScalars.count
            if let maximum = schema.maxLength, length > maximum {
                return "invalid \(name): longer than \(maximum) characters"
            }
        default:
            break
        }
        return nil
    }

    /// Reads a JSON request body and checks it against the operation's schema: 400 naming the
    /// member otherwise.
    func jsonBody(_ request: HTTPRequest, schema: String) -> Result<JSONObject, HTTPError> {
        let mediaType = request.headers["Content-Type"]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            return .failure(HTTPError(Reply.rpc(400, "invalid body: expected Content-Type application/json")))
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            return .failure(HTTPError(Reply.rpc(400, "invalid body: not JSON (\(error))")))
        }
        guard let object = value.objectValue else {
            return .failure(HTTPError(Reply.rpc(400, "invalid body: expected a JSON object")))
        }
        let violations = OpenAPIContract.eset.validate(value, schemaNamed: schema, path: "body")
        if let first = violations.first {
            return .failure(HTTPError(Reply.rpc(400, "invalid \(first.path): \(first.message)")))
        }
        return .success(object)
    }

    // MARK: Member devices

    /// `GET /v1/device_groups/{groupUuid}/devices`: the devices whose parent is the group, or
    /// with `recurseSubgroups=true` any group of its subtree; `v1MemberDevice` items, paged
    /// like the other lists, with `totalSize`.
    func memberDevices(_ request: HTTPRequest, region: MockRegion, group: String) -> HTTPResponse {
        guard groupTree.contains(group) else { return Reply.rpc(404, "device group \(group) not found") }
        let pageSize: Int
        switch MockEngine.pageSize(request) {
        case .success(let size): pageSize = size
        case .failure(let error): return error.response
        }
        let tokenText = request.query("pageToken") ?? ""
        guard tokenText.utf8.count <= 128 else { return Reply.rpc(400, "invalid pageToken: longer than 128 characters") }
        let recurse = request.query("recurseSubgroups") == "true"
        let groups = recurse ? groupTree.subtree(group) : [group]
        let filterKey = "group=\(group)|recurse=\(recurse)"
        return state.withLock { state in
            var offset = 0
            if !tokenText.isEmpty {
                guard let (selector, validator) = SecureToken.split(tokenText),
                      let cursor = state.pageCursors[selector],
                      SecureToken.constantTimeEquals(cursor.validator, validator),
                      cursor.region == region, cursor.listing == .memberDevices else {
                    return Reply.rpc(400, "invalid pageToken")
                }
                guard cursor.filterKey == filterKey else {
                    return Reply.rpc(400, "invalid pageToken: the group or recurseSubgroups differ from the first page's")
                }
                offset = cursor.offset
            }
            // A scan, remembered for the walk through the pages (until the fleet changes).
            let cacheKey = "members\u{3}" + filterKey + (state.settings.emptyFleet ? "|empty" : "")
            let members: [Int]
            if let cache = state.filterCache, cache.key == cacheKey, cache.version == state.fleetVersion {
                members = cache.indices
            } else {
                members = state.settings.emptyFleet ? [] : state.devices.indices.filter {
                    state.devices[$0].parentGroupUuid.map(groups.contains) ?? false
                }
                state.filterCache = (cacheKey, state.fleetVersion, members)
            }
            let size = min(pageSize, state.settings.pageSizeCap ?? Int.max)
            let start = min(offset, members.count)
            let end = min(start + size, members.count)
            var writer = JSONWriter(reservingCapacity: 128 * (end - start) + 128)
            writer.beginObject()
            writer.key("devices")
            writer.beginArray()
            for position in start..<end {
                let record = state.devices[members[position]]
                writer.beginObject()
                if let uuid = record.uuid {
                    writer.key("uuid")
                    writer.string(uuid)
                }
                if let name = record.displayName {
                    writer.key("displayName")
                    writer.string(name)
                }
                writer.key("groupUuid")
                writer.string(record.parentGroupUuid ?? group)
                writer.endObject()
            }
            writer.endArray()
            writer.key("nextPageToken")
            writer.string(end < members.count
                ? pageToken(&state, region: region, listing: .memberDevices, offset: end, filterKey: filterKey) : "")
            writer.key("totalSize")
            writer.int(members.count)
            writer.endObject()
            return Reply.written(writer)
        }
    }

    // MARK: Changes

    /// `POST /v1/devices/{deviceUuid}:move` with `{"newParentUuid": …}`.
    func move(_ request: HTTPRequest, device uuid: String) -> HTTPResponse {
        let body: JSONObject
        switch jsonBody(request, schema: "DevicesMoveDeviceBody") {
        case .success(let object): body = object
        case .failure(let error): return error.response
        }
        guard let parent = body["newParentUuid"]?.stringValue, !parent.isEmpty else {
            return Reply.rpc(400, "invalid newParentUuid: required")
        }
        guard groupTree.contains(parent) else { return Reply.rpc(404, "device group \(parent) not found") }
        return change(device: uuid) { $0["parentGroupUuid"] = .string(parent) }
    }

    /// `POST /v1/devices/{deviceUuid}:rename` with `{"displayName": …}`.
    func rename(_ request: HTTPRequest, device uuid: String) -> HTTPResponse {
        let body: JSONObject
        switch jsonBody(request, schema: "DevicesRenameDeviceBody") {
        case .success(let object): body = object
        case .failure(let error): return error.response
        }
        guard let name = body["displayName"]?.stringValue, !name.isEmpty else {
            return Reply.rpc(400, "invalid displayName: required")
        }
        guard name.utf8.count <= 1024 else { return Reply.rpc(400, "invalid displayName: longer than 1024 bytes") }
        return change(device: uuid) { $0["displayName"] = .string(name) }
    }

    /// Applies `edit` to the device (re-encoded compact; every other device stays verbatim) and
    /// answers `{"device": …}` as it is now. Every later read sees the change until a reset.
    func change(device uuid: String, _ edit: (inout JSONObject) -> Void) -> HTTPResponse {
        state.withLock { state in
            guard !state.settings.emptyFleet, let index = state.deviceIndex.position(of: uuid, in: state.devices),
                  var object = (try? JSONParser.parse(state.devices[index].bytes))?.objectValue else {
                return Reply.rpc(404, "device \(uuid) not found")
            }
            edit(&object)
            let record = MockEngine.record(object)
            state.devices[index] = record
            MockEngine.fleetChanged(&state)
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                                bodyChunks: [Array("{\"device\":".utf8), record.bytes, Array("}".utf8)])
        }
    }

    /// Drops every cache that depends on the devices' bytes.
    static func fleetChanged(_ state: inout MockState) {
        state.fleetVersion += 1
        state.filterCache = nil
    }

    /// `POST /v1/devices:batchImport`: creates `DEVICE_ENROLLMENT_STATUS_PENDING` devices under
    /// `parentGroupUuid`. A device that cannot be imported (no displayName, a displayName used
    /// twice in the batch, another parent group) is left out and reported in `errors`, keyed by
    /// its display name (`devices[N]` when it has none), as an rpcStatus with code 3.
    func batchImport(_ request: HTTPRequest) -> HTTPResponse {
        let body: JSONObject
        switch jsonBody(request, schema: "v1ImportDeviceBatchRequest") {
        case .success(let object): body = object
        case .failure(let error): return error.response
        }
        guard let parent = body["parentGroupUuid"]?.stringValue, !parent.isEmpty else {
            return Reply.rpc(400, "invalid parentGroupUuid: required")
        }
        guard groupTree.contains(parent) else { return Reply.rpc(404, "device group \(parent) not found") }
        let requested = body["devices"]?.arrayValue ?? []
        guard !requested.isEmpty else { return Reply.rpc(400, "invalid devices: at least one device is required") }
        guard requested.count <= MockEngine.batchImportLimit else {
            return Reply.rpc(400, "invalid devices: \(requested.count) devices, at most \(MockEngine.batchImportLimit) per batch")
        }
        var names: [String: Int] = [:]
        for device in requested {
            if let name = device["displayName"]?.stringValue, !name.isEmpty { names[name, default: 0] += 1 }
        }
        var created: [JSONObject] = []
        var errors: [(key: String, message: String)] = []
        for (index, device) in requested.enumerated() {
            let name = device["displayName"]?.stringValue ?? ""
            let key = name.isEmpty ? "devices[\(index)]" : name
            if name.isEmpty {
                errors.append((key, "displayName is required"))
            } else if names[name, default: 0] > 1 {
                // One entry per name: the errors object is keyed by display name.
                if !errors.contains(where: { $0.key == key }) {
                    errors.append((key, "displayName \(name) is used by \(names[name] ?? 0) devices of the batch"))
                }
            } else if let own = device["parentGroupUuid"]?.stringValue, !own.isEmpty, own != parent {
                errors.append((key, "parentGroupUuid \(own) differs from the batch's \(parent)"))
            } else {
                var object = JSONObject()
                object["uuid"] = .string(SecureToken.uuid())
                object["displayName"] = .string(name)
                for field in ["description", "deviceType", "isMobile", "isMaster", "ownerUuid"] {
                    if let value = device[field] { object[field] = value }
                }
                object["enrollmentStatus"] = .string("DEVICE_ENROLLMENT_STATUS_PENDING")
                object["parentGroupUuid"] = .string(parent)
                created.append(object)
            }
        }
        let fixtureCount = fixtures.devices.count
        let stored: Bool = state.withLock { state in
            guard state.devices.count - fixtureCount + created.count <= MockEngine.importCapacity else { return false }
            for object in created {
                let record = MockEngine.record(object)
                state.devices.append(record)
                state.deviceIndex.set(position: state.devices.count - 1, in: state.devices)
            }
            if !created.isEmpty { MockEngine.fleetChanged(&state) }
            return true
        }
        guard stored else {
            return Reply.rpc(400, "the mock keeps at most \(MockEngine.importCapacity) imported devices; POST /__admin/reset to start again")
        }
        var writer = JSONWriter(reservingCapacity: 256 * created.count + 128)
        writer.beginObject()
        writer.key("devices")
        writer.beginArray()
        for object in created { writer.value(.object(object)) }
        writer.endArray()
        writer.key("errors")
        writer.beginObject()
        for error in errors {
            writer.key(error.key)
            writer.beginObject()
            writer.key("code")
            writer.int(3)
            writer.key("message")
            writer.string(error.message)
            writer.key("details")
            writer.beginArray()
            writer.endArray()
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
        return Reply.written(writer)
    }
}
