@testable import Eidolon
import Foundation
import Testing

/// A ManicTime CSV read the three ways of `compareReadingWays`: every row through an Event
/// (the reference), and views and Events from the row scanner.
@discardableResult
private func compareScanning(_ bytes: [UInt8], zone: String = "Europe/Berlin", timeline: ManicTimeCSVReader.Timeline? = nil,
                             order: ManicTimeDateTime.DateOrder? = nil, chunk: Int = .max,
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> (events: Int, scanned: Int) {
  try compareReadingWays({ diagnostics, fast in
    var options = ManicTimeCSVReader.Options(zone: ZoneConverter(identifier: zone)!)
    options.timeline = timeline
    options.dateOrder = order
    options.scansRows = fast
    let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "mt.csv", capacity: chunk == .max ? 1 << 16 : 64)
    return ManicTimeCSVReader(input: input, diagnostics: diagnostics, options: options)
  }, taken: \.scannedRows, sourceLocation: sourceLocation)
}

private let header = "Name,Start,End,Duration,Process\n"

@Suite struct ManicTimeScannerTests {
  static let corpus = CorpusTests.corpus.appendingPathComponent("manictime")

  /// bench/run's ManicTime CSV (bench/gen), small, with its zone.
  @Test func benchDataReadsTheSameEitherWay() throws {
    let result = try compareScanning(try benchData(["manictime.py", "--format", "csv"]))
    #expect(result.events > 1000 && result.scanned > result.events / 2)
  }

  @Test(arguments: ["applications.csv", "computer-usage.csv", "documents.csv", "fall-back.csv", "gui-ambiguous-dmy.csv",
                    "gui-ambiguous.csv", "gui-day-first.csv", "gui-en-us.csv", "gui-german.csv", "not-manictime.csv",
                    "tags-note.csv", "tags.csv"])
  func corpusFilesReadTheSameEitherWay(_ name: String) throws {
    let bytes = try #require(readFile(Self.corpus.appendingPathComponent(name).path))
    for zone in ["Europe/Berlin", "America/New_York", "Europe/London"] {
      for order in [nil, ManicTimeDateTime.DateOrder.mdy, .dmy] {
        let result = try compareScanning(bytes, zone: zone, order: order)
        if ["applications.csv", "documents.csv"].contains(name) || (name == "gui-german.csv" && zone == "Europe/Berlin") {
          #expect(result.scanned > 0, "the scanner took none of \(name)")
        }
      }
    }
    try compareScanning(bytes, timeline: .documents, chunk: 5)
  }

  @Test func rowsOfTheUsualShapesAreScanned() throws {
    let rows = """
      Inbox - Outlook,2024-03-04T09:00:00.0000000,2024-03-04T09:00:10.7510000,0:00:11,Outlook
      "a, ""b"" - Word",2024-03-04T09:00:10.7510000,2024-03-04T09:30:00.1000000,0:29:49,Word
      日本語 - Notepad++,2024-03-04 09:30:00,2024-03-04 10:00:00,0:30:00,
      Long,2024-03-04T10:00:00,2024-03-05T12:00:00.5,26:00:00,Excel
      Zero,2024-03-05T12:00:00,2024-03-05T12:00:00,0:00:00,Excel
      No duration,2024-03-05T12:00:00,2024-03-05T12:00:01,,Excel

      """
    let result = try compareScanning(Array((header + rows).utf8))
    #expect(result.events == 6 && result.scanned == 5)  // the first row settles the date order the general way
    // Documents: web pages by "://", the domain in attrs, other columns too.
    let documents = """
      Name,Start,End,Duration,Domain,Computer
      https://example.org/a?b=c,2024-03-04T09:00:00,2024-03-04T09:05:00,0:05:00,example.org,laptop
      https://example.org/a?b=c,2024-03-04T09:05:00,2024-03-04T09:06:00,0:01:00,example.org,laptop
      Report.docx,2024-03-04T09:06:00,2024-03-04T09:10:00,0:04:00,,
      ftp://x,2024-03-04T09:10:00,2024-03-04T09:11:00,0:01:00, ,"desk, left"

      """
    #expect(try compareScanning(Array(documents.utf8), zone: "America/New_York").scanned == 3)
  }

  /// What the scanner leaves to the general way: the result must still be the same.
  @Test func unusualRowsGoTheGeneralWayWithTheSameResult() throws {
    let rows = [
      "A,2024-03-31T02:30:00,2024-03-31T03:30:00,1:00:00,P",  // in Berlin's gap
      "A,2024-10-27T02:30:00,2024-10-27T02:45:00,0:15:00,P",  // in Berlin's repeated hour
      "A,2024-03-04T09:00:00,2024-03-04T08:00:00,,P",  // ends before it starts
      "A,2024-03-04T09:00:00,2024-03-04T10:00:00,3:00:00,P",  // Duration disagrees
      "A,2024-03-04T09:00:00,2024-03-04T10:00:00,1:00:00.5,P",
      "A,2024-03-04T09:00:00,2024-03-04T10:00:00,0.01:00:00,P",
      "A,2024-03-04T09:00:00,2024-03-04T10:00:00,1:0:00,P",
      "A,2024-03-04T09:00:00,2024-03-04T10:00:00,x,P",
      "A,2024-03-04T09:00:00,,1:00:00,P",  // no End
      " ,2024-03-04T09:00:00,2024-03-04T10:00:00,1:00:00,P",  // a blank Name
      "A,2024-02-30T09:00:00,2024-02-30T10:00:00,1:00:00,P",
      "A,2024-03-04T09:00:00.,2024-03-04T10:00:00,1:00:00,P",
      "A,2024-03-04T09:00:00.1234567891,2024-03-04T10:00:00,1:00:00,P",
      "A, 2024-03-04T09:00:00,2024-03-04T10:00:00 ,1:00:00,P",
      "A,3/4/2024 9:00:00 AM,3/4/2024 10:00:00 AM,1:00:00,P",
      "A,9999-12-31T23:00:00,9999-12-31T23:59:00,0:59:00,P",
      "A,2024-03-04T09:00:00,2024-03-04T10:00:00",  // cut short
    ]
    for row in rows {
      for zone in ["Europe/Berlin", "UTC"] {
        let bytes = Array((header + "First,2024-03-04T08:00:00,2024-03-04T08:30:00,0:30:00,P\n" + row
                           + "\nAfter,2024-03-04T11:00:00,2024-03-04T12:00:00,1:00:00,P\n").utf8)
        let result = try compareScanning(bytes, zone: zone)
        #expect(result.scanned >= 1, "\(row): the plain row after it is the scanner's")
      }
    }
    // A web page whose "://" is followed by a combining mark: the general way's search by
    // Characters decides it.
    let marked = "Name,Start,End,Duration,Domain\nx://\u{301}y,2024-03-04T09:00:00,2024-03-04T09:05:00,0:05:00,d\n"
    try compareScanning(Array(marked.utf8), timeline: .documents)
    // Other columns the reader's own attrs use, or two of one name: the scanner stays out.
    for clash in ["Name,Start,End,Duration,Process,listed_duration\n", "Name,Start,End,Duration,Domain,Note,Note\n"] {
      let bytes = Array((clash + "A,2024-03-04T09:00:00,2024-03-04T10:00:00,1:00:00,P,x,y\n" + "B,2024-03-04T10:00:00,2024-03-04T11:00:00,1:00:00,P,x,y\n").utf8)
      #expect(try compareScanning(bytes).scanned == 0)
    }
  }

  @Test func randomRowsReadTheSameEitherWay() throws {
    var random = SplitMix(state: 5)
    let names = ["Inbox - Outlook", "a, b - Word", "\"q\" - x", "日本語", "https://x.org/p", " padded ", "line\nbreak", "ftp://f"]
    let groups = ["Outlook", "", " ", "Word", "x.org", "Café"]
    var rows: [String] = []
    var second = 0
    for _ in 0..<400 {
      func quoted(_ text: String) -> String {
        text.contains(",") || text.contains("\n") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
      }
      let length = random.below(7200)
      func time(_ s: Int, _ millis: Int) -> String {
        String(format: "2024-03-%02dT%02d:%02d:%02d", 1 + s / 86_400 % 28, s / 3600 % 24, s / 60 % 60, s % 60) + (millis > 0 ? String(format: ".%03d0000", millis) : "")
      }
      let millis = random.below(1000)
      let duration = [String(format: "%d:%02d:%02d", length / 3600, length / 60 % 60, length % 60), "", "0:00:0x"][random.below(3)]
      rows.append([quoted(names[random.below(names.count)]), time(second, 0), time(second + length, millis), duration,
                   quoted(groups[random.below(groups.count)])].joined(separator: ","))
      second += length + random.below(60)
    }
    let body = rows.joined(separator: "\n") + "\n"
    for zone in ["Europe/Berlin", "America/New_York"] {
      let result = try compareScanning(Array((header + body).utf8), zone: zone)
      #expect(result.events > 200 && result.scanned > 150, "\(result)")
      try compareScanning(Array(("Name,Start,End,Duration,Domain\n" + body).utf8), zone: zone)
    }
    try compareScanning(Array((header + body).utf8), zone: "Asia/Kolkata", chunk: 11)
  }

  @Test func usualTimesReadAsTheGeneralParserReadsThem() {
    for text in ["2024-03-04T09:00:05.1234567", "2024-03-04 09:00:05", "2024-03-04T09:00:05.1", "2024-03-04T09:00:05.123456789",
                 "0001-01-01T00:00:00", "2024-02-29T23:59:59.9999999"] {
      let usual = Array(text.utf8).withUnsafeBytes { ManicTimeDateTime.usual($0) }
      #expect(usual != nil && usual == ManicTimeDateTime.parse(text, order: nil)?.local, "\(text)")
    }
    for text in ["2024-03-04T09:00:05.", "2024-02-30T09:00:00", "2024-03-04T24:00:00", "2024-3-04T09:00:00", "2024-03-04X09:00:00",
                 "0000-01-01T00:00:00", "2024-03-04T09:00:05.1234567891", "2024-03-04T09:0a:05"] {
      #expect(Array(text.utf8).withUnsafeBytes { ManicTimeDateTime.usual($0) } == nil, "\(text)")
    }
  }

  @Test func secondsFromMillisecondsAreWrittenAsTheDoubleIs() {
    var random = SplitMix(state: 9)
    let edges: [Int64] = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1010, 1100, 10_751, 86_400_000, 316_224_000_000, 999_999_999_999,
                          1_000_000_000_000, 123_456_789_012_345, -1, -1500]
    let randoms = (0..<20_000).map { k in Int64(random.below(k % 2 == 0 ? 100_000 : 1_000_000_000_000)) }
    for millis in edges + randoms {
      let fast = ByteBuffer(), slow = ByteBuffer()
      fast.appendJSONSeconds(millis: millis)
      slow.append(ManicTimeScannerTests.shortestDigits(Double(millis) / 1000))
      #expect(fast.array == slow.array, "\(millis)")
      let number = ByteBuffer()
      number.appendJSONNumber(Double(millis) / 1000)
      #expect(number.array == slow.array, "\(millis)")
    }
    // Not whole milliseconds: the shortest digits that read back to the same Double.
    for value in [0.0001, 0.0005, 1e-5, 1.0005, 123.4567, 1e12 + 0.5, 1e15 + 0.5, 0.1 + 0.2, -0.5, -1.25, 999_999_999.9995] {
      let number = ByteBuffer()
      number.appendJSONNumber(value)
      #expect(number.array == Array(ManicTimeScannerTests.shortestDigits(value).utf8), "\(value)")
    }
  }

  /// What JSON numbers were written as before any shortcut: whole numbers without ".0",
  /// the others as Swift describes the Double.
  static func shortestDigits(_ value: Double) -> String {
    value == value.rounded(.towardZero) && value.magnitude < 1e15 ? String(Int64(value)) : value.description
  }
}
