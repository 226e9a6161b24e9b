import Eidolon
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The store interface on PostgreSQL as on SQLite: each strategy leaves the same events
/// and counts, a killed load resumes to a clean load's rows, four loaders at once store
/// the union, and a store of the first tables upgrades in one transaction.
@Suite(.serialized) struct PostgresLoadTests {
  /// Under a sanitizer (.ci/asan) the large loads are a quarter the size: the same paths
  /// run, in a quarter of the time.
  static let scale = ProcessInfo.processInfo.environment["EIDOLON_SANITIZER"] == nil ? 1 : 4

  /// `count` canonical events; `offset` shifts their ids (overlapping inputs).
  static func events(_ range: Range<Int>, title: String = "t") -> String {
    range.map { i in
      #"{"id":"gen:\#(i)","source":"\#(i % 3 == 0 ? "toggl" : "activitywatch")","kind":"window","start":"2024-01-0\#(1 + i % 7)T\#(10 + i % 10):00:00.000Z","duration":\#(i % 300).5,"stream":"s\#(i % 2)","app":"App \#(i % 17)","title":"\#(title) \#(i)","tags":["a","b\#(i % 4)"],"attrs":{"n":\#(i)}}"#
    }.joined(separator: "\n") + "\n"
  }

  static func write(_ text: String, _ name: String, in dir: URL) throws -> String {
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  /// The counts part of eid-load's summary ("read N, inserted N, ...").
  static func counts(_ stderr: String) -> String {
    stderr.components(separatedBy: "): ").last?.components(separatedBy: ";").first ?? stderr
  }

  /// The same loads into SQLite and PostgreSQL, one after another: each load's exit status
  /// and counts, and at the end the stores' dumps, are equal.
  @Test func everyStrategyLeavesWhatItLeavesInSQLite() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let first = try Self.write(Self.events(0..<3_000), "first.ndjson", in: dir)
    // Changed titles for some, the ids 1000..<1500 gone (replace-range removes them), one id twice.
    let changed = Self.events(0..<1_000, title: "changed") + Self.events(1_500..<3_000) + Self.events(7..<8, title: "again")
    let second = try Self.write(changed, "second.ndjson", in: dir)
    let bad = try Self.write(Self.events(5_000..<5_010) + "{\"id\":\"broken\"\n" + Self.events(5_010..<5_020), "bad.ndjson", in: dir)
    let clash = try Self.write(Self.events(6_000..<6_005) + Self.events(2_999..<3_000), "clash.ndjson", in: dir)
    let loads: [[String]] = [
      [first], [second, "--merge-strategy", "replace", "--batch-size", "700"], [first],
      [second, "--merge-strategy", "replace-range", "--batch-size", "999"], [bad], [clash, "--merge-strategy", "fail", "--batch-size", "3"],
    ]
    let sqlite = dir.appendingPathComponent("events.db").path
    for load in loads {
      let intoSQLite = try ToolRunner.run("eid-load", [sqlite] + load)
      let intoPostgres = try ToolRunner.run("eid-load", [server.uri] + load)
      #expect(intoPostgres.status == intoSQLite.status, "\(load): \(intoPostgres.stderr)")
      #expect(Self.counts(intoPostgres.stderr) == Self.counts(intoSQLite.stderr), "\(load): \(intoPostgres.stderr) vs \(intoSQLite.stderr)")
    }
    let fromSQLite = try ToolRunner.run("eid-dump", [sqlite]).stdout
    let fromPostgres = try ToolRunner.run("eid-dump", [server.uri])
    #expect(fromPostgres.status == 0, "\(fromPostgres.stderr)")
    #expect(fromPostgres.stdout.split(separator: "\n").count == 2_523 && fromPostgres.stdout == fromSQLite)
    let store = try PostgresEventStore(server.uri)
    let rejects = try store.connection.rows("SELECT line, error, convert_from(raw, 'UTF8') FROM rejects")
    #expect(rejects.count == 1 && rejects.first?[0] == "11" && rejects.first?[2] == "{\"id\":\"broken\"", "\(rejects)")
    let statuses = try store.connection.rows("SELECT strategy, status, removed FROM imports ORDER BY id").map { $0.map { $0 ?? "" } }
    #expect(statuses == [["append", "done", "0"], ["replace", "done", "0"], ["append", "done", "0"], ["replace-range", "done", "500"],
                         ["append", "done", "0"], ["fail", "failed", "0"]], "\(statuses)")
  }

  /// A load killed (SIGKILL) three times after committed batches, resumed each time, ends
  /// with the rows of a load that was never stopped, every event inserted once, one import.
  @Test func aKilledLoadResumesToTheRowsOfACleanLoad() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let total = 40_000 / Self.scale
    let input = try Self.write(Self.events(0..<total), "in.ndjson", in: dir)
    let clean = dir.appendingPathComponent("clean.db").path
    #expect(try ToolRunner.run("eid-load", [clean, input]).status == 0)
    let expected = try ToolRunner.run("eid-dump", [clean]).stdout
    _ = try PostgresEventStore(server.uri)  // the tables, so the watcher can read checkpoints from the start
    let watcher = try PostgresConnection(server.uri)
    func committed() -> Int { Int((try? watcher.rows("SELECT max(lines) FROM checkpoints"))?.first?.first.flatMap { $0 } ?? "0") ?? 0 }
    var killedAt: [Int] = []
    for attempt in 0..<3 {
      let process = Process()
      process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("eid-load")
      process.arguments = [server.uri, input, "--batch-size", "997"] + (attempt == 0 ? [] : ["--resume"])
      process.standardError = FileHandle.nullDevice
      let from = committed()
      try process.run()
      while process.isRunning {
        let lines = committed()
        if lines >= from + 2 * 997 {
          kill(process.processIdentifier, SIGKILL)
          killedAt.append(lines)
          break
        }
        usleep(1_000)
      }
      process.waitUntilExit()
    }
    #expect(killedAt.count == 3, "killed after \(killedAt) lines")
    let finished = try ToolRunner.run("eid-load", [server.uri, input, "--batch-size", "997", "--resume"])
    #expect(finished.status == 0 && finished.stderr.contains("resuming load 1"), "\(finished.stderr)")
    #expect(try ToolRunner.run("eid-dump", [server.uri]).stdout == expected)
    let imports = try watcher.rows("SELECT count(*), sum(inserted), sum(read) FROM imports")
    #expect(imports.first == ["1", "\(total)", "\(total)"], "\(imports)")
  }

  /// Four loaders at once, their inputs overlapping and in different orders: the store holds
  /// exactly the union, and their imports' counts add up.
  @Test func fourLoadersAtOnceStoreTheUnion() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let ranges = [0..<30_000, 10_000..<40_000, 20_000..<50_000, 5_000..<45_000].map { ($0.lowerBound / Self.scale)..<($0.upperBound / Self.scale) }
    for (index, range) in ranges.enumerated() {
      var lines = Self.events(range).split(separator: "\n")
      if index % 2 == 1 { lines.reverse() }
      _ = try Self.write(lines.joined(separator: "\n") + "\n", "in\(index).ndjson", in: dir)
    }
    let all = try ToolRunner.shell("""
      cd \(dir.path) && for i in 0 1 2 3; do eid-load '\(server.uri)' in$i.ndjson --batch-size \(2000 / Self.scale) 2> err$i & done; wait; cat err0 err1 err2 err3
      """)
    #expect(all.status == 0 && !all.stdout.contains("deadlock"), "\(all.stdout)")
    let store = try PostgresEventStore(server.uri)
    let union = 50_000 / Self.scale, read = ranges.map(\.count).reduce(0, +)
    #expect(try store.count() == union)
    let totals = try store.connection.rows("SELECT count(*), sum(read), sum(inserted), sum(skipped), count(*) FILTER (WHERE status = 'done') FROM imports")
    #expect(totals.first == ["4", "\(read)", "\(union)", "\(read - union)", "4"], "\(totals)")
  }

  /// A store of the first tables (before versions were kept) is refused until upgraded;
  /// the upgrade keeps its events; a failed upgrade changes nothing; rollback restores the dump.
  @Test func theFirstTablesUpgradeInOneTransaction() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let connection = try PostgresConnection(server.uri)
    // What the first eid-load into PostgreSQL made.
    try connection.execute("""
      CREATE TABLE imports (id BIGSERIAL PRIMARY KEY, started TIMESTAMPTZ NOT NULL DEFAULT now(), finished TIMESTAMPTZ, status TEXT NOT NULL,
        tool_version TEXT NOT NULL, inputs TEXT NOT NULL, strategy TEXT NOT NULL, read BIGINT NOT NULL DEFAULT 0,
        inserted BIGINT NOT NULL DEFAULT 0, skipped BIGINT NOT NULL DEFAULT 0, replaced BIGINT NOT NULL DEFAULT 0, rejected BIGINT NOT NULL DEFAULT 0);
      CREATE TABLE events (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, kind TEXT NOT NULL, start TEXT NOT NULL,
        start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, duration DOUBLE PRECISION NOT NULL, stream TEXT, host TEXT, "user" TEXT, app TEXT,
        title TEXT, url TEXT, file TEXT, project TEXT, client TEXT, task TEXT, description TEXT, category TEXT, subcategory TEXT,
        productivity INTEGER, tags TEXT, billable BOOLEAN, utc_offset TEXT, attrs TEXT, import_id BIGINT NOT NULL REFERENCES imports(id));
      CREATE INDEX events_by_start ON events (start_ms);
      INSERT INTO imports (status, tool_version, inputs, strategy) VALUES ('done', '0.1', '["x"]', 'append');
      INSERT INTO events (id, source, kind, start, start_ms, end_ms, duration, import_id)
        VALUES ('old:1', 'toggl', 'time_entry', '2023-01-01T00:00:00.000Z', 1672531200000, 1672531260000, 60, 1);
      CREATE TABLE rejects (note TEXT);
      """)
    let input = try Self.write(Self.events(0..<10), "in.ndjson", in: dir)
    let refused = try ToolRunner.run("eid-load", [server.uri, input])
    #expect(refused.status == 2 && refused.stderr.contains("schema version 0") && refused.stderr.contains("eidolon db upgrade"), "\(refused.stderr)")
    // A table of someone else's in the way: the upgrade fails and leaves the store as it was.
    let failed = try ToolRunner.run("eidolon", ["db", "upgrade", server.uri])
    #expect(failed.status != 0 && failed.stderr.contains("rejects"), "\(failed.stderr)")
    #expect(try connection.rows("SELECT to_regclass('eidolon_store') IS NULL, to_regclass('checkpoints') IS NULL").first == ["t", "t"])
    try connection.execute("DROP TABLE rejects")
    let backup = dir.appendingPathComponent("before.dump").path
    let upgraded = try ToolRunner.run("eidolon", ["db", "upgrade", server.uri, "--backup", backup])
    #expect(upgraded.status == 0 && upgraded.stderr.contains("from schema version 0 to 1"), "\(upgraded.stderr)")
    let info = try ToolRunner.run("eidolon", ["db", "info", server.uri, "--json"])
    let object = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
    #expect(object?["schema_version"] as? Int == 1 && object?["events"] as? Int == 1, "\(info.stdout)\(info.stderr)")
    let loaded = try ToolRunner.run("eid-load", [server.uri, input])
    #expect(loaded.status == 0 && loaded.stderr.contains("inserted 10"), "\(loaded.stderr)")
    let back = try ToolRunner.run("eidolon", ["db", "rollback", server.uri, "--backup", backup])
    #expect(back.status == 0, "\(back.stderr)")
    #expect(try connection.rows("SELECT count(*), to_regclass('eidolon_store') IS NULL FROM events").first == ["1", "t"])
  }

  /// A team's users imported side by side into one PostgreSQL store (parallel workers),
  /// each validated there; import, validate and export by hand against the same store.
  @Test func aTeamRunsSideBySideIntoOneStore() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    // A password in the URI (the test server trusts its socket, so any works) must show nowhere.
    let withPassword = server.uri.replacingOccurrences(of: "eidolon@", with: "eidolon:s3cret-pw@")
    let dir = try EidolonTeamRunTests.team(store: "store: '\(withPassword)'")
    try FileManager.default.removeItem(at: dir.appendingPathComponent("cy.json"))
    try FileManager.default.copyItem(at: dir.appendingPathComponent("ann.json"), to: dir.appendingPathComponent("cy.json"))
    let config = dir.appendingPathComponent("migration.yaml").path
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config, "--json", "--parallel-workers", "3"])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let users = try EidolonTeamRunTests.users(run.stdout)
    #expect(users.values.allSatisfy { $0["verdict"] as? String == "match" }, "\(users)")
    let state = try String(contentsOfFile: config + ".state.json", encoding: .utf8)
    #expect(!(run.stdout + run.stderr + state).contains("s3cret") && state.contains("REDACTED"), "\(state)")
    let text = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config])
    #expect(text.status == 0 && !(text.stdout + text.stderr).contains("s3cret"), "\(text.stdout)")
    let info = try JSONSerialization.jsonObject(with: Data(try ToolRunner.run("eidolon", ["db", "info", server.uri, "--json"]).stdout.utf8)) as? [String: Any]
    #expect(info?["events"] as? Int == 31 && info?["users"] as? [String] == ["ann", "bob", "cy"], "\(String(describing: info))")
    let annOnly = try ToolRunner.run("eidolon", ["migrate", "export", "--db", server.uri, "--user", "ann", "--to", "eidolon"])
    #expect(annOnly.stdout.split(separator: "\n").count == 12)

    // By hand: a second store in the same server, imported, validated, a row deleted.
    try PostgresConnection(server.uri).execute("CREATE DATABASE solo")
    let solo = server.uri.replacingOccurrences(of: "/postgres?", with: "/solo?")
    let imported = try ToolRunner.run("eidolon", ["migrate", "import", "--input", EidolonMigrateTests.awExport, "--db", solo])
    #expect(imported.status == 0 && imported.stderr.contains("inserted 12"), "\(solo) \(imported.stderr)")
    let dry = try ToolRunner.run("eidolon", ["migrate", "import", "--input", EidolonMigrateTests.awExport, "--db", solo, "--dry-run", "--merge-strategy", "replace"])
    #expect(dry.status == 0 && dry.stderr.contains("replaced 12"), "\(dry.stderr)")
    let validated = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", EidolonMigrateTests.awExport, "--target", solo, "--json"])
    #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
    try PostgresConnection(solo).execute("DELETE FROM events WHERE seq = (SELECT min(seq) FROM events)")
    let caught = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", EidolonMigrateTests.awExport, "--target", solo, "--json"])
    let report = try JSONSerialization.jsonObject(with: Data(caught.stdout.utf8)) as? [String: Any]
    #expect(caught.status == 1 && (report?["missing"] as? [String: Any])?["count"] as? Int == 1, "\(caught.stdout)")
    let loads = try PostgresConnection(solo).rows("SELECT count(*) FROM imports")
    #expect(loads.first == ["1"], "the dry run left its import: \(loads)")
  }

  /// copy-store from SQLite to PostgreSQL and back: migrate validate matches the source
  /// files on each copy, the copies dump as the original, and a copy killed after its
  /// first batches resumes to a checked copy.
  @Test func copyStoreBothWaysValidatesAndResumes() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let original = dir.appendingPathComponent("original.db").path
    let source = EidolonMigrateTests.awExport
    #expect(try ToolRunner.run("eidolon", ["migrate", "import", "--input", source, "--db", original]).status == 0)
    let there = try ToolRunner.run("eidolon", ["migrate", "copy-store", "--from", original, "--to", server.uri, "--json"])
    #expect(there.status == 0 && there.stderr.contains("checked: the 12 events"), "\(there.stderr)")
    let back = dir.appendingPathComponent("back.db").path
    let again = try ToolRunner.run("eidolon", ["migrate", "copy-store", "--from", server.uri, "--to", back])
    #expect(again.status == 0 && again.stderr.contains("checked: the 12 events"), "\(again.stderr)")
    for store in [server.uri, back] {
      let validated = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", source, "--target", store])
      #expect(validated.status == 0 && validated.stdout.hasPrefix("MATCH"), "\(store): \(validated.stdout)")
    }
    let dumps = try [original, server.uri, back].map { try ToolRunner.run("eid-dump", [$0]).stdout }
    #expect(!dumps[0].isEmpty && dumps[1] == dumps[0] && dumps[2] == dumps[0])
    let same = try ToolRunner.run("eidolon", ["migrate", "copy-store", "--from", back, "--to", back])
    #expect(same.status == 2, "\(same.stderr)")

    // 40,000 events into a second database, killed after two batches, resumed.
    let big = dir.appendingPathComponent("big.db").path
    let bigCount = 40_000 / Self.scale
    #expect(try ToolRunner.run("eid-load", [big, try Self.write(Self.events(0..<bigCount), "big.ndjson", in: dir)]).status == 0)
    try PostgresConnection(server.uri).execute("CREATE DATABASE copied")
    let copied = server.uri.replacingOccurrences(of: "/postgres?", with: "/copied?")
    _ = try PostgresEventStore(copied)
    let watcher = try PostgresConnection(copied)
    let process = Process()
    process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("eidolon")
    process.arguments = ["migrate", "copy-store", "--from", big, "--to", copied, "--batch-size", "997"]
    process.standardError = FileHandle.nullDevice
    try process.run()
    var killed = false
    while process.isRunning {
      if (Int((try? watcher.rows("SELECT max(lines) FROM checkpoints"))?.first?.first.flatMap { $0 } ?? "0") ?? 0) >= 2 * 997 {
        kill(process.processIdentifier, SIGKILL)
        killed = true
        break
      }
      usleep(1_000)
    }
    process.waitUntilExit()
    #expect(killed)
    let resumed = try ToolRunner.run("eidolon", ["migrate", "copy-store", "--from", big, "--to", copied, "--batch-size", "997", "--resume"])
    #expect(resumed.status == 0 && resumed.stderr.contains("resumed at input 1") && resumed.stderr.contains("checked: the \(bigCount) events"), "\(resumed.stderr)")
  }

  /// import-database: the same table in SQLite and in PostgreSQL, mapped by one column
  /// map, gives the same events (a quote, a NULL, a bad row rejected with its reason);
  /// validate reads the rows again the same way and matches.
  @Test func importDatabaseReadsRowsOfEitherEngine() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let rows = [("2024-05-01T09:00:00Z", "1800", "Editor", "plan \"Q2\""), ("2024-05-01T09:30:00Z", "600", "Mail", nil),
                ("yesterday", "60", "Broken", "x"), ("2024-05-02T10:00:00+02:00", "3600", "Editor", "write, then read")]
    func values(_ quote: (String?) -> String) -> String { rows.map { "(\(quote($0.0)), \($0.1), \(quote($0.2)), \(quote($0.3)))" }.joined(separator: ", ") }
    let quote: (String?) -> String = { $0.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL" }
    let legacy = dir.appendingPathComponent("legacy.db").path
    try SQLiteDatabase(path: legacy, mode: .readWriteCreate).execute(
      "CREATE TABLE sessions (started TEXT, seconds INTEGER, program TEXT, note TEXT); INSERT INTO sessions VALUES \(values(quote));")
    try PostgresConnection(server.uri).execute(
      "CREATE TABLE sessions (started TEXT, seconds INTEGER, program TEXT, note TEXT); INSERT INTO sessions VALUES \(values(quote));")
    let map = ["--columns", "start=started,duration=seconds,app=program,description=note"]
    var dumps: [String] = []
    for (database, how) in [(legacy, ["--table", "sessions"]), (server.uri, ["--query", "SELECT * FROM sessions ORDER BY started; "])] {
      let store = dir.appendingPathComponent("from-\(dumps.count).db").path
      let imported = try ToolRunner.run("eidolon", ["migrate", "import-database", "--database", database] + how + map + ["--db", store])
      #expect(imported.status == 1 && imported.stderr.contains("inserted 3") && imported.stderr.contains("rejected 1"), "\(imported.stderr)")
      #expect(imported.stderr.contains("\"yesterday\" is not a time"), "\(imported.stderr)")
      let validated = try ToolRunner.run("eidolon", ["migrate", "validate", "--database", database] + how + map + ["--target", store])
      #expect(validated.stdout.hasPrefix("MATCH"), "\(validated.stdout)\(validated.stderr)")
      dumps.append(try ToolRunner.run("eid-dump", [store]).stdout)
    }
    #expect(dumps[0] == dumps[1] && dumps[0].contains(#""description":"plan \"Q2\"""#) && dumps[0].contains(#""source":"database""#), "\(dumps)")
    let both = try ToolRunner.run("eidolon", ["migrate", "import", "--database", legacy, "--query", "x", "--table", "y"])
    #expect(both.status == 2)
  }

  /// migrate sync into a shared PostgreSQL store: Toggl's edits and deletions by event id,
  /// ManicTime's changed activities by activity id and user (LiveTeamExportTests' checks).
  @Test func syncRemovesAndReplacesInPostgreSQL() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    try LiveTeamExportTests.togglSync(storeLine: "store: '\(server.uri)'") { _ in server.uri }
    try PostgresConnection(server.uri).execute("CREATE DATABASE manictime")
    let other = server.uri.replacingOccurrences(of: "/postgres?", with: "/manictime?")
    try LiveTeamExportTests.manicTimeSync(storeLine: "store: '\(other)'") { _ in other }
  }

  /// PostgreSQL's text has no U+0000: an event holding one is rejected as a record (its
  /// place, its line in the rejects table and in --rejects), the rest of its batch stored,
  /// by eid-load and by eidolon's in-process import alike.
  @Test func aNULCharacterIsRejectedNotTheBatch() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let input = try Self.write(Self.events(0..<3) + #"{"id":"nul:1","source":"x","kind":"window","start":"2024-01-01T00:00:00.000Z","duration":1,"title":"a\u0000b"}"# + "\n" + Self.events(3..<5), "nul.ndjson", in: dir)
    let rejects = dir.appendingPathComponent("rejects.ndjson").path
    let loaded = try ToolRunner.run("eid-load", [server.uri, input, "--rejects", rejects])
    #expect(loaded.status == 1 && loaded.stderr.contains("nul.ndjson:4:1: error: event nul:1: its title holds U+0000"), "\(loaded.stderr)")
    #expect(loaded.stderr.contains("inserted 5") && loaded.stderr.contains("rejected 1"), "\(loaded.stderr)")
    #expect(try String(contentsOfFile: rejects, encoding: .utf8).contains("nul:1"))
    try PostgresConnection(server.uri).execute("CREATE DATABASE other")
    let other = server.uri.replacingOccurrences(of: "/postgres?", with: "/other?")
    let imported = try ToolRunner.run("eidolon", ["migrate", "import", "--input", input, "--db", other])
    #expect(imported.status == 1 && imported.stderr.contains("inserted 5") && imported.stderr.contains("rejected 1"), "\(imported.stderr)")
    let kept = try PostgresConnection(other).rows("SELECT error FROM rejects")
    #expect(kept.count == 1 && (kept.first?.first ?? nil)?.contains("U+0000") == true, "\(kept)")
  }

  /// compare-data: a store as the source of a validation. A copy matches its original; a
  /// row deleted from the copy is missing one way and extra the other.
  @Test func compareDataFindsWhatACopyLost() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let original = dir.appendingPathComponent("original.db").path
    #expect(try ToolRunner.run("eidolon", ["migrate", "import", "--input", EidolonMigrateTests.awExport, "--db", original]).status == 0)
    #expect(try ToolRunner.run("eidolon", ["migrate", "copy-store", "--from", original, "--to", server.uri]).status == 0)
    func compare(_ source: String, _ target: String) throws -> (Int32, [String: Any]) {
      let run = try ToolRunner.run("eidolon", ["migrate", "compare-data", "--source", source, "--target", target, "--json"])
      #expect(run.status != 2, "\(run.stderr)")
      return (run.status, try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]))
    }
    let (same, report) = try compare(original, server.uri)
    #expect(same == 0 && report["verdict"] as? String == "match" && (report["source"] as? [String: Any])?["events"] as? Int == 12, "\(report)")
    // One in the middle of the span (range scope counts as extra only what lies inside the source's span).
    try PostgresConnection(server.uri).execute("DELETE FROM events WHERE id = (SELECT id FROM events ORDER BY start_ms, seq LIMIT 1 OFFSET 5)")
    let (lost, missing) = try compare(original, server.uri)
    #expect(lost == 1 && (missing["missing"] as? [String: Any])?["count"] as? Int == 1, "\(missing)")
    let (_, extra) = try compare(server.uri, original)
    #expect((extra["extra"] as? [String: Any])?["count"] as? Int == 1, "\(extra)")
  }
}
