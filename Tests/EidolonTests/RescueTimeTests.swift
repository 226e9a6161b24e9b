import Eidolon
import Foundation
import Testing

/// The RescueTime readers and writer over the corpus: totals kept, CSV and JSON alike,
/// read | write | read giving the same events, buckets and spills.
@Suite struct RescueTimeTests {
  static let folder = CorpusTests.corpus.appendingPathComponent("rescuetime")

  /// A corpus sample read with its .options settings.
  static func read(_ name: String) throws -> [Event] {
    try readBytes(Array(try Data(contentsOf: folder.appendingPathComponent(name))), settings: settings(name), name: name)
  }

  /// NAME.options, as the corpus test reads it.
  static func settings(_ name: String) -> [String: String] {
    var settings: [String: String] = [:]
    let stem = folder.appendingPathComponent(name).deletingPathExtension().path
    if let text = try? String(contentsOfFile: stem + ".options", encoding: .utf8) {
      for line in text.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1)
        settings[String(parts[0])] = String(parts[1])
      }
    }
    return settings
  }

  static func readBytes(_ bytes: [UInt8], settings: [String: String] = [:], name: String = "test") throws -> [Event] {
    let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
    diagnostics.messageHandler = { _ in }
    let reader = try #require(FormatRegistry.reader(named: "rescuetime")).make(
      ByteReader(source: MemorySource(bytes), name: name), diagnostics, settings)
    var events: [Event] = []
    while let event = try reader.next() { events.append(event) }
    return events
  }

  static func write(_ events: [Event], _ options: RescueTimeWriter.Options) throws -> [UInt8] {
    let path = temporaryDirectory() + "/out"
    let writer = try RescueTimeWriter(sink: try OutputSink.open(path), options: options)
    for event in events { try writer.write(event) }
    try writer.finish()
    return try #require(readFile(path))
  }

  /// Seconds per (local day, category), from the events' own offsets.
  static func totals(_ events: [Event]) -> [String: Double] {
    var sums: [String: Double] = [:]
    for event in events {
      let offset = event.offset.flatMap(Timestamp.parseOffset) ?? 0
      let day = String(Timestamp.canonical(event.start + Int64(offset) * 1000).prefix(10))
      sums["\(day) \(event.category ?? "-")", default: 0] += event.duration
    }
    return sums
  }

  /// The same from the input file itself, read with Foundation (no Eidolon code).
  static func inputTotals(_ name: String) throws -> [String: Double] {
    let data = try Data(contentsOf: folder.appendingPathComponent(name))
    var rows: [[String]] = []
    var header: [String] = []
    if name.hasSuffix(".json") {
      let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      header = try #require(object["row_headers"] as? [String])
      for row in try #require(object["rows"] as? [[Any]]) { rows.append(row.map { "\($0)" }) }
    } else {
      // The samples' only quoted cells are in the account export and api-activity-csv.
      let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
      for line in text.split(separator: "\n") { rows.append(splitCSV(String(line))) }
      if name.hasPrefix("api") || name.hasPrefix("repeated") { header = rows.removeFirst() }
    }
    var sums: [String: Double] = [:]
    for row in rows {
      if header.isEmpty {
        // The account export: start with offset, activity, details, category, sub-category, seconds.
        sums["\(row[0].prefix(10)) \(row[3])", default: 0] += Double(row[5])!
      } else {
        let category = header.firstIndex(of: "Category").map { row[$0] } ?? "-"
        let seconds = Double(row[header.firstIndex(of: "Time Spent (seconds)")!])!
        sums["\(row[0].prefix(10)) \(category)", default: 0] += seconds
      }
    }
    return sums
  }

  static func splitCSV(_ line: String) -> [String] {
    var cells: [String] = []
    var cell = ""
    var quoted = false
    var chars = Array(line)[...]
    while let c = chars.popFirst() {
      if quoted {
        if c == "\"" {
          if chars.first == "\"" { cell.append("\""); chars.removeFirst() } else { quoted = false }
        } else { cell.append(c) }
      } else if c == "\"" { quoted = true } else if c == "," { cells.append(cell); cell = "" } else { cell.append(c) }
    }
    cells.append(cell)
    return cells
  }

  static let intervalSamples = [
    "api-activity.json", "api-activity-csv.csv", "api-document.json", "api-document-csv.csv", "api-overview.json",
    "api-overview-csv.csv", "api-category.json", "api-category-csv.csv", "api-productivity.json", "api-productivity-csv.csv",
    "api-efficiency.json", "api-efficiency-csv.csv", "rows-before-headers.json", "repeated-rows.csv", "account-export.csv",
  ]

  @Test(arguments: intervalSamples)
  func secondsPerDayAndCategoryAreThoseOfTheInput(_ name: String) throws {
    #expect(Self.totals(try Self.read(name)) == (try Self.inputTotals(name)))
  }

  @Test(arguments: ["activity", "document", "overview", "category", "productivity", "efficiency"])
  func csvAndJSONGiveTheSameEvents(_ report: String) throws {
    let json = try Self.read("api-\(report).json")
    #expect(!json.isEmpty)
    #expect(json == (try Self.read("api-\(report)-csv.csv")))
  }

  @Test(arguments: intervalSamples.filter { $0 != "repeated-rows.csv" })
  func readWriteReadGivesTheSameEvents(_ name: String) throws {
    let events = try Self.read(name)
    var options = RescueTimeWriter.Options()
    options.variant = name == "account-export.csv" ? .accountExport : name.hasSuffix(".json") ? .apiJSON : .apiCSV
    let written = try Self.write(events, options)
    let again = try Self.readBytes(written, settings: Self.settings(name))
    #expect(again.sorted { $0.id < $1.id } == events.sorted { $0.id < $1.id }, "\(String(decoding: written, as: UTF8.self))")
  }

  @Test func repeatedRowsGetTheirOwnIdsAndWritingSumsThem() throws {
    let events = try Self.read("repeated-rows.csv")
    #expect(events.count == 4)
    #expect(Set(events.map(\.id)).count == 4)
    var options = RescueTimeWriter.Options()
    options.variant = .apiCSV
    let written = String(decoding: try Self.write(events, options), as: UTF8.self)
    #expect(written.contains("2024-05-01T10:00:00,300,1,Slack,Instant Message,0\n2024-05-01T10:00:00,50,1,Slack,Instant Message,-1\n"))
  }

  @Test func theWriterSplitsEventsAcrossBucketsOnTheAccountsClock() throws {
    var event = Event(id: "x", source: "activitywatch", kind: "window", start: Timestamp.parse("2024-03-31T00:58:00Z")!.epochMillis, duration: 600)
    event.app = "Terminal"
    var web = Event(id: "y", source: "activitywatch", kind: "web", start: Timestamp.parse("2024-03-31T01:10:00Z")!.epochMillis, duration: 30)
    web.url = "https://www.github.com/eidolon?tab=1"
    var options = RescueTimeWriter.Options()
    options.variant = .apiCSV
    options.resolution = .hour
    options.zone = ZoneConverter(identifier: "Europe/Berlin")
    let text = String(decoding: try Self.write([event, web], options), as: UTF8.self)
    // 01:58 CET to 03:08 CEST: clocks jumped from 02:00 to 03:00.
    #expect(text == """
      Date,Time Spent (seconds),Number of People,Activity,Category,Productivity
      2024-03-31T01:00:00,120,1,Terminal,Uncategorized,0
      2024-03-31T03:00:00,480,1,Terminal,Uncategorized,0
      2024-03-31T03:00:00,30,1,github.com,Uncategorized,0

      """)
  }

  @Test func outOfOrderInputSpillsAndGivesWhatSortedInputGives() throws {
    var events: [Event] = []
    for i in 0..<500 {
      var event = Event(id: "e\(i)", source: "test", kind: "window", start: Int64(i % 97) * 3_600_000 + Int64(i) * 1000, duration: Double(100 + i % 13))
      event.app = "app\(i % 7)"
      event.category = i % 3 == 0 ? nil : "cat\(i % 3)"
      event.productivity = i % 5 - 2
      events.append(event)
    }
    var options = RescueTimeWriter.Options()
    options.variant = .apiCSV
    let sorted = try Self.write(events.sorted { $0.start < $1.start }, options)
    options.maxCells = 40
    let path = temporaryDirectory() + "/out"
    let writer = try RescueTimeWriter(sink: try OutputSink.open(path), options: options)
    for event in events { try writer.write(event) }
    try writer.finish()
    #expect(!writer.inOrder && writer.spilledRuns > 3)
    #expect(readFile(path) == sorted)
  }

  @Test func resolutionIsInferredFromTheDates() {
    func dates(_ texts: String...) -> [LocalDateTime] { texts.map { Timestamp.parse($0)!.local } }
    #expect(RescueTimeResolution.infer(from: dates("2024-01-01T10:00:00", "2024-01-01T10:05:00")) == .minute)
    #expect(RescueTimeResolution.infer(from: dates("2024-01-01T10:00:00", "2024-01-01T13:00:00")) == .hour)
    #expect(RescueTimeResolution.infer(from: dates("2024-01-01T10:00:00", "2024-01-02T10:00:00")) == .hour)
    #expect(RescueTimeResolution.infer(from: dates("2024-01-01T00:00:00", "2024-01-03T00:00:00")) == .day)
    // 2015-02-01 and 2015-02-08 are Sundays: weeks.
    #expect(RescueTimeResolution.infer(from: dates("2015-02-01T00:00:00", "2015-02-08T00:00:00")) == .week)
    #expect(RescueTimeResolution.infer(from: dates("2024-01-01T00:00:00", "2024-03-01T00:00:00")) == .month)
    #expect(RescueTimeResolution.infer(from: dates("2024-01-01T00:00:00")) == nil)
    #expect(RescueTimeResolution.week.bucket(of: Timestamp.parse("2015-02-04T13:00:00")!.local) == Timestamp.parse("2015-02-01T00:00:00")!.local)
    #expect(RescueTimeResolution.month.end(ofBucket: Timestamp.parse("2024-12-01T00:00:00")!.local) == Timestamp.parse("2025-01-01T00:00:00")!.local)
  }

  @Test func rowsWithoutTheirRangeAreRejectedWithTheFix() throws {
    let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
    var messages: [String] = []
    diagnostics.messageHandler = { messages.append($0) }
    let reader = try RescueTimeReader.make(input: reader("Rank,Time Spent (seconds),Number of People,Category\n1,60,1,News\n"),
                                           diagnostics: diagnostics, options: RescueTimeReadOptions())
    #expect(try reader.next() == nil)
    #expect(diagnostics.rejectCount == 1)
    #expect(messages.contains { $0.contains("test:2:1") && $0.contains("--since and --until") })
  }

  @Test func sharedSamplesReadAndWriteBackTheSameRows() throws {
    let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/samples")
    let names = ["rt-picrazy2-api-interval-5min-activity.csv", "rt-leesharma-api-interval-minute-overview.csv", "rt-bionic-activity-history.csv"]
    guard FileManager.default.fileExists(atPath: samples.appendingPathComponent(names[0]).path) else {
      print("skipped: ../shared/samples has no RescueTime samples")
      return
    }
    for name in names {
      let bytes = Array(try Data(contentsOf: samples.appendingPathComponent(name)))
      let events = try Self.readBytes(bytes, settings: name.contains("overview") ? ["kind": "overview"] : [:], name: name)
      var options = RescueTimeWriter.Options()
      options.variant = name.contains("history") ? .accountExport : .apiCSV
      let written = try Self.write(events, options)
      // The same rows; the samples differ only in line ends and the last newline.
      let expected = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
      #expect(String(decoding: written, as: UTF8.self).trimmingCharacters(in: .newlines) == expected.trimmingCharacters(in: .newlines), "\(name)")
    }
    #expect(try Self.readBytes(Array(try Data(contentsOf: samples.appendingPathComponent(names[1]))), settings: ["kind": "overview"]).count == 62)
  }

  @Test func rejectedJSONRowsKeepTheirJSON() throws {
    let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
    diagnostics.messageHandler = { _ in }
    var rejected: [String] = []
    diagnostics.onReject = { _, raw in rejected.append(raw.map { String(decoding: $0, as: UTF8.self) } ?? "") }
    let text = """
      {"row_headers":["Date","Time Spent (seconds)","Number of People","Category"],
       "rows":[["2024-01-01T00:00:00","lots",1,"News"],{"not":"a row"},["2024-01-01T00:00:00",60,1,"News"]]}
      """
    let reader = try RescueTimeReader.make(input: reader(text), diagnostics: diagnostics, options: RescueTimeReadOptions())
    var events = 0
    while try reader.next() != nil { events += 1 }
    #expect(events == 1)
    #expect(rejected.sorted() == ["[\"2024-01-01T00:00:00\",\"lots\",1,\"News\"]", "{\"not\":\"a row\"}"])
  }

  @Test func sitesAreToldFromApps() {
    #expect(WebDomain.looksLikeDomain("docs.google.com"))
    #expect(WebDomain.looksLikeDomain("kongregate.com"))
    #expect(!WebDomain.looksLikeDomain("Finder"))
    #expect(!WebDomain.looksLikeDomain("reportable_spec.rb - rescuetime"))
    #expect(!WebDomain.looksLikeDomain("1.5"))
  }

  /// The test says what the rule says, label by label, on random names made of the
  /// characters that matter (letters, digits, '-', '.', and ones next to the letters' and
  /// digits' ranges or not ASCII), short ones (by masks) and long ones (a byte at a time).
  @Test func theDomainTestAgreesWithItsRuleOnRandomNames() {
    func rule(_ name: String) -> Bool {
      let labels = name.split(separator: ".", omittingEmptySubsequences: false)
      let isLetter = { (c: Character) in c.isASCII && c.isLetter }
      guard labels.count >= 2, name.utf8.count <= 253 else { return false }
      for label in labels {
        guard !label.isEmpty, label.first != "-", label.last != "-",
          label.allSatisfy({ isLetter($0) || ($0.isASCII && $0.isNumber) || $0 == "-" }) else { return false }
      }
      return labels.last!.count >= 2 && labels.last!.allSatisfy(isLetter)
    }
    var random = SystemRandomNumberGenerator()
    let alphabet = Array("aZz9-._@[`{/:é")
    for round in 0..<40_000 {
      let length = Int.random(in: 0...(round % 4 == 0 ? 24 : 7), using: &random)
      let name = String((0..<length).map { _ in
        Int.random(in: 0..<3, using: &random) == 0 ? alphabet.randomElement(using: &random)! : Array("aZ.")[Int.random(in: 0..<3, using: &random)]
      })
      #expect(WebDomain.looksLikeDomain(name) == rule(name), "\(name)")
    }
  }
}
