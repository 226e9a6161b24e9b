import Eidolon
import Foundation
import Testing

/// Runs every reader over its folder in corpus/ and compares with the golden files:
/// `NAME.EXT` is read, `NAME.expected.ndjson` is the canonical output and, where
/// records are bad or the read stops, `NAME.expected.err` holds the messages. Set
/// EIDOLON_UPDATE_GOLDEN=1 to rewrite the golden files, then review them with git diff.
@Suite struct CorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("corpus")

  struct Case: CustomStringConvertible, Sendable {
    let format: String
    let input: URL
    var description: String { "\(format)/\(input.lastPathComponent)" }
    var stem: URL {
      var name = input.lastPathComponent
      for suffix in [".gz", ".ndjson", ".json", ".csv", ".xml"] where name.hasSuffix(suffix) {
        name.removeLast(suffix.count)
      }
      return input.deletingLastPathComponent().appendingPathComponent(name)
    }
  }

  static func cases() -> [Case] {
    var cases: [Case] = []
    for format in FormatRegistry.readers {
      let folder = corpus.appendingPathComponent(format.name)
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      for name in names.sorted() where !name.contains(".expected.") && !name.hasSuffix(".md") && !name.hasSuffix(".options") {
        cases.append(Case(format: format.name, input: folder.appendingPathComponent(name)))
      }
    }
    return cases
  }

  @Test func everyRegisteredFormatHasCorpusSamples() {
    for format in FormatRegistry.readers {
      #expect(Self.cases().contains { $0.format == format.name }, "corpus/\(format.name)/ has no samples")
    }
  }

  @Test(arguments: cases())
  func readerOutputMatchesTheGoldenFiles(_ sample: Case) throws {
    let format = try #require(FormatRegistry.reader(named: sample.format))
    let relative = "corpus/\(sample.format)/\(sample.input.lastPathComponent)"
    let diagnostics = Diagnostics(toolName: "corpus", messageLimit: 0)
    var messages = ""
    diagnostics.messageHandler = { messages += $0 + "\n" }
    let input = ByteReader(source: try InputOpener.openSource(sample.input.path), name: relative)
    // NAME.options: the reader's settings, a `name=value` a line (--tz Europe/Berlin as tz=Europe/Berlin).
    var settings: [String: String] = [:]
    if let text = try? String(contentsOfFile: sample.stem.path + ".options", encoding: .utf8) {
      for line in text.split(separator: "\n") where line.contains("=") {
        let parts = line.split(separator: "=", maxSplits: 1)
        settings[String(parts[0])] = String(parts[1])
      }
    }
    let reader = try format.make(input, diagnostics, settings)
    let output = ByteBuffer()
    do {
      while let event = try reader.next() {
        EidolonNDJSONWriter.append(event, to: output)
      }
    } catch let error as EidolonError {
      // A fatal error is part of the expected outcome (a truncated file, say).
      messages += "fatal: \(error.description)\n"
    }
    let expectedOutput = URL(fileURLWithPath: sample.stem.path + ".expected.ndjson")
    let expectedErrors = URL(fileURLWithPath: sample.stem.path + ".expected.err")
    if ProcessInfo.processInfo.environment["EIDOLON_UPDATE_GOLDEN"] == "1" {
      try Data(output.array).write(to: expectedOutput)
      if messages.isEmpty {
        try? FileManager.default.removeItem(at: expectedErrors)
      } else {
        try Data(messages.utf8).write(to: expectedErrors)
      }
    }
    let golden = try #require(try? Data(contentsOf: expectedOutput), "missing \(expectedOutput.lastPathComponent): run with EIDOLON_UPDATE_GOLDEN=1")
    #expect(output.array == Array(golden), "output of \(relative) differs from \(expectedOutput.lastPathComponent)")
    let goldenErrors = (try? String(contentsOf: expectedErrors, encoding: .utf8)) ?? ""
    #expect(messages == goldenErrors)
  }
}
