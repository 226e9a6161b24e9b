import Foundation
import Testing

/// Runs each case in corpus/transform: `NAME.args` holds the tool's name and then its
/// arguments, one a line, run in that folder; `NAME.expected.ndjson` is its stdout and
/// `NAME.expected.err` its stderr followed by `exit N`. EIDOLON_UPDATE_GOLDEN=1 rewrites
/// them (review with git diff).
@Suite struct TransformCorpusTests {
  static let folder = ToolRunner.packageRoot.appendingPathComponent("corpus/transform")

  static func cases() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".args") }.map { String($0.dropLast(5)) }.sorted()
  }

  /// Each case has both golden files, and no golden file is left without its case (a
  /// renamed or deleted .args would otherwise drop a case without a word).
  @Test func everyCaseHasItsGoldenFilesAndEveryGoldenFileItsCase() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
    let cases = Set(Self.cases())
    #expect(!cases.isEmpty)
    for name in cases {
      #expect(names.contains(name + ".expected.ndjson") && names.contains(name + ".expected.err"), "\(name).args has no golden files")
    }
    for name in names where name.contains(".expected.") {
      let stem = String(name[..<name.range(of: ".expected.")!.lowerBound])
      #expect(cases.contains(stem), "\(name) has no \(stem).args")
    }
  }

  @Test(arguments: cases())
  func outputMatchesTheGoldenFiles(_ name: String) throws {
    let args = try String(contentsOf: Self.folder.appendingPathComponent(name + ".args"), encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    let result = try ToolRunner.run(args[0], Array(args.dropFirst()), directory: Self.folder)
    let output = result.stdout
    let messages = result.stderr + "exit \(result.status)\n"
    let expectedOutput = Self.folder.appendingPathComponent(name + ".expected.ndjson")
    let expectedMessages = Self.folder.appendingPathComponent(name + ".expected.err")
    if ProcessInfo.processInfo.environment["EIDOLON_UPDATE_GOLDEN"] == "1" {
      try Data(output.utf8).write(to: expectedOutput)
      try Data(messages.utf8).write(to: expectedMessages)
    }
    let golden = try #require(try? String(contentsOf: expectedOutput, encoding: .utf8), "missing \(name).expected.ndjson: run with EIDOLON_UPDATE_GOLDEN=1")
    #expect(output == golden, "\(name): stdout differs from \(name).expected.ndjson")
    #expect(messages == (try? String(contentsOf: expectedMessages, encoding: .utf8)), "\(name): stderr or status differs from \(name).expected.err")
  }
}
