/// One HTTP request as the connector sends it, independent of the HTTP library underneath.
package struct HTTPClientRequest: Sendable {
    package var method: String
    /// An absolute `http://` or `https://` URL, query included.
    package var url: String
    /// Header fields in order; names compare case-insensitively.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// Seconds the whole exchange may take, from sending to the last body byte.
    package var timeout: Double

    package init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Double = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The first value of the header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
