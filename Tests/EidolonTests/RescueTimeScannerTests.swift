@testable import Eidolon
import Foundation
import Testing

/// A RescueTime API CSV read the three ways of `compareReadingWays`: every row through an
/// Event (the reference), and views and Events from the row scanner.
@discardableResult
private func compareScanning(_ bytes: [UInt8], zone: String? = nil, resolution: RescueTimeResolution? = nil, layout: Bool = false,
                             chunk: Int = .max, sourceLocation: SourceLocation = #_sourceLocation) throws -> (events: Int, scanned: Int) {
  try compareReadingWays({ diagnostics, fast in
    var options = RescueTimeReadOptions()
    options.zoneIdentifier = zone
    options.resolution = resolution
    options.layout = layout
    options.scansRows = fast
    let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "rt.csv", capacity: chunk == .max ? 1 << 16 : 64)
    return RescueTimeAPIReader(source: RescueTimeCSVRows(input: input), diagnostics: diagnostics, options: options)
  }, taken: \.scannedRows, sourceLocation: sourceLocation)
}

/// The same for an API JSON response.
@discardableResult
private func compareScanningJSON(_ text: String, zone: String? = nil, resolution: RescueTimeResolution? = .minute, chunk: Int = .max,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> (events: Int, scanned: Int) {
  try compareReadingWays({ diagnostics, fast in
    var options = RescueTimeReadOptions()
    options.zoneIdentifier = zone
    options.resolution = resolution
    options.scansRows = fast
    let input = ByteReader(source: MemorySource(Array(text.utf8), chunkLimit: chunk), name: "rt.json", capacity: chunk == .max ? 1 << 16 : 64)
    return RescueTimeAPIReader(source: RescueTimeJSONRows(input: input), diagnostics: diagnostics, options: options)
  }, taken: \.scannedRows, sourceLocation: sourceLocation)
}

private let header = "Date,Time Spent (seconds),Number of People,Activity,Category,Productivity\n"
private let jsonHead = #"{"notes":"n","row_headers":["Date","Time Spent (seconds)","Number of People","Activity","Category","Productivity"],"rows":["#

@Suite struct RescueTimeScannerTests {
  static let corpus = CorpusTests.corpus.appendingPathComponent("rescuetime")

  /// bench/run's RescueTime API responses (bench/gen), small, with its zone and resolution.
  @Test func benchDataReadsTheSameEitherWay() throws {
    let csv = try compareScanning(try benchData(["rescuetime_api.py", "--format", "csv"]), zone: "America/New_York", resolution: .minute)
    #expect(csv.events > 1000 && csv.scanned > csv.events / 2)
    let json = try benchData(["rescuetime_api.py", "--format", "json"])
    let fromJSON = try compareScanningJSON(String(decoding: json, as: UTF8.self), zone: "America/New_York")
    #expect(fromJSON.events > 1000 && fromJSON.scanned > fromJSON.events / 2)
  }

  @Test(arguments: ["api-activity-csv.csv", "api-category-csv.csv", "api-document-csv.csv", "api-efficiency-csv.csv",
                    "api-overview-csv.csv", "api-productivity-csv.csv", "bad-rows.csv", "layout.csv", "rank.csv",
                    "repeated-rows.csv", "not-rescuetime.csv"])
  func corpusFilesReadTheSameEitherWay(_ name: String) throws {
    let bytes = try #require(readFile(Self.corpus.appendingPathComponent(name).path))
    for zone in [nil, "Europe/Berlin", "America/New_York"] {
      for resolution in [nil, RescueTimeResolution.minute, .hour] {
        let result = try compareScanning(bytes, zone: zone, resolution: resolution)
        // Without a resolution the first rows are read ahead, the general way, to infer it.
        if name.hasPrefix("api-"), resolution != nil { #expect(result.scanned > 0, "the scanner took none of \(name)") }
      }
    }
    try compareScanning(bytes, zone: "Europe/Berlin", resolution: .hour, layout: true)
    try compareScanning(bytes, zone: "Europe/Berlin", chunk: 5)
  }

  @Test func sharedSamplesReadTheSameEitherWay() throws {
    let folder = CorpusTests.corpus.deletingLastPathComponent().appendingPathComponent("../shared/samples").standardized
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasPrefix("rt-") && $0.contains("-api-") && $0.hasSuffix(".csv") } ?? []
    guard !names.isEmpty else {
      print("skipped: no RescueTime API CSV files in \(folder.path)")
      return
    }
    for name in names {
      let bytes = try #require(readFile(folder.appendingPathComponent(name).path))
      try compareScanning(bytes, zone: "America/New_York")
      let result = try compareScanning(bytes, zone: "America/New_York", resolution: .minute)
      #expect(result.scanned > 0, "the scanner took none of \(name)")
    }
  }

  @Test func rowsOfTheUsualShapesAreScanned() throws {
    let rows = """
      2024-03-04T09:00:00,25,1,Figma,Design & Composition,2
      2024-03-04T09:00:00,32,1,zoom.us,Meetings,1
      2024-03-04T09:00:00,32,1,zoom.us,Meetings,1
      2024-03-04T09:00:00,0,1,"Say ""hi""\nthere",Uncategorized,0
      2024-03-04T09:05:00,300,2,µTorrent,"File Sharing, Downloads",-1
      2024-03-04T09:05:00,7,1,docs.google.com,,-2
      2024-03-04T09:10:00,12,0,,Writing,0

      """
    let result = try compareScanning(Array((header + rows).utf8), resolution: .minute)
    #expect(result.events == 7 && result.scanned == 7)
    // Without --resolution the rows read ahead to infer it go the general way.
    #expect(try compareScanning(Array((header + rows).utf8)).scanned == 0)
    let zoned = try compareScanning(Array((header + rows).utf8), zone: "Europe/Berlin", resolution: .minute)
    #expect(zoned.events == 7 && zoned.scanned == 7)
    // Documents ("No Details" is no title), efficiency, other columns.
    let document = """
      Date,Time Spent (seconds),Number of People,Activity,Document,Category,Productivity,Device
      2024-03-04T09:00:00,25,1,Code,main.swift,Editing & IDEs,2,laptop
      2024-03-04T09:00:00,25,1,Code,No Details,Editing & IDEs,2,"desk, left"

      """
    #expect(try compareScanning(Array(document.utf8), zone: "America/New_York", resolution: .hour).scanned == 2)
    let efficiency = "Date,Time Spent (seconds),Number of People,Efficiency (-2:2),Efficiency (percent)\n2024-03-04T09:00:00,3600,1,1.25,81.3\n2024-03-04T10:00:00,60,1,-2,0\n"
    #expect(try compareScanning(Array(efficiency.utf8), zone: "America/New_York", resolution: .hour).scanned == 2)
  }

  /// What the scanner leaves to the general way: the result must still be the same.
  @Test func unusualRowsGoTheGeneralWayWithTheSameResult() throws {
    let rows = [
      "2024-03-31T02:05:00,25,1,Figma,Design,2",  // in Berlin's gap
      "2024-10-27T02:05:00,25,1,Figma,Design,2",  // in Berlin's repeated hour
      " 2024-03-04T09:00:00,25,1,Figma,Design,2",
      "2024-03-04 09:00:00,25,1,Figma,Design,2",
      "2024-03-04T09:00:00+05:30,25,1,Figma,Design,2",
      "2024-03-04T09:00,25,1,Figma,Design,2",
      "2024-02-30T09:00:00,25,1,Figma,Design,2",
      "2024-03-04T09:00:00,25.5,1,Figma,Design,2",
      "2024-03-04T09:00:00,-5,1,Figma,Design,2",
      "2024-03-04T09:00:00,,1,Figma,Design,2",
      "2024-03-04T09:00:00,99999999999,1,Figma,Design,2",
      "2024-03-04T09:00:00,0x10,1,Figma,Design,2",
      "2024-03-04T09:00:00,25,01,Figma,Design,2",
      "2024-03-04T09:00:00,25,+1,Figma,Design,2",
      "2024-03-04T09:00:00,25,1.5,Figma,Design,2",
      "2024-03-04T09:00:00,25,,Figma,Design,2",
      "2024-03-04T09:00:00,25,1,Figma,Design,02",
      "2024-03-04T09:00:00,25,1,Figma,Design,3",
      "2024-03-04T09:00:00,25,1,Figma,Design, 1",
      "2024-03-04T09:00:00,25,1,Figma,Design,",
      "9999-12-31T23:55:00,600,1,Figma,Design,2",
      "2024-03-04T09:00:00,25,1",  // cut short
    ]
    for row in rows {
      for zone in [nil, "Europe/Berlin"] {
        let bytes = Array((header + row + "\n2024-03-04T09:00:00,25,1,Figma,Design,2\n").utf8)
        try compareScanning(bytes, zone: zone)
        let result = try compareScanning(bytes, zone: zone, resolution: .minute)
        #expect(result.scanned >= 1, "\(row): the plain row after it is the scanner's")
      }
    }
    // Columns whose names the reader's own attrs use, or two of one name: the scanner stays out.
    for clash in ["Date,Time Spent (seconds),report\n2024-03-04T09:00:00,5,x\n", "Date,Time Spent (seconds),Note,Note\n2024-03-04T09:00:00,5,a,b\n"] {
      #expect(try compareScanning(Array(clash.utf8), resolution: .minute).scanned == 0)
    }
    // --layout and reports without dates: the scanner stays out.
    let plain = Array((header + "2024-03-04T09:00:00,25,1,Figma,Design,2\n").utf8)
    #expect(try compareScanning(plain, resolution: .minute, layout: true).scanned == 0)
  }

  @Test func randomRowsReadTheSameEitherWay() throws {
    var random = SplitMix(state: 7)
    let texts = ["", "Figma", "github.com", "docs.google.com", "node.js", "-x.com", "Café, au lait", "\"quoted \"\"x\"\"\"", " padded ",
                 "日本語", "line\nbreak", "No Details"]
    let numbers = ["0", "1", "25", "300", "007", "1.5", "", "-1", "1e3", "x"]
    let productivity = ["-2", "-1", "0", "1", "2", "3", "", " 2", "+1"]
    var rows: [String] = []
    var minute = 0
    for _ in 0..<400 {
      func pick(_ list: [String]) -> String {
        let text = list[random.below(list.count)]
        return text.contains(",") || text.contains("\n") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
      }
      if random.below(3) == 0 { minute += 5 * (1 + random.below(40)) }
      let date = String(format: "2024-03-%02dT%02d:%02d:00", 1 + minute / 1440 % 28, minute / 60 % 24, minute % 60)
      rows.append([date, random.below(5) == 0 ? pick(numbers) : String(random.below(400)), random.below(8) == 0 ? pick(numbers) : "1",
                   pick(texts), pick(texts), pick(texts), pick(productivity)].joined(separator: ","))
    }
    let header = "Date,Time Spent (seconds),Number of People,Activity,Document,Category,Productivity\n"
    let bytes = Array((header + rows.joined(separator: "\n") + "\n").utf8)
    for zone in [nil, "Europe/Berlin", "America/New_York"] {
      let result = try compareScanning(bytes, zone: zone, resolution: .minute)
      #expect(result.events > 200 && result.scanned > 150)
    }
    try compareScanning(bytes, zone: "Asia/Kolkata", chunk: 11)
  }

  @Test(arguments: ["api-activity.json", "api-category.json", "api-document.json", "api-efficiency.json", "api-overview.json",
                    "api-productivity.json", "member.json", "rows-before-headers.json"])
  func corpusJSONFilesReadTheSameEitherWay(_ name: String) throws {
    let text = try String(contentsOf: Self.corpus.appendingPathComponent(name), encoding: .utf8)
    for zone in [nil, "Europe/Berlin", "America/New_York"] {
      for resolution in [nil, RescueTimeResolution.minute, .hour] {
        let result = try compareScanningJSON(text, zone: zone, resolution: resolution)
        if name.hasPrefix("api-"), resolution != nil { #expect(result.scanned > 0, "the scanner took none of \(name)") }
      }
    }
    try compareScanningJSON(text, zone: "Europe/Berlin", chunk: 5)
  }

  @Test func jsonRowsOfEveryShapeReadTheSameEitherWay() throws {
    let rows = [
      #"["2024-03-04T09:00:00", 25, 1, "Figma", "Design & Composition", 2]"#,
      #"[ "2024-03-04T09:00:00" ,25,1 , "zoom.us","Meetings",1 ]"#,
      "[\n\"2024-03-04T09:00:00\",\t30,\r\n1,\"日本語\",\"Café\",-1]",
      #"["2024-03-04T09:05:00", 5, 1, null, "Writing", 0]"#,
      #"["2024-03-04T09:05:00", 5, 1, true, false, 0]"#,
      #"["2024-03-04T09:05:00", "7", "1", "x", "y", "2"]"#,
      #"["2024-03-04T09:05:00", 5, 1, "Say \"hi\"", "Writing", 0]"#,  // an escape: the general way
      #"["2024-03-04T09:05:00", 5, 1, "a\u00e9", "Writing", 0]"#,
      #"["2024-03-04T09:05:00", 5.5, 1, "x", "Writing", 0]"#,
      #"["2024-03-04T09:05:00", 1e2, 1, "x", "Writing", 0]"#,
      #"["2024-03-04T09:05:00", -0, 1, "x", "Writing", 0]"#,
      #"["2024-03-04T09:05:00", 5, 01, "x", "Writing", 0]"#,  // not JSON: the general way stops the read
      #"["2024-03-04T09:05:00", 5, 1, ["x"], "Writing", 0]"#,
      #"["2024-03-04T09:05:00", 5, 1, {"a": 1}, "Writing", 0]"#,
      #"["2024-03-04T09:05:00", 5, 1, "x", "Writing"]"#,
      #"["2024-03-04T09:05:00", 5, 1, "x", "Writing", 0, "extra", null]"#,
      #"[]"#,
      #""not a row""#,
      #"[null, 5, 1, "x", "Writing", 0]"#,
      #"["2024-03-04T09:05:00", nul, 1, "x", "Writing", 0]"#,
      #"["2024-03-04T09:05:00", 5, 1, "x", "Writing", 0,]"#,
      #"["2024-03-04T09:05:00", 5 1, "x", "Writing", 0]"#,
      "[\"2024-03-04T09:05:00\", 5, 1, \"\u{1}\", \"Writing\", 0]",
      #"["2024-03-04T09:05:00", 5, 1, "x", "Writing", 0"#,  // cut short
    ]
    let plain = #"["2024-03-04T10:00:00", 25, 1, "Figma", "Design", 2]"#
    for row in rows {
      let text = jsonHead + plain + ",\n" + row + ",\n" + plain + "]}\n"
      for zone in [nil, "Europe/Berlin"] {
        let result = try compareScanningJSON(text, zone: zone)
        #expect(result.scanned >= 1 || result.events == 0, "\(row)")
      }
      try compareScanningJSON(text, chunk: 3)
    }
    // Rows whose "rows" come before their headers wait in a temporary file and go the general way.
    let late = #"{"rows":[["2024-03-04T09:00:00", 25, 1, "Figma", "Design", 2]],"row_headers":["Date","Time Spent (seconds)","Number of People","Activity","Category","Productivity"]}"#
    #expect(try compareScanningJSON(late).scanned == 0)
  }
}
