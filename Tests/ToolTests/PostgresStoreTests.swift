import Eidolon
import Foundation
import Testing

/// eid-load into a PostgreSQL store: the same counts and ids as a SQLite store, a second
/// load skips everything, and two loaders at once with overlapping inputs store exactly
/// the union, their imports counting what each inserted and skipped.
@Suite(.serialized) struct PostgresStoreTests {
  static func ids(_ store: PostgresEventStore) throws -> [String] {
    try store.connection.rows("SELECT id FROM events ORDER BY id").map { $0[0] ?? "" }
  }

  @Test func eidLoadAppendsAsIntoSQLite() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let ndjson = dir.appendingPathComponent("events.ndjson")
    let read = try ToolRunner.run("aw-read", [ToolRunner.packageRoot.appendingPathComponent("corpus/activitywatch/python-export.json").path])
    try read.stdout.write(to: ndjson, atomically: true, encoding: .utf8)

    let sqlite = try ToolRunner.run("eid-load", [dir.appendingPathComponent("events.db").path, ndjson.path])
    let postgres = try ToolRunner.run("eid-load", [server.uri, ndjson.path])
    #expect(postgres.status == 0, "\(postgres.stderr)")
    #expect(!postgres.stderr.contains("NOTICE"))
    let counts = { (text: String) in text.components(separatedBy: "read ").last?.split(separator: ",").prefix(3).joined(separator: ",") }
    #expect(counts(postgres.stderr) == counts(sqlite.stderr), "\(postgres.stderr) vs \(sqlite.stderr)")
    let dumped = try ToolRunner.run("eid-dump", [dir.appendingPathComponent("events.db").path]).stdout.split(separator: "\n")
      .map { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String ?? "" }.sorted()
    let store = try PostgresEventStore(server.uri)
    #expect(try Self.ids(store) == dumped)

    let again = try ToolRunner.run("eid-load", [server.uri, ndjson.path, "--batch-size", "3"])
    #expect(again.status == 0 && again.stderr.contains("inserted 0, skipped \(read.stdout.split(separator: "\n").count)"), "\(again.stderr)")
  }

  @Test func twoLoadersAtOnceStoreTheUnion() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    func lines(_ range: Range<Int>) -> String {
      range.map { #"{"id":"x:\#($0)","source":"x","kind":"window","start":"2024-01-01T00:00:00.000Z","duration":\#($0 % 60)}"# }
        .joined(separator: "\n") + "\n"
    }
    try lines(0..<35_000).write(to: dir.appendingPathComponent("a.ndjson"), atomically: true, encoding: .utf8)
    try lines(15_000..<50_000).write(to: dir.appendingPathComponent("b.ndjson"), atomically: true, encoding: .utf8)
    let both = try ToolRunner.shell("""
      cd \(dir.path) && { eid-load '\(server.uri)' a.ndjson --batch-size 1000 2> a.err & eid-load '\(server.uri)' b.ndjson --batch-size 1000 2> b.err & wait; }
      """)
    #expect(both.status == 0, "\(both.stdout)")
    let store = try PostgresEventStore(server.uri)
    #expect(try store.count() == 50_000)
    let imports = try store.connection.rows("SELECT read, inserted, skipped, status FROM imports ORDER BY id")
    #expect(imports.count == 2 && imports.allSatisfy { $0[0] == "35000" && $0[3] == "done" })
    let inserted = imports.compactMap { Int($0[1] ?? "") }.reduce(0, +)
    let skipped = imports.compactMap { Int($0[2] ?? "") }.reduce(0, +)
    #expect(inserted == 50_000 && skipped == 20_000, "\(imports)")
  }

  /// eid-dump from a PostgreSQL store gives byte for byte what it gives from a SQLite
  /// store of the same loads (every field: the corpus's canonical events and an
  /// ActivityWatch export's), and its filters keep the same events.
  @Test func eidDumpGivesWhatItGivesFromSQLite() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let aw = dir.appendingPathComponent("aw.ndjson")
    try ToolRunner.run("aw-read", [ToolRunner.packageRoot.appendingPathComponent("corpus/activitywatch/python-export.json").path]).stdout
      .write(to: aw, atomically: true, encoding: .utf8)
    let inputs = [ToolRunner.packageRoot.appendingPathComponent("corpus/eidolon/canonical.ndjson").path, aw.path]
    let sqlite = dir.appendingPathComponent("events.db").path
    #expect(try ToolRunner.run("eid-load", [sqlite] + inputs).status <= 1)
    #expect(try ToolRunner.run("eid-load", [server.uri] + inputs).status <= 1)
    for filter in [[], ["--source", "activitywatch"], ["--since", "2024-03-04T09:06:00Z"]] {
      let fromSQLite = try ToolRunner.run("eid-dump", [sqlite] + filter)
      let fromPostgres = try ToolRunner.run("eid-dump", [server.uri] + filter)
      #expect(fromPostgres.status == 0, "\(fromPostgres.stderr)")
      #expect(!fromPostgres.stdout.isEmpty && fromPostgres.stdout == fromSQLite.stdout, "\(filter)")
    }
  }

  /// replace into PostgreSQL: the same counts and the same dump as into SQLite, for a
  /// second input that changes some events (same ids) and repeats one id.
  @Test func replaceGivesWhatItGivesInSQLite() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let dir = try ToolRunner.temporaryDirectory()
    let first = dir.appendingPathComponent("first.ndjson")
    let read = try ToolRunner.run("aw-read", [ToolRunner.packageRoot.appendingPathComponent("corpus/activitywatch/python-export.json").path])
    try read.stdout.write(to: first, atomically: true, encoding: .utf8)
    let second = dir.appendingPathComponent("second.ndjson")
    let lines = read.stdout.split(separator: "\n").map(String.init)
    let changed = lines.enumerated().map { $0.offset % 2 == 0 ? $0.element.replacingOccurrences(of: #""duration":"#, with: #""title":"changed","duration":"#) : $0.element }
    try (changed + [changed[0]]).joined(separator: "\n").appending("\n").write(to: second, atomically: true, encoding: .utf8)
    let sqlite = dir.appendingPathComponent("events.db").path
    var notes: [String: String] = [:]
    for (store, key) in [(sqlite, "sqlite"), (server.uri, "postgres")] {
      #expect(try ToolRunner.run("eid-load", [store, first.path]).status == 0)
      let replaced = try ToolRunner.run("eid-load", [store, second.path, "--merge-strategy", "replace", "--batch-size", "4"])
      #expect(replaced.status <= 1, "\(replaced.stderr)")
      notes[key] = replaced.stderr.components(separatedBy: "read ").last?.split(separator: ",").prefix(4).joined(separator: ",")
    }
    #expect(notes["sqlite"] == notes["postgres"], "\(notes)")
    let fromSQLite = try ToolRunner.run("eid-dump", [sqlite]).stdout
    let fromPostgres = try ToolRunner.run("eid-dump", [server.uri]).stdout
    #expect(!fromPostgres.isEmpty && fromPostgres == fromSQLite)
  }
}
