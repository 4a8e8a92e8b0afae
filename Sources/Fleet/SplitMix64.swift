/// SplitMix64 (Steele, Lea & Flood, 2014).
///
/// The fleet must be byte-identical for a given seed on every platform and every toolchain, so
/// the generator never touches system randomness nor the standard library's `random(in:using:)`
/// (whose reduction algorithm is an implementation detail that may change). Every draw goes
/// through the helpers below, whose arithmetic is fixed here. The seeded tests use it too, so a
/// failing input is reproduced exactly from its seed.
package struct SplitMix64: Sendable {
    private(set) var state: UInt64

    package init(state: UInt64) {
        self.state = state
    }

    /// A generator whose first state is `seed`.
    package init(seed: UInt64) {
        self.init(state: seed)
    }

    /// A generator for one item of a stream: mixing the index in means device `i` gets the same
    /// values whatever was generated before it, so output does not depend on chunking or order.
    init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD6E8_FEB8_6659_FD93))
        let base = mixer.next()
        self.init(state: base ^ (index &* 0x9E37_79B9_7F4A_7C15))
        _ = next()
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser, a bijection on `UInt64`.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (Lemire's multiply-high reduction; the bias is below 2^-40 for the
    /// bounds used here and, unlike rejection sampling, every call consumes exactly one draw).
    package mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    /// A value in `range` (inclusive).
    package mutating func within(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `percent`/100.
    package mutating func percent(_ percent: Int) -> Bool {
        below(100) < percent
    }

    package mutating func element<T>(of items: [T]) -> T {
        items[below(items.count)]
    }

    /// An index into `weights`, drawn proportionally to the weights.
    mutating func weighted(_ weights: WeightTable) -> Int {
        var remaining = below(weights.total)
        for (index, weight) in weights.weights.enumerated() {
            if remaining < weight { return index }
            remaining -= weight
        }
        return weights.weights.count - 1
    }
}

/// Weights with their total computed once, because draws happen millions of times.
struct WeightTable: Sendable {
    let weights: [Int]
    let total: Int

    init(_ weights: [Int]) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 >= 0 }, "weights must be non-negative")
        self.weights = weights
        self.total = weights.reduce(0, +)
        precondition(total > 0, "weights must not all be zero")
    }
}
