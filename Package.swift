// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Eidolon",
  products: [
    .library(name: "Eidolon", targets: ["Eidolon"]),
    .executable(name: "eid-validate", targets: ["eid-validate"]),
    .executable(name: "aw-read", targets: ["aw-read"]),
    .executable(name: "aw-write", targets: ["aw-write"]),
    .executable(name: "eid-load", targets: ["eid-load"]),
    .executable(name: "eid-dump", targets: ["eid-dump"]),
    .executable(name: "toggl-read", targets: ["toggl-read"]),
    .executable(name: "toggl-write", targets: ["toggl-write"]),
    .executable(name: "rt-read", targets: ["rt-read"]),
    .executable(name: "rt-write", targets: ["rt-write"]),
    .executable(name: "eid-sort", targets: ["eid-sort"]),
    .executable(name: "eid-transform", targets: ["eid-transform"]),
    .executable(name: "mt-read", targets: ["mt-read"]),
    .executable(name: "mt-write", targets: ["mt-write"]),
    .executable(name: "eidolon", targets: ["eidolon"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // The only targets that see C. Each names the Debian package that provides it.
    .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
    .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
    // libcurl (the trackers' web APIs), libpq (PostgreSQL stores) and OpenSSL's libcrypto
    // (eid-transform --hash), opened when a run first needs them, not linked; their
    // headers come from Debian's libcurl4-openssl-dev, libpq-dev and libssl-dev.
    .target(name: "CLibrariesOnUse"),
    // The commit a build was made from (scripts/install, scripts/release), for --version.
    .target(name: "CEidolonBuild"),
    // SSE2's byte compares and movemask for the CSV reader's record scan.
    .target(name: "CByteMarks"),

    // All of the logic. Never imports ArgumentParser, never calls exit.
    // Exclusivity checks at run time cost a third of the tokenizer's time (measured with
    // perf on eid-validate); the hot classes keep their state private, so they are off.
    .target(
      name: "Eidolon", dependencies: ["CZlib", "CLibXML2", "CSQLite", "CLibrariesOnUse", "CEidolonBuild", "CByteMarks", .product(name: "Yams", package: "Yams")],
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),

    // The command-line conventions every executable shares.
    .target(name: "EidolonCLI", dependencies: [
      "Eidolon",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),

    .executableTarget(name: "eid-validate", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "aw-read", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "aw-write", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "eid-load", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "eid-dump", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "toggl-read", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "toggl-write", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "rt-read", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "rt-write", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "eid-sort", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "eid-transform", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "mt-read", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "mt-write", dependencies: ["Eidolon", "EidolonCLI"]),
    .executableTarget(name: "eidolon", dependencies: ["Eidolon", "EidolonCLI"]),

    .testTarget(name: "EidolonTests", dependencies: ["Eidolon", "CSQLite"]),
    // Runs the built executables, as a user would.
    .testTarget(name: "ToolTests", dependencies: ["Eidolon", "CSQLite"]),
  ]
)
