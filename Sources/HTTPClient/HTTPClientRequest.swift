/// One HTTP request as the connector sends it, independent of the HTTP library underneath.
package struct HTTPClientRequest: Sendable {
    package var method: String
    /// An absolute `http://` or `https://` URL, query included.
    package var url: String
    /// Header fields in order; names compare case-insensitively.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// Seconds the whole exchange may take, from sending to the last body byte, however fast
    /// the bytes arrive.
    package var timeout: Double
    /// The most body bytes accepted, counted after decompression; a larger answer (declared or
    /// received) fails the call at once with `TransportError.responseTooLarge`.
    package var maxResponseBytes: Int

    package init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Double = 30,
        maxResponseBytes: Int = defaultMaxResponseBytes
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// 1 MiB: ample for a token, a task status or a push acknowledgement.
    package static let defaultMaxResponseBytes = 1 << 20

    /// The first value of the header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
