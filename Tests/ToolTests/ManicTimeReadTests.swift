import Foundation
import Testing

/// mt-read run as a user would on corpus/manictime.
@Suite struct ManicTimeReadTests {
  static let folder = ToolRunner.packageRoot.appendingPathComponent("corpus/manictime")

  @Test func withoutATimeZoneItRefusesToGuess() throws {
    let result = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("applications.csv").path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("--tz is required"))
    #expect(result.stdout.isEmpty)
  }

  @Test func everyGoodRowIsKeptWithItsSecondsAndEveryBadOneRejected() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let rejects = dir.appendingPathComponent("rejects.ndjson").path
    let result = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("applications.csv").path, "--tz", "Europe/Berlin",
                                                "--rejects", rejects])
    #expect(result.status == 1, "\(result.stderr)")
    let events = try result.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    // End minus Start of the 8 good rows, worked out by hand from the file (Berlin wall clock).
    let seconds = events.compactMap { $0["duration"] as? Double }.reduce(0, +)
    #expect(events.count == 8)
    let byHand: [Double] = [65, 1730, 7.5, 16200, 93784, 2400, 1800, 600]
    #expect(seconds == byHand.reduce(0, +))
    #expect(Set(events.compactMap { $0["stream"] as? String }) == ["ManicTime/Applications"])
    let rejected = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
    #expect(rejected.count == 4)
    #expect(rejected.allSatisfy { $0.contains("\"line\":") && $0.contains("\"raw\":") })
    #expect(result.stderr.contains("mt-read: 8 activities; 4 rejected, 3 warnings"), "\(result.stderr)")
  }

  @Test func theDateOrderIsSaidOrAskedFor() throws {
    let ambiguous = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("gui-ambiguous.csv").path, "--tz", "Europe/London"])
    #expect(ambiguous.status == 2)
    #expect(ambiguous.stderr.contains("--date-order"))
    let settled = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("gui-ambiguous.csv").path, "--tz", "Europe/London",
                                                 "--date-order", "dmy"])
    #expect(settled.status == 0, "\(settled.stderr)")
    #expect(settled.stdout.contains("\"start\":\"2019-03-04T11:33:52.000Z\""))
  }

  /// mt-read | mt-write | mt-read gives the same events, DST nights and all.
  @Test(arguments: [("applications", "applications", "Europe/Berlin"), ("documents", "documents", "Europe/Berlin"),
                    ("computer-usage", "computer-usage", "Europe/Berlin"), ("tags", "tags", "Europe/Berlin"),
                    ("gui-en-us", "applications", "America/New_York"), ("gui-german", "applications", "Europe/Berlin")])
  func readWriteReadGivesTheSameEvents(_ sample: String, _ timeline: String, _ zone: String) throws {
    let dir = try ToolRunner.temporaryDirectory()
    let first = dir.appendingPathComponent("first.ndjson").path
    let csv = dir.appendingPathComponent("written.csv").path
    let read = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("\(sample).csv").path, "--tz", zone, "-o", first])
    #expect(read.status <= 1, "\(read.stderr)")
    let written = try ToolRunner.run("mt-write", [first, "--tz", zone, "--timeline", timeline, "-o", csv])
    #expect(written.status == 0, "\(written.stderr)")
    let again = try ToolRunner.run("mt-read", [csv, "--tz", zone, "--timeline", timeline])
    #expect(again.status == 0, "\(again.stderr)")
    let events = try String(contentsOfFile: first, encoding: .utf8)
    #expect(!events.isEmpty)
    #expect(again.stdout == events)
  }

  @Test func otherTrackersWindowEventsBecomeAnApplicationsTimeline() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = ToolRunner.packageRoot.appendingPathComponent("corpus/migration/aw-export.json").path
    let script = "aw-read '\(input)' | mt-write --tz Europe/Berlin -o '\(dir.path)/apps.csv' && mt-read '\(dir.path)/apps.csv' --tz Europe/Berlin"
    let result = try ToolRunner.shell(script)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("mt-write: 7 activities written; left out, not of the applications timeline's kinds: 3 afk, 2 web"))
    let events = try result.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(events.count == 7)
    #expect(events.compactMap { $0["duration"] as? Double }.reduce(0, +) == 7200)
    #expect(events.contains { $0["app"] as? String == "Slack" && $0["title"] as? String == "#team | Acme, \"Inc.\"" })
  }

  /// A 100 MB text node is refused by libxml2's limit, cleanly, and memory stays small.
  @Test func aHugeTextNodeIsRefused() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let path = dir.appendingPathComponent("huge.xml").path
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try file.write(contentsOf: Data("<Timeline><DisplayName>".utf8))
    let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
    for _ in 0..<100 { try file.write(contentsOf: chunk) }
    try file.write(contentsOf: Data("</DisplayName></Timeline>".utf8))
    try file.close()
    let result = try ToolRunner.shell("/usr/bin/time -f 'peak %M KB' mt-read '\(path)' > /dev/null")
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("huge.xml:1:"), "\(result.stderr)")
    let peak = result.stderr.split(separator: "\n").last { $0.hasPrefix("peak ") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    // A sanitizer's shadow memory is no measure of the tool's own (.ci/asan sets this).
    if ProcessInfo.processInfo.environment["EIDOLON_SANITIZER"] == nil {
      #expect(peak > 0 && peak < 100_000, "peak memory \(peak) KB")
    }
  }

  /// A custom timeline read, written and read again gives the same events: groups by
  /// project, kept group ids and colors, a group the file lacks, an activity without one.
  @Test func aCustomTimelineReadWrittenAndReadAgainIsTheSame() throws {
    let sample = Self.folder.appendingPathComponent("custom-timeline.xml").path
    let result = try ToolRunner.shell("mt-read '\(sample)' 2>/dev/null | mt-write --format xml --group-by project | mt-read 2>/dev/null")
    let first = try ToolRunner.run("mt-read", [sample])
    #expect(first.status == 0)
    #expect(first.stdout.split(separator: "\n").count == 4)
    #expect(result.stdout == first.stdout)
  }

  /// Any tracker's events become a custom timeline ManicTime imports, grouped by app,
  /// with every second kept.
  @Test func activityWatchEventsBecomeACustomTimelineGroupedByApp() throws {
    let input = ToolRunner.packageRoot.appendingPathComponent("corpus/migration/aw-export.json").path
    let written = try ToolRunner.shell("aw-read '\(input)' --type currentwindow | mt-write --format xml --timeline-name Laptop")
    #expect(written.status == 0, "\(written.stderr)")
    #expect(written.stdout.contains("<DisplayName>Laptop</DisplayName>"))
    #expect(written.stdout.contains("<DisplayKey>eidolon:app</DisplayKey>"))
    #expect(written.stdout.components(separatedBy: "<Group>").count - 1 == 5)
    let dir = try ToolRunner.temporaryDirectory()
    let path = dir.appendingPathComponent("laptop.xml")
    try Data(written.stdout.utf8).write(to: path)
    let read = try ToolRunner.run("mt-read", [path.path])
    #expect(read.status == 0, "\(read.stderr)")
    let events = try read.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(events.count == 7)
    #expect(events.compactMap { $0["duration"] as? Double }.reduce(0, +) == 7200)
    #expect(events.allSatisfy { $0["stream"] as? String == "Laptop" && $0["app"] != nil && $0["kind"] as? String == "activity" })
  }

  /// The Server API v2 samples in ../shared/samples (ManicTime's own api-help), where present.
  @Test func sharedServerSamplesRead() throws {
    let samples = ToolRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/samples")
    let activities = samples.appendingPathComponent("mt-server-v2-activities.json")
    guard FileManager.default.fileExists(atPath: activities.path) else {
      print("skipped: ../shared/samples has no ManicTime server samples")
      return
    }
    let result = try ToolRunner.run("mt-read", [activities.path])
    #expect(result.status == 0, "\(result.stderr)")
    let events = result.stdout.split(separator: "\n")
    #expect(events.count == 1)
    #expect(events.first?.contains("\"kind\":\"afk\"") == true && events.first?.contains("\"status\":\"active\"") == true)
    #expect(events.first?.contains("\"duration\":131,") == true)
    for name in ["mt-server-v2-timelines.json", "mt-server-v2-updated-activities.json"] {
      let other = try ToolRunner.run("mt-read", [samples.appendingPathComponent(name).path])
      #expect(other.status == 0, "\(name): \(other.stderr)")
    }
  }

  /// A German timesheet (semicolons, decimal commas, Gesamt): every hour of the Total row
  /// comes out as summary events, one per tag combination and day.
  @Test func aGermanTimesheetKeepsItsTotal() throws {
    let result = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("timesheet-de.csv").path, "--tz", "Europe/Berlin"])
    #expect(result.status == 0, "\(result.stderr)")
    let events = try result.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(events.count == 5)
    #expect(events.allSatisfy { $0["kind"] as? String == "summary" && $0["stream"] as? String == "ManicTime/Tags" })
    let seconds = events.compactMap { $0["duration"] as? Double }.reduce(0, +)
    #expect(abs(seconds - 12.27 * 3600) < 0.001)  // the file's Gesamt
    let english = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("timesheet-en.csv").path, "--tz", "America/New_York"])
    #expect(english.status == 1)
    #expect(english.stderr.contains("the Total row's 3/4/2019 (2) differs from the sum of the rows above (1.5 h)"), "\(english.stderr)")
  }

  @Test func variantOverridesWhatTheFirstBytesSay() throws {
    let timesheet = Self.folder.appendingPathComponent("timesheet-de.csv").path
    let asTimeline = try ToolRunner.run("mt-read", [timesheet, "--tz", "Europe/Berlin", "--variant", "csv"])
    #expect(asTimeline.status == 2)
    #expect(asTimeline.stderr.contains("not a ManicTime CSV export"), "\(asTimeline.stderr)")
    let fromStdin = try ToolRunner.run("mt-read", ["--variant", "database"], stdin: Data("x".utf8))
    #expect(fromStdin.status == 2)
    #expect(fromStdin.stderr.contains("give its path"), "\(fromStdin.stderr)")
  }
}
