import Foundation
import XCTest

/// The README quotes the example package's tests; a quote that no longer matches the files
/// `EmbeddingTests` runs would teach something untested.
final class ReadmeExampleTests: XCTestCase {
    func testEveryQuotedExampleEqualsItsFile() throws {
        let root = EmbeddingTests.repositoryRoot
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        var quoted: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.hasPrefix("<!-- BEGIN ") else { continue }
            let path = String(line.dropFirst("<!-- BEGIN ".count).prefix { $0 != " " })
            guard index < lines.count, lines[index] == "```swift" else {
                XCTFail("README line \(index): the quote of \(path) must start with ```swift")
                continue
            }
            index += 1
            var body: [String] = []
            while index < lines.count, lines[index] != "```" {
                body.append(lines[index])
                index += 1
            }
            let file = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            XCTAssertEqual(body.joined(separator: "\n") + "\n", file, "README's quote of \(path) differs from the file")
            quoted.append(path)
        }
        let tests = "Examples/MockInYourTests/Tests/InventoryTests/"
        XCTAssertEqual(Set(quoted), [tests + "TokenAndDevicesTests.swift", tests + "ServerErrorsTests.swift"],
                       "the README quotes both examples")
    }
}
