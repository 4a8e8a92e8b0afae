// swift-tools-version:6.0
// The toolkit uses the Swift toolchain only: no package dependencies, by the product owner's rule.
import PackageDescription

let package = Package(
    name: "ESETConnector",
    products: [
        .executable(name: "eset-connector", targets: ["eset-connector"]),
        .executable(name: "eset-mock", targets: ["eset-mock"]),
        .executable(name: "eset-conformance", targets: ["eset-conformance"]),
    ],
    targets: [
        // Libraries, in the direction data flows.
        .target(name: "JSON"),
        .target(name: "OCSF", dependencies: ["JSON"]),
        .target(name: "ESET", dependencies: ["JSON"]),
        .target(name: "Mapping", dependencies: ["JSON", "OCSF", "ESET"]),
        .target(name: "Collector", dependencies: ["JSON", "OCSF", "ESET", "Mapping"]),
        .target(name: "HTTPServer"),
        .target(name: "ESETMock", dependencies: ["JSON", "HTTPServer"]),
        .target(name: "ArgumentParsing"),
        .target(name: "Conformance", dependencies: ["JSON", "OCSF", "ESETMock", "ConnectorCLI"]),

        // Command implementations live in libraries so tests can run them in-process.
        .target(name: "ConnectorCLI", dependencies: ["ArgumentParsing", "JSON", "OCSF", "ESET", "Mapping", "Collector", "ESETMock"]),
        .target(name: "MockCLI", dependencies: ["ArgumentParsing", "ESETMock", "HTTPServer"]),
        .target(name: "ConformanceCLI", dependencies: ["ArgumentParsing", "Conformance"]),

        // Thin executables.
        .executableTarget(name: "eset-connector", dependencies: ["ConnectorCLI"]),
        .executableTarget(name: "eset-mock", dependencies: ["MockCLI"]),
        .executableTarget(name: "eset-conformance", dependencies: ["ConformanceCLI"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "MappingTests", dependencies: ["JSON", "OCSF", "ESET", "Mapping"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "ArgumentParsingTests", dependencies: ["ArgumentParsing"]),
    ],
    swiftLanguageModes: [.v6]
)
