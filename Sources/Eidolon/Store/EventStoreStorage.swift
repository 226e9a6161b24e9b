#if canImport(Glibc)
import Glibc
#endif

/// The SQLite store as the store interface (EventStorage).
extension EventStore: EventStorage {
  public var displayName: String { path }
  public var currentSchemaVersion: Int64 { StoreSchema.currentVersion }
  public var holdsNUL: Bool { true }

  public func upgrade(backup: String?) throws -> (from: Int64, backup: String?) {
    let backupPath = backup ?? EventStore.freeBackupName(path, version: schemaVersion)
    let from = try upgrade(backupPath: backupPath)
    return (from, from < StoreSchema.currentVersion ? backupPath : nil)
  }

  /// One load at a time (StoreLock, across processes), then the load's start (new or
  /// resumed), the indexes settled for it, and the storing side.
  public func beginLoad(inputs: [String], options: EventLoader.Options, diagnostics: Diagnostics) throws -> LoadSession {
    // First the lock: only a load nobody holds may be called interrupted and taken over.
    let database = self.database
    let lock = try StoreLock(
      path: path, wait: options.wait, waiting: { diagnostics.note("eid-load: \($0)") },
      holder: {
        let running = try? database.integer("SELECT max(id) FROM imports WHERE status = 'running'")
        return running.flatMap { $0 }.map { "load \($0)" } ?? "another load"
      })
    // A dry run is one transaction, rolled back at its end.
    if options.dryRun { try database.execute("BEGIN IMMEDIATE") }
    let start = try LoadStart(database: database, storePath: path, inputNames: inputs, options: options, diagnostics: diagnostics)
    let deferred: Bool
    if options.dryRun {
      if try !StoreIndexes.areComplete(database) { _ = try StoreIndexes.build(database) }
      deferred = false
    } else {
      deferred = try StoreIndexes.settle(database, strategy: options.strategy, resumed: start.resumed, diagnostics: diagnostics)
    }
    let writer = try BatchWriter(database: database, storePath: path, options: options, start: start, indexesDeferred: deferred,
                                 inBatch: options.dryRun)
    return LoadSession(start: start, writer: writer, hold: lock)
  }

  public func count() throws -> Int { Int(try database.integer("SELECT count(*) FROM events") ?? 0) }

  public func hasUnfinishedLoad(inputs: [String]) -> Bool {
    guard let query = try? database.prepare("SELECT 1 FROM imports WHERE status != 'done' AND inputs = ?1 LIMIT 1") else { return false }
    query.bind(1, LoadStart.jsonList(inputs))
    return (try? query.step()) == true
  }

  public func events(_ filter: EventDumper.Filter) throws -> StoredEvents { try EventDumper(store: self, filter: filter) }
}

extension EventDumper: StoredEvents {}
