import CSQLite
import Foundation
import Eidolon
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// eid-load's store: strategies, checkpoints and resume, upgrades, eid-dump order.
@Suite struct EventStoreTests {
  private func ndjsonFile(_ lines: [String]) -> String {
    let path = temporaryDirectory() + "/in.ndjson"
    writeFile(path, Array((lines.joined(separator: "\n") + "\n").utf8))
    return path
  }

  private func line(_ id: String, _ start: String, _ duration: Double = 60, source: String = "toggl", stream: String? = nil,
                    extra: String = "") -> String {
    let streamField = stream.map { ",\"stream\":\"\($0)\"" } ?? ""
    return "{\"id\":\"\(id)\",\"source\":\"\(source)\",\"kind\":\"time_entry\",\"start\":\"\(start)\",\"duration\":\(duration == duration.rounded() ? String(Int(duration)) : String(duration))\(streamField)\(extra)}"
  }

  @discardableResult
  private func load(_ database: String, _ paths: [String], _ strategy: EventLoader.Strategy = .append, batchSize: Int = 2,
                    resume: Bool = false) throws -> EventLoader.Counts {
    let diagnostics = Diagnostics(toolName: "test")
    diagnostics.messageHandler = { _ in }
    var options = EventLoader.Options()
    options.strategy = strategy
    options.batchSize = batchSize
    options.resume = resume
    let loader = try EventLoader(store: try EventStore(path: database), inputs: paths, options: options, diagnostics: diagnostics)
    try loader.load(paths: paths, progress: Progress.automatic(forced: false))
    return try loader.finish()
  }

  private func dump(_ database: String, _ filter: EventDumper.Filter = EventDumper.Filter()) throws -> [String] {
    let dumper = try EventDumper(store: try EventStore(path: database, readOnly: true), filter: filter)
    var lines: [String] = []
    let buffer = ByteBuffer()
    while let event = try dumper.next() {
      buffer.removeAll()
      EidolonNDJSONWriter.append(event, to: buffer)
      lines.append(String(decoding: buffer.bytes.dropLast(), as: UTF8.self))
    }
    return lines
  }

  private func integer(_ database: String, _ sql: String) throws -> Int64? {
    try SQLiteDatabase(path: database, mode: .readOnly).integer(sql)
  }

  @Test func loadThenDumpGivesTheSameBytes() throws {
    let lines = [
      line("t:1", "2024-03-01T08:00:00.000Z", 90.5, extra: ",\"project\":\"Eidolon\",\"productivity\":2,\"tags\":[\"deep work\",\"ü\"],\"billable\":true,\"offset\":\"+01:00\",\"attrs\":{\"z\":1,\"a\":[1.50,null,{\"k\":\"v\"}]}"),
      line("t:2", "2024-03-01T08:00:00.000Z", 0),
      line("t:3", "2024-03-02T09:30:00.250Z", 1e-3, extra: ",\"title\":\"quote \\\" and \\\\ and \\n\",\"billable\":false"),
    ]
    let database = temporaryDirectory() + "/events.db"
    let counts = try load(database, [ndjsonFile(lines)])
    #expect(counts == EventLoader.Counts(read: 3, inserted: 3))
    #expect(try dump(database) == lines)
    // Tags are queryable through their own table.
    #expect(try integer(database, "SELECT count(*) FROM event_tags JOIN events ON seq = event_seq WHERE tag = 'deep work'") == 1)
    #expect(try integer(database, "SELECT sum(events) FROM time_per_day_project") == 1)
  }

  /// eid-load binds a view's bytes where they lie; `eidolon migrate import` binds an
  /// Event's Strings: both must store the same rows and tags, canonical input or not.
  @Test func viewsAndEventsStoreTheSameRows() throws {
    let lines = [
      line("t:1", "2024-03-01T08:00:00.000Z", 90.5, extra: ",\"project\":\"Eidolon\",\"productivity\":2,\"tags\":[\"deep work\",\"ü\",\"q\\\"\"],\"billable\":true,\"offset\":\"+01:00\",\"attrs\":{\"z\":1,\"a\":[1.50,null,{\"k\":\"v\"}]}"),
      line("t:2", "2024-03-01T08:00:00.000Z", 0, extra: ",\"tags\":[]"),
      line("t:3", "2024-03-02T09:30:00.250Z", 1e-3, extra: ",\"title\":\"quote \\\" and \\\\ and \\n \\u00e9\",\"billable\":false"),
      #"{ "id": "t:4", "source": "toggl", "kind": "time_entry", "start": "2024-03-02T10:30:00+01:00", "duration": 60.0, "app": "", "tags": ["a"] }"#,
      line("t:1", "2024-03-01T08:00:00.000Z", 30, extra: ",\"tags\":[\"again\"]"),
    ]
    let path = ndjsonFile(lines)
    func rows(_ database: String) throws -> [String] {
      let db = try SQLiteDatabase(path: database, mode: .readOnly)
      var result: [String] = []
      let columns = "id, source, kind, start, start_ms, end_ms, duration, stream, host, user, app, title, url, file, project, client, "
        + "task, description, category, subcategory, productivity, tags, billable, utc_offset, attrs"
      let all = columns.split(separator: ",").map { "quote(\($0))" }.joined(separator: " || '|' || ")
      for sql in ["SELECT \(all) FROM events ORDER BY id",
                  "SELECT t.tag || '|' || e.id FROM event_tags t JOIN events e ON e.seq = t.event_seq ORDER BY 1"] {
        let statement = try db.prepare(sql)
        while try statement.step() { result.append(statement.string(0) ?? "NULL") }
      }
      return result
    }
    for strategy in [EventLoader.Strategy.append, .replace] {
      let viaViews = temporaryDirectory() + "/views.db"
      try load(viaViews, [path], strategy)
      let viaEvents = temporaryDirectory() + "/events.db"
      let diagnostics = Diagnostics(toolName: "test")
      var options = EventLoader.Options()
      options.strategy = strategy
      let loader = try EventLoader(store: try EventStore(path: viaEvents), inputs: [path], options: options, diagnostics: diagnostics)
      try loader.load(inputs: [EventLoader.EventInput(name: path) {
        EidolonNDJSONReader(input: try InputOpener.open(path), diagnostics: diagnostics)
      }], transform: { _ in true }, progress: Progress.automatic(forced: false))
      _ = try loader.finish()
      let stored = try rows(viaViews)
      #expect(stored.count == (strategy == .append ? 4 + 4 : 4 + 2))  // events, then tags (t:1 replaced: one tag)
      #expect(stored == (try rows(viaEvents)))
    }
  }

  /// eid-dump writes each row's line straight from its columns; it must be the line the
  /// Event read back gives, for rows a load wrote and for rows edited by hand.
  @Test func rowsDumpedAsLinesAreTheEventsLines() throws {
    let lines = [
      line("t:1", "2024-03-01T08:00:00.000Z", 90.5, extra: ",\"project\":\"Eidolon\",\"productivity\":2,\"tags\":[\"deep work\",\"ü\"],\"billable\":true,\"offset\":\"+01:00\",\"attrs\":{\"z\":1,\"a\":[1.50,null,{\"k\":\"v\"}]}"),
      line("t:2", "2024-03-01T08:00:01.000Z", 0, extra: ",\"tags\":[]"),
      line("t:3", "2024-03-02T09:30:00.250Z", 1e-5, extra: ",\"title\":\"quote \\\" and \\\\ and \\n \\u0001\",\"billable\":false"),
      line("t:4", "2024-03-02T10:00:00.000Z", 60),
      line("t:5", "2024-03-02T11:00:00.000Z", 60),
      line("t:6", "2024-03-02T12:00:00.000Z", 60),
      line("t:7", "2024-03-02T13:00:00.000Z", 60),
    ]
    let database = temporaryDirectory() + "/events.db"
    try load(database, [ndjsonFile(lines)])
    // Rows as a hand or another tool might leave them: JSON with spaces, a tag that is not
    // a string, an empty attrs object, text that is not UTF-8.
    let db = try SQLiteDatabase(path: database, mode: .readWrite)
    try db.execute("""
      UPDATE events SET attrs = '{ "a" : 1 }' WHERE id = 't:4';
      UPDATE events SET tags = '["x", 1]' WHERE id = 't:5';
      UPDATE events SET attrs = '{}' WHERE id = 't:6';
      UPDATE events SET title = CAST(X'41FF42' AS TEXT) WHERE id = 't:7';
      """)
    func dumpViews() throws -> [String] {
      let dumper = try EventDumper(store: try EventStore(path: database, readOnly: true), filter: EventDumper.Filter())
      var result: [String] = []
      while let view = try dumper.nextView() { result.append(String(decoding: view.canonicalLine, as: UTF8.self)) }
      return result
    }
    let viaEvents = try dump(database)
    #expect(viaEvents.count == 7)
    #expect(try dumpViews() == viaEvents)
    #expect(viaEvents[3].hasSuffix(#""attrs":{"a":1}}"#) && viaEvents[4].hasSuffix(#""tags":["x"]}"#))
    // A row the spec refuses stops both ways with the same error.
    try db.execute("UPDATE events SET productivity = 7 WHERE id = 't:2'")
    let viewError = eidolonError { _ = try dumpViews() }
    #expect(viewError != nil && viewError?.message == eidolonError { _ = try dump(database) }?.message)
  }

  @Test func loadingTwiceOrOverlappingFilesGivesOneCopy() throws {
    let database = temporaryDirectory() + "/events.db"
    let a = ndjsonFile([line("t:1", "2024-03-01T08:00:00.000Z"), line("t:2", "2024-03-01T09:00:00.000Z")])
    let b = ndjsonFile([line("t:2", "2024-03-01T09:00:00.000Z"), line("t:3", "2024-03-01T10:00:00.000Z")])
    try load(database, [a])
    let again = try load(database, [a])
    #expect(again.inserted == 0 && again.skipped == 2)
    let overlap = try load(database, [b])
    #expect(overlap.inserted == 1 && overlap.skipped == 1)
    #expect(try dump(database).count == 3)
    #expect(try integer(database, "SELECT count(*) FROM imports WHERE status = 'done'") == 3)
  }

  @Test func replaceReplacesAndFailStopsWithoutWritingTheBatch() throws {
    let database = temporaryDirectory() + "/events.db"
    try load(database, [ndjsonFile([line("t:1", "2024-03-01T08:00:00.000Z", 60, extra: ",\"tags\":[\"old\"]")])])
    let replaced = try load(database, [ndjsonFile([line("t:1", "2024-03-01T08:00:00.000Z", 120, extra: ",\"tags\":[\"new\"]")])], .replace)
    #expect(replaced.replaced == 1 && replaced.inserted == 0)
    #expect(try dump(database) == [line("t:1", "2024-03-01T08:00:00.000Z", 120, extra: ",\"tags\":[\"new\"]")])
    #expect(try integer(database, "SELECT count(*) FROM event_tags") == 1)

    let conflicting = ndjsonFile([line("t:9", "2024-03-01T07:00:00.000Z"), line("t:1", "2024-03-01T08:00:00.000Z")])
    let error = eidolonError { try load(database, [conflicting], .fail, batchSize: 10) }
    #expect(error?.message.contains("already in the store") == true)
    #expect(try integer(database, "SELECT count(*) FROM events WHERE id = 't:9'") == 0)
  }

  @Test func replaceRangeRemovesWhatTheNewExportNoLongerHas() throws {
    let database = temporaryDirectory() + "/events.db"
    try load(database, [ndjsonFile([
      line("r:1", "2024-03-01T08:00:00.000Z", source: "rescuetime", stream: "a"),
      line("r:2", "2024-03-01T09:00:00.000Z", source: "rescuetime", stream: "a"),
      line("r:3", "2024-03-01T10:00:00.000Z", source: "rescuetime", stream: "a"),
      line("r:4", "2024-03-05T10:00:00.000Z", source: "rescuetime", stream: "a"),
      line("r:5", "2024-03-01T09:00:00.000Z", source: "rescuetime", stream: "b"),
    ])])
    // The re-export of 08:00 to 10:00 of stream a recategorised r:2 as r:2b.
    let counts = try load(database, [ndjsonFile([
      line("r:1", "2024-03-01T08:00:00.000Z", source: "rescuetime", stream: "a"),
      line("r:2b", "2024-03-01T09:00:00.000Z", source: "rescuetime", stream: "a"),
      line("r:3", "2024-03-01T10:00:00.000Z", source: "rescuetime", stream: "a"),
    ])], .replaceRange)
    #expect(counts.removed == 1 && counts.replaced == 2 && counts.inserted == 1)
    let ids = try dump(database).map { $0.split(separator: "\"")[3] }
    // Same start: load order (r:2b came later than r:5).
    #expect(ids == ["r:1", "r:5", "r:2b", "r:3", "r:4"])
  }

  @Test func anInterruptedLoadResumesToTheSameRows() throws {
    var lines = (0..<25).map { line("t:\($0)", "2024-03-01T08:\(format2($0)):00.000Z") }
    lines.insert("not json", at: 14)
    let path = ndjsonFile(lines)
    let clean = temporaryDirectory() + "/clean.db"
    try load(clean, [path], batchSize: 4)

    // --strict stops the load at the bad line 15: the three batches before it are committed.
    let database = temporaryDirectory() + "/events.db"
    do {
      let diagnostics = Diagnostics(toolName: "test", strict: true)
      diagnostics.messageHandler = { _ in }
      var options = EventLoader.Options()
      options.batchSize = 4
      let loader = try EventLoader(store: try EventStore(path: database), inputs: [path], options: options, diagnostics: diagnostics)
      #expect(throws: Diagnostics.StrictStop.self) { try loader.load(paths: [path], progress: Progress.automatic(forced: false)) }
      loader.abandon()
    }
    #expect(try integer(database, "SELECT count(*) FROM events") == 12)
    #expect(try integer(database, "SELECT lines FROM checkpoints") == 12)

    let counts = try load(database, [path], batchSize: 4, resume: true)
    #expect(counts == EventLoader.Counts(read: 26, inserted: 25, rejected: 1))
    #expect(try dump(database) == dump(clean))
    #expect(try integer(database, "SELECT count(*) FROM imports") == 1)
    #expect(try integer(database, "SELECT count(*) FROM rejects") == 1)
  }

  /// The reading side runs up to a block (LoadBlock) ahead of the storing thread: rejects
  /// stay in order between the events, batches commit where they would without the
  /// thread, and a conflict the storing thread meets stops the load at its batch.
  @Test func aLoadOfManyBlocksCommitsWhereItWouldWithoutTheThread() throws {
    var lines: [String] = []
    for i in 0..<30_000 {
      if i % 5_000 == 2_500 { lines.append("not json \(i)") }
      lines.append(line("b:\(i)", "2024-03-01T08:00:00.000Z", 60, extra: ",\"title\":\"\(String(repeating: "x", count: 40))\""))
    }
    let path = ndjsonFile(lines)
    func rejectLines(_ database: String) throws -> [Int64] {
      let statement = try SQLiteDatabase(path: database, mode: .readOnly).prepare("SELECT line FROM rejects ORDER BY rowid")
      var result: [Int64] = []
      while try statement.step() { result.append(statement.int64(0)) }
      return result
    }
    let database = temporaryDirectory() + "/events.db"
    let counts = try load(database, [path], batchSize: 7_000)
    #expect(counts == EventLoader.Counts(read: 30_006, inserted: 30_000, rejected: 6))
    #expect(try rejectLines(database) == (0..<6).map { 2_501 + 5_001 * $0 })
    #expect(try integer(database, "SELECT count(*) FROM events WHERE id != 'b:' || (seq - 1)") == 0)
    #expect(try integer(database, "SELECT input_index * 1000000 + lines FROM checkpoints") == 1_000_000)

    // Event b:25000 is stored already: batches of 7,000 events commit three times, the
    // fourth meets it and is not written, with the reject of line 22,505 in it.
    let failing = temporaryDirectory() + "/fail.db"
    try load(failing, [ndjsonFile([line("b:25000", "2024-03-01T08:00:00.000Z")])])
    let error = eidolonError { try load(failing, [path], .fail, batchSize: 7_000) }
    #expect(error?.message.contains("b:25000") == true)
    #expect(try integer(failing, "SELECT count(*) FROM events") == 21_001)
    #expect(try rejectLines(failing) == (0..<4).map { 2_501 + 5_001 * $0 })
    #expect(try integer(failing, "SELECT lines FROM checkpoints WHERE import_id = 2") == 21_004)
  }

  @Test func resumeRefusesADifferentInput() throws {
    let database = temporaryDirectory() + "/events.db"
    let path = ndjsonFile((0..<10).map { line("t:\($0)", "2024-03-01T08:0\($0):00.000Z") })
    try SQLiteDatabase(path: database).execute("SELECT 1")
    _ = try EventStore(path: database)
    // A load that committed its first batch of 4 lines, then died.
    let diagnostics = Diagnostics(toolName: "test")
    var options = EventLoader.Options()
    options.batchSize = 4
    do {
      let loader = try EventLoader(store: try EventStore(path: database), inputs: [path], options: options, diagnostics: diagnostics)
      try loader.load(paths: [path], progress: Progress.automatic(forced: false))
      // finish() not called: the load stays unfinished.
    }
    writeFile(path, Array((line("x:0", "2024-03-01T08:00:00.000Z") + "\n").utf8) + Array(repeating: 0x0A, count: 20))
    options.resume = true
    let error = eidolonError {
      let loader = try EventLoader(store: try EventStore(path: database), inputs: [path], options: options, diagnostics: diagnostics)
      try loader.load(paths: [path], progress: Progress.automatic(forced: false))
    }
    #expect(error?.message.contains("not the input the interrupted load read") == true)
  }

  /// A new store's pages are 16 KiB (`EventStore.pageBytes`); a file whose pages were set
  /// before (every store made before was 4 KiB) keeps its own.
  @Test func aNewStoreHasPagesOf16KiBAndAFileMadeBeforeKeepsItsOwn() throws {
    let lines = [line("t:1", "2024-03-01T08:00:00.000Z"), line("t:2", "2024-03-01T09:00:00.000Z")]
    let fresh = temporaryDirectory() + "/new.db"
    try load(fresh, [ndjsonFile(lines)])
    #expect(try integer(fresh, "PRAGMA page_size") == 16384)
    let older = temporaryDirectory() + "/older.db"
    try SQLiteDatabase(path: older).execute("PRAGMA page_size = 4096; CREATE TABLE t (a); DROP TABLE t;")
    try load(older, [ndjsonFile(lines)])
    #expect(try integer(older, "PRAGMA page_size") == 4096)
    #expect(try dump(older) == lines)
  }

  @Test func aNewerStoreIsRefusedAndAnOlderOneNeedsUpgrade() throws {
    let database = temporaryDirectory() + "/events.db"
    _ = try EventStore(path: database)
    try SQLiteDatabase(path: database).execute("PRAGMA user_version = 99")
    #expect(eidolonError { _ = try EventStore(path: database) }?.message.contains("newer than this eid-load knows") == true)

    let other = temporaryDirectory() + "/other.db"
    try SQLiteDatabase(path: other).execute("CREATE TABLE t (x)")
    #expect(eidolonError { _ = try EventStore(path: other) }?.message.contains("not an Eidolon store") == true)
  }

  @Test func dumpFiltersInSQL() throws {
    let database = temporaryDirectory() + "/events.db"
    try load(database, [ndjsonFile([
      line("a:1", "2024-03-01T08:00:00.000Z", source: "activitywatch", stream: "w"),
      line("t:1", "2024-03-02T08:00:00.000Z"),
      line("a:2", "2024-03-03T08:00:00.000Z", source: "activitywatch", stream: "x"),
    ])])
    var filter = EventDumper.Filter()
    filter.sources = ["activitywatch"]
    #expect(try dump(database, filter).count == 2)
    filter.streams = ["x"]
    #expect(try dump(database, filter).count == 1)
    filter = EventDumper.Filter()
    filter.since = Timestamp.parse("2024-03-02T00:00:00Z")!.epochMillis
    filter.until = Timestamp.parse("2024-03-03T00:00:00Z")!.epochMillis
    #expect(try dump(database, filter).map { $0.split(separator: "\"")[3] } == ["t:1"])
  }
}

private func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

@Suite struct StoreUpgradeTests {
  private func storeV1() throws -> String {
    let database = temporaryDirectory() + "/v1.db"
    let sql = try String(contentsOfFile: CorpusTests.corpus.appendingPathComponent("sqlite/store-v1.sql").path, encoding: .utf8)
    try SQLiteDatabase(path: database).execute(sql)
    return database
  }

  @Test func aVersion1StoreIsUpgradedWithABackupAndRolledBack() throws {
    let database = try storeV1()
    let refusal = eidolonError { _ = try EventStore(path: database) }
    #expect(refusal?.message.contains("Run 'eid-load --upgrade") == true)

    let backup = database + ".backup-v1"
    do {
      let store = try EventStore(path: database, upgrade: true)
      #expect(try store.upgrade(backupPath: backup) == 1)
      #expect(store.schemaVersion == StoreSchema.currentVersion)
      // The tags moved into their table; the events are untouched.
      #expect(try store.database.integer("SELECT count(*) FROM event_tags WHERE tag = 'ops'") == 2)
      #expect(try store.database.integer("SELECT count(*) FROM events") == 3)
      #expect(try store.database.integer("SELECT sum(seconds) FROM time_per_day_project") == 5400)
      // Version 3: ids unique by an index of their own, not the table's constraint.
      #expect(try store.database.integer("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_id'") == 1)
      #expect(try store.database.integer("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_events%'") == 0)
      #expect(try store.database.integer("SELECT sum(events) FROM time_per_day_source") == 3)
    }
    #expect(try SQLiteDatabase(path: backup, mode: .readOnly).integer("PRAGMA user_version") == 1)

    try EventStore.rollback(path: database, backupPath: backup)
    let back = try SQLiteDatabase(path: database, mode: .readOnly)
    #expect(try back.integer("PRAGMA user_version") == 1)
    #expect(try back.integer("SELECT count(*) FROM sqlite_master WHERE name = 'event_tags'") == 0)
    #expect(try back.integer("SELECT count(*) FROM events") == 3)
  }
}
