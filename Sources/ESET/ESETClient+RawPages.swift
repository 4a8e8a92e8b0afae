import JSON

/// One list answer kept as the bytes the API sent, for tools that must reproduce it exactly
/// (`eset-mock record`): nothing is decoded beyond the envelope.
package struct RawListPage: Sendable {
    /// 1-based page number within its list.
    package var number: Int
    /// The whole body as received.
    package var body: [UInt8]
    /// Where each entry of the list member (`devices`, `deviceGroups`) lies in `body`, in order.
    package var elementRanges: [Range<Int>]
    /// The token of the next page; nil when this was the last page (`""`, missing or `null`).
    package var nextPageToken: String?

    /// The bytes of entry `index`, verbatim.
    package func element(_ index: Int) -> ArraySlice<UInt8> { body[elementRanges[index]] }

    /// Splits a list answer `{"MEMBER": [...], "nextPageToken": ...}` (or a bare array) into
    /// entry ranges, with the same rules as the decoded pages: a missing or null list is empty,
    /// a list of another type is an error for the whole page; the whole body is checked as JSON.
    package static func split(_ body: [UInt8], member: String, page: Int) throws(RawPageError) -> RawListPage {
        do {
            try JSONParser.validate(body)
        } catch {
            throw .malformedJSON(error)
        }
        let outcome: Result<(ranges: [Range<Int>], next: String?), PageDecodingError>
        do {
            outcome = try body.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
                var scanner = JSONScanner(buffer)
                return try envelope(&scanner, member: member, page: page)
            }
        } catch {
            throw .malformedJSON(error)
        }
        switch outcome {
        case .success(let found):
            return RawListPage(number: page, body: body, elementRanges: found.ranges, nextPageToken: found.next)
        case .failure(let error):
            throw .notAPage(error)
        }
    }

    private static func envelope(
        _ scanner: inout JSONScanner, member: String, page: Int
    ) throws(JSONParseError) -> Result<(ranges: [Range<Int>], next: String?), PageDecodingError> {
        switch scanner.peek() {
        case UInt8(ascii: "["):
            return .success((try elements(&scanner), nil))
        case UInt8(ascii: "{"):
            // Later occurrences of a member replace earlier ones, as `JSONObject` lookups do.
            var ranges: [Range<Int>] = []
            var next: String?
            var wrongType: String?
            try scanner.enterObject()
            let keys = JSONKeySet([member, "nextPageToken"])
            while let key = try scanner.nextKey(in: keys) {
                switch key {
                case 0:
                    if scanner.peek() == UInt8(ascii: "[") {
                        ranges = try elements(&scanner)
                        wrongType = nil
                    } else {
                        let value = try scanner.parseValue()
                        ranges = []
                        wrongType = value == .null ? nil : value.typeName
                    }
                case 1:
                    next = try scanner.stringOrSkip()
                default:
                    try scanner.skipValue()
                }
            }
            if let wrongType {
                return .failure(PageDecodingError(page: page, reason: "'\(member)' is a JSON \(wrongType), not an array"))
            }
            return .success((ranges, next?.isEmpty == true ? nil : next))
        default:
            let type = try scanner.parseValue().typeName
            return .failure(PageDecodingError(page: page, reason: "the page is a JSON \(type), not an object"))
        }
    }

    private static func elements(_ scanner: inout JSONScanner) throws(JSONParseError) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        guard try scanner.beginArray() else { return ranges }
        repeat {
            _ = scanner.peek()
            let start = scanner.position
            try scanner.skipValue()
            ranges.append(start..<scanner.position)
        } while try scanner.nextElement()
        return ranges
    }
}

/// Why a list answer could not be split at all.
package enum RawPageError: Error, Sendable, CustomStringConvertible {
    case malformedJSON(JSONParseError)
    case notAPage(PageDecodingError)

    package var description: String {
        switch self {
        case .malformedJSON(let error): return "malformed JSON at \(error)"
        case .notAPage(let error): return error.reason
        }
    }
}

extension ESETClient {
    /// The next page of `GET /v1/devices` as received, or nil when the list has ended. Same
    /// authentication, retries, rate limit and page-token checks as `nextDevicePage`.
    package func nextRawDevicePage(_ cursor: inout ESETListCursor) async throws -> RawListPage? {
        try await nextRawPage(path: "/v1/devices", member: "devices", cursor: &cursor)
    }

    /// The next page of `GET /v1/device_groups` as received, or nil when the list has ended.
    package func nextRawDeviceGroupPage(_ cursor: inout ESETListCursor) async throws -> RawListPage? {
        try await nextRawPage(path: "/v1/device_groups", member: "deviceGroups", cursor: &cursor)
    }

    private func nextRawPage(path: String, member: String, cursor: inout ESETListCursor) async throws -> RawListPage? {
        try await nextPage(path: path, cursor: &cursor, nextToken: \RawListPage.nextPageToken) { body, number throws(BodyError) in
            do throws(RawPageError) {
                return try RawListPage.split(body, member: member, page: number)
            } catch {
                switch error {
                case .malformedJSON(let syntax): throw Self.malformedBody(body, syntax)
                case .notAPage(let shape): throw BodyError(description: shape.reason)
                }
            }
        }
    }
}
