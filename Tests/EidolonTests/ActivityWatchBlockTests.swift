@testable import Eidolon
import Foundation
import Testing

/// aw-read on two threads (`BothCores`) against the reader on one thread handing
/// out views in turn (the loop aw-read had): the same output bytes, messages, rejects,
/// counts and stop, at block sizes from one byte up and on one to three threads.
@Suite struct ActivityWatchBlockTests {
  typealias Outcome = BlockOutcome
  typealias Way = BlockOutcome.Way

  static let since = Timestamp.parse("2024-03-01T08:30:00Z")!.epochMillis

  /// bench/run's exports in both servers' layouts (bench/gen), small.
  @Test(arguments: ["rust", "python"])
  func benchDataReadsTheSameInBlocks(_ shape: String) throws {
    let bytes = try benchData(["activitywatch_export.py", "--shape", shape])
    try compare(bytes, blockSizes: [4096, BothCores.activityWatchBlockBytes])
  }

  private func read(_ bytes: [UInt8], _ way: Way, strict: Bool = false, type: String? = nil, filtered: Bool = false,
                    file path: String) throws -> Outcome {
    var options = ActivityWatchReader.Options()
    options.type = type
    let since = ActivityWatchBlockTests.since
    let keeps: @Sendable (Int64) -> Bool = { filtered ? $0 >= since : true }
    var reader: ActivityWatchReader?
    return try BlockOutcome.read(toolName: "aw-read", strict: strict, extra: { "\(reader?.bucketCount ?? 0) buckets" }) { diagnostics, sink, events in
      let opened = ActivityWatchReader(input: try InputOpener.open(path), diagnostics: diagnostics, options: options)
      reader = opened
      switch way {
      case .inTurn:
        try BlockOutcome.copyInTurn({ try opened.nextView() }, keeps: keeps, to: sink, events: &events)
      case .blocks(let blockBytes, let threads):
        try BothCores(diagnostics: diagnostics, keeping: keeps, blockBytes: blockBytes, threads: threads)
          .copy(opened, to: sink, events: &events, bytesBefore: 0)
      }
    }
  }

  /// Every way against the one in turn; the in-turn outcome.
  @discardableResult
  private func compare(_ bytes: [UInt8], strict: Bool = false, type: String? = nil, filtered: Bool = false,
                       blockSizes: [Int] = [1, 97, 700, 4096, BothCores.activityWatchBlockBytes], file: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
    let path = file ?? temporaryDirectory() + "/aw.json"
    if file == nil { writeFile(path, bytes) }
    let expected = try read(bytes, .inTurn, strict: strict, type: type, filtered: filtered, file: path)
    for blockBytes in blockSizes {
      for threads in [1, 2, 3] {
        let got = try read(bytes, .blocks(blockBytes, threads: threads), strict: strict, type: type, filtered: filtered, file: path)
        if let difference = got.difference(from: expected) {
          Issue.record("blocks of \(blockBytes) bytes on \(threads) threads: \(difference)", sourceLocation: sourceLocation)
        }
      }
    }
    return expected
  }

  /// A bucket of `type` holding `events` (JSON text, comma-separated).
  static func bucket(_ id: String, _ events: String, type: String = "currentwindow") -> String {
    """
    "\(id)": {"id": "\(id)", "created": "2024-01-01T00:00:00+00:00", "name": null, "type": "\(type)",
    "client": "c", "hostname": "laptop", "data": {}, "events": [\(events)]}
    """
  }

  static func export(_ buckets: [String]) -> [UInt8] { Array("{\"buckets\": {\(buckets.joined(separator: ",\n"))}}".utf8) }

  /// Events of the usual shape and others, with escapes at every place in a word.
  static func randomEvents(seed: UInt64, count: Int) -> [String] {
    var random = SplitMix(state: seed)
    let keys = ["app", "url", "file", "project", "label", "status", "x", "é", "a b"]
    let values = ["\"text\"", "\"q\\\"u\\\\o\\/te\"", "\"\\u00e9\\n\"", "\"[{\\\"}]\"", "1", "2.50", "true", "null",
                  "[1, {\"a\": \"]\"}]", "{\"n\": {\"m\": \"}\"}}"]
    return (0..<count).map { _ in
      var members: [String] = []
      var unused = keys
      for _ in 0..<random.below(4) {
        let key = unused.remove(at: random.below(unused.count))
        members.append("\"\(key)\": \(values[random.below(values.count)])")
      }
      // A title whose backslashes fall anywhere in an eight-byte word.
      let pad = String(repeating: "p", count: random.below(9))
      members.append("\"title\": \"\(pad)\\\\\(pad)\\\"\"")
      let duration = ["", ", \"duration\": 0", ", \"duration\": 12.5", ", \"duration\": -1", ", \"duration\": null"][random.below(5)]
      let time = random.below(40) == 0 ? "not a time" : "2024-03-01T08:\(10 + random.below(50)):00.5+00:00"
      return "{\"timestamp\": \"\(time)\"\(duration), \"data\": {\(members.joined(separator: ", "))}}"
    }
  }

  @Test(arguments: ["python-export.json", "rust-export.json", "events-before-fields.json", "bucket-export-pretty.json",
                    "export.json.gz", "bad-events.json", "truncated.json"])
  func corpusFilesReadTheSameInBlocks(_ name: String) throws {
    try compare([], file: ActivityWatchTests.corpus.appendingPathComponent(name).path)
  }

  @Test func sharedSamplesReadTheSameInBlocks() throws {
    let folder = CorpusTests.corpus.deletingLastPathComponent().appendingPathComponent("../shared/samples").standardized
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasPrefix("aw-") } ?? []
    if names.isEmpty { print("ActivityWatchBlockTests: no aw-* files in \(folder.path); skipped") }
    for name in names.sorted() {
      try compare([], blockSizes: [97, 4096, BothCores.activityWatchBlockBytes], file: folder.appendingPathComponent(name).path)
    }
  }

  @Test func randomExportsReadTheSameInBlocks() throws {
    let buckets = [
      ActivityWatchBlockTests.bucket("w", ActivityWatchBlockTests.randomEvents(seed: 3, count: 300).joined(separator: ",\n")),
      ActivityWatchBlockTests.bucket("s", ActivityWatchBlockTests.randomEvents(seed: 4, count: 200).joined(separator: ","),
                                     type: "general.stopwatch"),
      ActivityWatchBlockTests.bucket("e", ""),
      ActivityWatchBlockTests.bucket("web", ActivityWatchBlockTests.randomEvents(seed: 5, count: 200).joined(separator: " , "),
                                     type: "web.tab.current"),
    ]
    let bytes = ActivityWatchBlockTests.export(buckets)
    let expected = try compare(bytes)
    #expect(expected.events > 500 && expected.messages.count > 100 && expected.stop == nil)
    try compare(bytes, filtered: true, blockSizes: [1, 4096])
    try compare(bytes, type: "web.tab.current", blockSizes: [1, 4096])
    let strict = try compare(bytes, strict: true, blockSizes: [1, 4096])
    #expect(strict.stop?.hasPrefix("strict: ") == true)
  }

  @Test func eventsReadOnTheReadingThreadKeepTheirPlace() throws {
    let plain = #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 1, "data": {"app": "a"}}"#
    let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
    let tooDeep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
    let long = String(repeating: "long ", count: ActivityWatchReader.maxScannedEventBytes / 4)
    let events = [
      plain, #"{"timestamp": "2024-03-01T08:00:01Z", "data": {"deep": \#(deep)}}"#, plain,
      #"{"timestamp": "2024-03-01T08:00:02Z", "data": {"title": "\#(long)"}}"#, plain, "5", plain,
    ]
    let fieldsAfter = """
      "late": {"id": "late", "events": [\(plain), \(plain)], "created": "2024-01-01T00:00:00Z", "type": "afkstatus",
      "client": "c", "hostname": "h", "data": {}}
      """
    let fieldLater = """
      "later": {"id": "later", "created": "2024-01-01T00:00:00Z", "type": "afkstatus", "client": "c", "hostname": "h",
      "data": {}, "events": [\(plain), \(plain)], "name": "n"}
      """
    let bytes = ActivityWatchBlockTests.export([
      ActivityWatchBlockTests.bucket("b", events.joined(separator: ", ")), fieldsAfter, fieldLater,
      ActivityWatchBlockTests.bucket("c", plain),
    ])
    let expected = try compare(bytes, blockSizes: [1, 150, 4096])
    #expect(expected.events == 11 && expected.stop == nil && expected.messages.contains { $0.contains("comes after its events") })
    // Too deep for JSON: the read stops at the same place either way.
    let stopped = try compare(ActivityWatchBlockTests.export([
      ActivityWatchBlockTests.bucket("b", [plain, #"{"timestamp": "2024-03-01T08:00:01Z", "data": {"deep": \#(tooDeep)}}"#, plain]
        .joined(separator: ", "))]), blockSizes: [1, 4096])
    #expect(stopped.stop?.contains("deeper than") == true)
  }

  @Test func aGzipInputCutShortStopsWhereOneThreadStops() throws {
    // The inflater fails while the reading thread cuts: the events cut before it are
    // still written, as one thread writes them.
    let text = ActivityWatchBlockTests.export([
      ActivityWatchBlockTests.bucket("w", ActivityWatchBlockTests.randomEvents(seed: 9, count: 2_000).joined(separator: ",\n"))])
    let dir = temporaryDirectory()
    let sink = try OutputSink.open(dir + "/whole.json.gz", gzip: true)
    text.withUnsafeBytes { sink.buffer.append($0) }
    try sink.finish()
    let gzip = try #require(readFile(dir + "/whole.json.gz"))
    for length in [gzip.count / 3, gzip.count / 2, gzip.count - 20] {
      let path = dir + "/cut-\(length).json.gz"
      writeFile(path, Array(gzip.prefix(length)))
      let outcome = try compare([], blockSizes: [4096, BothCores.activityWatchBlockBytes], file: path)
      #expect(outcome.stop != nil && outcome.output.count > 1000, "cut at \(length) of \(gzip.count)")
    }
  }

  @Test func errorsInsideACutEventStopAtTheirPlace() throws {
    let plain = #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 1, "data": {"app": "a"}}"#
    let broken = [
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"t": "bad \x escape"}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"t": [1}]}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z",}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z" "duration": 1}"#,
      "{\"timestamp\": \"2024-03-01T08:00:00Z\",\n \"data\": {\"t\": \"raw\u{1}control\"}}",
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 1, "data": {"app": "a", "app": "b"}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z"}} "#,
    ]
    for event in broken {
      let bytes = ActivityWatchBlockTests.export([ActivityWatchBlockTests.bucket("b", [plain, plain, event, plain].joined(separator: ",\n "))])
      let outcome = try compare(bytes, blockSizes: [1, 200, 4096])
      #expect(outcome.stop != nil, "\(event)")
    }
    // Not UTF-8, and an export cut inside an event.
    var bad = ActivityWatchBlockTests.export([ActivityWatchBlockTests.bucket("b", [plain, #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"t": "xx"}}"#].joined(separator: ","))])
    bad[bad.lastIndex(of: UInt8(ascii: "x"))!] = 0xC3
    try compare(bad, blockSizes: [1, 4096])
    for length in stride(from: 260, to: bad.count, by: 7) { try compare(Array(bad.prefix(length)), blockSizes: [4096]) }
  }
}

/// `JSONValueEnd.find` against the same walk a byte at a time.
@Suite struct JSONValueEndTests {
  static func reference(_ bytes: [UInt8], maxDepth: Int) -> JSONTokenizer.RawScan {
    guard let first = bytes.first else { return .needMore }
    guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return .declined }
    var depth = 0
    var inString = false
    var i = 0
    while i < bytes.count {
      let c = bytes[i]
      i += 1
      if inString {
        if c == UInt8(ascii: "\"") { inString = false } else if c == UInt8(ascii: "\\") { i += 1 }
      } else if c == UInt8(ascii: "\"") {
        inString = true
      } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
        depth += 1
        if depth > maxDepth { return .declined }
      } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
        depth -= 1
        if depth == 0 { return .took(i) }
      }
    }
    return .needMore
  }

  static func same(_ a: JSONTokenizer.RawScan, _ b: JSONTokenizer.RawScan) -> Bool {
    switch (a, b) {
    case (.took(let x), .took(let y)): return x == y
    case (.needMore, .needMore), (.declined, .declined): return true
    default: return false
    }
  }

  /// Expects `find` to answer as the byte-at-a-time walk does; true when the value ends.
  static func expectSameEnd(_ bytes: [UInt8], maxDepth: Int) -> Bool {
    let expected = reference(bytes, maxDepth: maxDepth)
    let got = bytes.withUnsafeBytes { JSONValueEnd.find($0, maxDepth: maxDepth) }
    #expect(same(got, expected), "\(String(decoding: bytes, as: UTF8.self))")
    if case .took = expected { return true }
    return false
  }

  @Test func randomBytesEndWhereAByteAtATimeEnds() {
    var random = SplitMix(state: 7)
    let alphabet = Array("\"\\{}[]a ,:".utf8) + [0xC3, 0xA9, 0x0A]
    var took = 0
    for _ in 0..<20_000 {
      var bytes = [UInt8(ascii: random.below(2) == 0 ? "{" : "[")]
      for _ in 0..<random.below(80) { bytes.append(alphabet[random.below(alphabet.count)]) }
      if JSONValueEndTests.expectSameEnd(bytes, maxDepth: 1 + random.below(6)) { took += 1 }
    }
    #expect(took > 1000)
    #expect(JSONValueEndTests.same([UInt8]("5".utf8).withUnsafeBytes { JSONValueEnd.find($0, maxDepth: 9) }, .declined))
  }

  @Test func longPlainRunsEndWhereAByteAtATimeEnds() {
    // Mostly plain text, as real exports are (whole sixteen-byte runs without a backslash
    // or bracket), with each special byte rare, at every alignment.
    var random = SplitMix(state: 11)
    let plain = Array("abc ,:0".utf8) + [0xC3, 0xA9]
    let special = Array("\"\\{}[]".utf8)
    var took = 0
    for _ in 0..<6_000 {
      var bytes = [UInt8(ascii: random.below(2) == 0 ? "{" : "[")]
      let rarity = 2 + random.below(40)
      for _ in 0..<random.below(400) {
        bytes.append(random.below(rarity) == 0 ? special[random.below(special.count)] : plain[random.below(plain.count)])
      }
      if JSONValueEndTests.expectSameEnd(bytes, maxDepth: 1 + random.below(6)) { took += 1 }
    }
    #expect(took > 500)
  }

  /// `run` against the byte-at-a-time walk taken value after value, with the separators
  /// a run goes past (whitespace and one comma) and the places it stops.
  @Test func runsStopWhereValueAfterValueStops() {
    var random = SplitMix(state: 13)
    let plain = Array("abc ,:0".utf8) + [0xC3, 0xA9, 0x0A]
    let special = Array("\"\\{}[]".utf8)
    let separators = [",", ", ", " ,\n ", ",\t", ",,", "", " ", " ]", "x,", ", 5"]
    let spaces: Set<UInt8> = [0x20, 0x0A, 0x0D, 0x09]
    var full = 0, needMore = 0, declined = 0, notAComma = 0, longest = 0
    for _ in 0..<8_000 {
      var bytes: [UInt8] = []
      let rarity = 2 + random.below(30)
      for v in 0..<(1 + random.below(6)) {
        if v > 0 { bytes += Array(separators[random.below(separators.count)].utf8) }
        bytes.append(UInt8(ascii: random.below(2) == 0 ? "{" : "["))
        for _ in 0..<random.below(150) {
          bytes.append(random.below(rarity) == 0 ? special[random.below(special.count)] : plain[random.below(plain.count)])
        }
        bytes.append(UInt8(ascii: random.below(2) == 0 ? "}" : "]"))
      }
      let maxDepth = 1 + random.below(6), capacity = 1 + random.below(5)
      let limit = random.below(4) == 0 ? Int.max : random.below(bytes.count + 1), maxBytes = 16 + random.below(200)

      var expected: [Range<Int>] = []
      var at = 0
      let expectedStop: JSONValueEnd.RunStop
      walk: while true {
        switch JSONValueEndTests.reference(Array(bytes[at...]), maxDepth: maxDepth) {
        case .took(let count):
          guard count <= maxBytes else { expectedStop = .declined; break walk }
          expected.append(at..<(at + count))
          if expected.count == capacity || at + count >= limit { expectedStop = .full; break walk }
          var j = at + count
          while j < bytes.count, spaces.contains(bytes[j]) { j += 1 }
          guard j < bytes.count else { expectedStop = .needMore; break walk }
          guard bytes[j] == UInt8(ascii: ",") else { expectedStop = .notAComma; break walk }
          j += 1
          while j < bytes.count, spaces.contains(bytes[j]) { j += 1 }
          guard j < bytes.count else { expectedStop = .needMore; break walk }
          guard bytes[j] == UInt8(ascii: "{") || bytes[j] == UInt8(ascii: "[") else { expectedStop = .notAComma; break walk }
          at = j
        case .needMore: expectedStop = .needMore; break walk
        case .declined: expectedStop = .declined; break walk
        }
      }

      let starts = UnsafeMutablePointer<Int>.allocate(capacity: capacity), ends = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
      defer { starts.deallocate(); ends.deallocate() }
      let (count, stop) = bytes.withUnsafeBytes {
        JSONValueEnd.run($0, maxDepth: maxDepth, maxBytes: maxBytes, limit: limit, starts: starts, ends: ends, capacity: capacity)
      }
      let got = (0..<count).map { starts[$0]..<ends[$0] }
      #expect(got == expected && stop == expectedStop, "\(String(decoding: bytes, as: UTF8.self))")
      switch expectedStop {
      case .full: full += 1
      case .needMore: needMore += 1
      case .declined: declined += 1
      case .notAComma: notAComma += 1
      }
      longest = max(longest, expected.count)
    }
    #expect(full > 500 && needMore > 500 && declined > 500 && notAComma > 500 && longest >= 3)
  }
}
