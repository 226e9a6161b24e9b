import Foundation
import Testing

@testable import Eidolon

/// The index build at the end of a load into an empty store: SQLite's sorter in runs of
/// `StoreIndexes.sorterKiB` on `StoreIndexes.sorterThreads` worker threads.
@Suite struct StoreIndexesTests {
  /// 160,000 events with ids of 40 bytes, about 10 MB of `events_by_id`'s keys: more than
  /// two of the sorter's runs, so its workers sort them. The ids come in an order that is
  /// not theirs; every 1,000th event repeats the id of the one before it.
  private func eventsFile() -> String {
    var text = ""
    text.reserveCapacity(160_000 * 130)
    var previousID = ""
    for i in 0..<160_000 {
      let n = String((i &* 7_919) % 160_000)  // 7,919 is prime to 160,000: every n once
      var id = "r:" + String(repeating: "0", count: 38 - n.count) + n
      var title = "first"
      if i % 1_000 == 999 { (id, title) = (previousID, "second") }
      previousID = id
      text += "{\"id\":\"\(id)\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"2024-03-01T08:00:00.000Z\",\"duration\":60,\"title\":\"\(title)\"}\n"
    }
    let path = temporaryDirectory() + "/many.ndjson"
    writeFile(path, Array(text.utf8))
    return path
  }

  private func load(_ database: String, _ path: String) throws -> EventLoader.Counts {
    let diagnostics = Diagnostics(toolName: "test")
    diagnostics.messageHandler = { _ in }
    let loader = try EventLoader(store: try EventStore(path: database), inputs: [path], options: EventLoader.Options(),
                                 diagnostics: diagnostics)
    try loader.load(paths: [path], progress: Progress.automatic(forced: false))
    return try loader.finish()
  }

  private func text(_ database: SQLiteDatabase, _ sql: String) throws -> String? {
    let statement = try database.prepare(sql)
    guard try statement.step() else { return nil }
    return statement.string(0)
  }

  /// One load (160,000 events take seconds, and longer under the sanitizers): the build at
  /// its end, then a build called here on the store's own connection.
  @Test func indexesBuiltInManyRunsKeepEachIdsFirstEventAndLeaveTheConnectionAsItWas() throws {
    let path = temporaryDirectory() + "/events.db"
    let counts = try load(path, eventsFile())
    #expect(counts == EventLoader.Counts(read: 160_000, inserted: 159_840, skipped: 160))
    let database = try EventStore(path: path).database
    #expect(try database.integer("SELECT count(*) FROM events WHERE title = 'second'") == 0)
    #expect(try database.integer("SELECT count(DISTINCT id) FROM events") == 159_840)
    #expect(try text(database, "PRAGMA integrity_check") == "ok")

    let cacheBefore = try database.integer("PRAGMA cache_size")
    #expect(cacheBefore == -Int64(EventStore.cacheKiB))
    try database.execute("BEGIN IMMEDIATE")
    try StoreIndexes.drop(database)
    #expect(try StoreIndexes.build(database) == 0)
    try database.execute("COMMIT")
    #expect(try database.integer("PRAGMA cache_size") == cacheBefore)
    #expect(try database.integer("PRAGMA threads") == 0)
    #expect(try StoreIndexes.areComplete(database))
    #expect(try text(database, "PRAGMA integrity_check") == "ok")
  }
}
