/// An answer's body assembled as it arrives, never beyond a limit.
///
/// The bytes go once into the `[UInt8]` the caller finally receives: storage is reserved up
/// front from the declared `Content-Length` (never more than the limit), so a 1.6 MB page is
/// neither regrown chunk after chunk nor copied again at the end, as a `Data` converted to
/// `[UInt8]` was.
package struct ResponseBody: Sendable {
    /// The most bytes accepted.
    package let limit: Int
    package private(set) var bytes: [UInt8] = []
    /// Set once a chunk would have passed the limit; nothing is accepted after that.
    package private(set) var overflowed = false

    /// Reserved when nothing is declared (chunked or close-delimited answers): one socket read
    /// or two, and doubling from there.
    package static let undeclaredReservation = 64 * 1024

    package init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Reserves room for the body the head announced: `declared` bytes when that is within the
    /// limit (a larger declaration is refused by the caller before any body), a small start
    /// otherwise. A lying length costs nothing: a shorter body leaves room unused, a longer one
    /// grows the storage as usual.
    package mutating func reserve(declared: Int?) {
        let wanted = declared.map { min(max(0, $0), limit) } ?? min(Self.undeclaredReservation, limit)
        if wanted > bytes.capacity { bytes.reserveCapacity(wanted) }
    }

    /// Appends one chunk; false (and the bytes so far released) when it would pass the limit.
    package mutating func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard !overflowed else { return false }
        guard chunk.count <= limit - bytes.count else {
            overflowed = true
            bytes = []
            return false
        }
        bytes.append(contentsOf: chunk.assumingMemoryBound(to: UInt8.self))
        return true
    }
}
