#if canImport(Glibc)
import Glibc
#endif

/// The store interface (formats/postgresql.md, "One interface"): what loading, reading
/// back, syncing and validating need of a store, whichever engine holds it. `EventStore`
/// is the SQLite file, `PostgresEventStore` a PostgreSQL database; `EventStores.open`
/// picks one from the name the user gave.
public protocol EventStorage: AnyObject {
  /// The store as messages name it: a path, or a URI with its password replaced.
  var displayName: String { get }
  /// The schema version the store is at (each engine numbers its own).
  var schemaVersion: Int64 { get }
  /// The version this build writes, for this engine.
  var currentSchemaVersion: Int64 { get }
  /// Brings an older store to the current version in one transaction, after a backup
  /// (SQLite: always, to `backup` or a free name next to the file; PostgreSQL: a pg_dump to
  /// `backup` when given). The version it started from and the backup made.
  func upgrade(backup: String?) throws -> (from: Int64, backup: String?)
  /// The number of events stored.
  func count() throws -> Int
  /// False when the store's text cannot hold U+0000 (PostgreSQL): the loader rejects such
  /// events as records instead of storing them.
  var holdsNUL: Bool { get }
  /// Starts a load, or with `options.resume` continues the unfinished one of these inputs:
  /// the storing side, and where the reading side is to begin. `EventLoader` drives it.
  func beginLoad(inputs: [String], options: EventLoader.Options, diagnostics: Diagnostics) throws -> LoadSession
  /// True when a load of these inputs did not finish (one `--resume` would continue).
  func hasUnfinishedLoad(inputs: [String]) -> Bool
  /// The stored events `filter` keeps, in start order (ties in load order), read a part at
  /// a time: memory stays flat however many match.
  func events(_ filter: EventDumper.Filter) throws -> StoredEvents
  /// Removes the events with these ids, in one transaction; the number removed.
  func removeEvents(ids: [String]) throws -> Int
  /// Removes the events of `stream` (and of `user`; nil: anyone's) whose
  /// `attrs.activity_id` is one of `activityIDs`, in one transaction; the number removed.
  func removeEvents(stream: String, user: String?, activityIDs: [String]) throws -> Int
}

/// Stored events read back: as events, or as views over their canonical lines.
public protocol StoredEvents: EventViewReader {
  /// The events handed out so far.
  var count: Int { get }
}

/// A load begun by a store: its storing side and where reading is to start. `hold` keeps
/// whatever says the load is running (a file lock, a PostgreSQL session lock) until the
/// load is over.
public struct LoadSession {
  let start: LoadStart
  let writer: LoadWriter
  let hold: AnyObject?
}

/// The storing side of a load, one per engine (BatchWriter for SQLite,
/// PostgresBatchWriter): each block of events, rejects and commits in order, then
/// `finish` or, after an error, `abandon`.
protocol LoadWriter: AnyObject {
  var importID: Int64 { get }
  var counts: EventLoader.Counts { get }
  /// The events and rejects that follow are of this input.
  func startInput(index: Int, name: String)
  /// Stores one event as the strategy says.
  func add(_ event: EventView) throws
  /// Keeps a rejected record with the load.
  func keepReject(_ error: EidolonError, raw: UnsafeRawBufferPointer?) throws
  /// Commits the batch with its checkpoint: `lines` of the current input are in (or all of
  /// it, with `nextInput`), and the load's checksum so far is `checksum`.
  func commit(lines: Int, nextInput: Bool, checksum: UInt32) throws
  func finish() throws -> EventLoader.Counts
  func abandon()
}

extension LoadWriter {
  /// The storing side: each item of `block` in order.
  func store(_ block: LoadBlock, restoringInto view: EventView) throws {
    for item in block.items {
      switch item {
      case .event(let event):
        block.restore(event, into: view)
        try add(view)
      case .reject(let error, let raw):
        try keepReject(error, raw: raw.map(block.raw))
      case .commit(let lines, let nextInput, let checksum):
        try commit(lines: lines, nextInput: nextInput, checksum: checksum)
      case .input(let index, let name):
        startInput(index: index, name: name)
      }
    }
  }
}

public enum EventStores {
  /// True for a name that selects a PostgreSQL store (a `postgresql://` or `postgres://`
  /// URI); anything else is a SQLite file's path.
  public static func isPostgres(_ name: String) -> Bool { PostgresConnection.isTarget(name) }

  /// `name` as messages show it: a PostgreSQL URI's password replaced.
  public static func displayName(_ name: String) -> String {
    isPostgres(name) ? LiveRedaction.url(PostgresConnection.redacted(name)) : name
  }

  /// The store `name` names. A SQLite file is made when missing unless `readOnly`; an older
  /// one is upgraded only with `upgrade`. A PostgreSQL store's tables are made when missing.
  public static func open(_ name: String, readOnly: Bool = false, upgrade: Bool = false) throws -> EventStorage {
    if isPostgres(name) { return try PostgresEventStore(name, readOnly: readOnly, upgrade: upgrade) }
    return try EventStore(path: name, readOnly: readOnly, upgrade: upgrade)
  }

  /// Puts the store `name` back as it was in `backup` (made by an upgrade): SQLite's
  /// backup copied over it, or a pg_dump restored with pg_restore in one transaction.
  public static func rollback(_ name: String, backup: String) throws {
    if isPostgres(name) { return try PostgresEventStore.restore(name, from: backup) }
    try EventStore.rollback(path: name, backupPath: backup)
  }

  /// True when `name` names an Eidolon store: a PostgreSQL URI, or a SQLite file marked as
  /// one (its application id), not any other SQLite file (ManicTime's database is one).
  public static func isStore(_ name: String) -> Bool {
    if isPostgres(name) { return true }
    guard name != "-", access(name, R_OK) == 0, ManicTimeDatabaseReader.isDatabase(path: name),
      let database = try? SQLiteDatabase(path: name, mode: .readOnly)
    else { return false }
    return (try? database.integer("PRAGMA application_id")) == StoreSchema.applicationID
  }

  /// True when the store `name` exists and holds a load of these inputs that did not finish.
  public static func hasUnfinishedLoad(_ name: String, inputs: [String]) -> Bool {
    if !isPostgres(name) && access(name, F_OK) != 0 { return false }
    guard let store = try? open(name, readOnly: true) else { return false }
    return store.hasUnfinishedLoad(inputs: inputs)
  }

  /// True when `name` is a store that exists: a SQLite file, or any PostgreSQL database
  /// (its tables are made by the first load).
  public static func exists(_ name: String) -> Bool { isPostgres(name) || access(name, F_OK) == 0 }
}
