// swift-tools-version: 6.0
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Switchyard", targets: ["Switchyard"]),
        .executable(name: "switchyard", targets: ["switchyard"]),
        .executable(name: "switchyard-bench", targets: ["switchyard-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // `swift package generate-documentation` (DocC articles per module); no code depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // libxml2 through pkg-config; only SwitchyardSCXML imports it.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // Graphviz (libgvc + libcgraph) through pkg-config; only the `Switchyard` module imports it,
        // to lay out `StatechartGraph` drawings as SVG in process.
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"])]
        ),
        // The expression language. No dependencies, knows nothing of SCXML.
        .target(
            name: "SwitchyardExpressions",
            swiftSettings: strictSwift
        ),
        // Model, compiled tables, the pure interpreter. No I/O, no clock.
        .target(
            name: "SwitchyardCore",
            dependencies: ["SwitchyardExpressions"],
            swiftSettings: strictSwift
        ),
        // libxml2 -> model, validation, diagnostics.
        .target(
            name: "SwitchyardSCXML",
            dependencies: ["SwitchyardCore", "CLibXML2"],
            // No unsafe flags: the loader keeps its hot state in structs and `let` arrays, so it
            // needs no dynamic exclusivity checks to be fast.
            swiftSettings: strictSwift
        ),
        // Rule sets: prioritised `when` -> target rules, validation, decisions with explanations.
        .target(
            name: "SwitchyardRules",
            dependencies: ["SwitchyardExpressions", "SwitchyardCore"],
            swiftSettings: strictSwift
        ),
        // Engine: instances, router, timers, activities.
        .target(
            name: "SwitchyardRuntime",
            dependencies: [
                "SwitchyardCore", "SwitchyardExpressions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift
        ),
        // Durable instances: the engine's journal, snapshots and definitions on SQLite (GRDB).
        .target(
            name: "SwitchyardStore",
            dependencies: [
                "SwitchyardRuntime", "SwitchyardCore", "SwitchyardExpressions",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
        // The Swift DSL: statecharts written with result builders, compiled like SCXML.
        .target(
            name: "SwitchyardDSL",
            dependencies: ["SwitchyardCore", "SwitchyardExpressions"],
            swiftSettings: strictSwift
        ),
        // Umbrella: `import Switchyard`.
        .target(
            name: "Switchyard",
            dependencies: [
                "SwitchyardExpressions", "SwitchyardCore", "SwitchyardSCXML", "SwitchyardRules", "SwitchyardRuntime",
                "SwitchyardStore", "SwitchyardDSL", "CGraphviz",
            ],
            swiftSettings: strictSwift
        ),
        // `switchyard serve`: the durable engine as an HTTP service (Hummingbird 2), its OpenAPI
        // document, bearer-token scopes, Prometheus metrics and the W3C Basic HTTP I/O processor.
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "Switchyard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSwift
        ),
        // The W3C SCXML conformance runner (`switchyard conformance`, the conformance tests).
        .target(
            name: "SwitchyardConformance",
            dependencies: ["Switchyard"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "Switchyard", "SwitchyardConformance", "SwitchyardServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "switchyard-bench",
            dependencies: ["Switchyard"],
            path: "Benchmarks/switchyard-bench",
            swiftSettings: strictSwift
        ),
        // The smallest embedding: a machine written with the Swift DSL, run synchronously.
        .executableTarget(
            name: "EmbeddedMachine",
            dependencies: ["Switchyard"],
            path: "Examples/EmbeddedMachine",
            exclude: ["embedded.scxml"],
            swiftSettings: strictSwift
        ),
        // Example: routes a folder of JSON documents with the shipped rule set (issue 6).
        .executableTarget(
            name: "DocumentRouter",
            dependencies: ["Switchyard"],
            path: "Examples/DocumentRouter",
            exclude: ["documents"],
            swiftSettings: strictSwift
        ),
        // Example: the approval machine in a durable engine, restarted mid-way (issue 8).
        .executableTarget(
            name: "ApprovalService",
            dependencies: ["Switchyard"],
            path: "Examples/ApprovalService",
            swiftSettings: strictSwift
        ),
        // Helpers shared by the test targets (temporary folders, child processes, machines from
        // snippets, the shared W3C suite's location).
        .target(
            name: "SwitchyardTestSupport",
            dependencies: ["Switchyard"],
            path: "Tests/SwitchyardTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ApprovalServiceTests",
            dependencies: ["ApprovalService", "SwitchyardTestSupport"],
            exclude: ["expected-output.txt"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DocumentRouterTests",
            dependencies: ["DocumentRouter", "SwitchyardTestSupport"],
            exclude: ["expected-output.txt"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardExpressionsTests",
            dependencies: ["SwitchyardExpressions"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardCoreTests",
            dependencies: ["SwitchyardCore", "SwitchyardSCXML", "SwitchyardExpressions"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardSCXMLTests",
            dependencies: ["SwitchyardSCXML"],
            exclude: ["Golden", "Fixtures"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardTests",
            dependencies: ["Switchyard", "SwitchyardConformance", "SwitchyardTestSupport", "EmbeddedMachine"],
            exclude: ["Traces", "Graphs"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardRulesTests",
            dependencies: ["Switchyard", "SwitchyardTestSupport"],
            exclude: ["Samples", "Golden"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardRuntimeTests",
            dependencies: ["SwitchyardRuntime", "Switchyard", "SwitchyardConformance", "SwitchyardTestSupport"],
            exclude: ["Transcripts"],
            swiftSettings: strictSwift
        ),
        // The process the crash test starts and kills (a test helper, not a product).
        .executableTarget(
            name: "CrashWorker",
            dependencies: ["Switchyard"],
            path: "Tests/CrashWorker",
            exclude: ["ledger.scxml"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardStoreTests",
            dependencies: ["Switchyard", "SwitchyardStore", "SwitchyardTestSupport", "CrashWorker"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardServer", "SwitchyardConformance", "SwitchyardTestSupport", "switchyard",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardCLITests",
            dependencies: ["switchyard", "SwitchyardTestSupport"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
