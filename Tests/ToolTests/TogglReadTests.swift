import Foundation
import Testing

/// toggl-read as a user runs it: the zone note, rejects and exit codes, the shared samples.
@Suite struct TogglReadTests {
  private func corpus(_ name: String) -> String {
    ToolRunner.packageRoot.appendingPathComponent("corpus/toggl/\(name)").path
  }

  @Test func withoutTzItSaysLoudlyThatItAssumesUTC() throws {
    let result = try ToolRunner.run("toggl-read", [corpus("classic.csv")])
    #expect(result.status == 0)
    #expect(result.stderr.contains("no --tz given: the file's times are read as UTC"))
    #expect(result.stdout.contains("\"start\":\"2024-03-04T09:00:00.000Z\""))
    let zoned = try ToolRunner.run("toggl-read", [corpus("classic.csv"), "--tz", "Europe/Berlin"])
    #expect(!zoned.stderr.contains("no --tz"))
    #expect(zoned.stdout.contains("\"start\":\"2024-03-04T08:00:00.000Z\""))
    let unknown = try ToolRunner.run("toggl-read", [corpus("classic.csv"), "--tz", "Mars/Olympus"])
    #expect(unknown.status == 2 && unknown.stderr.contains("not a time zone"))
  }

  @Test func badRowsGoToRejectsAndTheRestConverts() throws {
    let rejects = try ToolRunner.temporaryDirectory().appendingPathComponent("rejects.ndjson")
    let result = try ToolRunner.run("toggl-read", [corpus("bad-rows.csv"), "--rejects", rejects.path])
    #expect(result.status == 1)
    #expect(result.stdout.split(separator: "\n").count == 2)
    #expect(result.stderr.contains("2 entries; 6 rejected"))
    let lines = try String(contentsOf: rejects, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 6)
    #expect(lines[2].contains("\"line\":5") && lines[2].contains("Stray"))
  }

  @Test func runningEntriesFollowTheRule() throws {
    let now = try ToolRunner.run("toggl-read", [corpus("new-reports.csv"), "--tz", "America/New_York", "--running", "now"])
    #expect(now.status == 0)
    #expect(now.stdout.contains("\"running\":true"))
    let error = try ToolRunner.run("toggl-read", [corpus("new-reports.csv"), "--tz", "America/New_York"])
    #expect(error.status == 1 && error.stderr.contains("a running entry"))
  }

  @Test func theSharedSamplesRead() throws {
    let samples = ToolRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/samples")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []).filter { $0.hasPrefix("toggl-") }
    guard !names.isEmpty else {
      print("skipped: no Toggl samples in ../shared/samples")
      return
    }
    for name in names {
      let result = try ToolRunner.run("toggl-read", [samples.appendingPathComponent(name).path, "--tz", "Europe/Oslo"])
      #expect(result.status == 0, "\(name): \(result.stderr)")
      #expect(!result.stdout.isEmpty, "\(name)")
    }
  }

  @Test func apiJSONIsFoundByItsShapeAndKeepsTheSameIdsAsTheCSV() throws {
    let v9 = try ToolRunner.run("toggl-read", [corpus("api-v9.json"), "--running", "skip"])
    #expect(v9.status == 1)  // one entry has a start that is not a time
    #expect(!v9.stderr.contains("no --tz"))
    #expect(v9.stderr.contains("1 entries the server marked deleted were left out (--include-deleted keeps them)"))
    let kept = try ToolRunner.run("toggl-read", [corpus("api-v9.json"), "--running", "skip", "--include-deleted"])
    #expect(kept.stdout.contains("\"deleted_at\":\"2024-07-01T10:00:00Z\""))
    // Toggl's id 3456789012345 in the new Reports CSV, API v9 and Reports v3: one Eidolon id.
    let csv = try ToolRunner.run("toggl-read", [corpus("new-reports.csv"), "--tz", "America/New_York", "--running", "skip"])
    let v3 = try ToolRunner.run("toggl-read", [corpus("reports-v3.json")])
    let id = "\"id\":\"toggl:7e46706b88f588d0f2e52630a5ac30e8\""
    #expect(csv.stdout.contains(id) && v9.stdout.contains(id) && v3.stdout.contains(id))
  }

  @Test func readWriteReadGivesTheSameEvents() throws {
    let bin = ToolRunner.productsDirectory.path
    for (name, zone) in [("classic.csv", "Europe/Berlin"), ("new-reports.csv", "America/New_York"), ("admin-export.csv", "Europe/Berlin")] {
      let once = try ToolRunner.run("toggl-read", [corpus(name), "--tz", zone, "--running", "skip"])
      let twice = try ToolRunner.shell(
        "'\(bin)/toggl-read' '\(corpus(name))' --tz \(zone) --running skip 2>/dev/null | '\(bin)/toggl-write' --tz \(zone) | '\(bin)/toggl-read' --tz \(zone)")
      #expect(twice.status == 0, "\(name): \(twice.stderr)")
      #expect(once.stdout == twice.stdout, "\(name)")
    }
  }

  @Test func formulasAreWrittenSafelyAndReadBack() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = dir.appendingPathComponent("in.ndjson")
    try Data("""
      {"id":"x:1","source":"toggl","kind":"time_entry","start":"2024-01-02T10:00:00.000Z","duration":60,"project":"=HYPERLINK(\\"http://evil\\")","description":"+1 and -2","client":"@client","tags":["'quoted"]}

      """.utf8).write(to: input)
    let written = try ToolRunner.run("toggl-write", [input.path])
    #expect(written.stdout.contains("\"'=HYPERLINK(\"\"http://evil\"\")\"") && written.stdout.contains("'+1 and -2") && written.stdout.contains("'@client"))
    let csv = dir.appendingPathComponent("out.csv")
    try Data(written.stdout.utf8).write(to: csv)
    let back = try ToolRunner.run("toggl-read", [csv.path])
    #expect(back.stdout.contains("\"project\":\"=HYPERLINK(\\\"http://evil\\\")\""))
    #expect(back.stdout.contains("\"description\":\"+1 and -2\"") && back.stdout.contains("\"tags\":[\"'quoted\"]"))
    let forImport = try ToolRunner.run("toggl-write", [input.path, "--variant", "import"])
    #expect(forImport.stdout.contains("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,Duration,Tags\n"))
  }

  @Test func aWorkspaceExportNamesTheIds() throws {
    let names = ToolRunner.packageRoot.appendingPathComponent("corpus/toggl-workspace").path
    let result = try ToolRunner.run("toggl-read", [corpus("reports-v3.json"), "--workspace-export", names])
    #expect(result.status == 0, "\(result.stderr)")
    let first = result.stdout.split(separator: "\n").first ?? ""
    #expect(first.contains("\"user\":\"Bob Example\",\"project\":\"Research\",\"client\":\"Acme, Inc.\""))
    #expect(first.contains("\"tags\":[\"papers\"]"))
    let missing = try ToolRunner.run("toggl-read", [corpus("reports-v3.json"), "--workspace-export", "/nonexistent"])
    #expect(missing.status == 2 && missing.stderr.contains("workspace export"))
  }
}
