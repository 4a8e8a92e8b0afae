/// A lean, validating skip over one JSON value, for `JSONScanner`.
///
/// It accepts exactly what `JSONParser.parse` accepts (grammar, escapes, nesting depth, numbers
/// within `Double`'s range) but reports only where it stopped: callers that need a diagnostic
/// re-parse with `JSONParser`. Working on a raw pointer with the position in a local variable,
/// and keeping every failure out of line, makes it several times cheaper per token than the
/// parser's own `skipValue`, which is what skipping most of a device page costs.
struct SkipFailure: Error {
    /// Where the input stopped making sense.
    var offset: Int
}

enum FastSkip {
    /// The offset just after the value that starts at `start` (no leading whitespace).
    static func value(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int, depth: Int) throws(SkipFailure) -> Int {
        var index = start
        guard index < end else { throw SkipFailure(offset: index) }
        switch base[index] {
        case UInt8(ascii: "\""):
            return try string(base, end, index)
        case UInt8(ascii: "{"):
            guard depth + 1 <= JSONParser.maximumDepth else { throw SkipFailure(offset: index) }
            index = whitespace(base, end, index + 1)
            if index < end, base[index] == UInt8(ascii: "}") { return index + 1 }
            while true {
                guard index < end, base[index] == UInt8(ascii: "\"") else { throw SkipFailure(offset: index) }
                index = whitespace(base, end, try string(base, end, index))
                guard index < end, base[index] == UInt8(ascii: ":") else { throw SkipFailure(offset: index) }
                index = whitespace(base, end, index + 1)
                index = whitespace(base, end, try value(base, end, index, depth: depth + 1))
                guard index < end else { throw SkipFailure(offset: index) }
                let separator = base[index]
                index += 1
                if separator == UInt8(ascii: "}") { return index }
                guard separator == UInt8(ascii: ",") else { throw SkipFailure(offset: index - 1) }
                index = whitespace(base, end, index)
            }
        case UInt8(ascii: "["):
            guard depth + 1 <= JSONParser.maximumDepth else { throw SkipFailure(offset: index) }
            index = whitespace(base, end, index + 1)
            if index < end, base[index] == UInt8(ascii: "]") { return index + 1 }
            while true {
                index = whitespace(base, end, try value(base, end, index, depth: depth + 1))
                guard index < end else { throw SkipFailure(offset: index) }
                let separator = base[index]
                index += 1
                if separator == UInt8(ascii: "]") { return index }
                guard separator == UInt8(ascii: ",") else { throw SkipFailure(offset: index - 1) }
                index = whitespace(base, end, index)
            }
        case UInt8(ascii: "t"):
            return try literal(base, end, index, 0x74, 0x72, 0x75, 0x65, nil)  // true
        case UInt8(ascii: "f"):
            return try literal(base, end, index, 0x66, 0x61, 0x6C, 0x73, 0x65)  // false
        case UInt8(ascii: "n"):
            return try literal(base, end, index, 0x6E, 0x75, 0x6C, 0x6C, nil)  // null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number(base, end, index)
        default:
            throw SkipFailure(offset: index)
        }
    }

    @inline(__always)
    static func whitespace(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int) -> Int {
        var index = start
        while index < end {
            let byte = base[index]
            if byte > 0x20 { return index }  // every token byte is above the space
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// The offset after the closing quote of the string whose opening quote is at `quote`.
    @inline(__always)
    static func string(_ base: UnsafePointer<UInt8>, _ end: Int, _ quote: Int) throws(SkipFailure) -> Int {
        let buffer = UnsafeBufferPointer(start: base, count: end)
        var index = quote + 1
        while true {
            index = firstSpecialStringByte(in: buffer, from: index)
            guard index < end else { throw SkipFailure(offset: quote) }
            let byte = base[index]
            if byte == UInt8(ascii: "\"") { return index + 1 }
            guard byte == UInt8(ascii: "\\") else { throw SkipFailure(offset: index) }  // a control character
            index = try escape(base, end, index)
        }
    }

    /// The offset after the escape sequence whose backslash is at `backslash`.
    @inline(never)
    static func escape(_ base: UnsafePointer<UInt8>, _ end: Int, _ backslash: Int) throws(SkipFailure) -> Int {
        guard backslash + 1 < end else { throw SkipFailure(offset: backslash) }
        switch base[backslash + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return backslash + 2
        case UInt8(ascii: "u"):
            guard backslash + 6 <= end else { throw SkipFailure(offset: backslash) }
            for offset in 2..<6 {
                switch base[backslash + offset] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
                    continue
                default:
                    throw SkipFailure(offset: backslash + offset)
                }
            }
            return backslash + 6
        default:
            throw SkipFailure(offset: backslash)
        }
    }

    @inline(__always)
    static func literal(
        _ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int, _ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8?
    ) throws(SkipFailure) -> Int {
        let count = b4 == nil ? 4 : 5
        guard start + count <= end, base[start] == b0, base[start + 1] == b1, base[start + 2] == b2, base[start + 3] == b3
        else { throw SkipFailure(offset: start) }
        if let b4, base[start + 4] != b4 { throw SkipFailure(offset: start) }
        return start + count
    }

    /// The offset after the number starting at `start`, checked as the parser checks it.
    @inline(__always)
    static func number(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int) throws(SkipFailure) -> Int {
        var index = start
        if base[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end, isDigit(base[index]) else { throw SkipFailure(offset: index) }
        if base[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, isDigit(base[index]) { throw SkipFailure(offset: index) }
        } else {
            while index < end, isDigit(base[index]) { index += 1 }
        }
        var hasExponent = false
        if index < end, base[index] == UInt8(ascii: ".") {
            index += 1
            guard index < end, isDigit(base[index]) else { throw SkipFailure(offset: index) }
            while index < end, isDigit(base[index]) { index += 1 }
        }
        if index < end, base[index] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            index += 1
            if index < end, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index += 1 }
            guard index < end, isDigit(base[index]) else { throw SkipFailure(offset: index) }
            while index < end, isDigit(base[index]) { index += 1 }
        }
        // Only an exponent or hundreds of digits can leave Double's range (the parser rejects that).
        if hasExponent || index - start > 300 {
            try checkRange(base, end, start)
        }
        return index
    }

    @inline(never)
    static func checkRange(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int) throws(SkipFailure) {
        var reader = Reader(UnsafeBufferPointer(start: base, count: end))
        reader.position = start
        do {
            _ = try reader.parseNumber()
        } catch {
            throw SkipFailure(offset: start)
        }
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
}
