#if canImport(Glibc)
import Glibc
#endif

/// An Eidolon store in PostgreSQL (formats/postgresql.md): the SQLite store's tables in
/// PostgreSQL's types (PostgresSchema), made when missing. Loads go through COPY into a
/// staging table per batch and one statement per strategy (PostgresBatchWriter); any
/// number of loaders may write at once, and overlapping ids end as one row each.
public final class PostgresEventStore: EventStorage {
  public let connection: PostgresConnection
  public var displayName: String { connection.displayName }
  public private(set) var schemaVersion: Int64
  public var currentSchemaVersion: Int64 { PostgresSchema.currentVersion }
  /// PostgreSQL's text has no U+0000 (tags and attrs hold it escaped, as JSON text).
  public var holdsNUL: Bool { false }
  /// What the store was opened with (pg_dump connects with it); never shown.
  private let target: String

  /// Opens the store at `target`. Its tables are made when missing (unless `readOnly`);
  /// an older store is opened only with `upgrade` (then `upgrade(backupPath:)`), a newer
  /// one never.
  public init(_ target: String, readOnly: Bool = false, upgrade: Bool = false) throws {
    connection = try PostgresConnection(target)
    self.target = target
    schemaVersion = 0
    try connection.execute("SELECT pg_advisory_lock(\(PostgresSchema.lockSpace), 0)")
    defer { try? connection.execute("SELECT pg_advisory_unlock(\(PostgresSchema.lockSpace), 0)") }
    guard let found = try PostgresSchema.version(connection) else {
      guard !readOnly else { throw EidolonError(.io, "the database holds no Eidolon store (load events with eid-load first)", file: displayName) }
      try connection.execute("BEGIN")
      do {
        try connection.execute(PostgresSchema.version0)
        try PostgresSchema.upgrade(connection, from: 0)
        try connection.execute("COMMIT")
      } catch {
        try? connection.execute("ROLLBACK")
        throw error
      }
      schemaVersion = PostgresSchema.currentVersion
      return
    }
    schemaVersion = found
    if found > PostgresSchema.currentVersion {
      throw EidolonError(
        .usage, "the store has schema version \(found), newer than this Eidolon knows (\(PostgresSchema.currentVersion) for PostgreSQL); use Eidolon \(EidolonVersion.current) or later to open it",
        file: displayName)
    }
    if found < PostgresSchema.currentVersion && (!upgrade || readOnly) {
      throw EidolonError(
        .usage, "the store has schema version \(found); this tool needs \(PostgresSchema.currentVersion). Run 'eidolon db upgrade \(displayName)' (in one transaction; --backup FILE keeps a pg_dump of it first)",
        file: displayName)
    }
  }

  /// Brings an older store to the current version in one transaction, after a pg_dump of
  /// the database to `backupPath` when one is given. Returns the version it started from.
  public func upgrade(backup backupPath: String?) throws -> (from: Int64, backup: String?) {
    let from = schemaVersion
    guard from < PostgresSchema.currentVersion else { return (from, nil) }
    if let backupPath { try PostgresEventStore.dump(target, to: backupPath, displayName: displayName) }
    try connection.execute("BEGIN; SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), 0)")
    do {
      try PostgresSchema.upgrade(connection, from: from)
      try connection.execute("COMMIT")
    } catch {
      try? connection.execute("ROLLBACK")
      throw error
    }
    schemaVersion = PostgresSchema.currentVersion
    return (from, backupPath)
  }

  /// `pg_dump --format=custom` of the store's tables and views into `path` (other tables
  /// of the database are not the store's).
  static func dump(_ target: String, to path: String, displayName: String) throws {
    guard let pgDump = ExternalCommand.find("pg_dump") else {
      throw EidolonError(.unsupported, "no pg_dump on PATH for the backup (Debian: apt-get install postgresql-client); or upgrade without --backup", file: displayName)
    }
    let names = (PostgresSchema.tables + PostgresSchema.views).flatMap { ["--table", $0] }
    let status = try ExternalCommand.run(pgDump, ["--format=custom", "--file=\(path)", "--dbname=\(target)"] + names)
    guard status == 0 else { throw EidolonError(.io, "pg_dump stopped with status \(status); nothing was upgraded", file: displayName) }
  }

  /// The store as it was in a dump made by `upgrade --backup`, in one transaction: the
  /// store's tables and views dropped, the dump's made again (pg_restore's script run by
  /// psql with --single-transaction, so a failed restore leaves the store as it was).
  static func restore(_ target: String, from path: String) throws {
    let displayName = EventStores.displayName(target)
    guard access(path, R_OK) == 0 else { throw EidolonError(.io, "no such backup", file: path) }
    guard let pgRestore = ExternalCommand.find("pg_restore"), let psql = ExternalCommand.find("psql"), let bash = ExternalCommand.find("bash") else {
      throw EidolonError(.unsupported, "the rollback needs pg_restore and psql on PATH (Debian: apt-get install postgresql-client)", file: displayName)
    }
    // The whole file is read once first: a damaged dump stops here, before anything changes.
    guard try ExternalCommand.run(pgRestore, ["--list", "--file=/dev/null", path]) == 0 else {
      throw EidolonError(.data, "this is not a dump pg_restore can read; nothing was changed", file: path)
    }
    let drop = "DROP VIEW IF EXISTS \(PostgresSchema.views.joined(separator: ", ")) CASCADE; DROP TABLE IF EXISTS \(PostgresSchema.tables.joined(separator: ", ")) CASCADE;"
    let script = "set -o pipefail; \"$1\" --file=- --no-owner \"$2\" | \"$3\" -X -q --single-transaction -v ON_ERROR_STOP=1 --dbname=\"$4\" -c \"$5\" -f - > /dev/null"
    let status = try ExternalCommand.run(bash, ["-c", script, "restore", pgRestore, path, psql, target, drop])
    guard status == 0 else { throw EidolonError(.io, "the restore stopped (status \(status)); the store is as it was", file: displayName) }
  }

  /// The number of events stored.
  public func count() throws -> Int {
    Int(try connection.rows("SELECT count(*) FROM events").first?.first.flatMap { $0 } ?? "0") ?? 0
  }

  public func beginLoad(inputs: [String], options: EventLoader.Options, diagnostics: Diagnostics) throws -> LoadSession {
    // A dry run is one transaction, rolled back at its end: the import's row goes with it.
    if options.dryRun { try connection.execute("BEGIN; \(PostgresBatchWriter.createStaging)") }
    let (start, lock) = try loadStart(inputs: inputs, options: options, diagnostics: diagnostics)
    let writer = try PostgresBatchWriter(connection: connection, options: options, start: start, inTransaction: options.dryRun)
    return LoadSession(start: start, writer: writer, hold: lock)
  }

  public func hasUnfinishedLoad(inputs: [String]) -> Bool {
    ((try? connection.rows("SELECT 1 FROM imports WHERE status != 'done' AND inputs = $1 LIMIT 1", [LoadStart.jsonList(inputs)])) ?? []).count > 0
  }

  public func events(_ filter: EventDumper.Filter) throws -> StoredEvents { try PostgresStoredEvents(self, filter: filter) }

  public func removeEvents(ids: [String]) throws -> Int {
    try inTransaction { try ids.reduce(0) { $0 + (try connection.run("DELETE FROM events WHERE id = $1", [$1])) } }
  }

  public func removeEvents(stream: String, user: String?, activityIDs: [String]) throws -> Int {
    try inTransaction {
      try activityIDs.reduce(0) {
        $0 + (try connection.run(
          "DELETE FROM events WHERE stream = $1 AND ($2::text IS NULL OR \"user\" = $2) AND (attrs::jsonb ->> 'activity_id') = $3",
          [stream, user, $1]))
      }
    }
  }

  private func inTransaction<T>(_ body: () throws -> T) throws -> T {
    try connection.execute("BEGIN")
    do {
      let result = try body()
      try connection.execute("COMMIT")
      return result
    } catch {
      try? connection.execute("ROLLBACK")
      throw error
    }
  }
}
