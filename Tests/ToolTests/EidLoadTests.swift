import Eidolon
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// eid-load and eid-dump run as a user would: kills, resumes, full disks, round trips.
@Suite(.serialized) struct EidLoadTests {
  /// A sorted canonical stream of `count` events with tags, attrs and non-ASCII text.
  private func canonicalInput(_ count: Int, in dir: URL) throws -> URL {
    let url = dir.appendingPathComponent("in.ndjson")
    var text = ""
    text.reserveCapacity(count * 200)
    let base = 1_700_000_000_000
    // One formatter for all: one per event was 13 of the suite's 23 seconds (debug build, alone).
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    for i in 0..<count {
      let millis = base + i * 7_001
      let start = Date(timeIntervalSince1970: Double(millis) / 1000)
      let duration = i % 5 == 0 ? "0" : "\(i % 300).25"
      text += "{\"id\":\"gen:\(i)\",\"source\":\"\(i % 3 == 0 ? "toggl" : "activitywatch")\",\"kind\":\"window\",\"start\":\"\(formatter.string(from: start))\",\"duration\":\(duration),\"app\":\"App \(i % 17)\",\"title\":\"Tïtle \\\"\(i)\\\"\",\"tags\":[\"t\(i % 4)\"],\"attrs\":{\"n\":\(i),\"x\":[1.50,null]}}\n"
    }
    try Data(text.utf8).write(to: url)
    return url
  }

  private var eidLoad: String { ToolRunner.productsDirectory.appendingPathComponent("eid-load").path }

  @Test func loadThenDumpRoundTripsByteForByte() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = try canonicalInput(3000, in: dir)
    let database = dir.appendingPathComponent("events.db").path
    let loaded = try ToolRunner.run("eid-load", [database, input.path, "--json"])
    #expect(loaded.status == 0, "\(loaded.stderr)")
    #expect(loaded.stdout.contains("\"inserted\":3000"))
    #expect(loaded.stderr.contains("read 3000, inserted 3000, skipped 0"))
    let dumped = try ToolRunner.run("eid-dump", [database])
    #expect(dumped.status == 0)
    #expect(dumped.stdout == (try String(contentsOf: input, encoding: .utf8)))
    let again = try ToolRunner.run("eid-load", [database, input.path])
    #expect(again.stderr.contains("inserted 0, skipped 3000"))
    let filtered = try ToolRunner.run("eid-dump", [database, "--source", "toggl", "--since", "2023-11-14T22:13:20Z"])
    #expect(filtered.stdout.split(separator: "\n").count == 1000)
  }

  /// Killed up to five times (at least twice), each time once two more batches are
  /// committed than the run resumed from (the storing thread one block behind the
  /// reading), then resumed.
  @Test func loadsKilledAfterCommittedBatchesResumeToTheRowsOfACleanLoad() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = try canonicalInput(60_000, in: dir)
    let clean = dir.appendingPathComponent("clean.db").path
    #expect(try ToolRunner.run("eid-load", [clean, input.path]).status == 0)
    let expected = try ToolRunner.run("eid-dump", [clean]).stdout

    let database = dir.appendingPathComponent("events.db").path
    func committedLines() -> Int {
      guard let db = try? SQLiteDatabase(path: database, mode: .readOnly),
        let lines = try? db.integer("SELECT lines FROM checkpoints ORDER BY import_id DESC LIMIT 1")
      else { return 0 }
      return Int(lines)
    }
    var killedAt: [Int] = []
    var completed = false
    for attempt in 0..<5 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: eidLoad)
      process.arguments = [database, input.path, "--batch-size", "997"] + (attempt == 0 ? [] : ["--resume"])
      process.standardError = FileHandle.nullDevice
      let from = committedLines()
      try process.run()
      while process.isRunning {
        let lines = committedLines()
        if lines >= from + 2 * 997 {
          kill(process.processIdentifier, SIGKILL)
          killedAt.append(lines)
          break
        }
        usleep(1_000)
      }
      process.waitUntilExit()
      // On a busy machine a load can get to its end before it is seen to commit: then
      // there is nothing left to kill.
      if process.terminationReason == .exit {
        #expect(process.terminationStatus == 0)
        completed = true
        break
      }
    }
    #expect(killedAt.count >= 2, "killed after \(killedAt) lines")
    if !completed {
      let finished = try ToolRunner.run("eid-load", [database, input.path, "--batch-size", "997", "--resume"])
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    #expect(try ToolRunner.run("eid-dump", [database]).stdout == expected)
    // Every event was inserted once, over the loads that were killed and the last one.
    #expect(try SQLiteDatabase(path: database, mode: .readOnly).integer("SELECT sum(inserted) FROM imports") == 60_000)
    #expect(try SQLiteDatabase(path: database, mode: .readOnly).integer("SELECT count(*) FROM imports") == 1)
  }

  /// A load of three inputs killed inside each of them in turn (the checkpoint read from
  /// the store says where it is), each time resumed: the store ends as a clean load's.
  @Test func aLoadKilledInsideEachOfThreeInputsResumesEveryTime() throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let all = try String(contentsOf: try canonicalInput(45_000, in: dir), encoding: .utf8).split(separator: "\n")
    var inputs: [String] = []
    for part in 0..<3 {
      let url = dir.appendingPathComponent("part\(part).ndjson")
      try Data((all[(part * 15_000)..<((part + 1) * 15_000)].joined(separator: "\n") + "\n").utf8).write(to: url)
      inputs.append(url.path)
    }
    let clean = dir.appendingPathComponent("clean.db").path
    #expect(try ToolRunner.run("eid-load", [clean] + inputs).status == 0)
    let expected = try ToolRunner.run("eid-dump", [clean]).stdout

    let database = dir.appendingPathComponent("events.db").path
    guard try sqliteValue(clean, "SELECT 1") != nil else { return }  // no sqlite3 shell to watch with
    for target in 0..<3 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: eidLoad)
      process.arguments = [database] + inputs + ["--batch-size", "251"] + (target == 0 ? [] : ["--resume"])
      let errors = dir.appendingPathComponent("err\(target)")
      FileManager.default.createFile(atPath: errors.path, contents: nil)
      process.standardError = try FileHandle(forWritingTo: errors)
      try process.run()
      // Kill it once a batch inside input `target` is committed.
      var killedInside = false
      while process.isRunning {
        let at = try sqliteValue(database, "SELECT input_index || ' ' || lines FROM checkpoints ORDER BY import_id DESC LIMIT 1") ?? ""
        let parts = at.split(separator: " ").compactMap { Int($0) }
        if parts.count == 2, parts[0] == target, parts[1] > 0 {
          kill(process.processIdentifier, SIGKILL)
          killedInside = true
          break
        }
        if parts.count == 2, parts[0] > target { break }
        usleep(5_000)
      }
      process.waitUntilExit()
      let said = try String(contentsOf: errors, encoding: .utf8)
      #expect(killedInside, "input \(target): \(said)")
      #expect(!said.contains("differ"), "\(said)")
    }
    let finished = try ToolRunner.run("eid-load", [database] + inputs + ["--batch-size", "251", "--resume"])
    #expect(finished.status == 0, "\(finished.stderr)")
    #expect(try ToolRunner.run("eid-dump", [database]).stdout == expected)
    #expect(try sqliteValue(database, "SELECT sum(inserted) FROM imports") == "45000")
  }

  /// Two loaders on one store: the second waits for the first (or, with --wait 0, fails
  /// at once and leaves it alone); a killed loader's load is called interrupted by the next.
  @Test func aSecondLoaderWaitsForTheFirstAndNeverTakesItOver() throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = try canonicalInput(40_000, in: dir)
    let database = dir.appendingPathComponent("events.db").path
    guard try sqliteValue(":memory:", "SELECT 1") != nil else { return }  // no sqlite3 shell to watch with

    func startFirst(load: Int) throws -> Process {
      let first = Process()
      first.executableURL = URL(fileURLWithPath: eidLoad)
      first.arguments = [database, input.path, "--batch-size", "200"]
      first.standardError = FileHandle.nullDevice
      try first.run()
      // Until its first batch is in.
      while first.isRunning, try sqliteValue(database, "SELECT count(*) FROM checkpoints WHERE import_id = \(load)") ?? "0" == "0" { usleep(5_000) }
      return first
    }

    // The first reads a FIFO the test feeds, so it is still loading, however fast this
    // machine is, until the test lets it finish (a file of 40,000 events could be loaded
    // before the second loader started).
    let fifo = dir.appendingPathComponent("first.ndjson").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let first = Process()
    first.executableURL = URL(fileURLWithPath: eidLoad)
    first.arguments = [database, fifo, "--batch-size", "200"]
    first.standardError = FileHandle.nullDevice
    try first.run()
    // Opened without blocking, so a loader that never opens the FIFO fails the test
    // instead of hanging it.
    var fd: Int32 = -1
    while fd < 0 && first.isRunning {
      fd = open(fifo, O_WRONLY | O_NONBLOCK)
      if fd < 0 { usleep(5_000) }
    }
    try #require(fd >= 0, "the first loader stopped before reading its input")
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    let feed = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
    let lines = try Data(contentsOf: input)
    let half = lines[..<(lines[(lines.count / 2)...].firstIndex(of: 0x0A)! + 1)]
    try feed.write(contentsOf: half)
    while first.isRunning, try sqliteValue(database, "SELECT count(*) FROM checkpoints WHERE import_id = 1") ?? "0" == "0" { usleep(5_000) }

    let refused = try ToolRunner.run("eid-load", [database, input.path, "--wait", "0"])
    #expect(refused.status == 2 && refused.stderr.contains("load 1 is still loading into this store"), "\(refused.stderr)")
    #expect(try sqliteValue(database, "SELECT status FROM imports WHERE id = 1") == "running")
    let waitedErrors = dir.appendingPathComponent("waited.err")
    FileManager.default.createFile(atPath: waitedErrors.path, contents: nil)
    let waited = Process()
    waited.executableURL = URL(fileURLWithPath: eidLoad)
    waited.arguments = [database, input.path, "--wait", "120"]
    waited.standardError = try FileHandle(forWritingTo: waitedErrors)
    try waited.run()
    var waitedSays: String { (try? String(contentsOf: waitedErrors, encoding: .utf8)) ?? "" }
    for _ in 0..<6000 where !waitedSays.contains("waiting for load 1 to finish") { usleep(5_000) }
    try feed.write(contentsOf: lines[half.endIndex...])
    try feed.close()
    first.waitUntilExit()
    waited.waitUntilExit()
    #expect(first.terminationStatus == 0)
    #expect(waited.terminationStatus == 0 && waitedSays.contains("waiting for load 1 to finish"), "\(waitedSays)")
    #expect(waitedSays.contains("inserted 0, skipped 40000"), "\(waitedSays)")
    #expect(try sqliteValue(database, "SELECT group_concat(status) FROM imports") == "done,done")

    // A loader killed mid-load holds nothing: the next one calls its load interrupted.
    let killed = try startFirst(load: 3)
    kill(killed.processIdentifier, SIGKILL)
    killed.waitUntilExit()
    let next = try ToolRunner.run("eid-load", [database, input.path, "--wait", "0"])
    #expect(next.status == 0 && next.stderr.contains("load 3 did not finish"), "\(next.stderr)")
  }

  /// The first value the sqlite3 shell prints for `sql`, or nil when the shell is missing.
  private func sqliteValue(_ database: String, _ sql: String) throws -> String? {
    let result = try ToolRunner.shell("sqlite3 '\(database)' \"\(sql)\" 2>/dev/null || echo skip")
    let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return text == "skip" ? nil : text
  }

  /// Into an empty store the indexes are built at the end of the load; it must store what
  /// a load that checks the id index row by row stores, a repeated id's first event kept.
  @Test func aLoadIntoAnEmptyStoreStoresWhatARowByRowLoadStores() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = try canonicalInput(3000, in: dir)
    let text = try String(contentsOf: input, encoding: .utf8)
    let lines = text.split(separator: "\n").map(String.init)
    // Every tenth event again, later and with another title under the same id.
    let repeated = dir.appendingPathComponent("repeated.ndjson")
    let again = stride(from: 0, to: lines.count, by: 10).map { lines[$0].replacingOccurrences(of: "Tïtle", with: "Later") }
    try Data((again.joined(separator: "\n") + "\n").utf8).write(to: repeated)

    let empty = dir.appendingPathComponent("empty.db").path
    let deferred = try ToolRunner.run("eid-load", [empty, input.path, repeated.path, "--batch-size", "700"])
    #expect(deferred.status == 0 && deferred.stderr.contains("read 3300, inserted 3000, skipped 300"), "\(deferred.stderr)")

    let seeded = dir.appendingPathComponent("seeded.db").path
    let first = dir.appendingPathComponent("first.ndjson")
    try Data((lines[0] + "\n").utf8).write(to: first)
    #expect(try ToolRunner.run("eid-load", [seeded, first.path]).status == 0)
    let rowByRow = try ToolRunner.run("eid-load", [seeded, input.path, repeated.path, "--batch-size", "700"])
    #expect(rowByRow.stderr.contains("read 3300, inserted 2999, skipped 301"), "\(rowByRow.stderr)")

    let dumped = try ToolRunner.run("eid-dump", [empty]).stdout
    #expect(dumped == text)
    #expect(dumped == (try ToolRunner.run("eid-dump", [seeded]).stdout))
    if let indexes = try sqliteValue(empty, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name)") {
      #expect(indexes == "events_by_id,events_by_start,events_by_stream")
      #expect(try sqliteValue(empty, "SELECT count(*) FROM event_tags") == "3000")  // the repeats' tags went with them
      #expect(try sqliteValue(empty, "SELECT inserted || ',' || skipped FROM imports") == "3000,300")
    }
  }

  /// A load into an empty store that stops before its end leaves the indexes unbuilt;
  /// the next load, resumed or not, builds them before it stores anything.
  @Test func indexesAStoppedLoadLeftUnbuiltAreBuiltByTheNextLoad() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = try canonicalInput(20_000, in: dir)
    let database = dir.appendingPathComponent("events.db").path
    let full = try ToolRunner.shell("ulimit -f 2048; trap '' XFSZ; exec '\(eidLoad)' '\(database)' '\(input.path)' --batch-size 500")
    #expect(full.status == 2)
    guard let before = try sqliteValue(database, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_id'") else {
      print("skipped: the sqlite3 shell is not installed (bash .ci/setup installs it)")
      return
    }
    #expect(before == "0")
    let next = try ToolRunner.run("eid-load", [database, input.path, "--batch-size", "500"])
    #expect(next.status == 0, "\(next.stderr)")
    #expect(next.stderr.contains("building them now"), "\(next.stderr)")
    #expect(try sqliteValue(database, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_id'") == "1")
    #expect(try ToolRunner.run("eid-dump", [database]).stdout == (try String(contentsOf: input, encoding: .utf8)))
  }

  @Test func aFullDiskStopsTheLoadCleanlyAndResumeFinishesIt() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = try canonicalInput(20_000, in: dir)
    let database = dir.appendingPathComponent("events.db").path
    // A file-size limit makes writes past 2 MB fail, as on a full disk.
    let full = try ToolRunner.shell("ulimit -f 2048; trap '' XFSZ; exec '\(eidLoad)' '\(database)' '\(input.path)' --batch-size 500")
    #expect(full.status == 2)
    #expect(full.stderr.contains("error:") && full.stderr.contains("--resume"), "\(full.stderr)")
    let check = try ToolRunner.shell("sqlite3 '\(database)' 'PRAGMA integrity_check' 2>/dev/null || echo skip")
    if !check.stdout.hasPrefix("skip") { #expect(check.stdout.hasPrefix("ok")) }
    let resumed = try ToolRunner.run("eid-load", [database, input.path, "--batch-size", "500", "--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(try ToolRunner.run("eid-dump", [database]).stdout == (try String(contentsOf: input, encoding: .utf8)))
  }

  @Test func aCorruptLineIsRejectedAndTheRestLoads() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = dir.appendingPathComponent("in.ndjson")
    try Data("""
      {"id":"a","source":"s","kind":"k","start":"2024-01-01T00:00:00.000Z","duration":1}
      {"id":"b","source":"s","kind":"k","start":"2024-01-01T00:00:01.000Z","duration":"x"}
      {"id":"c","source":"s","kind":"k","start":"2024-01-01T00:00:02.000Z","duration":1}

      """.utf8).write(to: input)
    let rejects = dir.appendingPathComponent("rejects.ndjson").path
    let database = dir.appendingPathComponent("events.db").path
    let result = try ToolRunner.run("eid-load", [database, input.path, "--rejects", rejects])
    #expect(result.status == 1)
    #expect(result.stderr.contains("in.ndjson:2:"))
    #expect(result.stderr.contains("inserted 2") && result.stderr.contains("rejected 1"))
    #expect((try String(contentsOf: URL(fileURLWithPath: rejects), encoding: .utf8)).contains("\"raw\""))
    #expect(try ToolRunner.run("eid-dump", [database]).stdout.split(separator: "\n").count == 2)
  }

  @Test func notAStoreAndNewerStoresAreRefused() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let other = dir.appendingPathComponent("other.db").path
    let text = dir.appendingPathComponent("notes.txt").path
    try Data("just some text, long enough to look like a file header and not a database".utf8).write(to: URL(fileURLWithPath: text))
    let result = try ToolRunner.run("eid-load", [text], stdin: Data())
    #expect(result.status == 2)
    #expect(result.stderr.contains("notes.txt"))
    #expect(try String(contentsOf: URL(fileURLWithPath: text), encoding: .utf8).hasPrefix("just some text"))

    // Another program's SQLite file, and a store from a newer Eidolon.
    let store = dir.appendingPathComponent("events.db").path
    #expect(try ToolRunner.run("eid-load", [store], stdin: Data()).status == 0)
    let made = try ToolRunner.shell("sqlite3 '\(other)' 'CREATE TABLE t (x)' && sqlite3 '\(store)' 'PRAGMA user_version = 99' 2>/dev/null || echo skip")
    guard !made.stdout.hasPrefix("skip") else {
      print("skipped: the sqlite3 shell is not installed (bash .ci/setup installs it)")
      return
    }
    let foreign = try ToolRunner.run("eid-load", [other], stdin: Data())
    #expect(foreign.status == 2 && foreign.stderr.contains("not an Eidolon store"))
    let newer = try ToolRunner.run("eid-load", [store], stdin: Data())
    #expect(newer.status == 2 && newer.stderr.contains("schema version 99, newer than this eid-load knows"))
    #expect(try ToolRunner.run("eid-dump", [store]).status == 2)
  }

  @Test func upgradeMakesABackupAndRollbackPutsItBack() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let database = dir.appendingPathComponent("v1.db").path
    let fixture = ToolRunner.packageRoot.appendingPathComponent("corpus/sqlite/store-v1.sql").path
    let made = try ToolRunner.shell("sqlite3 '\(database)' < '\(fixture)' 2>/dev/null || echo skip")
    guard !made.stdout.hasPrefix("skip") else {
      print("skipped: the sqlite3 shell is not installed (bash .ci/setup installs it)")
      return
    }
    let refused = try ToolRunner.run("eid-load", [database], stdin: Data())
    #expect(refused.status == 2 && refused.stderr.contains("--upgrade"))
    let upgraded = try ToolRunner.run("eid-load", [database, "--upgrade"])
    #expect(upgraded.status == 0, "\(upgraded.stderr)")
    #expect(upgraded.stderr.contains("from schema version 1 to 3") && upgraded.stderr.contains("v1.db.backup-v1"))
    #expect(try ToolRunner.run("eid-dump", [database]).stdout.split(separator: "\n").count == 3)
    let rolledBack = try ToolRunner.run("eid-load", [database, "--rollback", database + ".backup-v1"])
    #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
    #expect(try ToolRunner.run("eid-dump", [database]).status == 2)  // version 1 again
  }

  @Test func aReadOnlyDatabaseGivesAClearErrorAndStaysIntact() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = try canonicalInput(10, in: dir)
    let database = dir.appendingPathComponent("events.db").path
    #expect(try ToolRunner.run("eid-load", [database, input.path]).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: database))
    chmod(database, 0o444)
    chmod(dir.path, 0o755)
    // Root writes whatever the mode says: run the load as nobody (setpriv) when root.
    let command = "'\(eidLoad)' '\(database)' '\(input.path)' --merge-strategy replace"
    let asUser = getuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " + command : command
    let result = try ToolRunner.shell(asUser)
    if result.stderr.contains("Permission denied") || result.status == 126 || result.status == 127 {
      print("skipped: cannot run eid-load as another user here (\(result.stderr.prefix(100)))")
      return
    }
    #expect(result.status == 2)
    #expect(result.stderr.contains("read-only"), "\(result.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)
  }

  @Test func aLoadFromStdinResumesBySkippingWhatWasCommitted() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let good = try String(contentsOf: try canonicalInput(20, in: dir), encoding: .utf8).split(separator: "\n")
    let text = (good[0..<11] + ["{\"broken\""] + good[11...]).joined(separator: "\n") + "\n"
    let database = dir.appendingPathComponent("events.db").path
    // --strict stops at line 12; batches of 4 lines were committed up to line 8.
    let stopped = try ToolRunner.run("eid-load", [database, "--strict", "--batch-size", "4"], stdin: Data(text.utf8))
    #expect(stopped.status == 1)
    #expect(try ToolRunner.run("eid-dump", [database]).stdout.split(separator: "\n").count == 8)
    let resumed = try ToolRunner.run("eid-load", [database, "--batch-size", "4", "--resume"], stdin: Data(text.utf8))
    #expect(resumed.status == 1)  // the broken line is rejected this time, and counted
    #expect(resumed.stderr.contains("resuming load 1 at input 1, after line 8"))
    #expect(resumed.stderr.contains("inserted 20") && resumed.stderr.contains("rejected 1"))
    #expect(try ToolRunner.run("eid-dump", [database]).stdout == good.joined(separator: "\n") + "\n")
  }
}
