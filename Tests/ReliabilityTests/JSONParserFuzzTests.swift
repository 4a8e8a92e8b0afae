import Foundation
import JSON
import XCTest

/// Random bytes and mutated real documents through `JSONParser`: no crash, every error located
/// at a line and column ≥ 1 that agree with its byte offset, and the parser's entry points agree
/// with one another (`parse`, `validate`, `arrayElementRanges`, and a write/parse round trip).
final class JSONParserFuzzTests: XCTestCase {
    static let seed = Budget.seed(0x4A53_4F4E_4655_5A5A)

    /// Real documents of the project, cut to a size that keeps the default run fast.
    static let seedDocuments: [[UInt8]] = {
        var documents: [[UInt8]] = []
        let files = ["MockData/device_groups.json", "Conformance/rules.json"]
        for file in files {
            if let data = FileManager.default.contents(atPath: PackagePaths.root.appendingPathComponent(file).path) {
                documents.append(Array(data))
            }
        }
        // Single devices of the tenant, so every mutation lands in device-shaped JSON.
        if let data = FileManager.default.contents(atPath: PackagePaths.mockData.appendingPathComponent("devices.json").path),
           let ranges = try? JSONParser.arrayElementRanges(Array(data)) {
            let bytes = Array(data)
            for range in ranges.prefix(40) { documents.append(Array(bytes[range])) }
        }
        if let cases = FileManager.default.enumerator(atPath: PackagePaths.conformanceCases.path) {
            var count = 0
            while let path = cases.nextObject() as? String, count < 30 {
                guard path.hasSuffix(".json") || path.hasSuffix(".ndjson") else { continue }
                if let data = FileManager.default.contents(atPath: PackagePaths.conformanceCases.appendingPathComponent(path).path),
                   data.count < 20_000 {
                    documents.append(Array(data))
                    count += 1
                }
            }
        }
        documents += [
            "{}", "[]", "0", "-0.0e-0", "\"\\u00e9\\ud83d\\ude00\"", "[1,2,[3,{\"a\":null}]]", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "1e400", "{\"a\":1,\"a\":2}", "\"\u{1F4A5}\"",
        ].map { Array($0.utf8) }
        return documents
    }()

    /// Hostile shapes a mutation is unlikely to find by chance.
    static let hostile: [[UInt8]] = [
        Array(String(repeating: "[", count: 100_000).utf8),
        Array((String(repeating: "[", count: 600) + String(repeating: "]", count: 600)).utf8),
        Array((String(repeating: "{\"a\":", count: 513) + "1" + String(repeating: "}", count: 513)).utf8),
        Array(("[" + String(repeating: "1,", count: 50_000) + "1]").utf8),
        Array(("\"" + String(repeating: "\\u0000", count: 10_000) + "\"").utf8),
        Array("\"\\ud800\"".utf8), Array("\"\\udc00\\ud800\"".utf8), Array("\"\\ud800\\u0041\"".utf8), Array("\"\\u12\"".utf8),
        Array("\"\\x41\"".utf8), [0x22, 0xFF, 0xFE, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [0x22, 0x00, 0x22], [0x22, 0x0A, 0x22],
        Array("1e99999999999999999999".utf8), Array("-".utf8), Array("01".utf8), Array("1.".utf8), Array(".5".utf8),
        Array("1e".utf8), Array("NaN".utf8), Array("Infinity".utf8), Array("[1,]".utf8), Array("{\"a\" 1}".utf8),
        Array("{,}".utf8), Array("tru".utf8), Array("nulll".utf8), Array("".utf8), Array("   \n\n  ".utf8),
        Array("{\"a\":1}\n\n{\"b\":2}".utf8), Array(("1" + String(repeating: "0", count: 5000)).utf8),
        Array(("0." + String(repeating: "0", count: 5000) + "1").utf8), Array("\n\n\n  x".utf8),
    ]

    struct Figures {
        var inputs = 0
        var bytes = 0
        var accepted = 0
        var rejected = 0
        var arrays = 0
    }

    func testRandomAndMutatedDocumentsNeverCrashAndErrorsAreLocated() {
        var figures = Figures()
        var failures: [String] = []
        let started = Date()
        let total = Budget.count(6000)
        for index in 0..<(total + Self.hostile.count) {
            let input: [UInt8]
            if index < Self.hostile.count {
                input = Self.hostile[index]
            } else {
                var random = SeededRandom.forCase(seed: Self.seed, index: index)
                input = random.chance(15) ? randomBytes(&random) : mutated(random.element(Self.seedDocuments), &random)
            }
            figures.inputs += 1
            figures.bytes += input.count
            if let problem = Self.check(input, figures: &figures) {
                let path = FailureArchive.keep(input, suite: "json", index: index, ext: "json")
                failures.append("input \(index) (seed \(Self.seed)): \(problem); kept at \(path)")
            }
        }
        for failure in failures.prefix(20) { XCTFail(failure) }
        XCTAssertGreaterThan(figures.accepted, 0)
        XCTAssertGreaterThan(figures.rejected, 0)
        reportFigures("json-fuzz", [
            "seed": Self.seed, "inputs": figures.inputs, "bytes": figures.bytes, "accepted": figures.accepted,
            "rejected": figures.rejected, "array-splits": figures.arrays, "failures": failures.count,
            "seconds": String(format: "%.1f", Date().timeIntervalSince(started)),
        ])
    }

    /// The checks for one input; nil when all held.
    static func check(_ input: [UInt8], figures: inout Figures) -> String? {
        let validated: JSONParseError? = {
            do throws(JSONParseError) { try JSONParser.validate(input); return nil } catch { return error }
        }()
        do {
            let value = try JSONParser.parse(input)
            figures.accepted += 1
            if let validated { return "parse accepts what validate rejects (\(validated))" }
            var writer = JSONWriter()
            writer.value(value)
            let written = writer.bytes
            guard let again = try? JSONParser.parse(written) else {
                return "the writer's output of an accepted document does not parse: \(String(decoding: written.prefix(200), as: UTF8.self))"
            }
            // Structural equality (member order, duplicates and number kinds kept), not semantic.
            if again != value { return "write/parse round trip changed the value" }
            if case .array(let elements) = value {
                figures.arrays += 1
                guard let ranges = try? JSONParser.arrayElementRanges(input), ranges.count == elements.count else {
                    return "arrayElementRanges disagrees with parse on an accepted array"
                }
                for (range, element) in zip(ranges, elements) {
                    guard let piece = try? JSONParser.parse(Array(input[range])), piece == element else {
                        return "arrayElementRanges range \(range) does not hold its element"
                    }
                }
            }
        } catch {
            figures.rejected += 1
            if validated == nil { return "validate accepts what parse rejects (\(error))" }
            if let problem = locationProblem(error, in: input) { return problem }
            if error.reason.isEmpty { return "error without a reason" }
        }
        return nil
    }

    /// An error's line and column must be ≥ 1 and match its byte offset.
    static func locationProblem(_ error: JSONParseError, in input: [UInt8]) -> String? {
        guard error.line >= 1, error.column >= 1 else { return "error at line \(error.line), column \(error.column): \(error.reason)" }
        guard (0...input.count).contains(error.offset) else { return "error offset \(error.offset) outside the input of \(input.count) bytes" }
        let before = input[0..<error.offset]
        let line = 1 + before.filter { $0 == 0x0A }.count
        let column = error.offset - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        guard line == error.line, column == error.column else {
            return "error says line \(error.line), column \(error.column) but offset \(error.offset) is line \(line), column \(column)"
        }
        return nil
    }

    func randomBytes(_ random: inout SeededRandom) -> [UInt8] {
        let length = random.within(0...512)
        // Mostly bytes JSON is made of, so the parser gets past the first byte.
        let alphabet = Array("{}[]\":,0123456789-+.eEtrufalsn \n\t\\u\r".utf8)
        return (0..<length).map { _ in random.chance(80) ? random.element(alphabet) : random.byte() }
    }

    func mutated(_ document: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = document
        for _ in 0..<random.within(1...4) {
            guard !bytes.isEmpty else { bytes = [random.byte()]; continue }
            let position = random.below(bytes.count)
            switch random.below(9) {
            case 0: bytes[position] = random.byte()
            case 1: bytes[position] = random.element(Array("{}[]\":,\\0-.eE \n".utf8))
            case 2: bytes.removeSubrange(position...)
            case 3: bytes.removeSubrange(position..<min(bytes.count, position + random.within(1...32)))
            case 4:
                let end = min(bytes.count, position + random.within(1...128))
                bytes.insert(contentsOf: Array(bytes[position..<end]), at: random.below(bytes.count + 1))
            case 5: bytes.insert(contentsOf: random.element([[0xC3], [0xFF], [0xED, 0xA0, 0x80], Array("\\ud83d".utf8), [0x00], Array("\\u".utf8)]), at: position)
            case 6:
                let depth = random.within(1...700)
                bytes.insert(contentsOf: [UInt8](repeating: random.chance(50) ? 0x5B : 0x7B, count: depth), at: position)
            case 7: bytes.insert(contentsOf: Array(String(repeating: "9", count: random.within(1...400)).utf8), at: position)
            default: bytes[position] ^= UInt8(1) << UInt8(random.below(8))
            }
        }
        return bytes
    }
}
