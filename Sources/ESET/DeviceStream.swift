import JSON

#if canImport(Glibc)
import Glibc
#endif

/// Where a `DeviceStreamReader` reads its bytes from.
package protocol DeviceByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Reads from `offset` (counted from where the input started) without moving the position of
    /// `read(into:)`; nil when the input cannot be read twice (a pipe).
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int?
}

/// A read that failed (not the end of the input).
package struct DeviceSourceReadError: Error, Sendable, CustomStringConvertible {
    package var code: Int32
    package var description: String { "cannot read the file: \(String(cString: strerror(code)))" }
}

/// Reads an open file descriptor (a file, a pipe, standard input); never closes it.
package final class FileDescriptorSource: DeviceByteSource {
    private let descriptor: Int32
    /// Where the input started, for a regular file (nil: not one).
    private let start: off_t?

    package init(descriptor: Int32) {
        self.descriptor = descriptor
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            let position = lseek(descriptor, 0, SEEK_CUR)
            start = position >= 0 ? position : nil
        } else {
            start = nil
        }
    }

    package func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        guard let start else { return nil }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = pread(descriptor, base, buffer.count, start + off_t(offset))
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw DeviceSourceReadError(code: errno)
        }
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Glibc.read(descriptor, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw DeviceSourceReadError(code: errno)
        }
    }
}

/// Bytes already in memory, handed out chunk by chunk (benchmarks and tests).
package final class MemoryByteSource: DeviceByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    /// At most this many bytes per read: tests use tiny reads to cut elements anywhere.
    private let maximumRead: Int

    package init(_ bytes: [UInt8], maximumRead: Int = .max) {
        precondition(maximumRead > 0)
        self.bytes = bytes
        self.maximumRead = maximumRead
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset, maximumRead)
        guard count > 0, let base = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { source in
            base.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    package func read(at position: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        let count = min(buffer.count, max(0, bytes.count - position), maximumRead)
        guard count > 0, let base = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { source in
            base.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        return count
    }
}

extension DevicePage {
    /// Decodes a whole devices file as `eset-connector map` reads it: a bare array, a
    /// `{"devices": [...]}` page, or one device (a lone device object or `{"device": {...}}`),
    /// which becomes a one-element list. The same page and errors as
    /// `decode(JSONParser.parse(bytes) wrapped as a list, page: nil)`; the errors are the inner
    /// `JSONParseError` or `PageDecodingError`.
    package static func decodeDevicesFile(_ bytes: [UInt8]) throws -> DevicePage {
        guard hasDevicesMember(bytes) else {
            return try decode(wrapLoneDevice(try JSONParser.parse(bytes)), page: nil)
        }
        do {
            return try decode(bytes: bytes, page: nil)
        } catch {
            switch error {
            case .malformedJSON(let syntax): throw syntax
            case .notAPage(let shape): throw shape
            }
        }
    }

    /// An object without a `devices` member is one device, or `{"device": {...}}`.
    private static func wrapLoneDevice(_ json: JSONValue) -> JSONValue {
        guard case .object(let object) = json, object["devices"] == nil else { return json }
        return .array([object["device"] ?? json])
    }

    private static let devicesKey = JSONKeySet(["devices"])

    /// False only for a well-formed top-level object without a `devices` member (a lone
    /// device); anything else, malformed files included, is the page scanner's to decode (its
    /// errors are the general parser's).
    package static func hasDevicesMember(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            guard scanner.peek() == UInt8(ascii: "{") else { return true }
            do {
                try scanner.enterObject()
                while let key = try scanner.nextKey(in: devicesKey) {
                    if key == 0 { return true }
                    try scanner.skipValue()
                }
                try scanner.finish()
                return false
            } catch {
                return true
            }
        }
    }
}

/// Reads a devices file in batches with bounded memory: the same devices, positions,
/// rejections and errors (text, offset, line and column) as `DevicePage.decodeDevicesFile` of
/// the whole file, delivered a batch at a time.
///
/// A file whose JSON text is an array is streamed: the reader holds a window of about
/// `chunkSize` bytes (more only while one element is larger), decodes the elements in it in
/// place with the page scanner, and moves on. A `{"devices": [...]}` page is streamed the same
/// way when the input can be read twice (a regular file) and a first pass over its structure
/// finds exactly one `devices` member, holding an array: a repeated member would replace the
/// first. Anything else (such pages on a pipe, a lone device, a scalar, empty input) is read
/// whole and decoded as before, because its meaning can depend on its last byte.
///
/// Errors come in file order, as the whole-file decode finds them: batches before a syntax
/// error are delivered, then `nextBatch()` throws the error the whole file would have thrown.
package final class DeviceStreamReader {
    private let source: DeviceByteSource
    private let batchSize: Int
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes `[0, filled)` of `storage` hold the document from `base` on.
    private var filled = 0
    private var cursor = 0
    private var base = 0
    private var atEndOfInput = false
    /// Newlines before `base`, and the offset of the last one (-1: none), for line and column.
    private var linesBefore = 0
    private var lastNewlineBefore = -1
    private var state = State.start
    private var index = 0
    /// Whether the array is the top-level value or a page's `devices` member.
    private var isPage = false
    /// One cache for the whole input, as when the file was decoded in one piece.
    private let cache = JSONStringCache()

    private enum State {
        case start
        /// Inside the array: before its first element, before an element, after one.
        case firstElement, element, separator
        /// After the array's `]`: whitespace (a top-level array), or the rest of the page.
        case trailer
        case finished
    }

    /// - Parameters:
    ///   - chunkSize: bytes read at a time (the window; it grows only for a larger element).
    ///   - batchSize: devices (mapped or rejected) per batch, at most.
    package init(source: DeviceByteSource, chunkSize: Int = 4 << 20, batchSize: Int = 1000) {
        precondition(chunkSize > 0 && batchSize > 0)
        self.source = source
        self.batchSize = batchSize
        capacity = chunkSize
        storage = .allocate(capacity: chunkSize)
    }

    deinit {
        storage.deallocate()
    }

    /// The next batch (positions and rejection indices count from the start of the file), or
    /// nil after the last. Throws `JSONParseError`, `PageDecodingError` or the source's error.
    package func nextBatch() throws -> DevicePage? {
        switch state {
        case .finished:
            return nil
        case .start:
            while true {
                skipWhitespace()
                if cursor < filled || atEndOfInput { break }
                try refill(keepingFrom: 0)  // the whole-file path may need these bytes
            }
            if cursor < filled, storage[cursor] == UInt8(ascii: "{"), try hasOneDevicesArray(), try enterPage() {
                return try streamBatch()
            }
            guard cursor < filled, storage[cursor] == UInt8(ascii: "[") else {
                state = .finished
                return try DevicePage.decodeDevicesFile(try readRest())
            }
            cursor += 1
            state = .firstElement
            return try streamBatch()
        default:
            return try streamBatch()
        }
    }

    // MARK: A page's head

    private static let devicesKey = JSONKeySet(["devices"])

    /// A first pass over the page's structure (reads the input twice): one `devices` member?
    private func hasOneDevicesArray() throws -> Bool {
        var survey = JSONTopLevelMemberSurvey(name: "devices")
        let size = max(capacity, 1 << 16)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { chunk.deallocate() }
        var offset = 0
        while !survey.isComplete {
            guard let count = try source.read(at: offset, into: chunk) else { return false }
            if count == 0 { break }
            survey.feed(UnsafeBufferPointer(start: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
            offset += count
        }
        return survey.occurrences == 1 && survey.everyValueIsAnArray
    }

    /// Reads the page up to its `devices` array's `[` (the members before it are checked and
    /// skipped); false when the page turns out to need the whole-file path after all.
    private func enterPage() throws -> Bool {
        while true {
            var scanner = JSONScanner(UnsafeBufferPointer(start: storage, count: filled))
            scanner.position = cursor
            do {
                try scanner.enterObject()
                while let key = try scanner.nextKey(in: Self.devicesKey) {
                    guard key == 0 else {
                        try scanner.skipValue()
                        continue
                    }
                    if scanner.peek() == nil, !atEndOfInput { break }  // read more
                    guard scanner.peek() == UInt8(ascii: "[") else { return false }
                    cursor = scanner.position + 1
                    isPage = true
                    state = .firstElement
                    return true
                }
                if scanner.peek() == nil, !atEndOfInput {
                    try refill(keepingFrom: 0)
                    continue
                }
                return false
            } catch {
                switch JSONParser.diagnose(
                    resumingAfter: "", window: UnsafeBufferPointer(start: storage, count: filled), at: { self.position(of: 0) },
                    isEndOfInput: atEndOfInput)
                {
                case .needsMoreInput: try refill(keepingFrom: 0)  // nothing is dropped: the whole path may still need it
                case .invalid(let error):
                    state = .finished
                    throw error
                case .valid: return false
                }
            }
        }
    }

    // MARK: Streaming the array

    private var arrayDepth: Int { isPage ? 2 : 1 }

    /// Puts the general parser where the stream is: before the first element, before a later
    /// one, after one, after the array.
    private var prefixBeforeFirstElement: StaticString { isPage ? #"{"devices":["# : "[" }
    private var prefixBeforeElement: StaticString { isPage ? #"{"devices":[0,"# : "[0," }
    private var prefixAfterElement: StaticString { isPage ? #"{"devices":[{}"# : "[{}" }
    private var prefixAfterArray: StaticString { isPage ? #"{"devices":[]"# : "[]" }

    private func streamBatch() throws -> DevicePage? {
        var devices: [ESETDevice] = []
        var positions: [Int] = []
        var rejections: [DeviceRejection] = []
        while devices.count + rejections.count < batchSize {
            if state == .trailer, isPage {
                // The rest of the page (its other members) is small: checked in one piece.
                while !atEndOfInput { try refill(keepingFrom: cursor) }
                try resolve(from: cursor, prefix: prefixAfterArray)
                state = .finished
                break
            }
            skipWhitespace()
            if cursor == filled {
                if state == .trailer, atEndOfInput {
                    state = .finished
                    break
                }
                if atEndOfInput { throw syntaxError(at: cursor) }
                try refill(keepingFrom: cursor)
                continue
            }
            let byte = storage[cursor]
            switch state {
            case .firstElement:
                if byte == UInt8(ascii: "]") {
                    cursor += 1
                    state = .trailer
                } else {
                    state = .element
                }
            case .element:
                let start = cursor
                // The scanner sees the window from the element on: its (discarded) error
                // messages locate themselves by counting from its first byte.
                let window = UnsafeBufferPointer(start: storage + start, count: filled - start)
                var scanner = JSONScanner(window, depth: arrayDepth)
                var decoded = false
                var rejection: DeviceRejection?
                let devicesBefore = devices.count
                do {
                    if byte == UInt8(ascii: "{") {
                        var reason: DeviceRejection.Reason?
                        // `scan` appends the device itself (no copy through an optional).
                        decoded = try ESETDevice.scan(&scanner, cache: cache, rejection: &reason, into: &devices)
                        if !decoded, let reason {
                            // Rare: read the device again in full, for the rejects file.
                            scanner.position = 0
                            rejection = DeviceRejection(page: nil, index: index, reason: reason, raw: try scanner.parseValue())
                        }
                    } else {
                        let raw = try scanner.parseValue()
                        // A number that ends the window may go on in the next read.
                        if start + scanner.position == filled, !atEndOfInput {
                            try refill(keepingFrom: start)
                            continue
                        }
                        rejection = DeviceRejection(page: nil, index: index, reason: .notAnObject(raw.typeName), raw: raw)
                    }
                } catch {
                    // A device cut short may have been appended half-decoded: drop it.
                    if devices.count > devicesBefore { devices.removeLast(devices.count - devicesBefore) }
                    // Cut by the window's end, or malformed: the general parser decides.
                    try resolve(from: start, prefix: index == 0 ? prefixBeforeFirstElement : prefixBeforeElement)
                    continue
                }
                if decoded {
                    positions.append(index)
                } else if let rejection {
                    rejections.append(rejection)
                }
                index += 1
                cursor = start + scanner.position
                state = .separator
            case .separator:
                if byte == UInt8(ascii: ",") {
                    cursor += 1
                    state = .element
                } else if byte == UInt8(ascii: "]") {
                    cursor += 1
                    state = .trailer
                } else {
                    try resolve(from: cursor, prefix: prefixAfterElement)
                }
            case .trailer:
                try resolve(from: cursor, prefix: prefixAfterArray)
            case .start, .finished:
                preconditionFailure("streamBatch runs only inside the array")
            }
        }
        if devices.isEmpty, rejections.isEmpty, state == .finished { return nil }
        return DevicePage(devices: devices, positions: positions, rejections: rejections, nextPageToken: nil)
    }

    /// At bytes the fast path could not take: throws the whole document's error, or reads more
    /// when the window's end may be what stopped it.
    private func resolve(from offset: Int, prefix: StaticString) throws {
        let verdict = JSONParser.diagnose(
            resumingAfter: prefix, window: UnsafeBufferPointer(start: storage + offset, count: filled - offset),
            at: { self.position(of: offset) }, isEndOfInput: atEndOfInput)
        switch verdict {
        case .needsMoreInput:
            try refill(keepingFrom: offset)
        case .invalid(let error):
            state = .finished
            throw error
        case .valid where isPage && state == .trailer:
            return
        case .valid:
            // The scanner and the parser accept the same texts; disagreeing is a bug.
            state = .finished
            throw PageDecodingError(page: nil, reason: "internal error: the streaming reader stopped at byte \(base + offset)")
        }
    }

    /// The error for input that ends at `offset` (the end of the input).
    private func syntaxError(at offset: Int) -> Error {
        let prefix: StaticString
        switch state {
        case .firstElement: prefix = prefixBeforeFirstElement
        case .element: prefix = index == 0 ? prefixBeforeFirstElement : prefixBeforeElement
        default: prefix = prefixAfterElement
        }
        state = .finished
        let verdict = JSONParser.diagnose(
            resumingAfter: prefix, window: UnsafeBufferPointer(start: storage + offset, count: filled - offset),
            at: { self.position(of: offset) }, isEndOfInput: true)
        if case .invalid(let error) = verdict { return error }
        return PageDecodingError(page: nil, reason: "internal error: the streaming reader stopped at byte \(base + offset)")
    }

    // MARK: The window

    @inline(__always) private func skipWhitespace() {
        while cursor < filled {
            switch storage[cursor] {
            case 0x20, 0x0A, 0x0D, 0x09: cursor += 1
            default: return
            }
        }
    }

    /// Where byte `offset` of the window stands in the document.
    private func position(of offset: Int) -> JSONStreamPosition {
        var line = linesBefore + 1
        var lastNewline = lastNewlineBefore
        for index in 0..<offset where storage[index] == UInt8(ascii: "\n") {
            line += 1
            lastNewline = base + index
        }
        return JSONStreamPosition(offset: base + offset, line: line, column: base + offset - lastNewline)
    }

    /// Drops the window's bytes before `keep` and reads more after the rest (growing the window
    /// when `keep` is its first byte and it is full: one element larger than a chunk).
    private func refill(keepingFrom keep: Int) throws {
        precondition(!atEndOfInput, "refill after the end of the input")
        if keep > 0 {
            var newline = UnsafeMutableRawPointer(storage)
            var remaining = keep
            while remaining > 0, let found = memchr(newline, Int32(UInt8(ascii: "\n")), remaining) {
                linesBefore += 1
                let at = storage.distance(to: found.assumingMemoryBound(to: UInt8.self))
                lastNewlineBefore = base + at
                newline = found + 1
                remaining = keep - at - 1
            }
            let kept = filled - keep
            if kept > 0 { (storage).update(from: storage + keep, count: kept) }
            base += keep
            cursor -= keep
            filled = kept
        }
        if filled == capacity {
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            larger.update(from: storage, count: filled)
            storage.deallocate()
            storage = larger
            capacity *= 2
        }
        while filled < capacity {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(start: storage + filled, count: capacity - filled))
            if count == 0 {
                atEndOfInput = true
                break
            }
            filled += count
        }
    }

    /// The whole document: what the window holds, then the rest of the input.
    private func readRest() throws -> [UInt8] {
        precondition(base == 0, "the whole-file path reads from the start")
        var bytes = Array(UnsafeBufferPointer(start: storage, count: filled))
        var chunk = [UInt8](repeating: 0, count: capacity)
        while !atEndOfInput {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 {
                atEndOfInput = true
            } else {
                bytes.append(contentsOf: chunk[0..<count])
            }
        }
        return bytes
    }
}
