import HTTPServer
import JSON

/// Hostile servers: redirects off-origin, bodies without end or bound, oversized pages and
/// planted device values. Each exists so that a client's defences can be proved over the wire.
extension MockEngine {
    /// Default `Content-Length` of `huge-length`: 10 GB.
    static let defaultDeclaredLength = 10_000_000_000
    /// Default inflated size of `gzip-bomb`: 200 MB.
    static let defaultUnpackedBytes = 200_000_000
    /// Default bound on an endless or huge-length stream, in seconds.
    static let defaultStreamSeconds = 60

    /// The answer of a rule with a 3xx status and `redirect`: nothing is processed, `Location`
    /// points at the target with the same path and query.
    func redirectAnswer(_ redirect: MockRedirect, status: Int, target: String) -> HTTPResponse {
        let location: String
        switch redirect {
        case .foreignOrigin: location = foreign.baseURL + (target.hasPrefix("/") ? target : "/" + target)
        case .url(let url): location = url
        }
        var response = HTTPResponse.text(status, "moved to \(location)\n")
        response.headers.set("Location", location)
        return response
    }

    /// The answer of a rule whose `body` is `endless`, `huge-length` or `gzip-bomb`.
    /// `normal` is only built for the gzip bomb (whose tail is the normal answer), so an endless
    /// answer to a push keeps nothing.
    func hostileAnswer(_ rule: MockRule, route: MockRule.Route, normal: () -> HTTPResponse) -> HTTPResponse {
        switch rule.body {
        case .gzipBomb:
            var response = normal()
            response.bodyChunks = [GzipBomb.member(spaces: rule.unpackedBytes ?? MockEngine.defaultUnpackedBytes,
                                                   then: response.body)]
            response.headers.set("Content-Encoding", "gzip")
            return response
        default:
            let (opening, unit) = streamShape(route)
            var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                                        body: opening)
            let framing: HTTPBodyStream.Framing = rule.body == .endless
                ? .chunked : .contentLength(rule.declaredLength ?? MockEngine.defaultDeclaredLength)
            response.disposition = .stream(HTTPBodyStream(
                framing: framing, repeating: unit, bytesPerSecond: rule.bytesPerSecond,
                maxSeconds: Double(rule.streamSeconds ?? MockEngine.defaultStreamSeconds)))
            return response
        }
    }

    /// What a never-ending body is made of: on a devices list, the page opening and the fleet's
    /// first device over and over (a streaming parser accumulates devices without end); elsewhere
    /// an opening brace and spaces.
    func streamShape(_ route: MockRule.Route) -> (opening: [UInt8], unit: [UInt8]) {
        if route == .devices || route == .data {
            let first = state.withLock { $0.devices.first?.bytes } ?? Array("{}".utf8)
            return (Array("{\"devices\":[".utf8), first + [UInt8(ascii: ",")])
        }
        return ([UInt8(ascii: "{")], Array(repeating: UInt8(ascii: " "), count: 1024))
    }

    /// What `extraDevicesPerPage` adds to one devices page: taken under the state lock (it
    /// numbers the synthetic devices on from the last page), inserted outside it.
    struct ExtraDevices {
        let count: Int
        let template: [UInt8]?
        let firstNumber: Int
    }

    /// Reserves the synthetic devices of one 200 devices page; nil when the scenario is off.
    static func reserveExtraDevices(_ state: inout MockState) -> ExtraDevices? {
        guard let extra = state.settings.extraDevicesPerPage else { return nil }
        let first = state.extraDevicesServed
        state.extraDevicesServed += extra
        return ExtraDevices(count: extra, template: state.devices.first?.bytes, firstNumber: first)
    }

    /// A devices page with `extraDevicesPerPage` synthetic devices inserted before the real ones.
    func oversized(_ response: HTTPResponse) -> HTTPResponse {
        guard response.status == 200 else { return response }
        return MockEngine.oversized(response, state.withLock { MockEngine.reserveExtraDevices(&$0) })
    }

    static func oversized(_ response: HTTPResponse, _ reserved: ExtraDevices?) -> HTTPResponse {
        guard let reserved, reserved.count > 0 else { return response }
        let (extra, template, firstNumber) = (reserved.count, reserved.template, reserved.firstNumber)
        let opening = Array("{\"devices\":[".utf8)
        let body = response.body
        guard body.starts(with: opening) else { return response }
        var object = template.flatMap { try? JSONParser.parse($0) }?.objectValue ?? JSONObject()
        var out = opening
        out.reserveCapacity(body.count + extra * 200)
        for index in 0..<extra {
            let number = String(firstNumber + index + 1)
            object["uuid"] = .string("0e0e0e0e-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - number.count)) + number)
            object["displayName"] = .string("EXTRA-\(number)")
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += JSONValue.object(object).serialized()
        }
        let rest = body[opening.count...]
        if rest.first != UInt8(ascii: "]") { out.append(UInt8(ascii: ",")) }
        out += rest
        var copy = response
        copy.bodyChunks = [out]
        return copy
    }

    /// Whether a request head is for the Sekoia.io intake (the one route allowed large bodies):
    /// a path under `/sekoia/` that the router will not send to a regional host.
    static func isIntakeRequest(_ head: HTTPRequest) -> Bool {
        guard head.path.hasPrefix("/sekoia/") else { return false }
        if let host = head.headers["Host"].map(MockEngine.hostWithoutPort), MockRegion.hostTable[host.lowercased()] != nil {
            return false
        }
        return true
    }

    /// Plants the patches in `devices` (each device keeps its place; patched objects are
    /// re-encoded compactly).
    static func applyPatches(_ patches: [MockDevicePatch], to devices: inout [FixtureRecord]) {
        guard !devices.isEmpty else { return }
        for patch in patches {
            let position = min(patch.device, devices.count - 1)
            guard var object = (try? JSONParser.parse(devices[position].bytes))?.objectValue else { continue }
            for (name, value) in patch.set { object[name] = value }
            var bytes = JSONValue.object(object).serialized()
            if let field = patch.invalidUTF8In, let text = object[field]?.stringValue {
                var pattern = [UInt8(ascii: "\"")] + Array(field.utf8) + Array("\":".utf8)
                JSONWriter.appendEscaped(text, to: &pattern)
                if let start = firstRange(of: pattern, in: bytes) {
                    // Inside the string value: after its 8th byte, or before its closing quote.
                    let valueStart = start + field.utf8.count + 4   // past `"field":"`
                    let valueEnd = start + pattern.count - 1
                    let insertAt = min(valueStart + 8, valueEnd)
                    bytes.insert(contentsOf: [0xFF, 0xFE], at: insertAt)
                }
            }
            devices[position] = FixtureRecord(bytes: bytes, uuid: object["uuid"]?.stringValue,
                                              displayName: object["displayName"]?.stringValue,
                                              functionalityStatus: object["functionalityStatus"]?.stringValue,
                                              isMuted: object["isMuted"]?.boolValue)
        }
    }

    private static func firstRange(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return start }
        }
        return nil
    }
}
