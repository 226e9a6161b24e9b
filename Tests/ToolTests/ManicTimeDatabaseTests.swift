import CSQLite
import Foundation
import Testing

/// mt-read on a ManicTimeReports.db built here from corpus/manictime-db/ManicTimeReports.sql
/// with the real sqlite3 library: every timeline, one timeline, the file left as it was.
@Suite struct ManicTimeDatabaseTests {
  static let folder = ToolRunner.packageRoot.appendingPathComponent("corpus/manictime-db")

  private func buildDatabase() throws -> URL {
    let dir = try ToolRunner.temporaryDirectory()
    let path = dir.appendingPathComponent("ManicTimeReports.db")
    let sql = try String(contentsOf: Self.folder.appendingPathComponent("ManicTimeReports.sql"), encoding: .utf8)
    var db: OpaquePointer?
    #expect(sqlite3_open(path.path, &db) == SQLITE_OK)
    #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
    sqlite3_close(db)
    return path
  }

  @Test func everyTimelineMatchesTheGoldenFile() throws {
    let database = try buildDatabase()
    let before = try Data(contentsOf: database)
    let result = try ToolRunner.run("mt-read", [database.path])
    let golden = Self.folder.appendingPathComponent("ManicTimeReports.expected.ndjson")
    if ProcessInfo.processInfo.environment["EIDOLON_UPDATE_GOLDEN"] == "1" { try Data(result.stdout.utf8).write(to: golden) }
    #expect(result.status == 1, "\(result.stderr)")  // one activity ends before it starts
    #expect(result.stderr.contains("activity 203: it ends before it starts"))
    #expect(result.stdout == (try String(contentsOf: golden, encoding: .utf8)))
    #expect(try Data(contentsOf: database) == before, "the database must be opened read-only")
    // Seconds per timeline, from the SQL by hand: usage 7200 + 1800, apps 900 + 4800, docs 900, tags 5400.
    var seconds: [String: Double] = [:]
    for line in result.stdout.split(separator: "\n") {
      let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      seconds[event["stream"] as? String ?? "", default: 0] += event["duration"] as? Double ?? 0
    }
    #expect(seconds == ["ManicTime/ComputerUsage": 9000, "ManicTime/Applications": 5700, "ManicTime/Documents": 900, "ManicTime/Tags": 5400])
  }

  @Test func oneTimelineAndTheSameIdsAsTheCSV() throws {
    let database = try buildDatabase()
    let result = try ToolRunner.run("mt-read", [database.path, "--timeline", "applications"])
    #expect(result.stdout.split(separator: "\n").count == 2)
    #expect(!result.stdout.contains("ManicTime/Tags"))
    // The same activity as mtc would export it (Berlin wall clock) gets the same id.
    let csv = "Name,Start,End,Duration,Process\r\nPull requests · eidolon — GitHub,2024-03-31T01:05:00,2024-03-31T01:20:00,0:15:00,Google Chrome\r\n"
    let fromCSV = try ToolRunner.run("mt-read", ["--tz", "Europe/Berlin"], stdin: Data(csv.utf8))
    let id = try #require(fromCSV.stdout.split(separator: "\"")[safe: 3])
    #expect(result.stdout.contains(String(id)), "\(fromCSV.stdout)")
  }

  @Test func aFileThatIsNotManicTimesDatabaseIsRefused() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let path = dir.appendingPathComponent("other.db").path
    var db: OpaquePointer?
    sqlite3_open(path, &db)
    sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", nil, nil, nil)
    sqlite3_close(db)
    let result = try ToolRunner.run("mt-read", [path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("not a ManicTimeReports.db"))
  }
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
