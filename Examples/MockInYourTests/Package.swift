// swift-tools-version:6.0
// A package of your own whose tests run against the ESET mock. Copied, with the path below made
// absolute, and run by Tests/ESETMockTestingTests/EmbeddingTests.swift.
import PackageDescription

let package = Package(
    name: "MockInYourTests",
    dependencies: [
        // In your package: .package(url: "<URL of this repository>", branch: "main")
        .package(name: "ESETConnector", path: "../.."),
    ],
    targets: [
        .testTarget(
            name: "InventoryTests",
            dependencies: [.product(name: "ESETMockTesting", package: "ESETConnector")]),
    ],
    swiftLanguageModes: [.v6]
)
