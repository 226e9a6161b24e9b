/// What `eidolon db info` shows of a store: its schema version, what it holds and the
/// loads that made it. Opens any version read-only, so an old store can be looked at
/// before it is upgraded.
public struct StoreInfo {
  public struct Load: Sendable {
    public var id: Int64
    public var started: String
    public var finished: String?
    public var status: String
    public var inputs: String
    public var strategy: String
    public var read, inserted, skipped, rejected: Int64
  }

  public struct SourceTotal: Sendable {
    public var source: String
    public var events: Int64
    public var seconds: Double
  }

  /// The store's name (a PostgreSQL URI without its password).
  public var path: String
  public var schemaVersion: Int64
  /// The version this build writes for the store's engine.
  public var currentVersion = StoreSchema.currentVersion
  public var isCurrent: Bool { schemaVersion == currentVersion }
  public var bytes: Int64 = 0
  public var events: Int64 = 0
  public var users: [String] = []
  public var first: Int64?
  public var last: Int64?
  public var sources: [SourceTotal] = []
  public var loads: [Load] = []
  public var indexesComplete = true

  public static func read(path: String) throws -> StoreInfo {
    if EventStores.isPostgres(path) { return try read(postgres: path) }
    guard access(path, F_OK) == 0 else { throw EidolonError(.io, "no such database", file: path) }
    let db = try SQLiteDatabase(path: path, mode: .readOnly)
    guard try db.integer("PRAGMA application_id") == StoreSchema.applicationID else {
      throw EidolonError(.usage, "this SQLite file is not an Eidolon store", file: path)
    }
    var info = StoreInfo(path: path, schemaVersion: try db.integer("PRAGMA user_version") ?? 0)
    info.bytes = (try db.integer("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")) ?? 0
    info.events = try db.integer("SELECT count(*) FROM events") ?? 0
    info.first = try db.integer("SELECT min(start_ms) FROM events")
    info.last = try db.integer("SELECT max(end_ms) FROM events")
    let users = try db.prepare("SELECT DISTINCT user FROM events WHERE user IS NOT NULL ORDER BY 1 LIMIT 1000")
    while try users.step() { info.users.append(users.string(0) ?? "") }
    let sources = try db.prepare("SELECT source, count(*), total(duration) FROM events GROUP BY source ORDER BY source")
    while try sources.step() {
      info.sources.append(SourceTotal(source: sources.string(0) ?? "", events: sources.int64(1), seconds: sources.double(2)))
    }
    let loads = try db.prepare(
      "SELECT id, started, finished, status, inputs, strategy, read, inserted, skipped, rejected FROM imports ORDER BY id")
    while try loads.step() {
      info.loads.append(Load(id: loads.int64(0), started: loads.string(1) ?? "", finished: loads.string(2), status: loads.string(3) ?? "",
                             inputs: loads.string(4) ?? "", strategy: loads.string(5) ?? "", read: loads.int64(6),
                             inserted: loads.int64(7), skipped: loads.int64(8), rejected: loads.int64(9)))
    }
    info.indexesComplete = try StoreIndexes.areComplete(db)
    return info
  }
}

#if canImport(Glibc)
import Glibc
#endif
