#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An Eidolon store: a SQLite file at the current schema version, opened for loading
/// or for reading. Version checks, upgrades with a backup, and rollback live here.
public final class EventStore {
  public let database: SQLiteDatabase
  public var path: String { database.path }

  /// Opens (creating when missing and `create`) a store. An older store is upgraded only
  /// when `upgrade` is set; a newer one is always refused.
  public init(path: String, readOnly: Bool = false, upgrade: Bool = false) throws {
    let exists = access(path, F_OK) == 0
    if readOnly && !exists { throw EidolonError(.io, "no such database", file: path) }
    database = try SQLiteDatabase(path: path, mode: readOnly ? .readOnly : .readWriteCreate)
    let version = try database.integer("PRAGMA user_version") ?? 0
    let application = try database.integer("PRAGMA application_id") ?? 0
    let tables = try database.integer("SELECT count(*) FROM sqlite_master") ?? 0
    if version == 0 && tables == 0 {
      guard !readOnly else { throw EidolonError(.io, "the database is empty (load events with eid-load first)", file: path) }
      // Set before anything is written (a store's pages keep their size).
      try database.execute("PRAGMA page_size = \(EventStore.pageBytes)")
      try configureForWriting()
      try database.execute("BEGIN IMMEDIATE; \(StoreSchema.create) PRAGMA application_id = \(StoreSchema.applicationID); PRAGMA user_version = \(StoreSchema.currentVersion); COMMIT;")
      return
    }
    guard application == StoreSchema.applicationID else {
      throw EidolonError(.usage, "this SQLite file is not an Eidolon store (it has other tables); give a new file name", file: path)
    }
    if version > StoreSchema.currentVersion {
      throw EidolonError(
        .usage,
        "the database has schema version \(version), newer than this eid-load knows (\(StoreSchema.currentVersion)); use Eidolon \(EidolonVersion.current) or later to open it",
        file: path)
    }
    if version < StoreSchema.currentVersion {
      guard upgrade, !readOnly else {
        throw EidolonError(
          .usage,
          "the database has schema version \(version); this tool needs \(StoreSchema.currentVersion). Run 'eid-load --upgrade \(path)' or 'eidolon db upgrade \(path)' (a backup is made first)",
          file: path)
      }
    }
    if !readOnly { try configureForWriting() }
  }

  /// WAL with synchronous=NORMAL: a killed process never loses a committed batch or
  /// damages the file (a power cut may lose the last batches, never the file).
  private func configureForWriting() throws {
    try database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -\(EventStore.cacheKiB); PRAGMA temp_store = FILE;")
  }

  /// SQLite's page cache for writing, in KiB.
  static let cacheKiB = 32768

  /// A new store's page size. Against SQLite's 4 KiB, 16 KiB pages took a sixth off a load
  /// into an empty store (100 MB and 1 GB) and a fifth off a load into a store that holds
  /// events, with a fourth as many reads and writes of pages (the WAL, its checkpoints, the
  /// index build's scans); `eid-load` again and `eid-dump` took as long, and memory stayed
  /// where it was. 32 and 64 KiB were a little faster and took 11-13 MB more at peak
  /// (bench/README.md, "A new store's pages of 16 KiB").
  static let pageBytes = 16384

  public var schemaVersion: Int64 { (try? database.integer("PRAGMA user_version")) ?? 0 }

  /// Removes the events with these ids (their tags go with them), in one transaction; the
  /// number removed. For records the tracker says were deleted (`migrate sync`).
  public func removeEvents(ids: [String]) throws -> Int {
    guard !ids.isEmpty else { return 0 }
    try database.execute("BEGIN IMMEDIATE")
    do {
      let delete = try database.prepare("DELETE FROM events WHERE id = ?1")
      var removed = 0
      for id in ids {
        delete.bind(1, id)
        _ = try delete.step()
        removed += database.changes
        delete.reset()
      }
      try database.execute("COMMIT")
      return removed
    } catch {
      try? database.execute("ROLLBACK")
      throw error
    }
  }

  /// Removes the events of `stream` (and of `user`, in a shared store; nil: anyone's) whose
  /// `attrs.activity_id` is one of `activityIDs`: ManicTime activities changed or deleted
  /// on the server (`migrate sync`). The number removed.
  public func removeEvents(stream: String, user: String?, activityIDs: [String]) throws -> Int {
    guard !activityIDs.isEmpty else { return 0 }
    try database.execute("BEGIN IMMEDIATE")
    do {
      let delete = try database.prepare("DELETE FROM events WHERE stream = ?1 AND (?2 IS NULL OR user = ?2) AND json_extract(attrs, '$.activity_id') = ?3")
      var removed = 0
      for id in activityIDs {
        delete.bind(1, stream)
        delete.bind(2, user)
        delete.bind(3, id)
        _ = try delete.step()
        removed += database.changes
        delete.reset()
      }
      try database.execute("COMMIT")
      return removed
    } catch {
      try? database.execute("ROLLBACK")
      throw error
    }
  }

  /// Brings an older store to the current version in one transaction, after a backup to
  /// `backupPath`. Returns the version it started from.
  @discardableResult
  public func upgrade(backupPath: String) throws -> Int64 {
    let from = schemaVersion
    guard from < StoreSchema.currentVersion else { return from }
    try database.backup(to: backupPath)
    try database.execute("BEGIN IMMEDIATE")
    do {
      for version in from..<StoreSchema.currentVersion {
        guard let step = StoreSchema.upgrades[version] else {
          throw EidolonError(.unsupported, "no upgrade from schema version \(version)", file: path)
        }
        try database.execute(step)
      }
      try database.execute("PRAGMA user_version = \(StoreSchema.currentVersion); COMMIT")
    } catch {
      try? database.execute("ROLLBACK")
      throw error
    }
    return from
  }

  /// "<path>.backup-v<version>", or with -2, -3, ... after it when that is taken.
  public static func freeBackupName(_ path: String, version: Int64) -> String {
    let base = "\(path).backup-v\(version)"
    var name = base
    var n = 2
    while access(name, F_OK) == 0 {
      name = "\(base)-\(n)"
      n += 1
    }
    return name
  }

  /// Puts the contents of the backup at `backupPath` back into the store at `path`.
  public static func rollback(path: String, backupPath: String) throws {
    guard access(backupPath, R_OK) == 0 else { throw EidolonError(.io, "no such backup", file: backupPath) }
    let backup = try SQLiteDatabase(path: backupPath, mode: .readOnly)
    guard try backup.integer("PRAGMA application_id") == StoreSchema.applicationID else {
      throw EidolonError(.usage, "this file is not a backup of an Eidolon store", file: backupPath)
    }
    do {
      // Out of WAL first, so the copy below is the whole database.
      let target = try SQLiteDatabase(path: path, mode: .readWriteCreate)
      try target.execute("PRAGMA journal_mode = DELETE")
    }
    // The backup API replaces every page of the target, its schema version included.
    try backup.backup(to: path)
  }
}
