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

  /// The sample read by its format's reader from `input`: the events' NDJSON and the messages.
  static func read(_ sample: Case, from input: ByteReader) throws -> (output: [UInt8], messages: String) {
    let format = try #require(FormatRegistry.reader(named: sample.format))
    let diagnostics = Diagnostics(toolName: "corpus", messageLimit: 0)
    var messages = ""
    diagnostics.messageHandler = { messages += $0 + "\n" }
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
    return (output.array, messages)
  }

  static func relativePath(_ sample: Case) -> String { "corpus/\(sample.format)/\(sample.input.lastPathComponent)" }

  @Test(arguments: cases())
  func readerOutputMatchesTheGoldenFiles(_ sample: Case) throws {
    let relative = Self.relativePath(sample)
    let (output, messages) = try Self.read(sample, from: ByteReader(source: try InputOpener.openSource(sample.input.path), name: relative))
    let expectedOutput = URL(fileURLWithPath: sample.stem.path + ".expected.ndjson")
    let expectedErrors = URL(fileURLWithPath: sample.stem.path + ".expected.err")
    if ProcessInfo.processInfo.environment["EIDOLON_UPDATE_GOLDEN"] == "1" {
      try Data(output).write(to: expectedOutput)
      if messages.isEmpty {
        try? FileManager.default.removeItem(at: expectedErrors)
      } else {
        try Data(messages.utf8).write(to: expectedErrors)
      }
    }
    let golden = try #require(try? Data(contentsOf: expectedOutput), "missing \(expectedOutput.lastPathComponent): run with EIDOLON_UPDATE_GOLDEN=1")
    #expect(output == Array(golden), "output of \(relative) differs from \(expectedOutput.lastPathComponent)")
    let goldenErrors = (try? String(contentsOf: expectedErrors, encoding: .utf8)) ?? ""
    #expect(messages == goldenErrors)
  }

  /// Every sample handed to its reader 1, 2, 3, 7 and 4096 bytes at a time (as a pipe or
  /// a slow disk may) gives the golden output and messages all the same.
  @Test(arguments: cases())
  func readerOutputIsTheSameReadInSmallPieces(_ sample: Case) throws {
    let relative = Self.relativePath(sample)
    let source = try InputOpener.openSource(sample.input.path)
    var bytes: [UInt8] = []
    var block = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = try block.withUnsafeMutableBytes { try source.read(into: $0) }
      if n == 0 { break }
      bytes += block[0..<n]
    }
    let golden = try Self.read(sample, from: ByteReader(source: MemorySource(bytes), name: relative))
    #expect(!golden.output.isEmpty || !golden.messages.isEmpty)
    for chunk in [1, 2, 3, 7, 4096] {
      let pieces = try Self.read(sample, from: ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: relative, capacity: 16))
      #expect(pieces.output == golden.output, "\(relative) read \(chunk) bytes at a time")
      #expect(pieces.messages == golden.messages, "\(relative) read \(chunk) bytes at a time")
    }
  }
}
