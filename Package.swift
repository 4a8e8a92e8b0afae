// swift-tools-version:6.0
// The toolkit uses the Swift toolchain only: no package dependencies, by the product owner's rule.
// Each target lists exactly the modules its files import (checked by grepping the import lines).
import PackageDescription

let package = Package(
    name: "ESETConnector",
    products: [
        .executable(name: "eset-connector", targets: ["eset-connector"]),
        .executable(name: "eset-mock", targets: ["eset-mock"]),
        .executable(name: "eset-conformance", targets: ["eset-conformance"]),
        .executable(name: "eset-bench", targets: ["eset-bench"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
        .library(name: "HTTPTesting", targets: ["HTTPTesting"]),
        .library(name: "ESETMock", targets: ["ESETMock"]),
        .library(name: "ESETMockTesting", targets: ["ESETMockTesting"]),
    ],
    targets: [
        // Libraries, in the direction data flows.
        .target(name: "JSON"),
        .target(name: "OCSF", dependencies: ["JSON"]),
        .target(name: "HTTPClient"),
        .target(name: "ESET", dependencies: ["JSON", "HTTPClient"]),
        .target(name: "Sekoia", dependencies: ["JSON", "HTTPClient"]),
        .target(name: "Mapping", dependencies: ["OCSF", "ESET"]),
        .target(name: "Collector", dependencies: ["JSON", "OCSF", "HTTPClient", "ESET", "Sekoia", "Mapping"]),
        // `check`: the least intrusive calls that prove a configuration, reported as facts.
        .target(name: "ConnectorCheck", dependencies: ["JSON", "HTTPClient", "ESET"]),
        .target(name: "Signals"),
        .target(name: "HTTPServer", dependencies: ["Signals"]),
        .target(name: "HTTPTesting"),
        .target(name: "Fleet"),
        // The default tenant: the top-level MockData/ directory, shipped as resources.
        .target(
            name: "ESETMockData", path: "MockData", exclude: ["README.md"],
            resources: [.copy("devices.json"), .copy("device_groups.json"), .copy("accounts.json"), .copy("scenarios"), .copy("edge-cases")]),
        .target(name: "ESETMock", dependencies: ["JSON", "HTTPServer", "ESETMockData"]),
        .target(name: "ESETMockTesting", dependencies: ["ESETMock"]),
        .target(name: "ArgumentParsing"),
        // Conformance runs a connector through an injected launcher; it does not link one.
        .target(name: "Conformance", dependencies: ["JSON", "OCSF", "ESETMock"]),

        // Command implementations live in libraries so tests can run them in-process.
        .target(name: "ConnectorCLI", dependencies: ["ArgumentParsing", "Signals", "JSON", "OCSF", "HTTPClient", "ESET", "Sekoia", "Mapping", "Collector", "ConnectorCheck"]),
        // `demo` links the mock; kept apart so that the collecting connector does not.
        .target(name: "ConnectorDemo", dependencies: ["ArgumentParsing", "HTTPClient", "ESET", "Sekoia", "Mapping", "Collector", "ConnectorCLI", "ConnectorCheck", "ESETMock"]),
        // MockCLI alone links the connector's ESET client (for `record`); ESETMock stays independent of it.
        .target(name: "MockCLI", dependencies: ["ArgumentParsing", "Signals", "ESETMock", "HTTPServer", "Fleet", "HTTPClient", "ESET"]),
        .target(name: "Benchmarks", dependencies: ["JSON", "OCSF", "ESET", "Mapping", "HTTPTesting", "Fleet"]),
        .target(name: "BenchCLI", dependencies: ["ArgumentParsing", "Benchmarks", "ConnectorCLI"]),
        .target(name: "ConformanceCLI", dependencies: ["ArgumentParsing", "Conformance", "ESETMock", "JSON"]),

        // Thin executables.
        .executableTarget(name: "eset-connector", dependencies: ["ConnectorDemo"]),
        .executableTarget(name: "eset-mock", dependencies: ["MockCLI"]),
        .executableTarget(name: "eset-conformance", dependencies: ["ConformanceCLI", "Conformance", "ConnectorCLI"]),
        .executableTarget(name: "eset-bench", dependencies: ["BenchCLI"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "OCSFTests", dependencies: ["JSON", "OCSF", "ESET", "Mapping"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient"]),
        .testTarget(name: "ESETTests", dependencies: ["JSON", "ESET", "Fleet"]),
        .testTarget(name: "MappingTests", dependencies: ["JSON", "OCSF", "ESET", "Mapping", "Fleet"], exclude: ["Fixtures"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPTesting"]),
        .testTarget(name: "ArgumentParsingTests", dependencies: ["ArgumentParsing"]),
        .testTarget(name: "FleetTests", dependencies: ["Fleet"]),
        .testTarget(name: "ESETMockTests", dependencies: ["ESETMock", "ESETMockTesting", "HTTPServer", "HTTPTesting", "JSON", "Fleet"]),
        .testTarget(name: "CollectorTests", dependencies: ["Collector", "HTTPClient", "ESET", "Sekoia", "Mapping", "JSON"]),
        .testTarget(name: "ESETMockTestingTests", dependencies: ["ESETMockTesting", "ESETMockData"]),
        .testTarget(name: "ConnectorCLITests", dependencies: ["Collector", "ArgumentParsing", "ConnectorCLI", "ConnectorDemo", "ESETMock", "ESETMockTesting", "JSON"]),
        .testTarget(name: "ConnectorCheckTests", dependencies: ["ConnectorCheck", "ConnectorCLI", "ConnectorDemo", "HTTPClient", "ESET", "ESETMock", "JSON"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "ConformanceCLI", "ConnectorCLI", "JSON", "ESETMock"]),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["JSON", "ESET", "Mapping", "OCSF", "HTTPServer", "HTTPTesting", "Conformance", "ConnectorCLI", "ESETMock", "ESETMockTesting", "Fleet"],
            exclude: ["Corpus"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks"]),
        .testTarget(name: "RecordTests", dependencies: ["MockCLI", "ESETMock", "HTTPClient", "ESET", "JSON", "ConnectorCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
