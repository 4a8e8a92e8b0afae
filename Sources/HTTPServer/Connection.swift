#if canImport(Glibc)
import Glibc
#endif

/// Serves one TCP connection on its own thread: reads requests in order (pipelined ones wait in
/// the buffer), calls the handler, writes responses, and decides when to close.
///
/// Request bodies may be framed by `Content-Length` or by `Transfer-Encoding: chunked`; chunked
/// bodies are decoded here (extensions ignored, trailer fields read and discarded), so the
/// handler always sees the plain body.
final class Connection {
    private enum Ending { case close, lingering, reset }
    private enum HeadResult { case head(RequestHead), closed, timedOutPartial, failed(HTTPParseError) }
    private enum FillResult { case data, closed, timedOut }
    private enum BodyResult { case body([UInt8]), closed, timedOut, failed(HTTPParseError) }
    private enum LineResult { case line(ArraySlice<UInt8>), closed, timedOut, tooLong }

    private let fd: Int32
    private let id: UInt64
    private let activity: ServerCore.ActivityCell
    private let remoteAddress: String
    private let core: ServerCore
    private let configuration: HTTPServer.Configuration

    /// Received bytes not yet consumed start at `readIndex`; `scanIndex` is where the search for
    /// the end of the head resumes, so a head that trickles in is not rescanned from the start.
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var scanIndex = 0
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var cachedDate: (second: time_t, text: String) = (0, "")

    private static let lingerSeconds = 2.0
    private static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    init(fd: Int32, id: UInt64, activity: ServerCore.ActivityCell, remoteAddress: String, core: ServerCore) {
        self.fd = fd
        self.id = id
        self.activity = activity
        self.remoteAddress = remoteAddress
        self.core = core
        self.configuration = core.configuration
    }

    deinit { scratch.deallocate() }

    func run() {
        Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        switch serveRequests() {
        case .reset:
            core.forget(id)
            Socket.abort(fd)
        case .close:
            core.forget(id)
            _ = Glibc.close(fd)
        case .lingering:
            core.markClosing(id)
            Socket.lingeringDrain(fd, seconds: Self.lingerSeconds, scratch: scratch)
            core.forget(id)
            _ = Glibc.close(fd)
        }
    }

    private var available: Int { buffer.count - readIndex }

    private func serveRequests() -> Ending {
        while true {
            let head: RequestHead
            switch readHead() {
            case .head(let parsed): head = parsed
            case .closed: return .close
            case .timedOutPartial:
                sendError(HTTPParseError(408, "timed out waiting for the complete request head"))
                return .lingering
            case .failed(let error):
                sendError(error)
                return .lingering
            }

            let framing: BodyFraming
            do {
                framing = try head.bodyFraming()
            } catch {
                sendError(error as? HTTPParseError ?? HTTPParseError(400, "\(error)"))
                return .lingering
            }
            let bodyLimit: Int
            if let decide = configuration.bodyLimit {
                bodyLimit = max(0, decide(HTTPRequest(method: head.method, target: head.target, headers: head.headers,
                                                      remoteAddress: remoteAddress, version: head.version)))
            } else {
                bodyLimit = configuration.maxBodyBytes
            }
            if case .length(let length) = framing, length > bodyLimit {
                sendError(HTTPParseError(413, "request body of \(length) bytes exceeds the limit of \(bodyLimit) bytes"))
                return .lingering
            }
            if head.expectsContinue && framing != .none {
                let needed: Int = if case .length(let length) = framing { length } else { 1 }
                if available < needed {
                    guard Socket.sendAll(fd, [Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)], inactivity: configuration.idleTimeout) else {
                        return .close
                    }
                }
            }

            let body: [UInt8]
            switch readBody(framing, limit: bodyLimit) {
            case .body(let bytes): body = bytes
            case .closed: return .close
            case .timedOut:
                sendError(HTTPParseError(408, "timed out waiting for the request body"))
                return .lingering
            case .failed(let error):
                sendError(error)
                return .lingering
            }

            let request = HTTPRequest(method: head.method, target: head.target, headers: head.headers, body: body,
                                      remoteAddress: remoteAddress, version: head.version)
            var response = core.handler(request)
            if case .reset = response.disposition { return .reset }
            if case .stream(let stream) = response.disposition {
                self.stream(response, stream, method: head.method)
                return .close
            }
            if response.status < 200 || response.status > 999 {
                // Interim (1xx) answers would desynchronise the client: the handler gets one response.
                response = HTTPResponse.text(500, "handler returned invalid status \(response.status)\n")
            }
            let keepAlive = head.wantsKeepAlive && response.disposition == .normal
                && !response.headers.hasToken("close", in: "Connection") && !core.stopHasBegun
            guard write(response, method: head.method, keepAlive: keepAlive, clientIsHTTP10: !head.isHTTP11) else {
                return .close
            }
            if !keepAlive { return .lingering }
        }
    }

    // MARK: Reading

    private func fill(deadline: Double) -> FillResult {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 64 * 1024) {
            buffer.removeSubrange(0..<readIndex)
            scanIndex = max(0, scanIndex - readIndex)
            readIndex = 0
        }
        switch Socket.receive(fd, into: scratch.baseAddress!, capacity: scratch.count, deadline: deadline) {
        case .data(let count):
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            return .data
        case .endOfStream, .failed:
            return .closed
        case .timedOut:
            return .timedOut
        }
    }

    /// Waits for one complete head. The whole head must arrive within `idleTimeout` of starting
    /// to wait, which bounds both idle keep-alive connections and clients that trickle headers.
    private func readHead() -> HeadResult {
        let deadline = Socket.now() + configuration.idleTimeout
        var markedBusy = available > 0
        if !markedBusy && !core.markIdle(activity) { return .closed }
        while true {
            if let result = parseBufferedHead() {
                if !markedBusy { core.markBusy(activity) }
                return result
            }
            switch fill(deadline: deadline) {
            case .data:
                if !markedBusy {
                    core.markBusy(activity)
                    markedBusy = true
                }
            case .closed:
                return .closed
            case .timedOut:
                return available == 0 ? .closed : .timedOutPartial
            }
        }
    }

    /// Finds and parses a head already in the buffer; nil when more bytes are needed.
    private func parseBufferedHead() -> HeadResult? {
        // RFC 9112 §2.2: ignore empty lines received before the request line.
        while readIndex < buffer.count, buffer[readIndex] == Self.cr || buffer[readIndex] == Self.lf { readIndex += 1 }
        if available == 0 { return nil }
        let limit = configuration.maxHeaderBytes
        var index = max(scanIndex, readIndex + 1)
        let end = buffer.count
        var headEnd: Int?
        while index < end {
            if buffer[index] == Self.lf {
                let previous = buffer[index - 1]
                if previous == Self.lf || (previous == Self.cr && index - 2 >= readIndex && buffer[index - 2] == Self.lf) {
                    headEnd = index + 1
                    break
                }
            }
            index += 1
        }
        guard let headEnd else {
            scanIndex = end
            if available > limit {
                return .failed(HTTPParseError(431, "request line and headers exceed \(limit) bytes"))
            }
            return nil
        }
        if headEnd - readIndex > limit {
            return .failed(HTTPParseError(431, "request line and headers are \(headEnd - readIndex) bytes, above the limit of \(limit)"))
        }
        let slice = buffer[readIndex..<headEnd]
        readIndex = headEnd
        scanIndex = headEnd
        do {
            return .head(try RequestHead.parse(slice, requireHost: configuration.requireHost))
        } catch {
            return .failed(error as? HTTPParseError ?? HTTPParseError(400, "\(error)"))
        }
    }

    private func readBody(_ framing: BodyFraming, limit: Int) -> BodyResult {
        switch framing {
        case .none:
            return .body([])
        case .length(let length):
            switch readExactly(length) {
            case .line(let bytes): return .body(Array(bytes))
            case .closed: return .closed
            case .timedOut, .tooLong: return .timedOut
            }
        case .chunked:
            return readChunkedBody(limit: limit)
        }
    }

    /// Reads `count` bytes (the deadline is refreshed whenever bytes arrive, so only a stalled
    /// client times out, not a slow upload).
    private func readExactly(_ count: Int) -> LineResult {
        if available < count { buffer.reserveCapacity(readIndex + count) }
        while available < count {
            switch fill(deadline: Socket.now() + configuration.idleTimeout) {
            case .data: continue
            case .closed: return .closed
            case .timedOut: return .timedOut
            }
        }
        let bytes = buffer[readIndex..<(readIndex + count)]
        readIndex += count
        return .line(bytes)
    }

    private func readLine(maxLength: Int) -> LineResult {
        // Offset from readIndex, not an absolute index: fill() may compact the buffer.
        var scanned = 0
        while true {
            if let lf = buffer[(readIndex + scanned)...].firstIndex(of: Self.lf) {
                var line = buffer[readIndex..<lf]
                if line.last == Self.cr { line = line.dropLast() }
                readIndex = lf + 1
                return .line(line)
            }
            if available > maxLength { return .tooLong }
            scanned = available
            switch fill(deadline: Socket.now() + configuration.idleTimeout) {
            case .data: continue
            case .closed: return .closed
            case .timedOut: return .timedOut
            }
        }
    }

    private func readChunkedBody(limit: Int) -> BodyResult {
        var body: [UInt8] = []
        let lineLimit = min(configuration.maxHeaderBytes, 8 * 1024)
        while true {
            let size: Int
            switch readLine(maxLength: lineLimit) {
            case .line(let line):
                do { size = try RequestHead.parseChunkSize(line) } catch {
                    return .failed(error as? HTTPParseError ?? HTTPParseError(400, "\(error)"))
                }
            case .closed: return .closed
            case .timedOut: return .timedOut
            case .tooLong: return .failed(HTTPParseError(400, "chunk size line longer than \(lineLimit) bytes"))
            }
            if size == 0 { break }
            if size > limit - body.count {
                return .failed(HTTPParseError(413, "chunked request body exceeds the limit of \(limit) bytes"))
            }
            switch readExactly(size) {
            case .line(let data): body.append(contentsOf: data)
            case .closed: return .closed
            case .timedOut, .tooLong: return .timedOut
            }
            switch readLine(maxLength: 2) {
            case .line(let rest) where rest.isEmpty: continue
            case .line, .tooLong: return .failed(HTTPParseError(400, "chunk data of \(size) bytes not followed by CRLF"))
            case .closed: return .closed
            case .timedOut: return .timedOut
            }
        }
        // Trailer section: read to its blank line and discard, bounded like the head.
        var trailerBytes = 0
        while true {
            switch readLine(maxLength: configuration.maxHeaderBytes) {
            case .line(let line):
                if line.isEmpty { return .body(body) }
                trailerBytes += line.count + 2
                if trailerBytes > configuration.maxHeaderBytes {
                    return .failed(HTTPParseError(431, "chunked trailer fields exceed \(configuration.maxHeaderBytes) bytes"))
                }
            case .closed: return .closed
            case .timedOut: return .timedOut
            case .tooLong: return .failed(HTTPParseError(431, "chunked trailer fields exceed \(configuration.maxHeaderBytes) bytes"))
            }
        }
    }

    // MARK: Writing

    private func currentDate() -> String {
        let second = time(nil)
        if second != cachedDate.second { cachedDate = (second, ResponseWriter.httpDate(second)) }
        return cachedDate.text
    }

    /// Writes the response in one gathered write. Returns false if the peer is gone.
    private func write(_ response: HTTPResponse, method: String, keepAlive: Bool, clientIsHTTP10: Bool) -> Bool {
        let status = response.status
        let bodyForbidden = status == 204 || status == 304
        let sendsBody = !bodyForbidden && method != "HEAD"
        let length = response.bodyLength
        let connection: String?
        if !keepAlive {
            // A deliberate truncation imitates a broken network: announcing the close would give it away.
            if case .truncate = response.disposition { connection = nil } else { connection = "close" }
        } else {
            connection = clientIsHTTP10 ? "keep-alive" : nil
        }
        let head = ResponseWriter.headBytes(status: status, headers: response.headers,
                                            contentLength: bodyForbidden ? nil : length,
                                            connection: connection, date: currentDate())
        var segments: [[UInt8]] = [head]
        if sendsBody {
            if case .truncate(let limit) = response.disposition {
                var remaining = max(0, limit)
                for chunk in response.bodyChunks where remaining > 0 {
                    segments.append(chunk.count <= remaining ? chunk : Array(chunk[0..<remaining]))
                    remaining -= min(chunk.count, remaining)
                }
            } else {
                segments.append(contentsOf: response.bodyChunks)
            }
        }
        return Socket.sendAll(fd, segments, inactivity: configuration.idleTimeout)
    }

    /// Sends a body that never completes (see `HTTPBodyStream`). The connection is marked as
    /// streaming so that `stop()` cuts it at once instead of waiting for it.
    private func stream(_ response: HTTPResponse, _ stream: HTTPBodyStream, method: String) {
        guard core.markStreaming(id) else { return }
        let deadline = Socket.now() + stream.maxSeconds
        let chunked = stream.framing == .chunked
        var declared: Int?
        if case .contentLength(let length) = stream.framing { declared = max(0, length) }
        let head = ResponseWriter.head(status: response.status, headers: response.headers, contentLength: declared,
                                       connection: "close", date: currentDate(), chunked: chunked)
        var sent = 0
        // The announced length is never reached: the body must never look complete.
        let budget = declared.map { max(0, $0 - 1) } ?? Int.max
        func framed(_ piece: [UInt8]) -> [[UInt8]] {
            chunked ? [Array((String(piece.count, radix: 16) + "\r\n").utf8), piece, [0x0D, 0x0A]] : [piece]
        }
        func inactivity() -> Double { max(0.05, min(configuration.idleTimeout, deadline - Socket.now())) }
        var segments: [[UInt8]] = [Array(head.utf8)]
        if method != "HEAD" {
            for chunk in response.bodyChunks where !chunk.isEmpty && sent < budget {
                let piece = chunk.count <= budget - sent ? chunk : Array(chunk[0..<(budget - sent)])
                segments += framed(piece)
                sent += piece.count
            }
        }
        guard Socket.sendAll(fd, segments, inactivity: inactivity()), method != "HEAD" else { return }
        let unit = stream.repeating
        let tick = 0.1
        let pieceSize = stream.bytesPerSecond.map { max(1, Int(Double($0) * tick)) } ?? 64 * 1024
        var cursor = 0
        var paced = Socket.now()
        while sent < budget && !core.stopHasBegun && Socket.now() < deadline {
            let count = min(pieceSize, budget - sent)
            var piece: [UInt8] = []
            piece.reserveCapacity(count)
            while piece.count < count {
                let take = min(count - piece.count, unit.count - cursor)
                piece.append(contentsOf: unit[cursor..<(cursor + take)])
                cursor = (cursor + take) % unit.count
            }
            guard Socket.sendAll(fd, framed(piece), inactivity: inactivity()) else { return }
            sent += count
            if stream.bytesPerSecond != nil {
                // Pacing, not synchronisation: wait for the next tick, waking early if the
                // server stops or the peer hangs up.
                paced += tick
                // POLLRDHUP (0x2000, a GNU extension Swift does not import) reports a peer that hung up.
                if case .ready = Socket.wait(fd, events: 0x2000, deadline: min(paced, deadline)) { return }
            }
        }
    }

    private func sendError(_ error: HTTPParseError) {
        let body = Array((error.message + "\n").utf8)
        let head = ResponseWriter.head(status: error.status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                                       contentLength: body.count, connection: "close", date: currentDate())
        _ = Socket.sendAll(fd, [Array(head.utf8), body], inactivity: configuration.idleTimeout)
    }
}
