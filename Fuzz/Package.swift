// swift-tools-version:6.0
// The fuzz targets, in a package of their own so that the project's ordinary build never
// meets libFuzzer's main. Fuzz/run builds it with -sanitize=fuzzer,address (README.md here).
import PackageDescription

let package = Package(
  name: "EidolonFuzz",
  dependencies: [.package(name: "Eidolon", path: "..")],
  targets: [
    .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
    .executableTarget(
      name: "eidolon-fuzz", dependencies: [.product(name: "Eidolon", package: "Eidolon"), "CFuzzDriver"],
      path: "Sources/EidolonFuzz"),
  ]
)
