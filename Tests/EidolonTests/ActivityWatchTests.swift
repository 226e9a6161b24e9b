import Eidolon
import Foundation
import Testing

private func readAW(_ bytes: [UInt8], chunk: Int = .max) throws -> (events: [Event], rejects: Int, messages: [String]) {
  let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
  var messages: [String] = []
  diagnostics.messageHandler = { messages.append($0) }
  let reader = ActivityWatchReader(
    input: ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "aw.json", capacity: chunk == .max ? 1 << 18 : 64),
    diagnostics: diagnostics)
  var events: [Event] = []
  while let event = try reader.next() { events.append(event) }
  return (events, diagnostics.rejectCount, messages)
}

private func writeAW(_ events: [Event]) throws -> [UInt8] {
  let dir = temporaryDirectory()
  let writer = try ActivityWatchWriter(sink: try OutputSink.open("\(dir)/out.json"))
  for event in events { try writer.write(event) }
  try writer.finish()
  return try #require(readFile("\(dir)/out.json"))
}

/// The events without what aw-write changes on purpose: the server's own event ids
/// (left out) and a null bucket "created" (written as the first event's time, which
/// Python's import needs); `nullCreated` names the buckets that had one.
private func comparable(_ events: [Event], nullCreated: Set<String>) -> [Event] {
  events.map { event in
    var copy = event
    copy.attrs["event_id"] = nil
    if nullCreated.contains(event.stream ?? "") { copy.attrs["created"] = nil }
    return copy
  }.sorted { ($0.stream ?? "", $0.start, $0.id) < ($1.stream ?? "", $1.start, $1.id) }
}

@Suite struct ActivityWatchTests {
  static let corpus = CorpusTests.corpus.appendingPathComponent("activitywatch")

  @Test(arguments: ["python-export.json", "rust-export.json", "events-before-fields.json", "bucket-export-pretty.json", "export.json.gz"])
  func readWriteReadGivesTheSameEvents(_ name: String) throws {
    let source = try InputOpener.openSource(Self.corpus.appendingPathComponent(name).path)
    let reader = ActivityWatchReader(input: ByteReader(source: source, name: name), diagnostics: Diagnostics(toolName: "t"))
    var first: [Event] = []
    while let event = try reader.next() { first.append(event) }
    #expect(!first.isEmpty)
    let again = try readAW(try writeAW(first))
    #expect(again.rejects == 0)
    let nullCreated = Set(first.filter { $0.attrs["created"] == .null }.compactMap(\.stream))
    #expect(comparable(again.events, nullCreated: nullCreated) == comparable(first, nullCreated: nullCreated))
  }

  @Test func chunkBoundariesDoNotChangeTheResult() throws {
    for name in ["python-export.json", "events-before-fields.json", "bucket-export-pretty.json"] {
      let bytes = try #require(readFile(Self.corpus.appendingPathComponent(name).path))
      let whole = try readAW(bytes)
      #expect(try readAW(bytes, chunk: 1).events == whole.events)
      #expect(try readAW(bytes, chunk: 7).events == whole.events)
    }
  }

  @Test func mappingOfTypesAndFields() throws {
    let events = try readAW(Array(try #require(readFile(Self.corpus.appendingPathComponent("python-export.json").path))))
      .events
    let byKind = Dictionary(grouping: events, by: \.kind)
    #expect(byKind.keys.sorted() == ["afk", "editor", "input", "other", "stopwatch", "web", "window"])
    let editor = try #require(byKind["editor"]?.first)
    #expect(editor.file == "/home/ann/src/a.swift" && editor.project == "/home/ann/src")
    #expect(editor.attrs["data"] == .object(JSONObject([.init("language", .string("swift"))])))
    #expect(byKind["stopwatch"]?.first?.description == "Planning")
    let custom = try #require(byKind["other"]?.first)
    #expect(custom.title == nil)  // 42 is not a string: it stays in data
    #expect(custom.start == Timestamp.parse("2024-03-04T17:00:00Z")?.epochMillis)
    #expect(custom.attrs["bucket_data"] == .object(JSONObject([.init("device_id", .string("abc"))])))
    let window = events.filter { $0.kind == "window" }
    #expect(window.count == 4)
    #expect(window[1].id == window[2].id)  // the repeated event
    #expect(window.allSatisfy { $0.stream == "aw-watcher-window_ann-laptop" && $0.host == "ann-laptop" })
  }

  @Test func badEventsAreRejectedAndTheRestRead() throws {
    let bytes = try #require(readFile(Self.corpus.appendingPathComponent("bad-events.json").path))
    let result = try readAW(bytes)
    #expect(result.events.map(\.app) == ["ok", "ok too"])
    #expect(result.rejects == 7)
  }

  @Test func aTruncatedExportStopsWithAnError() throws {
    let bytes = try #require(readFile(Self.corpus.appendingPathComponent("truncated.json").path))
    let error = eidolonError { _ = try readAW(bytes) }
    #expect(error?.kind == .truncated)
  }

  @Test func notAnExportIsAClearError() {
    #expect(eidolonError { _ = try readAW(Array("[]".utf8)) }?.message.contains("JSON object with \"buckets\"") == true)
    #expect(eidolonError { _ = try readAW(Array("{\"a\":1}".utf8)) }?.message.contains("no \"buckets\"") == true)
    #expect(eidolonError { _ = try readAW(Array("{\"buckets\":[]}".utf8)) }?.message.contains("keyed by bucket id") == true)
  }

  @Test func aFieldAfterStreamedEventsIsWarnedAbout() throws {
    let doc = #"{"buckets":{"b":{"id":"b","type":"t","client":"c","hostname":"h","created":"2024-01-01T00:00:00Z","data":{},"events":[{"timestamp":"2024-01-01T00:00:00Z","duration":1,"data":{}}],"name":"late"}}}"#
    let result = try readAW(Array(doc.utf8))
    #expect(result.events.count == 1)
    #expect(result.messages.contains { $0.contains("\"name\" comes after its events") })
  }

  @Test func eventsFromOtherTrackersGetBucketsOfTheirOwn() throws {
    var entry = Event(id: "toggl:1", source: "toggl", kind: "time_entry", start: 1_709_280_000_000, duration: 3600)
    entry.description = "Write spec"
    entry.project = "Eidolon"
    entry.tags = ["deep work"]
    entry.billable = true
    entry.attrs["email"] = .string("ann@example.com")
    var usage = Event(id: "rt:1", source: "rescuetime", kind: "usage", start: 1_709_280_000_000, duration: 300)
    usage.app = "github.com"
    usage.host = "laptop"
    usage.productivity = 2
    let text = String(decoding: try writeAW([entry, usage, entry]), as: UTF8.self)
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    let buckets = try #require(object?["buckets"] as? [String: [String: Any]])
    #expect(buckets.keys.sorted() == ["eidolon-rescuetime-usage_laptop", "eidolon-toggl-time_entry_unknown"])
    let toggl = try #require(buckets["eidolon-toggl-time_entry_unknown"])
    #expect(toggl["type"] as? String == "general.stopwatch")
    #expect(toggl["created"] as? String == "2024-03-01T08:00:00.000Z")
    let events = try #require(toggl["events"] as? [[String: Any]])
    #expect(events.count == 2)
    let data = try #require(events[0]["data"] as? [String: Any])
    #expect(data["label"] as? String == "Write spec")
    #expect(data["project"] as? String == "Eidolon")
    #expect(data["eidolon_id"] as? String == "toggl:1")
    #expect(buckets["eidolon-rescuetime-usage_laptop"]?["type"] as? String == "currentwindow")
  }

  @Test func manyInterleavedBucketsStayWithinTheOpenFileLimit() throws {
    var events: [Event] = []
    for i in 0..<2000 {
      var event = Event(id: "x:\(i)", source: "custom", kind: "window", start: Int64(i) * 1000, duration: 1)
      event.host = "host\(i % 150)"
      events.append(event)
    }
    let object = try JSONSerialization.jsonObject(with: Data(try writeAW(events))) as? [String: Any]
    let buckets = try #require(object?["buckets"] as? [String: [String: Any]])
    #expect(buckets.count == 150)
    #expect(buckets.values.map { ($0["events"] as? [Any])?.count ?? 0 }.reduce(0, +) == 2000)
  }

  /// The real files in ../shared/samples, where present: every event read, totals kept.
  @Test func sharedSamplesReadWithTheirTotals() throws {
    let samples = CorpusTests.corpus.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/samples")
    let names = ["aw-server-export.json", "aw-server-export-memorystorage.json", "aw-server-bucket-export.json"]
    let present = names.filter { FileManager.default.fileExists(atPath: samples.appendingPathComponent($0).path) }
    if present.isEmpty {
      print("skipped: ../shared/samples has no ActivityWatch exports")
      return
    }
    for name in present {
      let data = try Data(contentsOf: samples.appendingPathComponent(name))
      let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any]
      let buckets = try #require(parsed?["buckets"] as? [String: [String: Any]])
      let expectedEvents = buckets.values.flatMap { ($0["events"] as? [[String: Any]]) ?? [] }
      let expectedSeconds = expectedEvents.compactMap { ($0["duration"] as? NSNumber)?.doubleValue }.reduce(0, +)
      let result = try readAW(Array(data))
      #expect(result.rejects == 0, "\(name)")
      #expect(result.events.count == expectedEvents.count, "\(name)")
      #expect(abs(result.events.map(\.duration).reduce(0, +) - expectedSeconds) < 1e-6, "\(name)")
    }
  }
}
