import Foundation
import HTTPServer
import HTTPTesting
import Synchronization
import XCTest

/// A value shared between a handler (on a connection thread) and the test.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update<R>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}

/// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held.
/// Bounded in time and iterations, so a broken condition fails instead of hanging.
func waitUntil(timeout: Double = 3, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    for _ in 0..<100_000 {
        if condition() { return true }
        if Date() >= deadline { return false }
        usleep(2_000)
    }
    return condition()
}

/// Echoes the request so tests can see what the handler received.
let describingHandler: HTTPHandler = { request in
    var lines = ["\(request.method) \(request.path)"]
    for item in request.queryItems { lines.append("q \(item.name)=\(item.value)") }
    lines.append("body \(request.bodyText)")
    return .text(200, lines.joined(separator: "\n"))
}

class ServerTestCase: XCTestCase {
    private var servers: [HTTPServer] = []
    private var connections: [RawHTTPConnection] = []

    /// Starts a server on 127.0.0.1, port 0, stopped automatically in tearDown.
    func startServer(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in },
                     handler: @escaping HTTPHandler = describingHandler) throws -> HTTPServer {
        var configuration = HTTPServer.Configuration()
        configure(&configuration)
        let server = HTTPServer(configuration: configuration, handler: handler)
        try server.start()
        servers.append(server)
        return server
    }

    /// A client connection closed automatically in tearDown.
    func connect(_ server: HTTPServer, timeout: Double = 5) throws -> RawHTTPConnection {
        let connection = try RawHTTPConnection(port: server.port, timeout: timeout)
        connections.append(connection)
        return connection
    }

    override func tearDown() {
        for connection in connections { connection.close() }
        for server in servers { server.stop(timeout: 2) }
        connections = []
        servers = []
        super.tearDown()
    }
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}
