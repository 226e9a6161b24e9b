@testable import Eidolon
import Foundation
import Testing

/// An export read the three ways of `compareReadingWays`: the tree and mapping alone, and
/// views and Events from the event scanner.
@discardableResult
private func compareScanning(_ bytes: [UInt8], chunk: Int = .max, sourceLocation: SourceLocation = #_sourceLocation)
  throws -> (events: Int, scanned: Int)
{
  try compareReadingWays({ diagnostics, fast in
    var options = ActivityWatchReader.Options()
    options.scansEvents = fast
    let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "aw.json", capacity: chunk == .max ? 1 << 16 : 64)
    return ActivityWatchReader(input: input, diagnostics: diagnostics, options: options)
  }, taken: \.scannedEvents, sourceLocation: sourceLocation)
}

/// An export of one bucket of `type` holding `events` (JSON text, comma-separated).
private func export(_ events: String, type: String = "currentwindow", hostname: String = "\"laptop\"") -> [UInt8] {
  Array("""
    {"buckets": {"b1": {"id": "b1", "created": "2024-01-01T00:00:00+00:00", "name": null, "type": "\(type)",
    "client": "c", "hostname": \(hostname), "data": {}, "events": [\(events)]}}}
    """.utf8)
}

@Suite struct ActivityWatchScannerTests {
  /// bench/run's exports in both servers' layouts (bench/gen), small.
  @Test(arguments: ["rust", "python"])
  func benchDataReadsTheSameEitherWay(_ shape: String) throws {
    let result = try compareScanning(try benchData(["activitywatch_export.py", "--shape", shape]))
    #expect(result.events > 500 && result.scanned > result.events * 9 / 10, "\(result.scanned) of \(result.events) scanned")
  }

  @Test(arguments: ["python-export.json", "rust-export.json", "events-before-fields.json", "bucket-export-pretty.json",
                    "export.json.gz", "bad-events.json", "truncated.json"])
  func corpusFilesReadTheSameEitherWay(_ name: String) throws {
    let path = ActivityWatchTests.corpus.appendingPathComponent(name).path
    let source = try InputOpener.openSource(path)
    let input = ByteReader(source: source, name: name)
    var bytes: [UInt8] = []
    while try input.fill() {}
    bytes.append(contentsOf: UnsafeRawBufferPointer(start: input.storage + input.start, count: input.available))
    let whole = try compareScanning(bytes)
    #expect(whole.events > 0)
    if name != "events-before-fields.json" { #expect(whole.scanned > 0, "the scanner took none of \(name)") }
    try compareScanning(bytes, chunk: 7)
  }

  @Test func sharedSamplesReadTheSameEitherWay() throws {
    let folder = CorpusTests.corpus.deletingLastPathComponent().appendingPathComponent("../shared/samples").standardized
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasPrefix("aw-") } ?? []
    guard !names.isEmpty else {
      print("skipped: no ActivityWatch files in \(folder.path)")
      return
    }
    for name in names {
      let bytes = try #require(readFile(folder.appendingPathComponent(name).path))
      let result = try compareScanning(bytes)
      #expect(result.scanned > 0, "the scanner took none of \(name)")
    }
  }

  @Test func eventsOfTheUsualShapesAreScanned() throws {
    let events = """
      {"id": 1, "timestamp": "2024-03-01T08:00:00.123456+00:00", "duration": 2.5, "data": {"app": "Zoom", "title": "a \\"b\\" \\\\ c\\n\\t\\u00e9\\ud83d\\ude00\\/"}},
      {"timestamp": "2024-03-01T09:00:00+02:00", "duration": 3.0, "data": {"title": "t", "app": "x", "extra": 1.50, "flag": true, "none": null}},
      {"timestamp": "2024-03-01T10:00:00Z", "data": null, "id": "s-1", "note": "kept", "n": -0.5e3},
      {"timestamp": "2024-03-01T11:00:00.000Z", "duration": 1e2, "data": {"url": "http://x/é", "file": "f", "project": "p", "app": 5}},
      {"timestamp":"2024-03-01T12:00:00Z","duration":0.0001,"data":{"app":"","title":"\\u0001\\u001f"}},
      {
        "timestamp" : "2024-03-01T13:00:00Z" ,
        "duration" : 1234.50000 ,
        "data" : { "z" : "last" , "a!" : 1, "a" : "first" }
      }
      """
    let result = try compareScanning(export(events))
    #expect(result.events == 6 && result.scanned == 6)
    let stopwatch = #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 60, "data": {"label": "writing", "running": false}}"#
    #expect(try compareScanning(export(stopwatch, type: "general.stopwatch")).scanned == 1)
    #expect(try compareScanning(export(stopwatch, type: "currentwindow")).scanned == 1)
    #expect(try compareScanning(export(stopwatch, hostname: "\"\"")).scanned == 1)
  }

  /// What the scanner leaves to the tree: the result must still be the same.
  @Test func unusualEventsGoTheLongWayWithTheSameResult() throws {
    // Events the mapping rejects or reads in its own way; the read goes on after them.
    let rejectedOrOdd = [
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"nested": {"x": 1}}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"list": [1, 2]}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "extra": [1]}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"k\u0065y": "escaped key"}}"#,
      #"{"timestamp": "2024-03-01T08:00:00\u005a"}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": -1}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": -0}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 1e400}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 400000000}"#,
      #"{"timestamp": "9999-12-31T23:59:59Z", "duration": 5}"#,
      #"{"timestamp": "not a time"}"#,
      #"{"timestamp": 5}"#,
      #"{"duration": 5}"#,
      #"{}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": "text"}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": "5"}"#,
      #"[1, 2]"#,
      #"5"#,
    ]
    for event in rejectedOrOdd {
      let result = try compareScanning(export(event + ", " + #"{"timestamp": "2024-03-01T08:00:00Z"}"#))
      #expect(result.scanned == 1, "\(event): the plain event after it is the scanner's")
    }
    // JSON errors, which stop the read: the same message either way.
    let broken = [
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 1, "data": {"app": "a", "app": "b"}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "timestamp": "2024-03-02T08:00:00Z"}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": null, "duration": 5}"#,  // found by the aw-view fuzz target
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"t": "lone \ud800 surrogate"}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "data": {"t": "bad \x escape"}}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 01}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z", "duration": 1.}"#,
      "{\"timestamp\": \"2024-03-01T08:00:00Z\", \"data\": {\"t\": \"raw\u{1}control\"}}",
      #"{"timestamp": "2024-03-01T08:00:00Z",}"#,
      #"{"timestamp": "2024-03-01T08:00:00Z" "duration": 1}"#,
    ]
    for event in broken {
      #expect(try compareScanning(export(#"{"timestamp": "2024-03-01T07:00:00Z"}, "# + event)) == (1, 1))
    }
    // Bytes that are not UTF-8, and an export cut inside an event.
    var bad = export(#"{"timestamp": "2024-03-01T08:00:00Z", "data": {"t": "xx"}}"#)
    bad[bad.firstIndex(of: UInt8(ascii: "x"))!] = 0xC3
    try compareScanning(bad)
    let cut = export(#"{"timestamp": "2024-03-01T08:00:00Z", "data": {"t": "xx"}}"#)
    for length in stride(from: 150, to: cut.count, by: 3) { try compareScanning(Array(cut.prefix(length))) }
  }

  @Test func timestampsReadAsTimestampParseReadsThem() throws {
    let timestamps = [
      "2024-02-29T23:59:59.999999999-05:30", "2024-02-29T23:59:59.9999999999Z", "2023-02-29T10:00:00Z", "2024-03-01T24:00:00Z",
      "2024-03-01T23:60:00Z", "2024-03-01T23:59:60Z", "2024-03-01T08:00:00+24:00", "2024-03-01T08:00:00+23:59",
      "2024-03-01T08:00:00z", "2024-03-01 08:00:00Z", "2024-03-01t08:00:00Z", "2024-03-01T08:00:00+0530", "2024-03-01T08:00:00",
      "2024-03-01T08:00:00.Z", "2024-03-01T08:00:00,5Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
      "9999-12-31T23:59:59.999Z", "2024-13-01T08:00:00Z", "2024-00-10T08:00:00Z", "2024-01-00T08:00:00Z", "2024-1a-01T08:00:00Z",
      "2024-03-01T08:00:00ZZ", "2024-03-01T08:00:00+01:00x", "2024-03-01T08:00:00.000001+00:00", "2024-03-01T08:00:00.5-00:00",
      // Fractions of every length (up to seven read at once), offsets near "+00:00", a bad digit in each place.
      "2024-03-01T08:00:00.1+00:00", "2024-03-01T08:00:00.12+00:00", "2024-03-01T08:00:00.1234567+00:00",
      "2024-03-01T08:00:00.12345678+00:00", "2024-03-01T08:00:00.123456789+00:00", "2024-03-01T08:00:00.1234567890+00:00",
      "2024-03-01T08:00:00.1234567Z", "2024-03-01T08:00:00.12345678Z", "2024-03-01T08:00:00.12x4567+00:00",
      "2024-03-01T08:00:00.+00:00", "2024-03-01T08:00:00+00:0a", "2024-03-01T08:00:00-00:00", "2024-03-01T08:00:00+00:30",
      "2024-03-01T08:00:00+10:00", "2024-03-01T0a:00:00Z", "2024-03-01T08:0a:00+00:00", "2024-03-01T08:00:0a.5Z",
      "2024-03-01T08:00:00+00:00 ", "2024-03-01T08:00:00.999999+00:00",
    ]
    // Each after an event of another day and one of the same day, so the kept day is used and replaced.
    let events = timestamps.flatMap { stamp in
      [#"{"timestamp": "2019-06-01T00:00:00Z"}"#, #"{"timestamp": "\#(stamp)", "duration": 1}"#, #"{"timestamp": "\#(stamp)"}"#]
    }
    try compareScanning(export(events.joined(separator: ", ")))
  }

  @Test func eventsLongerThanTheScannersWindowGoTheLongWay() throws {
    let title = String(repeating: "long ", count: ActivityWatchReader.maxScannedEventBytes / 4)
    let result = try compareScanning(export(#"{"timestamp": "2024-03-01T08:00:00Z", "data": {"title": "\#(title)"}}"#))
    #expect(result.events == 1 && result.scanned == 0)
  }

  @Test func linesAndColumnsOfLaterErrorsAreKept() throws {
    // A scanned, pretty-printed event before a bad one: the bad one's position is counted
    // over the scanned event's line breaks.
    let events = "{\n\"timestamp\": \"2024-03-01T08:00:00Z\",\n\"duration\": 1\n},\n {\"timestamp\": \"nope\"}"
    try compareScanning(export(events))
  }

  @Test func randomEventsReadTheSameEitherWay() throws {
    var random = SplitMix(state: 19)
    // "a", "a!" and "a b": the id sorts keys by their text, where "a" comes first.
    let keys = ["app", "title", "url", "file", "project", "label", "status", "x", "é", "a b", "a", "a!"]
    let values = ["\"text\"", "\"q\\\"u\\\\o\\/te\"", "\"\\u00e9\\n\"", "1", "2.50", "-3e-2", "true", "false", "null", "0"]
    var events: [String] = []
    for _ in 0..<400 {
      var members: [String] = []
      var unused = keys
      for _ in 0..<random.below(5) {
        let key = unused.remove(at: random.below(unused.count))  // a key twice is a JSON error
        members.append("\"\(key)\": \(values[random.below(values.count)])")
      }
      let duration = ["", ", \"duration\": 0", ", \"duration\": 12.5", ", \"duration\": 3.000", ", \"duration\": null"][random.below(5)]
      let fraction = ["", ".5", ".123", ".123456", ".000001"][random.below(5)]
      let id = ["", ", \"id\": 7", ", \"id\": \"x\"", ", \"other\": false"][random.below(4)]
      events.append("{\"timestamp\": \"2024-03-01T08:\(10 + random.below(50)):00\(fraction)+01:00\"\(duration)\(id), \"data\": {\(members.joined(separator: ", "))}}")
    }
    for type in ["currentwindow", "general.stopwatch", "web.tab.current"] {
      let bytes = export(events.joined(separator: ",\n"), type: type)
      let result = try compareScanning(bytes)
      #expect(result.events == 400 && result.scanned > 300)
      try compareScanning(bytes, chunk: 13)
    }
  }
}
