import Eidolon
import Testing

/// Properties over random events, for every writer and its reader:
/// - whatever the writer writes of events that keep the spec, its reader reads without a
///   rejected record (no writer emits what its reader cannot read), and nothing crashes;
/// - a second round trip gives the events of the first (writer and reader agree on
///   every record the reader makes), in ids, times, durations and every field.
@Suite struct RoundTripPropertyTests {
  struct Format: CustomTestStringConvertible, Sendable {
    var writer: String
    var writeSettings: [String: String]
    var reader: String
    var readSettings: [String: String]
    var kinds: [String]
    var testDescription: String { "\(writer) \(writeSettings) -> \(reader)" }
  }

  static let formats: [Format] = [
    Format(writer: "eidolon", writeSettings: [:], reader: "eidolon", readSettings: [:], kinds: ["window", "afk", "web", "time_entry"]),
    Format(writer: "activitywatch", writeSettings: [:], reader: "activitywatch", readSettings: [:], kinds: ["window", "afk", "web"]),
    Format(writer: "toggl", writeSettings: ["tz": "Europe/Berlin"], reader: "toggl", readSettings: ["tz": "Europe/Berlin"], kinds: ["time_entry"]),
    Format(writer: "toggl", writeSettings: [:], reader: "toggl", readSettings: [:], kinds: ["time_entry", "window"]),
    Format(writer: "rescuetime", writeSettings: ["tz": "America/New_York", "resolution": "hour"], reader: "rescuetime",
           readSettings: ["tz": "America/New_York"], kinds: ["window", "summary"]),
    Format(writer: "rescuetime", writeSettings: ["variant": "api-csv", "report": "document", "resolution": "minute"], reader: "rescuetime",
           readSettings: [:], kinds: ["window"]),
    Format(writer: "rescuetime", writeSettings: ["variant": "account-export", "tz": "Europe/Berlin"], reader: "rescuetime",
           readSettings: ["tz": "Europe/Berlin"], kinds: ["window"]),
    Format(writer: "manictime", writeSettings: ["tz": "Europe/Berlin"], reader: "manictime", readSettings: ["tz": "Europe/Berlin"], kinds: ["window"]),
    Format(writer: "manictime", writeSettings: ["tz": "UTC", "timeline": "tags"], reader: "manictime", readSettings: ["tz": "UTC"], kinds: ["tag"]),
    Format(writer: "manictime", writeSettings: ["variant": "xml", "group-by": "project"], reader: "manictime", readSettings: [:], kinds: ["window", "time_entry"]),
  ]

  /// Text that CSV, JSON, XML and formula-minded spreadsheets all find awkward.
  static let awkward = ["plain", "Straße und Café", "a, b", "say \"hi\"", "line\nbreak", "=SUM(A1)", "+1", "-2", "@x", " lead", "trail ",
                        "tab\tin", "😀 emoji", "<tag>&amp;", "]]>", "", "0", "1e5", "null", "\\back", "ü\u{301}"]

  static func randomEvents(_ rng: inout SplitMix, kinds: [String], count: Int) -> [Event] {
    func text() -> String { awkward[rng.below(awkward.count)] + (rng.below(3) == 0 ? "" : " \(rng.below(1000))") }
    func maybe() -> String? {
      let value = text()
      return rng.below(3) == 0 || value.isEmpty ? nil : value
    }
    var events: [Event] = []
    for i in 0..<count {
      // Seconds after 2001 (avoid the warnings of earlier years) up to 2030, whole milliseconds.
      let start = Int64(978_307_200_000) + Int64(rng.below(900_000_000)) * 1000 + Int64(rng.below(1000))
      let duration = [0, 1, 59.5, 3600, 86_399, 90_000.25][rng.below(6)] + Double(rng.below(5000))
      let kind = kinds[rng.below(kinds.count)]
      var event = Event(id: "prop:\(i)", source: ["activitywatch", "toggl", "rescuetime", "manictime"][rng.below(4)], kind: kind,
                        start: start, duration: duration)
      event.app = maybe()
      event.title = maybe()
      event.project = maybe()
      event.description = maybe()
      event.category = maybe()
      event.stream = rng.below(2) == 0 ? "bucket-\(rng.below(3))" : nil
      event.tags = rng.below(2) == 0 ? [text(), text()].filter { !$0.isEmpty && !$0.contains(",") } : nil
      if event.tags?.isEmpty == true { event.tags = nil }
      event.productivity = rng.below(2) == 0 ? rng.below(5) - 2 : nil
      event.billable = rng.below(3) == 0 ? rng.below(2) == 0 : nil
      if rng.below(2) == 0 { event.attrs["note"] = .string(text()) }
      if rng.below(3) == 0 { event.attrs["n"] = .number(rng.below(100)) }
      events.append(event)
    }
    return events
  }

  /// The events through the writer into a file and back through the reader.
  static func roundTrip(_ events: [Event], _ format: Format, in dir: String) throws -> (events: [Event], rejected: Int, refusedByWriter: Int) {
    let path = dir + "/out"
    guard let writerFormat = FormatRegistry.writer(named: format.writer), let readerFormat = FormatRegistry.reader(named: format.reader) else {
      Issue.record("no \(format.writer) or \(format.reader)")
      return ([], 0, 0)
    }
    let writer = try writerFormat.make(try OutputSink.open(path), format.writeSettings)
    var refused = 0
    for event in events {
      do { try writer.write(event) } catch let error as EidolonError where error.isRecordError { refused += 1 }
    }
    try writer.finish()
    let diagnostics = Diagnostics(toolName: "property", messageLimit: 1)
    var messages: [String] = []
    diagnostics.messageHandler = { messages.append($0) }
    let reader = try readerFormat.make(ByteReader(source: try FileDescriptorSource(path: path), name: path), diagnostics, format.readSettings)
    var back: [Event] = []
    while let event = try reader.next() { back.append(event) }
    if diagnostics.rejectCount > 0 { Issue.record("\(format.testDescription): \(messages.prefix(3))") }
    return (back, diagnostics.rejectCount, refused)
  }

  @Test(arguments: formats)
  func writersAndReadersAgree(_ format: Format) throws {
    var rng = SplitMix(state: 2026_12_03 &+ UInt64(format.testDescription.utf8.count))
    let dir = temporaryDirectory()
    for round in 0..<8 {
      let events = Self.randomEvents(&rng, kinds: format.kinds, count: 40)
      for event in events { #expect(EventSpec.problem(event) == nil) }
      let first = try Self.roundTrip(events, format, in: dir)
      #expect(first.rejected == 0, "round \(round)")
      #expect(first.refusedByWriter == 0, "round \(round)")
      for event in first.events { #expect(EventSpec.problem(event) == nil, "\(event)") }
      let second = try Self.roundTrip(first.events, format, in: dir)
      #expect(second.rejected == 0 && second.refusedByWriter == 0, "round \(round)")
      let a = first.events.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
      let b = second.events.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
      #expect(a.count == b.count, "round \(round): \(a.count) then \(b.count) events")
      for (x, y) in zip(a, b) where x != y {
        Issue.record("round \(round): \(format.testDescription) changed an event on its second trip:\n\(x)\n\(y)")
        break
      }
    }
  }
}
