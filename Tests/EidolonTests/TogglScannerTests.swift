@testable import Eidolon
import Foundation
import Testing

/// A Toggl CSV read the three ways of `compareReadingWays`: every row through an Event
/// (the reference), and views and Events from the row scanner.
@discardableResult
private func compareScanning(_ bytes: [UInt8], zone: String? = nil, running: TogglCSVReader.Running = .error, chunk: Int = .max,
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> (events: Int, scanned: Int) {
  try compareReadingWays({ diagnostics, fast in
    var options = TogglCSVReader.Options()
    options.zone = zone.flatMap(ZoneConverter.init(identifier:))
    options.running = running
    options.now = 1_720_000_000_000
    options.scansRows = fast
    let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "toggl.csv", capacity: chunk == .max ? 1 << 16 : 64)
    return TogglCSVReader(input: input, diagnostics: diagnostics, options: options)
  }, taken: \.scannedRows, sourceLocation: sourceLocation)
}

private let header = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (EUR)\n"

@Suite struct TogglScannerTests {
  static let corpus = CorpusTests.corpus.appendingPathComponent("toggl")

  /// bench/run's Toggl CSV (bench/gen), small, with its zone.
  @Test func benchDataReadsTheSameEitherWay() throws {
    let result = try compareScanning(try benchData(["toggl_csv.py"]), zone: "Europe/Berlin")
    #expect(result.events > 1000 && result.scanned > result.events / 2)
  }

  @Test(arguments: ["admin-export.csv", "bad-rows.csv", "classic.csv", "column-names.csv", "new-reports.csv", "not-toggl.csv"])
  func corpusFilesReadTheSameEitherWay(_ name: String) throws {
    let bytes = try #require(readFile(Self.corpus.appendingPathComponent(name).path))
    for zone in [nil, "Europe/Berlin", "America/New_York"] {
      for running in TogglCSVReader.Running.allCases {
        let result = try compareScanning(bytes, zone: zone, running: running)
        if name == "classic.csv" || name == "new-reports.csv" { #expect(result.scanned > 0, "the scanner took none of \(name)") }
      }
    }
    try compareScanning(bytes, zone: "Europe/Berlin", chunk: 5)
  }

  @Test func sharedSamplesReadTheSameEitherWay() throws {
    let folder = CorpusTests.corpus.deletingLastPathComponent().appendingPathComponent("../shared/samples").standardized
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasPrefix("toggl-") && $0.hasSuffix(".csv") } ?? []
    guard !names.isEmpty else {
      print("skipped: no Toggl CSV files in \(folder.path)")
      return
    }
    for name in names {
      let bytes = try #require(readFile(folder.appendingPathComponent(name).path))
      let result = try compareScanning(bytes, zone: "Europe/Berlin")
      #expect(result.scanned > 0, "the scanner took none of \(name)")
    }
  }

  @Test func rowsOfTheUsualShapesAreScanned() throws {
    let rows = """
      Ann,a@x.org,"Acme, Inc.",P,T,"Say ""hi""\nthere",Yes,2024-03-04,09:00:00,2024-03-04,10:30:15,01:30:15,"deep work, client call",75.25
      Ann,,,,,,NO,2024-03-04,23:00:00,2024-03-05,01:00:00,02:00:00, a ,
      Bob,b@x.org,,P,,'=SUM(1),maybe,2024-03-04,09:00:00,,,1:02:03,",,x,, y ,",
      Bob,b@x.org,,P,,Tabs\tand café,TRUE,2024-03-04,09:00:00,2024-03-04,09:00:00,00:00:00,日本語,
      Bob,b@x.org,,P,,Minutes,false,2024-03-04,09:00:00,,,47:06 min,-,-

      """
    let result = try compareScanning(Array((header + rows).utf8))
    #expect(result.events == 5 && result.scanned == 5)
    let zoned = try compareScanning(Array((header + rows).utf8), zone: "Europe/Berlin")
    #expect(zoned.events == 5 && zoned.scanned == 5)
    // An id column, other columns, a currency column.
    let other = """
      Id,Member,Email,Project,Description,Billable,Start date,Start time,Stop date,Stop time,Duration,Tags,Amount,Currency,Weekday,Note
      42,Bob,b@x.org,R,Reading,false,2024-07-01,09:00:00,2024-07-01,09:47:06,47:06 min,-,12,USD,Monday,"a ""note"" b"
      43,Bob,b@x.org,R,Reading,false,2024-07-01,10:00:00,2024-07-01,10:00:05,0:05 min,-,-,-,Monday,-

      """
    #expect(try compareScanning(Array(other.utf8), zone: "America/New_York").scanned == 2)
  }

  /// What the scanner leaves to the general way: the result must still be the same.
  @Test func unusualRowsGoTheGeneralWayWithTheSameResult() throws {
    let rows = [
      "Ann,,,,,,No,2024-03-31,02:30:00,2024-03-31,04:00:00,01:00:00,,",  // in Berlin's gap
      "Ann,,,,,,No,2024-10-27,02:30:00,2024-10-27,02:45:00,00:15:00,,",  // in Berlin's repeated hour
      "Ann,,,,,,No,2024-03-04,09:00,2024-03-04,10:00,01:00:00,,",  // HH:MM
      "Ann,,,,,,No,2024-03-04,09:00:00,2024-03-04,10:00:00,03:00:00,,",  // Duration disagrees
      "Ann,,,,,,No,2024-03-04,09:00:00,2024-03-04,08:00:00,,,",  // ends before it starts
      "Ann,,,,,,No,2024-03-04,09:00:00,,,,,",  // running
      "Ann,,,,,,No,2024-03-04,09:00:00,,,0.79 h,,",
      "Ann,,,,,,No,2024-03-04,09:00:00,,,45 sec,,",
      "Ann,,,,,,No,2024-03-04,09:00:00,,,99999999:00:00,,",  // too long
      "Ann,,,,,,No,2024-02-30,09:00:00,2024-02-30,10:00:00,,,",
      "Ann,,,,,,Ｙes,2024-03-04,09:00:00,2024-03-04,10:00:00,,,",
      "Ann,,,,,,No,2024-03-04,09:00:00,2024-03-04,10:00:00,,\"a,\u{301}b\",",
      "Ann,,,,,,No,2024-03-04,09:00:00,2024-03-04,10:00:00,,\" \u{301}b\",",
      "Ann,,,,,,No,9999-12-31,23:30:00,,,01:00:00,,",
      "Ann,,,,,,No,2024-03-04,09:00:00",  // cut short
    ]
    for row in rows {
      for zone in [nil, "Europe/Berlin"] {
        for running in TogglCSVReader.Running.allCases {
          let result = try compareScanning(Array((header + row + "\nAnn,,,,,,No,2024-03-04,09:00:00,2024-03-04,10:00:00,,,\n").utf8),
                                           zone: zone, running: running)
          #expect(result.scanned >= 1, "\(row): the plain row after it is the scanner's")
        }
      }
    }
    // Columns named as the reader's own attrs keys, or as each other, get keys of their
    // own (column:email, column:Note): both ways, and nothing stored over anything.
    let clash = "Start date,Start time,Duration,email,email,Note,Note,end\n2024-03-04,09:00:00,01:00:00,x,y,1,2,z\n"
    #expect(try compareScanning(Array(clash.utf8)).scanned == 1)
    let read = TogglCSVReader(input: ByteReader(source: MemorySource(Array(clash.utf8)), name: "clash.csv"), diagnostics: Diagnostics(toolName: "test"),
                              options: TogglCSVReader.Options())
    let attrs = try #require(try read.next()).attrs
    #expect(attrs["email"]?.stringValue == "x" && attrs["column:email"]?.stringValue == "y")
    #expect(attrs["Note"]?.stringValue == "1" && attrs["column:Note"]?.stringValue == "2" && attrs["column:end"]?.stringValue == "z")
  }

  @Test func randomRowsReadTheSameEitherWay() throws {
    var random = SplitMix(state: 21)
    let texts = ["", "-", "plain", "Café, au lait", "\"quoted \"\"x\"\"\"", "'=1+1", "'-x", "'a", " padded ", "日本語", "line\nbreak"]
    // (Up to 32 bytes read by masks, in one load or two, longer a byte at a time; a mark
    // after a comma, space or tab the general way's alone.)
    let tags = ["", "-", "a", "a, b", " a ,, b ", "x,y,z", "\"deep work, call\"", "日本語, x", "\tx\t,y ", ",", " , ", "é, b",
                "a,\u{301}b", "a \u{301}b", "0123456789abcdef", "0123456789abcde,", "ops, review, deep work, x", "a b,  c\t",
                "0123456789abcdef0", "0123456789abcde, x", " tag one , tag two ,tag three   ", "0123456789abcdef0123456789abcde,",
                "deep work,\t0123456789abcdef\t", "ops, review, é, deep work, x, yet another", "0123456789abcdé, x", "review, \u{301}sixteen+"]
    let billable = ["", "Yes", "no", "TRUE", "0", "maybe", "-"]
    var rows: [String] = []
    for _ in 0..<300 {
      func pick(_ list: [String]) -> String {
        let text = list[random.below(list.count)]
        return text.contains(",") || text.contains("\n") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
      }
      let day = 1 + random.below(28)
      let hour = random.below(24), minutes = random.below(60)
      let length = random.below(5 * 3600)
      let startSeconds = hour * 3600 + minutes * 60
      let endSeconds = startSeconds + length
      let endDay = day + endSeconds / 86_400
      let end = String(format: "2024-03-%02d,%02d:%02d:%02d", endDay, endSeconds / 3600 % 24, endSeconds / 60 % 60, endSeconds % 60)
      let duration = [String(format: "%02d:%02d:%02d", length / 3600, length / 60 % 60, length % 60), "", "\(length / 60):\(String(format: "%02d", length % 60)) min"][random.below(3)]
      let endCells = random.below(4) == 0 ? "," : end
      rows.append([pick(texts), pick(texts), pick(texts), pick(texts), pick(texts), pick(texts), pick(billable),
                   String(format: "2024-03-%02d,%02d:%02d:00", day, hour, minutes), endCells, duration, pick(tags), pick(["", "12.50", "-"])]
        .joined(separator: ","))
    }
    let bytes = Array((header + rows.joined(separator: "\n") + "\n").utf8)
    for zone in [nil, "Europe/Berlin"] {
      let result = try compareScanning(bytes, zone: zone, running: .now)
      #expect(result.events > 250 && result.scanned > 200)
    }
    try compareScanning(bytes, zone: "Asia/Kolkata", running: .skip, chunk: 11)
  }

  /// A mark after a comma, space or tab in the tags joins it in one Character, which the
  /// general way's split does not cut: such rows are left to it (read the same, none scanned).
  @Test func tagsWithAMarkAfterACommaOrBlankAreLeftToTheGeneralWay() throws {
    for tags in ["a,\u{301}b", "a, \u{301}b", "x\t\u{301}", "a long list of tags, \u{301}over sixteen", "seventeen bytes,\u{301}",
                 "0123456789abcdef, \u{301}x"] {
      let row = "Ann,ann@example.com,,,,,No,2024-03-04,09:00:00,2024-03-04,10:00:00,01:00:00,\"\(tags)\",\n"
      let result = try compareScanning(Array((header + row).utf8))
      #expect(result.events == 1 && result.scanned == 0, "\(tags)")
    }
    #expect(try compareScanning(Array((header + "Ann,,,,,,No,2024-03-04,09:00:00,,,01:00:00,\" a ,\u{301}b\",\n").utf8)).scanned == 0)
    // (A byte past ASCII anywhere else is scanned.)
    #expect(try compareScanning(Array((header + "Ann,,,,,,No,2024-03-04,09:00:00,,,01:00:00,\"é, aé b\",\n").utf8)).scanned == 1)
  }

  @Test func durationClockReadsTheUsualForms() {
    let expected: [(String, Double?)] = [
      ("01:30:15", 5415), ("1:02:03", 3723), ("123:00:59", 442_859), ("00:00:00", 0), ("47:06 min", 2826), ("0:05 min", 5),
      ("12:34", nil), ("1:60:00", nil), ("ab:00:00", nil), ("1:2:3", nil), ("99999999999999:00:00", 359_999_999_999_996_400),
      ("999999999999999:00:00", nil), (" 47:06 min", nil), ("47:06  min", nil), (":00:00", nil), ("45 sec", nil),
    ]
    for (text, seconds) in expected {
      #expect(Array(text.utf8).withUnsafeBytes { TogglDuration.clock($0) } == seconds, "\(text)")
      // What the clock does not take, the general reading still may (14+ digit hours, " min" with spaces).
      if let seconds { #expect(TogglDuration.parse(text)?.seconds == seconds, "\(text)") }
    }
    #expect(TogglDuration.parse(" 47:06 min")?.seconds == 2826)
    #expect((TogglDuration.parse("999999999999999:00:00")?.seconds ?? 0) > 3.5e18)
  }

  /// Eight bytes, read at once in a word, against the rule a byte at a time: digits and
  /// colons and the bytes next to them, at every place.
  @Test func durationClockOfEightBytesFollowsTheRule() {
    func rule(_ b: [UInt8]) -> Double? {
      let digits = [0, 1, 3, 4, 6, 7].map { Int(b[$0]) - 0x30 }
      guard b[2] == 0x3A, b[5] == 0x3A, digits.allSatisfy({ (0...9).contains($0) }), digits[2] <= 5, digits[4] <= 5 else { return nil }
      return Double((digits[0] * 10 + digits[1]) * 3600 + (digits[2] * 10 + digits[3]) * 60 + digits[4] * 10 + digits[5])
    }
    var random = SplitMix(state: 31)
    let near: [UInt8] = Array("0123456789:;/ -".utf8) + [0x80, 0xB9, 0xBA, 0xFF, 0x00, 0x3F, 0x40]
    for round in 0..<50_000 {
      var bytes = Array("12:34:56".utf8)
      // Most rounds change a byte or two of a good clock; some are random throughout.
      for _ in 0..<(round % 10 == 0 ? 8 : 1 + random.below(2)) { bytes[random.below(8)] = near[random.below(near.count)] }
      #expect(bytes.withUnsafeBytes { TogglDuration.clock($0) } == rule(bytes), "\(bytes)")
    }
  }
}
