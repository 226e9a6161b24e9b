/// The events table's indexes, which a load into an empty store drops and builds again
/// at its end (formats/sqlite-schema.md, "Loading into an empty store"): SQLite builds an
/// index from sorted keys several times faster than it keeps one up to date through
/// millions of inserts in random id order (bench/README.md).
enum StoreIndexes {
  static let names = ["events_by_id", "events_by_start", "events_by_stream"]

  static let create = """
    CREATE UNIQUE INDEX events_by_id ON events(id);
    CREATE INDEX events_by_start ON events(start_ms);
    CREATE INDEX events_by_stream ON events(source, stream, start_ms);
    """

  /// True when every index is there (false while a load into an empty store runs, or
  /// after one was stopped).
  static func areComplete(_ database: SQLiteDatabase) throws -> Bool {
    let quoted = names.map { "'\($0)'" }.joined(separator: ", ")
    let count = try database.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN (\(quoted))") ?? 0
    return count == names.count
  }

  static func drop(_ database: SQLiteDatabase) throws {
    try database.execute(names.map { "DROP INDEX IF EXISTS \($0);" }.joined(separator: " "))
  }

  /// What SQLite's sorter works with while the indexes are built: its memory (the page
  /// cache's size, which the sorter takes as the size of each sorted run of keys) and the
  /// worker threads that sort one run while the next is filled. Runs of 4 MiB on two
  /// workers built the three indexes of the 100 MB bench load in about four fifths of the
  /// time of 16 MiB on none, with 4 MB less at peak; 16 MiB on two workers gained nothing
  /// (bench/README.md, "The index build on both cores").
  static let sorterKiB = 4096
  static let sorterThreads = 2

  /// Builds the missing indexes. Events stored twice with one id (the input repeated an
  /// id) keep the first stored; the others are deleted with their tags. Returns how many
  /// were deleted. Runs inside the caller's transaction.
  static func build(_ database: SQLiteDatabase) throws -> Int {
    try database.execute("PRAGMA cache_size = -\(sorterKiB); PRAGMA threads = \(sorterThreads)")
    defer { try? database.execute("PRAGMA cache_size = -\(EventStore.cacheKiB); PRAGMA threads = 0") }
    var removed = 0
    if try database.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'events_by_id'") == 0 {
      do {
        try database.execute("CREATE UNIQUE INDEX events_by_id ON events(id)")
      } catch {
        // A repeated id: keep each id's first event, as an insert with the index would have.
        try database.execute("DELETE FROM events WHERE seq NOT IN (SELECT min(seq) FROM events GROUP BY id)")
        removed = database.changes
        try database.execute("CREATE UNIQUE INDEX events_by_id ON events(id)")
      }
    }
    try database.execute("""
      CREATE INDEX IF NOT EXISTS events_by_start ON events(start_ms);
      CREATE INDEX IF NOT EXISTS events_by_stream ON events(source, stream, start_ms);
      """)
    return removed
  }

  /// Before a load: true when it leaves the indexes to its end (a new append load into a
  /// store without events, or a resumed load that began so). Indexes that a stopped load
  /// left unbuilt are built now, before anything else is stored.
  static func settle(_ database: SQLiteDatabase, strategy: EventLoader.Strategy, resumed: Bool, diagnostics: Diagnostics) throws -> Bool {
    let complete = try areComplete(database)
    if !complete && resumed { return true }
    if !complete {
      diagnostics.note("eid-load: an earlier load into this store stopped before building its indexes; building them now")
      try database.execute("BEGIN IMMEDIATE")
      let removed = try build(database)
      if removed > 0 {
        // Those were counted as inserted by the load that stored them, the only one there.
        try database.execute("UPDATE imports SET inserted = inserted - \(removed), skipped = skipped + \(removed) WHERE id = (SELECT min(import_id) FROM events)")
      }
      try database.execute("COMMIT")
    }
    guard strategy == .append, !resumed, try database.integer("SELECT EXISTS (SELECT 1 FROM events)") == 0 else { return false }
    try database.execute("BEGIN IMMEDIATE")
    try drop(database)
    try database.execute("COMMIT")
    return true
  }
}
