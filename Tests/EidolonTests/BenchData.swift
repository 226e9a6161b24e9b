import Foundation
import Testing

/// A small file from one of bench/gen's generators, made as bench/run makes its data sets
/// (seed 1), so that the shapes the benchmarks measure are read the same by every way of
/// reading them (the hot-path issue: output unchanged on bench data, a test compares).
/// Made once per test process; `generator` names the script and its options, as
/// bench/harness/data.py does. Fails the test when python3 cannot run it.
func benchData(_ generator: [String], bytes: String = "256K", sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
  let key = ([bytes] + generator).joined(separator: " ")
  if let made = BenchDataCache.shared[key] { return made }
  let root = CorpusTests.corpus.deletingLastPathComponent()
  let path = temporaryDirectory() + "/bench-data"
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", root.appendingPathComponent("bench/gen").appendingPathComponent(generator[0]).path,
                       "--bytes", bytes, "--seed", "1"] + generator.dropFirst()
  FileManager.default.createFile(atPath: path, contents: nil)
  process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  try process.run()
  process.waitUntilExit()
  let made = try #require(process.terminationStatus == 0 ? readFile(path) : nil,
                          "python3 \(key) failed (status \(process.terminationStatus)): bench/gen needs python3",
                          sourceLocation: sourceLocation)
  #expect(made.count > 100_000, "bench/gen/\(generator[0]) wrote \(made.count) bytes", sourceLocation: sourceLocation)
  BenchDataCache.shared[key] = made
  return made
}

/// Generated files by generator and size: several suites read the same one.
private final class BenchDataCache: @unchecked Sendable {
  static let shared = BenchDataCache()
  private let lock = NSLock()
  private var files: [String: [UInt8]] = [:]
  subscript(key: String) -> [UInt8]? {
    get { lock.withLock { files[key] } }
    set { lock.withLock { files[key] = newValue } }
  }
}
