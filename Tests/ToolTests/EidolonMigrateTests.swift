import Foundation
import Testing

/// `eidolon migrate import`, `validate`, `assess`, `export`, `convert` and `db`, run as a
/// user would over corpus/ files.
@Suite struct EidolonMigrateTests {
  static let corpus = ToolRunner.packageRoot.appendingPathComponent("corpus")
  static let awExport = corpus.appendingPathComponent("migration/aw-export.json").path
  static let rescueTime = corpus.appendingPathComponent("migration/rescuetime.json").path

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  static func sqlite(_ database: String, _ sql: String) throws -> ToolResult {
    try ToolRunner.shell("sqlite3 '\(database)' \"\(sql)\"")
  }

  /// A store holding the ActivityWatch export, imported by eidolon.
  static func importedStore() throws -> String {
    let database = try ToolRunner.temporaryDirectory().appendingPathComponent("events.db").path
    let imported = try ToolRunner.run("eidolon", ["migrate", "import", "--input", awExport, "--db", database, "--json"])
    #expect(imported.status == 0, "\(imported.stderr)")
    let summary = try json(imported.stdout)
    #expect(summary["inserted"] as? Int == 12 && summary["rejected"] as? Int == 0)
    #expect(summary["formats"] as? [String] == ["activitywatch"])
    return database
  }

  static func validate(_ database: String, _ extra: [String] = []) throws -> (status: Int32, report: [String: Any]) {
    let result = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", awExport, "--target", database, "--json"] + extra)
    #expect(result.status != 2, "\(result.stderr)")
    return (result.status, try json(result.stdout))
  }

  static func count(_ report: [String: Any], _ key: String) -> Int? {
    (report[key] as? [String: Any])?["count"] as? Int
  }

  @Test func importThenValidateMatchesAndAgainStoresNothingTwice() throws {
    let database = try Self.importedStore()
    let again = try ToolRunner.run("eidolon", ["migrate", "import", Self.awExport, "--db", database])
    #expect(again.status == 0 && again.stderr.contains("inserted 0, skipped 12"), "\(again.stderr)")
    let (status, report) = try Self.validate(database)
    #expect(status == 0)
    #expect(report["verdict"] as? String == "match")
    #expect((report["source"] as? [String: Any])?["events"] as? Int == 12)
    #expect((report["target"] as? [String: Any])?["seconds"] as? Int == 15600)
    let text = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", Self.awExport, "--target", database])
    #expect(text.status == 0 && text.stdout.hasPrefix("MATCH:"))
  }

  @Test func validateCatchesADeletedRow() throws {
    let database = try Self.importedStore()
    guard try Self.sqlite(database, "DELETE FROM events WHERE seq = 3").status == 0 else { return print("skipped: no sqlite3 shell") }
    let (status, report) = try Self.validate(database)
    #expect(status == 1)
    #expect(report["verdict"] as? String == "mismatch")
    #expect(Self.count(report, "missing") == 1 && Self.count(report, "extra") == 0 && Self.count(report, "changed") == 0)
    #expect((report["target"] as? [String: Any])?["events"] as? Int == 11)
  }

  @Test func validateCatchesADoubledRow() throws {
    let database = try Self.importedStore()
    let copy = """
      INSERT INTO events (id, source, kind, start, start_ms, end_ms, duration, stream, host, app, import_id) \
      SELECT id || '-again', source, kind, start, start_ms, end_ms, duration, stream, host, app, import_id FROM events WHERE seq = 5
      """
    guard try Self.sqlite(database, copy).status == 0 else { return print("skipped: no sqlite3 shell") }
    let (status, report) = try Self.validate(database)
    #expect(status == 1)
    #expect(Self.count(report, "extra") == 1 && Self.count(report, "missing") == 0)
    let days = try #require(report["by_day"] as? [[String: Any]])
    #expect(days.count == 1 && days[0]["matches"] as? Bool == false)
    // With --scope ids the copy is outside what is compared: only the source's ids are.
    #expect(try Self.validate(database, ["--scope", "ids"]).status == 0)
  }

  @Test func validateCatchesAShiftedTime() throws {
    let database = try Self.importedStore()
    let shift = "UPDATE events SET start_ms = start_ms + 86400000, end_ms = end_ms + 86400000 WHERE seq = 7"
    guard try Self.sqlite(database, shift).status == 0 else { return print("skipped: no sqlite3 shell") }
    let (status, report) = try Self.validate(database)
    #expect(status == 1)
    #expect(Self.count(report, "changed") == 1 && Self.count(report, "missing") == 0 && Self.count(report, "extra") == 0)
    let changed = try #require((report["changed"] as? [String: Any])?["examples"] as? [[String: Any]])
    #expect(changed.first?["fields"] as? [String] == ["start", "end"])
    // The day moved: two days now, neither with the source's total.
    let days = try #require(report["by_day"] as? [[String: Any]])
    #expect(days.count == 2 && days.allSatisfy { $0["matches"] as? Bool == false })
  }

  @Test func toleranceLetsRoundedTotalsPass() throws {
    let database = try Self.importedStore()
    let change = "UPDATE events SET duration = duration + 0.4, end_ms = end_ms + 400 WHERE seq = 2"
    guard try Self.sqlite(database, change).status == 0 else { return print("skipped: no sqlite3 shell") }
    let strict = try Self.validate(database)
    #expect(strict.status == 1)
    #expect((strict.report["problems"] as? [String] ?? []).contains { $0.contains("total seconds") })
    // Within a second the totals pass; the event whose end moved is still listed.
    let loose = try Self.validate(database, ["--tolerance", "1"])
    #expect(!(loose.report["problems"] as? [String] ?? []).contains { $0.contains("total seconds") })
    #expect(Self.count(loose.report, "changed") == 1)
  }

  @Test func validateWritesAnHTMLPageWhoseFiguresAreTheJSONs() throws {
    let database = try Self.importedStore()
    let page = try ToolRunner.temporaryDirectory().appendingPathComponent("check.html").path
    let (_, report) = try Self.validate(database, ["--html", page])
    let html = try String(contentsOfFile: page, encoding: .utf8)
    // Self-contained: an inline chart, no scripts, nothing fetched.
    #expect(html.contains("<svg") && !html.contains("<script") && !html.contains("src=") && !html.contains("href="))
    let source = try #require(report["source"] as? [String: Any])
    #expect(html.contains("data-key=\"source.events\">\(source["events"] as! Int)<"))
    #expect(html.contains("data-key=\"verdict\">Match"))
  }

  @Test func guideAliasesDryRunAndRules() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let database = dir.appendingPathComponent("rt.db").path
    let dry = try ToolRunner.run("eidolon", ["migrate", "import-rescuetime", "--input", Self.rescueTime, "--tz", "Europe/Berlin",
                                             "--db", database, "--dry-run", "--json"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(try Self.json(dry.stdout)["inserted"] as? Int == 7)
    #expect(!FileManager.default.fileExists(atPath: database), "a dry run leaves no store behind")
    let rules = dir.appendingPathComponent("rules.yaml")
    try "rules:\n  - name: code\n    match: {app: Visual Studio Code}\n    set: {category: Coding}\n".write(to: rules, atomically: true, encoding: .utf8)
    let real = try ToolRunner.run("eidolon", ["migrate", "import-rescuetime", "--input", Self.rescueTime, "--tz", "Europe/Berlin",
                                              "--db", database, "--merge-strategy", "append", "--mapping", rules.path])
    #expect(real.status == 0, "\(real.stderr)")
    let checked = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", Self.rescueTime, "--tz", "Europe/Berlin",
                                                 "--target", database, "--rules", rules.path, "--json"])
    #expect(checked.status == 0, "\(checked.stdout)")
    let categories = try #require(try Self.json(checked.stdout)["by_category"] as? [[String: Any]])
    #expect(categories.contains { $0["key"] as? String == "Coding" && $0["target_seconds"] as? Int == 3000 })
    // Without the rules the categories differ: validate reads the source as import did only when told the same.
    let unruled = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", Self.rescueTime, "--tz", "Europe/Berlin", "--target", database])
    #expect(unruled.status == 1)
  }

  @Test func aDryRunCountsAgainstTheStoreAndLeavesItAsItWas() throws {
    let database = try Self.importedStore()
    let before = try ToolRunner.run("eidolon", ["db", "info", database, "--json"]).stdout
    let python = Self.corpus.appendingPathComponent("activitywatch/python-export.json").path
    let dry = try ToolRunner.run("eidolon", ["migrate", "import", "--input", Self.awExport, python, "--db", database, "--dry-run", "--json"])
    #expect(dry.status == 0, "\(dry.stderr)")
    let summary = try Self.json(dry.stdout)
    #expect(summary["dry_run"] as? Bool == true && summary["import"] is NSNull)
    // The export's 12 events are stored already; the other file's 11 hold one event twice
    // (one id): 10 would be new.
    #expect(summary["read"] as? Int == 23 && summary["skipped"] as? Int == 13 && summary["inserted"] as? Int == 10)
    #expect(try ToolRunner.run("eidolon", ["db", "info", database, "--json"]).stdout == before)
  }

  @Test func resumeAfterAStrictStopFinishesTheImport() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = dir.appendingPathComponent("in.ndjson")
    var lines: [String] = []
    for i in 0..<24 {
      lines.append(i == 12 ? "{\"id\":\"bad\"}"
                   : "{\"id\":\"x:\(i)\",\"source\":\"custom\",\"kind\":\"window\",\"start\":\"2024-03-01T\(i < 10 ? "0" : "")\(i):00:00.000Z\",\"duration\":60}")
    }
    try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
    let database = dir.appendingPathComponent("a.db").path
    let stopped = try ToolRunner.run("eidolon", ["migrate", "import-json", "--input", input.path, "--db", database, "--batch-size", "5", "--strict"])
    #expect(stopped.status == 1)
    let resumed = try ToolRunner.run("eidolon", ["migrate", "import-json", "--input", input.path, "--db", database, "--batch-size", "5", "--resume"])
    #expect(resumed.status == 1, "one record is bad")
    #expect(resumed.stderr.contains("resumed at input 1 after event 10"), "\(resumed.stderr)")
    let info = try Self.json(try ToolRunner.run("eidolon", ["db", "info", database, "--json"]).stdout)
    #expect(info["events"] as? Int == 23)
    let validated = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", input.path, "--target", database, "--json"])
    #expect(validated.status == 0, "\(validated.stdout)")
  }

  @Test func aResumeDoesNotCountAgainTheRecordsRejectedBeforeItsCheckpoint() throws {
    let dir = try ToolRunner.temporaryDirectory()
    var lines: [String] = []
    for i in 0..<20 {
      lines.append(i == 2 ? "{\"id\":\"bad\"}"
                   : "{\"id\":\"x:\(i)\",\"source\":\"custom\",\"kind\":\"window\",\"start\":\"2024-03-01T\(i < 10 ? "0" : "")\(i):00:00.000Z\",\"duration\":60,\"title\":\"\(String(repeating: "t", count: 200))\"}")
    }
    try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("in.ndjson"), atomically: true, encoding: .utf8)
    // Cut short: the reader fails at the end, after three batches of five are committed.
    let cut = try ToolRunner.shell("cd '\(dir.path)' && gzip -9 -c in.ndjson > full.gz && head -c $(( $(stat -c %s full.gz) - 30 )) full.gz > cut.gz")
    guard cut.status == 0 else { return print("skipped: no gzip") }
    let input = dir.appendingPathComponent("cut.gz").path
    let database = dir.appendingPathComponent("a.db").path
    let first = try ToolRunner.run("eidolon", ["migrate", "import-json", "--input", input, "--db", database, "--batch-size", "5"])
    #expect(first.status == 2 && first.stderr.contains("cut.gz:3:1: error"), "\(first.stderr)")
    let again = try ToolRunner.run("eidolon", ["migrate", "import-json", "--input", input, "--db", database, "--batch-size", "5", "--resume"])
    #expect(again.status == 2)
    #expect(!again.stderr.contains("cut.gz:3:1"), "the bad record before the checkpoint is not reported again")
    let info = try Self.json(try ToolRunner.run("eidolon", ["db", "info", database, "--json"]).stdout)
    let load = try #require((info["loads"] as? [[String: Any]])?.first)
    #expect(load["rejected"] as? Int == 1 && (info["loads"] as? [Any])?.count == 1)
  }

  @Test func importCSVWithAColumnMap() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let csv = dir.appendingPathComponent("tracker.csv")
    try """
      When,Seconds,Program,Window,Mood
      2024-05-01 09:00:00,600,Editor,"main.swift, draft",good
      2024-05-01T09:10:00+02:00,120,Browser,Docs,
      yesterday,5,Editor,x,bad

      """.write(to: csv, atomically: true, encoding: .utf8)
    let database = dir.appendingPathComponent("csv.db").path
    let imported = try ToolRunner.run("eidolon", ["migrate", "import-csv", "--input", csv.path, "--columns", "start=When,duration=Seconds,app=Program,title=Window",
                                                  "--tz", "Europe/Berlin", "--source-name", "homebrew", "--db", database])
    #expect(imported.status == 1, "one row is bad")
    #expect(imported.stderr.contains("tracker.csv:4:1: error: start \"yesterday\" is not a time"), "\(imported.stderr)")
    let dumped = try ToolRunner.run("eid-dump", [database])
    let events = dumped.stdout.split(separator: "\n").map(String.init)
    #expect(events.count == 2)
    #expect(events[0].contains("\"source\":\"homebrew\"") && events[0].contains("\"start\":\"2024-05-01T07:00:00.000Z\""))
    #expect(events[0].contains("\"title\":\"main.swift, draft\"") && events[0].contains("\"attrs\":{\"Mood\":\"good\"}"))
    let missing = try ToolRunner.run("eidolon", ["migrate", "import-csv", "--input", csv.path, "--columns", "start=When", "--db", database])
    #expect(missing.status == 2 && missing.stderr.contains("end=HEADER or duration=HEADER"))
  }

  @Test func assessFindsFormatsRejectsZonesAndOverlaps() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let copy = dir.appendingPathComponent("aw-copy.json").path
    try FileManager.default.copyItem(atPath: Self.awExport, toPath: copy)
    let bad = Self.corpus.appendingPathComponent("rescuetime/bad-rows.csv").path
    let truncated = Self.corpus.appendingPathComponent("activitywatch/truncated.json").path
    let html = dir.appendingPathComponent("assess.html").path
    let result = try ToolRunner.run("eidolon", ["migrate", "assess", "--input", Self.awExport, copy, Self.rescueTime, bad, truncated, "--json", "--html", html])
    #expect(result.status == 1)
    let report = try Self.json(result.stdout)
    let inputs = try #require(report["inputs"] as? [[String: Any]])
    #expect(inputs.map { $0["format"] as? String } == ["activitywatch", "activitywatch", "rescuetime", "rescuetime", "activitywatch"])
    #expect(inputs[0]["events"] as? Int == 12 && inputs[0]["first"] as? String == "2024-11-04T08:00:00.000Z")
    #expect((inputs[0]["hosts"] as? [[String: Any]])?.first?["name"] as? String == "ann-laptop")
    #expect((inputs[2]["zone_hints"] as? [String])?.first?.contains("no UTC offset") == true)
    #expect(inputs[3]["rejected"] as? Int == 5 && (inputs[3]["reject_examples"] as? [String])?.isEmpty == false)
    #expect((inputs[4]["error"] as? String)?.contains("truncated.json:1:268") == true)
    let overlaps = try #require(report["overlaps"] as? [[String: Any]])
    #expect(overlaps.contains { $0["shared_ids"] as? Int == 12 && ($0["second"] as? String)?.hasSuffix("aw-copy.json") == true })
    #expect(((report["estimate"] as? [String: Any])?["store_events_per_second"] as? Int ?? 0) > 0)
    // What to run next: the readable files, a zone for the one without offsets, append for the overlap.
    let next = try #require(report["suggested_command"] as? String)
    #expect(next.hasPrefix("eidolon migrate import --input ") && next.contains("--tz ZONE") && next.contains("--merge-strategy append"))
    #expect(!next.contains("truncated.json"))
    #expect(try String(contentsOfFile: html, encoding: .utf8).contains("data-key=\"inputs.0.events\">12<"))
  }

  @Test func exportAndConvertGoThroughTheWriters() throws {
    let database = try Self.importedStore()
    let dir = try ToolRunner.temporaryDirectory()
    let out = dir.appendingPathComponent("back.json").path
    let exported = try ToolRunner.run("eidolon", ["migrate", "export", "--db", database, "--to", "activitywatch", "-o", out])
    #expect(exported.status == 0 && exported.stderr.contains("12 events"), "\(exported.stderr)")
    let reread = try ToolRunner.run("aw-read", [out])
    #expect(reread.stdout.split(separator: "\n").count == 12)
    let bulk = try ToolRunner.run("eidolon", ["migrate", "bulk-export", "--db", database, "--to", "eidolon", "--kind", "web"])
    #expect(bulk.stdout.split(separator: "\n").count == 2)

    let toggl = Self.corpus.appendingPathComponent("toggl/classic.csv").path
    let converted = try ToolRunner.run("eidolon", ["convert", "--from", "toggl", "--to", "eidolon", toggl, "--tz", "Europe/Berlin"])
    let direct = try ToolRunner.run("toggl-read", [toggl, "--tz", "Europe/Berlin"])
    #expect(converted.stdout == direct.stdout && !converted.stdout.isEmpty)
    let csv = try ToolRunner.run("eidolon", ["convert", "--to", "toggl", Self.awExport, "--write-tz", "UTC"])
    #expect(csv.status == 0 && csv.stdout.hasPrefix("User,Email,Client,Project"), "\(csv.stderr)")
    let summary = try ToolRunner.run("eidolon", ["convert", "--to", "eidolon", Self.awExport, "--json", "-o", dir.appendingPathComponent("c.ndjson").path])
    #expect(try Self.json(summary.stderr)["events"] as? Int == 12)
    let unknown = try ToolRunner.run("eidolon", ["convert", "--to", "excel", Self.awExport])
    #expect(unknown.status == 2 && unknown.stderr.contains("--to takes"))
  }

  @Test func dbInfoUpgradeAndRollback() throws {
    let database = try Self.importedStore()
    let info = try Self.json(try ToolRunner.run("eidolon", ["db", "info", database, "--json"]).stdout)
    #expect(info["schema_version"] as? Int == 3 && info["events"] as? Int == 12)
    #expect((info["loads"] as? [[String: Any]])?.first?["status"] as? String == "done")

    let old = try ToolRunner.temporaryDirectory().appendingPathComponent("v1.db").path
    let fixture = Self.corpus.appendingPathComponent("sqlite/store-v1.sql").path
    guard try ToolRunner.shell("sqlite3 '\(old)' < '\(fixture)'").status == 0 else { return print("skipped: no sqlite3 shell") }
    let before = try ToolRunner.run("eidolon", ["db", "info", old])
    #expect(before.stdout.contains("schema version 1") && before.stdout.contains("eidolon db upgrade"))
    let upgraded = try ToolRunner.run("eidolon", ["db", "upgrade", old])
    #expect(upgraded.status == 0 && upgraded.stderr.contains("from schema version 1 to 3"), "\(upgraded.stderr)")
    #expect(try Self.json(try ToolRunner.run("eidolon", ["db", "info", old, "--json"]).stdout)["schema_version"] as? Int == 3)
    let rolled = try ToolRunner.run("eidolon", ["db", "rollback", old, "--backup", old + ".backup-v1"])
    #expect(rolled.status == 0, "\(rolled.stderr)")
    #expect(try Self.json(try ToolRunner.run("eidolon", ["db", "info", old, "--json"]).stdout)["schema_version"] as? Int == 1)
  }
}

/// The real files in ../shared/samples, where present: each found as its tracker's, imported
/// by eidolon, and validated as matching.
@Suite struct EidolonSharedSampleTests {
  static let folder = ToolRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/samples")
  static let formats = ["aw-": "activitywatch", "rt-": "rescuetime", "toggl-": "toggl", "mt-server-": "manictime"]

  @Test func everySharedSampleImportsAndValidates() throws {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: Self.folder.path)) ?? []).sorted()
    let samples = names.filter { name in Self.formats.keys.contains { name.hasPrefix($0) } }
    guard !samples.isEmpty else { return print("skipped: ../shared/samples is not there") }
    for name in samples {
      let path = Self.folder.appendingPathComponent(name).path
      let expected = Self.formats.first { name.hasPrefix($0.key) }!.value
      let assessed = try ToolRunner.run("eidolon", ["migrate", "assess", "--input", path, "--tz", "UTC", "--json"])
      let report = try EidolonMigrateTests.json(assessed.stdout)
      let input = try #require((report["inputs"] as? [[String: Any]])?.first)
      #expect(input["format"] as? String == expected, "\(name)")
      let database = try ToolRunner.temporaryDirectory().appendingPathComponent("s.db").path
      let imported = try ToolRunner.run("eidolon", ["migrate", "import", "--input", path, "--tz", "UTC", "--db", database])
      #expect(imported.status == 0, "\(name): \(imported.stderr)")
      let validated = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", path, "--tz", "UTC", "--target", database])
      #expect(validated.status == 0, "\(name): \(validated.stdout)")
    }
  }
}
