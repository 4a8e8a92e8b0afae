import Conformance
import Foundation
import JSON
import XCTest

/// Mutated `case.json`, `expected.ndjson` and `rules.json` files through the conformance loaders:
/// each either loads or throws a `CaseError` that names the file, never anything else.
final class CaseLoaderFuzzTests: XCTestCase {
    static let seed = Budget.seed(0x4341_5345_4655_5A5A)

    static let caseDirectories: [URL] = {
        guard let enumerator = FileManager.default.enumerator(at: PackagePaths.conformanceCases, includingPropertiesForKeys: nil) else { return [] }
        var directories: [URL] = []
        while let url = enumerator.nextObject() as? URL {
            if url.lastPathComponent == "case.json" { directories.append(url.deletingLastPathComponent()) }
        }
        return directories.sorted { $0.path < $1.path }
    }()

    func testMutatedCaseFilesGiveCaseErrorsNamingTheFile() throws {
        let sources = Self.caseDirectories
        XCTAssertGreaterThan(sources.count, 10, "the conformance cases should be found from the test file")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rel-cases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }

        var figures = (inputs: 0, loaded: 0, caseErrors: 0, expectedLoaded: 0, expectedErrors: 0)
        var failures: [String] = []
        for index in 0..<Budget.count(400) {
            var random = SeededRandom.forCase(seed: Self.seed, index: index)
            let source = random.element(sources)
            let directory = root.appendingPathComponent("case-\(index)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("case.json")
            var bytes = Array(try Data(contentsOf: source.appendingPathComponent("case.json")))
            if random.chance(50) { bytes = structurallyMutated(bytes, &random) } else { bytes = byteMutated(bytes, &random) }
            if random.chance(3) { bytes = [] }
            try Data(bytes).write(to: file)
            figures.inputs += 1
            do {
                let loaded = try CaseLoader.load(directory, root: root)
                figures.loaded += 1
                if loaded.kind == .mapping && loaded.rules.isEmpty { failures.append("input \(index): a mapping case without rules was loaded") }
                // A present "rules" must be an array of strings, whatever the kind.
                if let rules = loaded.definition["rules"], rules.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
                    failures.append("input \(index): \"rules\" of type \(rules.typeName) was accepted")
                }
            } catch let error as CaseError {
                figures.caseErrors += 1
                if error.path != file.path || !error.description.contains(file.path) || error.reason.isEmpty {
                    failures.append("input \(index): error does not name \(file.lastPathComponent): \(error)")
                }
            } catch {
                failures.append("input \(index): \(type(of: error)) instead of CaseError: \(error)")
            }

            // The golden events of the same case, damaged: errors name the file and the line.
            if random.chance(50), let expected = try? Data(contentsOf: source.appendingPathComponent("expected.ndjson")) {
                let goldenDirectory = root.appendingPathComponent("golden-\(index)")
                try FileManager.default.createDirectory(at: goldenDirectory, withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: source.appendingPathComponent("case.json"),
                                                 to: goldenDirectory.appendingPathComponent("case.json"))
                let expectedFile = goldenDirectory.appendingPathComponent("expected.ndjson")
                try Data(byteMutated(Array(expected), &random)).write(to: expectedFile)
                do {
                    _ = try CaseLoader.load(goldenDirectory, root: root).expectedEvents()
                    figures.expectedLoaded += 1
                } catch let error as CaseError {
                    figures.expectedErrors += 1
                    if error.path != expectedFile.path || !error.reason.hasPrefix("line ") {
                        failures.append("input \(index): expected.ndjson error does not name file and line: \(error)")
                    }
                } catch {
                    failures.append("input \(index): expected.ndjson gave \(type(of: error)) instead of CaseError")
                }
            }
            if failures.count > 20 { break }
        }
        for failure in failures.prefix(20) { XCTFail(failure) }
        XCTAssertGreaterThan(figures.caseErrors, 0)
        XCTAssertGreaterThan(figures.loaded, 0)
        reportFigures("case-loader-fuzz", [
            "seed": Self.seed, "inputs": figures.inputs, "loaded": figures.loaded, "case-errors": figures.caseErrors,
            "expected-ndjson-loaded": figures.expectedLoaded, "expected-ndjson-errors": figures.expectedErrors, "failures": failures.count,
        ])
    }

    /// A directory tree with one bad case among good ones: loading all of them stops at the bad
    /// one and names it.
    func testLoadCasesNamesTheBadCaseAmongGoodOnes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rel-tree-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (index, source) in Self.caseDirectories.prefix(5).enumerated() {
            let directory = root.appendingPathComponent("good-\(index)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source.appendingPathComponent("case.json"), to: directory.appendingPathComponent("case.json"))
        }
        let bad = root.appendingPathComponent("good-2/nested/bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try Data("{\"rules\": [\"M01\", 7]}".utf8).write(to: bad.appendingPathComponent("case.json"))
        XCTAssertThrowsError(try CaseLoader.loadCases(under: root)) { error in
            XCTAssertEqual((error as? CaseError)?.path, bad.appendingPathComponent("case.json").path, "\(error)")
        }
    }

    func testMutatedRuleCatalogsGiveCaseErrors() throws {
        let source = PackagePaths.root.appendingPathComponent("Conformance/rules.json")
        let original = Array(try Data(contentsOf: source))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rel-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var figures = (inputs: 0, loaded: 0, errors: 0)
        for index in 0..<Budget.count(60) {
            var random = SeededRandom.forCase(seed: Self.seed ^ 0x52554C45, index: index)
            let file = directory.appendingPathComponent("rules-\(index).json")
            let bytes = random.chance(50) ? structurallyMutated(original, &random) : byteMutated(original, &random)
            try Data(bytes).write(to: file)
            figures.inputs += 1
            do {
                _ = try RuleCatalog.load(file)
                figures.loaded += 1
            } catch let error as CaseError {
                figures.errors += 1
                XCTAssertEqual(error.path, file.path, "input \(index): \(error)")
            } catch {
                XCTFail("input \(index): \(type(of: error)) instead of CaseError: \(error)")
            }
        }
        reportFigures("rules-loader-fuzz", ["inputs": figures.inputs, "loaded": figures.loaded, "case-errors": figures.errors])
    }

    // MARK: Mutations

    func byteMutated(_ original: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = original
        for _ in 0..<random.within(1...3) {
            guard !bytes.isEmpty else { return [random.byte()] }
            let position = random.below(bytes.count)
            switch random.below(5) {
            case 0: bytes[position] = random.byte()
            case 1: bytes.removeSubrange(position...)
            case 2: bytes.removeSubrange(position..<min(bytes.count, position + random.within(1...20)))
            case 3: bytes.insert(contentsOf: random.element([[0xFF], [0x00], Array("\"".utf8), Array("[".utf8), Array("é".utf8)]), at: position)
            default: bytes.insert(contentsOf: Array(bytes[position..<min(bytes.count, position + 40)]), at: position)
            }
        }
        return bytes
    }

    /// Valid JSON with members of the wrong type or value, or missing.
    func structurallyMutated(_ original: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        guard var value = try? JSONParser.parse(original) else { return original }
        let odd: [JSONValue] = [.null, .bool(true), .int(-1), .int(0), .double(1.5), .string(""), .string("unknown"), .string("\u{0}"),
                                .array([]), .array([.null]), .array([.int(1)]), .array([.string("")]), .object(JSONObject()), .int(Int64.max)]
        for _ in 0..<random.within(1...3) {
            if case .object(var object) = value, !object.members.isEmpty || random.chance(50) {
                let keys = ["kind", "rules", "profile", "rejectedIndices", "description", "pinned", "scenarios", "id", "statement",
                            "attributes"] + object.keys
                let key = random.element(keys)
                if random.chance(20) {
                    object[key] = nil
                } else if key == "rules", case .array(var entries)? = object[key], !entries.isEmpty, random.chance(50) {
                    entries[random.below(entries.count)] = random.element(odd)
                    object[key] = .array(entries)
                } else {
                    object[key] = random.element(odd)
                }
                value = .object(object)
            } else {
                value = random.element(odd + [.array([value])])
            }
        }
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }
}
