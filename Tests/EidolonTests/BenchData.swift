import Foundation
import Testing

/// A small file from one of bench/gen's generators, made as bench/run makes its data sets
/// (seed 1), so that the shapes the benchmarks measure are read the same by every way of
/// reading them (the hot-path issue: output unchanged on bench data, a test compares).
/// `generator` names the script and its options, as bench/harness/data.py does. Fails the
/// test when python3 cannot run it.
func benchData(_ generator: [String], bytes: String = "256K", sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
  let root = CorpusTests.corpus.deletingLastPathComponent()
  let path = temporaryDirectory() + "/bench-data"
  FileManager.default.createFile(atPath: path, contents: nil)
  let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  defer { try? output.close() }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", root.appendingPathComponent("bench/gen").appendingPathComponent(generator[0]).path,
                       "--bytes", bytes, "--seed", "1"] + generator.dropFirst()
  process.standardOutput = output
  try process.run()
  process.waitUntilExit()
  let made = try #require(process.terminationStatus == 0 ? readFile(path) : nil,
                          "bench/gen/\(generator.joined(separator: " ")) failed (status \(process.terminationStatus)): it needs python3",
                          sourceLocation: sourceLocation)
  #expect(made.count > 100_000, "bench/gen/\(generator[0]) wrote \(made.count) bytes", sourceLocation: sourceLocation)
  return made
}
