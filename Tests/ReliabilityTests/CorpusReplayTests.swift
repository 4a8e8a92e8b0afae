import Conformance
import ESET
import Foundation
import HTTPServer
import JSON
import Mapping
import OCSF
import XCTest

/// Replays `Corpus/`: inputs that once failed (the bugs fuzzing found) and interesting seeds,
/// each through the same checks as the fuzz run that would find it. See Corpus/README.md.
final class CorpusReplayTests: XCTestCase {
    func files(_ folder: String, suffix: String) throws -> [URL] {
        let directory = PackagePaths.corpus.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(suffix) }.sorted()
        XCTAssertFalse(names.isEmpty, "no corpus files in \(directory.path)")
        return names.map { directory.appendingPathComponent($0) }
    }

    func testJSONCorpus() throws {
        var figures = JSONParserFuzzTests.Figures()
        for file in try files("json", suffix: ".json") {
            let bytes = Array(try Data(contentsOf: file))
            if let problem = JSONParserFuzzTests.check(bytes, figures: &figures) {
                XCTFail("\(file.lastPathComponent): \(problem)")
            }
        }
        XCTAssertGreaterThan(figures.accepted, 0)
        XCTAssertGreaterThan(figures.rejected, 0)
    }

    /// The line and column of a known error, so a regression in locating errors shows by name.
    func testJSONCorpusErrorLocation() throws {
        let file = PackagePaths.corpus.appendingPathComponent("json/error-on-line-3.json")
        XCTAssertThrowsError(try JSONParser.parse(Array(try Data(contentsOf: file)))) { error in
            guard let error = error as? JSONParseError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 3, "\(error)")
            XCTAssertEqual(error.column, 5, "\(error)")
        }
    }

    func testDeviceCorpus() throws {
        let validator = OCSFValidator()
        let mappers = [DeviceMapper(profile: .sekoia, clock: DecoderMapperFuzzTests.clock),
                       DeviceMapper(profile: .ocsfStrict, clock: DecoderMapperFuzzTests.clock)]
        var figures = DecoderMapperFuzzTests.Figures()
        for (index, file) in try files("devices", suffix: ".json").enumerated() {
            let page = try JSONParser.parse(Array(try Data(contentsOf: file)))
            let elements = page.arrayValue ?? page["devices"]?.arrayValue ?? []
            figures.devicesIn += elements.count
            let problems = DecoderMapperFuzzTests.check(page: page, elements: elements, pageNumber: index + 1, mappers: mappers,
                                                        validator: validator, figures: &figures)
            for problem in problems { XCTFail("\(file.lastPathComponent): \(problem)") }
            // Rejected devices are written back raw (the connector's --rejects file): that must not trap.
            let decoded = try DevicePage.decode(page, page: index + 1)
            for rejection in decoded.rejections {
                XCTAssertEqual(try JSONParser.parse(rejection.raw.serialized()), rejection.raw, "\(file.lastPathComponent)")
            }
        }
        XCTAssertEqual(figures.devicesIn, figures.events + figures.rejections)
    }

    func testHTTPCorpus() throws {
        let server = HTTPServer(configuration: .init(), handler: echoHandler)
        try server.start()
        defer { server.stop(timeout: 2) }
        for file in try files("http", suffix: ".http") {
            let parts = file.lastPathComponent.split(separator: ".")
            let expectation: HTTPFuzzInput.Expectation = parts.count >= 3 && Int(parts[parts.count - 2]) != nil
                ? .status(Int(parts[parts.count - 2])!) : .anyAllowed
            let input = HTTPFuzzInput(kind: file.lastPathComponent, bytes: Array(try Data(contentsOf: file)), expectation: expectation)
            let exchange = WireClient.exchange(port: server.port, input: input.bytes, halfClose: true, timeout: 10)
            if let problem = judge(input, exchange).problem { XCTFail("\(file.lastPathComponent): \(problem)") }
        }
    }

    /// `NAME.error.json` must give a CaseError naming the file; `NAME.loads.json` must load.
    func testCaseCorpus() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rel-case-corpus-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for file in try files("cases", suffix: ".json") {
            let name = file.lastPathComponent
            let directory = root.appendingPathComponent(String(name.dropLast(5)))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let target = directory.appendingPathComponent("case.json")
            try FileManager.default.copyItem(at: file, to: target)
            do {
                _ = try CaseLoader.load(directory, root: root)
                XCTAssertTrue(name.hasSuffix(".loads.json"), "\(name) loaded but should give a CaseError")
            } catch let error as CaseError {
                XCTAssertTrue(name.hasSuffix(".error.json"), "\(name): unexpected error \(error)")
                XCTAssertEqual(error.path, target.path, "\(name): \(error)")
            } catch {
                XCTFail("\(name): \(type(of: error)) instead of CaseError: \(error)")
            }
        }
    }
}
