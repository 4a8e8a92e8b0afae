import Foundation
import JSON
import OCSF
import XCTest

/// The committed schema description agrees with the OCSF 1.5.0 data in `../shared/ocsf-1.5.0`
/// whenever that directory is on the machine (it is not shipped with the package).
final class SchemaAgreementTests: XCTestCase {
    let schema = OCSFSchema.v1_5_0

    func schemaDirectory() throws -> URL {
        guard let shared = sharedDirectory else { throw XCTSkip("../shared is not on this machine") }
        let directory = shared.appendingPathComponent("ocsf-1.5.0")
        guard FileManager.default.fileExists(atPath: directory.path) else { throw XCTSkip("../shared/ocsf-1.5.0 is absent") }
        return directory
    }

    /// An independent reading of the compiled schema, fact by fact, without the generator.
    func testEveryFactMatchesTheCompiledSchema() throws {
        let data = try Data(contentsOf: try schemaDirectory().appendingPathComponent("compiled/schema-1.5.0.json"))
        let compiled = try JSONParser.parse(Array(data))
        XCTAssertEqual(compiled["version"]?.stringValue, schema.version)
        let klass = try XCTUnwrap(compiled["classes"]?["inventory_info"])
        XCTAssertEqual(klass["uid"], .int(schema.eventClass.uid))
        let category = try XCTUnwrap(compiled["categories"]?[klass["category"]?.stringValue ?? ""])
        XCTAssertEqual(category["uid"], .int(schema.eventClass.categoryUID))
        XCTAssertEqual(category["caption"]?.stringValue, schema.eventClass.categoryCaption)

        // The objects reachable from the class, found here by a walk of our own.
        let compiledObjects = try XCTUnwrap(compiled["objects"]?.objectValue)
        var reachable: Set<String> = []
        var pending = [try XCTUnwrap(klass["attributes"]?.objectValue)]
        while let attributes = pending.popLast() {
            for (_, attribute) in attributes.members {
                guard let objectType = attribute["object_type"]?.stringValue, reachable.insert(objectType).inserted else { continue }
                pending.append(try XCTUnwrap(compiledObjects[objectType]?["attributes"]?.objectValue, objectType))
            }
        }
        XCTAssertEqual(reachable, Set(schema.objects.keys))

        compare(klass, with: schema.eventClass.attributes, constraints: schema.eventClass.constraints, owner: "class")
        for name in reachable.sorted() {
            let definition = try XCTUnwrap(schema.objects[name])
            compare(try XCTUnwrap(compiledObjects[name]), with: definition.attributes, constraints: definition.constraints, owner: name)
        }

        let compiledTypes = try XCTUnwrap(compiled["types"]?.objectValue)
        XCTAssertEqual(Set(compiledTypes.keys), Set(schema.types.keys))
        for (name, type) in compiledTypes.members {
            let ours = try XCTUnwrap(schema.types[name])
            XCTAssertEqual(type["type"]?.stringValue ?? name, ours.base, name)
            XCTAssertEqual(type["regex"]?.stringValue, ours.regex, name)
            XCTAssertEqual(type["max_len"].flatMap { if case .int(let n) = $0 { Int(n) } else { nil } }, ours.maximumLength, name)
            let range = type["range"]?.arrayValue?.compactMap { if case .int(let n) = $0 { n } else { nil } }
            XCTAssertEqual(range, ours.range.map { [$0.lowerBound, $0.upperBound] }, name)
        }
        XCTAssertEqual(Set(try XCTUnwrap(compiled["profiles"]?.objectValue).keys), schema.profiles)
    }

    func compare(_ compiled: JSONValue, with ours: OCSFAttributeSet, constraints: OCSFConstraints, owner: String) {
        guard let attributes = compiled["attributes"]?.objectValue else { return XCTFail("\(owner): no attributes") }
        XCTAssertEqual(Set(attributes.keys), Set(ours.all.map(\.name)), owner)
        for (name, attribute) in attributes.members {
            guard let mine = ours[name] else { continue }
            let place = "\(owner).\(name)"
            XCTAssertEqual(attribute["type"]?.stringValue, mine.type, place)
            XCTAssertEqual(attribute["requirement"]?.stringValue ?? "optional", mine.requirement.rawValue, place)
            XCTAssertEqual(attribute["is_array"]?.boolValue ?? false, mine.isArray, place)
            XCTAssertEqual(attribute["profile"]?.stringValue, mine.profile, place)
            XCTAssertEqual(attribute["sibling"]?.stringValue, mine.sibling, place)
            XCTAssertEqual(attribute["@deprecated"]?["since"]?.stringValue, mine.deprecatedSince, place)
            let captions = attribute["enum"]?.objectValue?.members.map { "\($0.key)=\($0.value["caption"]?.stringValue ?? "")" }
            XCTAssertEqual(captions.map(Set.init), mine.enumValues.map { Set($0.map { "\($0.value)=\($0.caption)" }) }, place)
        }
        let compiledConstraints = compiled["constraints"]
        XCTAssertEqual(compiledConstraints?["at_least_one"]?.arrayValue?.compactMap(\.stringValue), constraints.atLeastOne, owner)
        XCTAssertEqual(compiledConstraints?["just_one"]?.arrayValue?.compactMap(\.stringValue), constraints.justOne, owner)
    }

    /// Running the generator again gives the committed file byte for byte.
    func testTheGeneratorReproducesTheCommittedFile() throws {
        let directory = try schemaDirectory()
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"].first(where: FileManager.default.isExecutableFile)
        else { throw XCTSkip("python3 is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            packageRoot.appendingPathComponent("Scripts/generate-ocsf-schema.py").path,
            "--schema-dir", directory.path, "--output", "-",
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: the output (~70 KB) is larger than a pipe buffer.
        let generated = output.fileHandleForReading.readDataToEndOfFile()
        let diagnostics = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: diagnostics, as: UTF8.self))
        let committed = try Data(contentsOf: packageRoot.appendingPathComponent("Sources/OCSF/Schema/OCSFSchema+Generated.swift"))
        XCTAssertTrue(generated == committed, "Sources/OCSF/Schema/OCSFSchema+Generated.swift is stale: run python3 Scripts/generate-ocsf-schema.py")
    }
}
