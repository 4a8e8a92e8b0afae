import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The connector's only real transport: one `URLSession` (so connections are kept alive and
/// reused), no cache, no cookies, and a hard per-request deadline.
///
/// The deadline is enforced here rather than left to `URLRequest.timeoutInterval`, which
/// swift-corelibs-foundation applies as an idle timeout: a server trickling bytes could otherwise
/// hold a request forever.
package final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

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
        session = URLSession(configuration: configuration)
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
        // libcurl otherwise sends `Expect: 100-continue` for large bodies and stalls a second
        // when the server does not answer it.
        if !request.body.isEmpty {
            urlRequest.httpBody = Data(request.body)
            if request.header("Expect") == nil { urlRequest.setValue("", forHTTPHeaderField: "Expect") }
        }

        let exchange = Exchange()
        try Task.checkCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPClientResponse, any Error>) in
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    exchange.finish(continuation, data: data, response: response, error: error)
                }
                exchange.start(task, timeout: request.timeout)
            }
        } onCancel: {
            exchange.cancel(reason: .caller)
        }
    }
}

/// The state shared by one request's completion handler, its deadline and its cancellation.
private final class Exchange: Sendable {
    enum CancelReason { case caller, deadline }
    private struct State {
        var task: URLSessionDataTask?
        var cancelReason: CancelReason?
        var timeout: Double = 0
        var finished = false
    }
    private let state = Mutex(State())

    func start(_ task: URLSessionDataTask, timeout: Double) {
        let alreadyCancelled = state.withLock { state -> Bool in
            state.task = task
            state.timeout = timeout
            return state.cancelReason != nil
        }
        if alreadyCancelled { task.cancel() }
        task.resume()
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0.001, timeout)) { [weak self] in
            self?.cancel(reason: .deadline)
        }
    }

    func cancel(reason: CancelReason) {
        let task = state.withLock { state -> URLSessionDataTask? in
            guard !state.finished, state.cancelReason == nil else { return nil }
            state.cancelReason = reason
            return state.task
        }
        task?.cancel()
    }

    func finish(_ continuation: CheckedContinuation<HTTPClientResponse, any Error>, data: Data?, response: URLResponse?, error: (any Error)?) {
        let (reason, timeout) = state.withLock { state -> (CancelReason?, Double) in
            state.finished = true
            state.task = nil
            return (state.cancelReason, state.timeout)
        }
        if let error {
            switch reason {
            case .caller?: continuation.resume(throwing: CancellationError())
            case .deadline?: continuation.resume(throwing: TransportError.timedOut(seconds: timeout))
            case nil: continuation.resume(throwing: Self.transportError(error, timeout: timeout))
            }
            return
        }
        guard let http = response as? HTTPURLResponse else {
            continuation.resume(throwing: TransportError.connectionFailed("the answer is not HTTP"))
            return
        }
        var headers: [(name: String, value: String)] = []
        for (name, value) in http.allHeaderFields {
            headers.append((name: "\(name)", value: "\(value)"))
        }
        let body = data.map { [UInt8]($0) } ?? []
        if let announced = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value.trimmingCharacters(in: .whitespaces)) }),
            body.count < announced,
            headers.first(where: { $0.name.lowercased() == "content-encoding" }) == nil
        {
            continuation.resume(throwing: TransportError.truncatedBody(received: body.count, expected: announced))
            return
        }
        continuation.resume(returning: HTTPClientResponse(status: http.statusCode, headers: headers, body: body))
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
