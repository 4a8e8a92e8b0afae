import ArgumentParsing
import XCTest

private enum Colour: String, OptionValue, CaseIterable {
    case red, green
    static let valueName = "COLOUR"
}

private let colour = TypedOption<Colour>("colour", help: "Paint.", default: .green)
private let shade = TypedOption<Colour>("shade", help: "Optional paint.")
private let limit = TypedOption<RateLimit>("rate-limit", help: "Calls per second.", default: .perSecond(10))
private let port = TypedOption<Int>("port", help: "Port.", default: 0, in: 0...65535)
private let delay = TypedOption<Double>("delay", value: "SECONDS", help: "Wait.", default: 0.25, in: 0...600)
private let spec = CommandSpec(name: "tool", abstract: "A tool.", options: [colour.spec, shade.spec, limit.spec, port.spec, delay.spec])

final class TypedOptionTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> ParsedArguments {
        guard case .run(let parsed) = try parse(arguments, spec: spec) else { throw XCTSkip("help") }
        return parsed
    }

    func testTheDeclaredDefaultAppliesAndIsShownInHelp() throws {
        XCTAssertEqual(try run([]).required(colour), .green)
        XCTAssertEqual(try run(["--colour", "red"]).required(colour), .red)
        XCTAssertNil(try run([]).value(shade))
        let help = spec.helpText(commandPath: ["tool"])
        XCTAssertTrue(help.contains("--colour COLOUR") && help.contains("Paint. (default: green)"), help)
        XCTAssertTrue(help.contains("(default: 10)"), help)
    }

    func testMistakesNameTheOptionAndTheValidValues() throws {
        XCTAssertThrowsError(try run(["--colour", "blue"]).required(colour)) { error in
            XCTAssertEqual((error as? UsageError)?.message, "invalid value 'blue' for '--colour': expected one of: red, green")
        }
        XCTAssertThrowsError(try run([]).required(shade)) { error in
            XCTAssertEqual((error as? UsageError)?.message, "missing required option '--shade'")
        }
    }

    func testRateLimit() throws {
        XCTAssertEqual(try run(["--rate-limit", "off"]).required(limit), .off)
        XCTAssertEqual(try run(["--rate-limit", "OFF"]).required(limit).callsPerSecond, nil)
        XCTAssertEqual(try run(["--rate-limit", "2.5"]).required(limit).callsPerSecond, 2.5)
        XCTAssertEqual(try run([]).required(limit).callsPerSecond, 10)
        for bad in ["0", "-1", "fast", "inf", "nan", "1e3", ""] {
            XCTAssertThrowsError(try run(["--rate-limit=\(bad)"]).required(limit), bad)
        }
    }

    func testNumbersAreCheckedAgainstTheDeclaredRange() throws {
        XCTAssertEqual(try run([]).required(port), 0)
        XCTAssertEqual(try run(["--port", "8080"]).required(port), 8080)
        XCTAssertEqual(try run(["--delay", "1.5"]).required(delay), 1.5)
        XCTAssertThrowsError(try run(["--port", "70000"]).required(port)) { error in
            XCTAssertEqual((error as? UsageError)?.message, "invalid value '70000' for '--port': expected an integer between 0 and 65535")
        }
        for bad in ["nan", "inf", "0x10", "-1", "601"] {
            XCTAssertThrowsError(try run(["--delay=\(bad)"]).required(delay), bad)
        }
        let help = spec.helpText(commandPath: ["tool"])
        XCTAssertTrue(help.contains("--delay SECONDS") && help.contains("Wait. (default: 0.25)"), help)
        XCTAssertTrue(help.contains("Port. (default: 0)"), help)
    }
}
