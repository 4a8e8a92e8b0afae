@testable import JSON
import XCTest

final class JSONScannerTests: XCTestCase {
    func testWalksMembersAndBuildsOnlyWhatIsAskedFor() throws {
        let text = Array(#" {"keep": "v\u00e9", "skip": [1, {"a": [true, null]}, "s"], "n": -12.5e1, "e": {}, "k\u0065y": 1} "#.utf8)
        try text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            XCTAssertTrue(try scanner.beginObject())
            XCTAssertEqual(scanner.depth, 1)
            var seen: [String] = []
            repeat {
                let key = try scanner.readKey()
                seen.append(key.name)
                if key.matches("keep") {
                    XCTAssertTrue(key.isPlain)
                    XCTAssertEqual(try scanner.parseString(), "vé")
                } else if key.matches("n") {
                    XCTAssertEqual(try scanner.parseValue(), .double(-125))
                } else if key.matches("e") {
                    XCTAssertFalse(try scanner.beginObject(), "an empty object is consumed whole")
                } else if key.matches("key") {
                    XCTAssertFalse(key.isPlain, "an escaped name is not plain")
                    XCTAssertEqual(try scanner.parseValue(), .int(1))
                } else {
                    try scanner.skipValue()
                }
            } while try scanner.nextMember()
            XCTAssertEqual(scanner.depth, 0)
            try scanner.finish()
            XCTAssertEqual(seen, ["keep", "skip", "n", "e", "key"])
        }
    }

    func testKeysMatchByStringEquality() throws {
        // U+212A KELVIN SIGN is canonically equivalent to "K": String equality says equal.
        let text = Array(#"{"\u212A": 1, "K": 2, "é": 3, "e\u0301": 4}"#.utf8)
        try text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            _ = try scanner.beginObject()
            var matchesK: [Bool] = []
            var matchesE: [Bool] = []
            repeat {
                let key = try scanner.readKey()
                matchesK.append(key.matches("K"))
                matchesE.append(key.matches("é"))
                XCTAssertEqual(key.matches("K"), key.name == "K")
                try scanner.skipValue()
            } while try scanner.nextMember()
            XCTAssertEqual(matchesK, [true, true, false, false])
            XCTAssertEqual(matchesE, [false, false, true, true])
        }
    }

    func testRejectsWhatTheParserRejects() {
        let invalid = [
            #"{"a": 1e999}"#, #"{"a": [01]}"#, #"{"a": tru}"#, #"{"a" 1}"#, #"{"a": 1,}"#, #"{"a": "x\q"}"#,
            "{\"a\": \"x\u{1}\"}", #"{"a": 1} x"#, #"{"a": [1 2]}"#, #"{"a": "unterminated}"#, #"{"a": -}"#,
        ]
        for text in invalid {
            XCTAssertThrowsError(try JSONParser.parse(text), text)
            XCTAssertThrowsError(try skipEverything(text), "scanner accepted \(text)")
        }
        XCTAssertNoThrow(try skipEverything(#"{"a": [1, -0.5e-3, "\ud83d\ude00", {"b": null}], "c": false}"#))
    }

    func testNestingIsBoundedLikeTheParser() {
        for depth in [511, 512, 513] {
            let text = "{\"a\": " + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
            let parses = (try? JSONParser.parse(text)) != nil
            let scans = (try? skipEverything(text)) != nil
            XCTAssertEqual(scans, parses, "depth \(depth)")
        }
    }

    private func skipEverything(_ text: String) throws {
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            if try scanner.beginObject() {
                repeat {
                    _ = try scanner.readKey()
                    try scanner.skipValue()
                } while try scanner.nextMember()
            }
            try scanner.finish()
        }
    }
}

final class JSONWriterRawTests: XCTestCase {
    /// The escaping the writer had before it was made faster, as the reference.
    private func referenceEscaped(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = [0x22]
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
            case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
            case 0..<0x20: bytes += Array(String(format: "\\u%04x", byte).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
        return bytes
    }

    func testEscapingMatchesTheReferenceForShortAndLongStrings() throws {
        var state: UInt64 = 1
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}", "é", "😀", "\u{2028}"]
        for _ in 0..<3000 {
            let text = (0..<next(120)).map { _ in pieces[next(pieces.count)] }.joined()
            var appended: [UInt8] = [0x41]
            JSONWriter.appendEscaped(text, to: &appended)
            XCTAssertEqual(Array(appended.dropFirst()), referenceEscaped(text), text.debugDescription)
            let raw = [UInt8](unsafeUninitializedCapacity: JSONWriter.maximumEscapedCount(of: text)) { buffer, count in
                count = JSONWriter.writeEscaped(text, to: buffer.baseAddress!)
            }
            XCTAssertEqual(raw, referenceEscaped(text))
            XCTAssertEqual(try JSONParser.parse(raw), .string(text))
        }
    }

    /// Short strings are checked and copied eight bytes at a time, the last word overlapping:
    /// a byte to escape (or a multi-byte character) at every position of every length up to 80.
    func testEscapingEveryPositionOfShortStrings() {
        let specials = ["\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "😀", "/"]
        for length in 0...80 {
            var plainBytes: [UInt8] = []
            for index in 0..<length { plainBytes.append(UInt8(97 + index % 26)) }
            let plain = String(decoding: plainBytes, as: UTF8.self)
            var texts = [plain]
            for position in 0...length {
                for special in specials {
                    var characters = Array(plain)
                    characters.insert(contentsOf: special, at: position)
                    texts.append(String(characters))
                }
            }
            for text in texts {
                let raw = [UInt8](unsafeUninitializedCapacity: JSONWriter.maximumEscapedCount(of: text)) { buffer, count in
                    count = JSONWriter.writeEscaped(text, to: buffer.baseAddress!)
                }
                XCTAssertEqual(raw, referenceEscaped(text), text.debugDescription)
            }
        }
    }

    func testIntegersOfEveryWidth() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        for value in values {
            var writer = JSONWriter()
            writer.int(value)
            XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), String(value))
            let raw = [UInt8](unsafeUninitializedCapacity: JSONWriter.maximumIntegerCount) { buffer, count in
                count = JSONWriter.writeInteger(value, to: buffer.baseAddress!)
            }
            XCTAssertEqual(String(decoding: raw, as: UTF8.self), String(value))
        }
    }

    func testLargeIntegersSerialiseInsteadOfTrapping() throws {
        let value = try JSONParser.parse("[9223372036854775807, 12345678901234567]")
        XCTAssertEqual(value.jsonText, "[9223372036854775807,12345678901234567]")
    }

    func testDecimalsMatchTheirExactValue() {
        let cases: [(Int64, Int, String)] = [
            (0, 6, "0.0"), (1, 6, "0.000001"), (-1, 6, "-0.000001"), (1_747_821_600_123_456, 6, "1747821600.123456"),
            (1_747_821_600_000_000, 6, "1747821600.0"), (Int64.max, 6, "9223372036854.775807"),
            (Int64.min, 6, "-9223372036854.775808"), (123, 0, "123.0"), (-120, 1, "-12.0"), (5, 18, "0.000000000000000005"),
        ]
        for (units, scale, expected) in cases {
            var writer = JSONWriter()
            writer.decimal(units: units, scale: scale)
            XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), expected)
            let raw = [UInt8](unsafeUninitializedCapacity: JSONWriter.maximumDecimalCount) { buffer, count in
                count = JSONWriter.writeDecimal(units: units, scale: scale, to: buffer.baseAddress!)
            }
            XCTAssertEqual(String(decoding: raw, as: UTF8.self), expected)
        }
    }
}

final class JSONKeyWalkTests: XCTestCase {
    func testNextKeyFindsNamesByStringEquality() throws {
        let keys = JSONKeySet(["uuid", "displayName", "primaryLocalIpAddress", "primaryLocalIpAddresz", "K", "a"])
        let text = Array(#"{"uuid": 1, "x": [1, {"uuid": 2}], "\u0075uid": 3, "primaryLocalIpAddresz": 4, "primaryLocalIpAddress": 5, "\u212A": 6, "displayNam": 7, "a": {"a": 8}, "": 9}"#.utf8)
        var found: [Int] = []
        try text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            try scanner.enterObject()
            while let key = try scanner.nextKey(in: keys) {
                found.append(key)
                if key == 5 {
                    try scanner.enterObject()  // nested walks leave the outer one ready for its next member
                    while let inner = try scanner.nextKey(in: keys) {
                        found.append(100 + inner)
                        try scanner.skipValue()
                    }
                } else {
                    try scanner.skipValue()
                }
            }
            try scanner.finish()
        }
        XCTAssertEqual(found, [0, -1, 0, 3, 2, 4, -1, 5, 105, -1])
    }

    func testNextKeyRejectsWhatTheParserRejects() {
        let keys = JSONKeySet(["a"])
        for text in [#"{"a": 1,}"#, #"{,"a": 1}"#, #"{"a": 1 "b": 2}"#, #"{"a" 1}"#, #"{"a": 1"#, #"{a: 1}"#, #"{"a": [1}"#] {
            XCTAssertThrowsError(try JSONParser.parse(text))
            XCTAssertThrowsError(try Array(text.utf8).withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                try scanner.enterObject()
                while try scanner.nextKey(in: keys) != nil { try scanner.skipValue() }
                try scanner.finish()
            }, text)
        }
    }

    /// Names are matched by their first word and then word by word (the last one overlapping):
    /// every length around the word boundaries, a byte changed at every position, names that
    /// end within eight bytes of the buffer's end (where the head cannot be loaded whole).
    func testWordWiseMatchingAgreesWithStringEqualityForEveryLengthAndPosition() throws {
        func letters(_ length: Int) -> String {
            var bytes: [UInt8] = []
            for index in 0..<length { bytes.append(UInt8(97 + (index * 7 + length) % 26)) }
            return String(decoding: bytes, as: UTF8.self)
        }
        let names = (0...40).map(letters)
        let keys = JSONKeySet(names)
        var candidates = names
        for name in names where !name.isEmpty {
            let bytes = Array(name.utf8)
            for position in bytes.indices {
                var changed = bytes
                changed[position] = changed[position] == UInt8(ascii: "z") ? UInt8(ascii: "y") : changed[position] + 1
                candidates.append(String(decoding: changed, as: UTF8.self))
            }
            candidates += [name + "a", String(name.dropLast()), String(name.dropFirst())]
        }
        for candidate in candidates {
            let expected = names.firstIndex(of: candidate) ?? -1
            // As the last member, so that the name ends within eight bytes of the end, and mid-object.
            for text in [#"{"x":1,""# + candidate + #"":2}"#, #"{""# + candidate + #"":2,"x":[1,2,3,4,5,6,7,8,9]}"#] {
                var found: [Int] = []
                try Array(text.utf8).withUnsafeBufferPointer { buffer in
                    var scanner = JSONScanner(buffer)
                    try scanner.enterObject()
                    while let key = try scanner.nextKey(in: keys) {
                        found.append(key)
                        try scanner.skipValue()
                    }
                    try scanner.finish()
                }
                let other = names.firstIndex(of: "x") ?? -1
                XCTAssertEqual(found, text.hasPrefix(#"{"x""#) ? [other, expected] : [expected, other], text)
                let bytes = Array(candidate.utf8)
                XCTAssertEqual(bytes.withUnsafeBufferPointer { keys.index(of: $0) }, expected, candidate)
            }
        }
    }

    /// `nextKnownKey` is `nextKey` with the unknown members skipped: same names, same values,
    /// same rejections.
    func testNextKnownKeyIsNextKeyWithUnknownMembersSkipped() throws {
        let keys = JSONKeySet(["uuid", "name", "list"])
        let texts = [
            #"{"a": [1, {"uuid": 2}], "uuid": "u", "b": {"name": 1}, "name": "n", "list": [1], "z": null}"#,
            #"{}"#, #"{"q": 1}"#, #"{"uuid": 1, "uuid": 2}"#, #"{"\u0075uid": "escaped", "n\u0061me": 3}"#,
            #"{"a": 1e999, "uuid": 1}"#, #"{"a": [1,], "uuid": 1}"#, #"{"a": tru, "uuid": 1}"#, #"{"a" 1, "uuid": 1}"#,
        ]
        func walk(_ text: String, known: Bool) -> [String]? {
            try? Array(text.utf8).withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                var seen: [String] = []
                try scanner.enterObject()
                while let key = try known ? scanner.nextKnownKey(in: keys) : scanner.nextKey(in: keys) {
                    if key < 0 {
                        try scanner.skipValue()
                    } else {
                        seen.append("\(key)=\(try scanner.parseValue().jsonText)")
                    }
                }
                try scanner.finish()
                return seen
            }
        }
        var accepted = 0
        for text in texts {
            let walked: [String]? = walk(text, known: true)
            let parses: Bool = (try? JSONParser.parse(text)) != nil
            XCTAssertEqual(walked, walk(text, known: false), text)
            XCTAssertEqual(walked != nil, parses, text)
            if walked != nil { accepted += 1 }
        }
        XCTAssertEqual(accepted, 5)
        XCTAssertEqual(walk(texts[0], known: true), ["0=\"u\"", "1=\"n\"", "2=[1]"])
    }

    /// The cache hashes and compares the last eight bytes as one word: values that differ in a
    /// single byte anywhere, at every length, must stay distinct.
    func testCachedStringsDifferingInOneByteStayDistinct() throws {
        let cache = JSONStringCache(slots: 4096)
        for length in 1...100 {
            let base = (0..<length).map { UInt8(65 + $0 % 26) }
            var variants = [base]
            for position in 0..<length {
                var changed = base
                changed[position] = UInt8(ascii: "0") + UInt8(position % 10)
                variants.append(changed)
            }
            for bytes in variants + variants {
                let literal = [0x22] + bytes + [0x22]
                try literal.withUnsafeBufferPointer { buffer in
                    var scanner = JSONScanner(buffer)
                    XCTAssertEqual(try scanner.stringOrSkip(sharingWith: cache), String(decoding: bytes, as: UTF8.self))
                }
            }
        }
    }

    func testKeySetsOfManyNamesResolveEveryNameAndNothingElse() {
        let names = (0..<300).map { "field\($0)_" + String(repeating: "x", count: $0 % 13) }
        let keys = JSONKeySet(names)
        for (index, name) in names.enumerated() {
            let bytes = Array(name.utf8)
            XCTAssertEqual(bytes.withUnsafeBufferPointer { keys.index(of: $0) }, index)
            let near = Array((name + "y").utf8)
            XCTAssertEqual(near.withUnsafeBufferPointer { keys.index(of: $0) }, -1)
        }
    }

    func testStringsComeOutAsTheParserDecodesThem() throws {
        let cache = JSONStringCache(slots: 8)
        var values: [[UInt8]] = [Array("plain".utf8), Array("plain".utf8), Array("é 😀".utf8), [0xFF, 0x41], [0xC3], []]
        var state: UInt64 = 99
        for _ in 0..<500 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let length = Int(state >> 58)
            values.append((0..<length).map { UInt8(truncatingIfNeeded: (state >> UInt64($0 % 50)) & 0xFF) | 0x20 })
            values.append(values[Int(state >> 40) % values.count])
        }
        values.append(Array(String(repeating: "long ", count: 40).utf8))
        for bytes in values {
            let literal = [0x22] + bytes.map { $0 == 0x22 || $0 == 0x5C ? 0x41 : $0 } + [0x22]
            let expected = try JSONParser.parse(literal)
            try literal.withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                XCTAssertEqual(try scanner.stringOrSkip(sharingWith: cache).map(JSONValue.string), expected)
                var again = JSONScanner(buffer)
                XCTAssertEqual(try again.stringOrSkip().map(JSONValue.string), expected)
            }
        }
        let escaped = Array(#"["a\nb", 5, {"x": "y"}, null]"#.utf8)
        try escaped.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            XCTAssertTrue(try scanner.beginArray())
            var results: [String?] = []
            repeat { results.append(try scanner.stringOrSkip(sharingWith: cache)) } while try scanner.nextElement()
            XCTAssertEqual(results, ["a\nb", nil, nil, nil])
        }
    }
}
