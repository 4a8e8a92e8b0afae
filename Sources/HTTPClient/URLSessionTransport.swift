import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The connector's only real transport: one `URLSession` (so connections are kept alive and
/// reused), no cache, no cookies, a hard per-request deadline, a bound on every answer's size,
/// and no redirects.
///
/// Every server is treated as an adversary:
/// - The deadline is enforced here rather than left to `URLRequest.timeoutInterval`, which
///   swift-corelibs-foundation applies as an idle timeout: a server trickling bytes, or sending
///   an endless body quickly, could otherwise hold a request forever.
/// - Body bytes are counted as they arrive, after libcurl decompressed them, so a huge declared
///   `Content-Length`, an endless chunked body and a gzip bomb all stop at `maxResponseBytes`.
///   Requests ask for `Accept-Encoding: identity` unless the caller chose otherwise, and an answer
///   compressed anyway is refused on its head. What remains beyond our reach: FoundationNetworking
///   hands bytes to the delegate asynchronously, without backpressure, so whatever libcurl has
///   already read (and inflated) when the refusal reaches it still passes through memory once
///   (see docs/reliability.md for the measured peaks).
/// - URLSession on Linux follows redirects by default, re-sending the `Authorization` header to
///   whatever host the `Location` names. Here a 3xx is never followed: it ends the call with
///   `TransportError.redirected`.
package final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let router: ExchangeRouter

    /// - Parameter maximumConnectionsPerHost: idle keep-alive connections kept per host.
    package init(maximumConnectionsPerHost: Int = 4) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        configuration.httpMaximumConnectionsPerHost = maximumConnectionsPerHost
        // Deadlines are per request (see `send`); these only bound pathological cases.
        configuration.timeoutIntervalForRequest = 3600
        configuration.timeoutIntervalForResource = 24 * 3600
        router = ExchangeRouter()
        session = URLSession(configuration: configuration, delegate: router, delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    package func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { throw TransportError.invalidURL(request.url) }
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        // libcurl would advertise and transparently inflate gzip, deflate, br and zstd; asking for
        // the body as is lets `received` refuse a compressed answer before any of it is inflated.
        if request.header("Accept-Encoding") == nil { urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding") }
        // libcurl otherwise sends `Expect: 100-continue` for large bodies and stalls a second
        // when the server does not answer it.
        if !request.body.isEmpty {
            urlRequest.httpBody = Data(request.body)
            if request.header("Expect") == nil { urlRequest.setValue("", forHTTPHeaderField: "Expect") }
        }

        let acceptsEncodings = request.header("Accept-Encoding").map { $0.lowercased() != "identity" } ?? false
        let exchange = Exchange(limit: max(0, request.maxResponseBytes), timeout: request.timeout, acceptsEncodings: acceptsEncodings)
        try Task.checkCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPClientResponse, any Error>) in
                let task = session.dataTask(with: urlRequest)
                exchange.continuation = continuation
                router.register(exchange, for: task)
                exchange.start(task)
            }
        } onCancel: {
            exchange.cancel(reason: .caller)
        }
    }
}

/// The session's delegate: hands each task's callbacks to its `Exchange`.
///
/// Callbacks arrive on the session's serial delegate queue; the table is locked because
/// `register` runs on the caller's thread.
private final class ExchangeRouter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Unchecked: NSObject is not Sendable; all state is behind the mutex.
    private let exchanges = Mutex<[Int: Exchange]>([:])

    func register(_ exchange: Exchange, for task: URLSessionTask) {
        exchanges.withLock { $0[task.taskIdentifier] = exchange }
    }

    private func exchange(_ task: URLSessionTask) -> Exchange? {
        exchanges.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        exchange(task)?.redirected(response, task: task)
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let exchange = exchange(dataTask) else {
            completionHandler(.cancel)
            return
        }
        let refusal = exchange.received(response)
        completionHandler(refusal == nil ? .allow : .cancel)
        if let refusal { exchange.refuse(refusal) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(dataTask) else { return }
        if !exchange.append(data) { exchange.refuse(.tooLarge) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let exchange = exchanges.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        exchange?.complete(response: task.response, error: error)
    }
}

/// The state of one request: its body so far, its deadline, its cancellation and its outcome.
private final class Exchange: @unchecked Sendable {
    // Unchecked: `continuation` is set once before the task starts; the rest is behind the mutex.
    enum CancelReason { case caller, deadline, redirect, tooLarge, encoding }
    private struct State {
        var task: URLSessionDataTask?
        var cancelReason: CancelReason?
        /// Whether `refuse` has cancelled the task already (every later chunk refuses again).
        var refused = false
        var finished = false
        var body: ResponseBody
        var response: HTTPURLResponse?
        var redirect: (status: Int, host: String?)?
        var declaredLength: Int?
        var contentEncoding: String?
        /// Whether the caller has its answer: the first terminal event wins.
        var resolved = false
    }
    private let state: Mutex<State>
    let limit: Int
    let timeout: Double
    var continuation: CheckedContinuation<HTTPClientResponse, any Error>?

    /// Whether the caller asked for compressed answers (then only decoded bytes are counted).
    let acceptsEncodings: Bool

    init(limit: Int, timeout: Double, acceptsEncodings: Bool) {
        self.limit = limit
        self.timeout = timeout
        self.acceptsEncodings = acceptsEncodings
        state = Mutex(State(body: ResponseBody(limit: limit)))
    }

    func start(_ task: URLSessionDataTask) {
        let alreadyCancelled = state.withLock { state -> Bool in
            state.task = task
            return state.cancelReason != nil
        }
        if alreadyCancelled { task.cancel() }
        task.resume()
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0.001, timeout)) { [weak self] in
            self?.cancel(reason: .deadline)
        }
    }

    /// Cancels the task and answers the caller at once: libcurl may take a while to notice the
    /// cancellation while a fast server keeps sending, and the caller must not wait for that.
    func cancel(reason: CancelReason) {
        let task = state.withLock { state -> URLSessionDataTask? in
            guard !state.finished, state.cancelReason == nil else { return nil }
            state.cancelReason = reason
            return state.task
        }
        guard let task else { return }
        // Answer first: `cancel()` waits for libcurl's queue, which a fast sender keeps busy.
        resolve(.failure(failure(for: reason)))
        task.cancel()
    }

    private func failure(for reason: CancelReason) -> any Error {
        let (redirect, declared) = state.withLock { ($0.redirect, $0.declaredLength) }
        switch reason {
        case .caller: return CancellationError()
        case .deadline: return TransportError.timedOut(seconds: timeout)
        case .redirect: return TransportError.redirected(status: redirect?.status ?? 300, locationHost: redirect?.host)
        case .tooLarge: return TransportError.responseTooLarge(limit: limit, declared: (declared ?? 0) > limit ? declared : nil)
        case .encoding: return TransportError.unrequestedEncoding(state.withLock { $0.contentEncoding } ?? "?")
        }
    }

    /// Answers the caller unless it already has its answer.
    private func resolve(_ result: Result<HTTPClientResponse, any Error>) {
        let first = state.withLock { state -> Bool in
            guard !state.resolved else { return false }
            state.resolved = true
            return true
        }
        guard first, let continuation else { return }
        continuation.resume(with: result)
    }

    /// A 3xx arrived: remember it; the delegate refuses to follow it.
    func redirected(_ response: HTTPURLResponse, task: URLSessionTask) {
        let location = response.value(forHTTPHeaderField: "Location")
        let host = location.flatMap { URL(string: $0, relativeTo: response.url)?.host }
        state.withLock { $0.redirect = (response.statusCode, host) }
    }

    /// Refuses the rest of the answer (a redirect, too large) and answers the caller now.
    ///
    /// Called on the delegate queue. `URLSessionTask.cancel()` waits for the session's libcurl
    /// queue, and while a fast server keeps sending, that queue can in turn wait for the delegate
    /// queue to take the data: cancelling here would hold both until the server stops (a minute for
    /// the mock's endless body; forever for a hostile one), with the rest of the process short of
    /// dispatch threads meanwhile. So the cancel goes to another thread, once, and the delegate
    /// queue returns to dropping what still arrives.
    func refuse(_ reason: CancelReason) {
        let (task, refusedBefore) = state.withLock { state -> (URLSessionDataTask?, Bool) in
            state.cancelReason = state.cancelReason ?? reason
            defer { state.refused = true }
            return (state.task, state.refused)
        }
        resolve(.failure(failure(for: reason)))
        guard !refusedBefore, let task else { return }
        DispatchQueue.global().async { task.cancel() }
    }

    /// The head arrived; the reason to refuse the answer, or nil to read its body.
    func received(_ response: URLResponse) -> CancelReason? {
        let http = response as? HTTPURLResponse
        let declared = http?.value(forHTTPHeaderField: "Content-Length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let encoding = http?.value(forHTTPHeaderField: "Content-Encoding")?.trimmingCharacters(in: .whitespaces)
        let encoded = encoding.map { !$0.isEmpty && $0.lowercased() != "identity" } ?? false
        return state.withLock { state -> CancelReason? in
            state.response = http
            if let status = http?.statusCode, (300...399).contains(status) {
                let location = http?.value(forHTTPHeaderField: "Location")
                state.redirect = (status, location.flatMap { URL(string: $0, relativeTo: http?.url)?.host })
                return .redirect
            }
            if encoded && !acceptsEncodings {
                state.contentEncoding = encoding
                return .encoding
            }
            // A compressed body's declared length says nothing about its decoded size, which is
            // counted in `append` instead.
            if let declared, !encoded { state.declaredLength = declared }
            if let declared, declared > limit {
                state.declaredLength = declared
                return .tooLarge
            }
            // The body goes once into storage of its declared size; a compressed body's size
            // is unknown until it is decoded.
            state.body.reserve(declared: encoded ? nil : declared)
            return nil
        }
    }

    /// More body bytes (decoded); false when the body is now over the limit.
    func append(_ data: Data) -> Bool {
        state.withLock { state -> Bool in
            guard state.cancelReason == nil else { return false }
            return data.withUnsafeBytes { state.body.append($0) }
        }
    }

    func complete(response: URLResponse?, error: (any Error)?) {
        let snapshot = state.withLock { state -> State in
            state.finished = true
            let copy = state
            state.task = nil
            // The snapshot keeps the only reference to the bytes, so they are never copied.
            state.body = ResponseBody(limit: 0)
            return copy
        }
        resolve(Self.outcome(snapshot, response: response, error: error, limit: limit, timeout: timeout))
    }

    private static func outcome(_ snapshot: State, response: URLResponse?, error: (any Error)?, limit: Int, timeout: Double) -> Result<HTTPClientResponse, any Error> {
        if let redirect = snapshot.redirect {
            return .failure(TransportError.redirected(status: redirect.status, locationHost: redirect.host))
        }
        switch snapshot.cancelReason {
        case .caller?: return .failure(CancellationError())
        case .deadline?: return .failure(TransportError.timedOut(seconds: timeout))
        case .tooLarge?:
            let declared = (snapshot.declaredLength ?? 0) > limit ? snapshot.declaredLength : nil
            return .failure(TransportError.responseTooLarge(limit: limit, declared: declared))
        case .encoding?: return .failure(TransportError.unrequestedEncoding(snapshot.contentEncoding ?? "?"))
        case .redirect?, nil: break
        }
        if let error { return .failure(transportError(error, timeout: timeout)) }
        guard let http = (response as? HTTPURLResponse) ?? snapshot.response else {
            return .failure(TransportError.connectionFailed("the answer is not HTTP"))
        }
        if (300...399).contains(http.statusCode) {
            let host = http.value(forHTTPHeaderField: "Location").flatMap { URL(string: $0, relativeTo: http.url)?.host }
            return .failure(TransportError.redirected(status: http.statusCode, locationHost: host))
        }
        var headers: [(name: String, value: String)] = []
        for (name, value) in http.allHeaderFields {
            headers.append((name: "\(name)", value: "\(value)"))
        }
        let body = snapshot.body.bytes
        if let announced = snapshot.declaredLength, body.count < announced {
            return .failure(TransportError.truncatedBody(received: body.count, expected: announced))
        }
        return .success(HTTPClientResponse(status: http.statusCode, headers: headers, body: body))
    }

    static func transportError(_ error: any Error, timeout: Double) -> TransportError {
        guard let urlError = error as? URLError else { return .connectionFailed(String(describing: type(of: error))) }
        switch urlError.code {
        case .timedOut: return .timedOut(seconds: timeout)
        case .cannotConnectToHost: return .connectionFailed("cannot connect to host")
        case .networkConnectionLost: return .connectionFailed("connection lost")
        case .cannotFindHost, .dnsLookupFailed: return .connectionFailed("cannot resolve host")
        case .notConnectedToInternet: return .connectionFailed("not connected to a network")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return .connectionFailed("TLS failure")
        case .badServerResponse, .cannotParseResponse: return .connectionFailed("malformed HTTP answer")
        case .zeroByteResource: return .connectionFailed("empty answer")
        case .unsupportedURL, .badURL: return .invalidURL("unsupported URL")
        default: return .connectionFailed("URL error \(urlError.code.rawValue)")
        }
    }
}
