/// The schema of an Eidolon store in PostgreSQL (formats/postgresql.md): the SQLite
/// store's tables in PostgreSQL's types, numbered by versions of its own, kept in
/// `eidolon_store`. Upgrades run in one transaction (PostgreSQL's DDL is transactional),
/// so a failed one changes nothing.
public enum PostgresSchema {
  /// The version this build writes. A store with a higher one is refused.
  public static let currentVersion: Int64 = 1

  /// Serialises schema creation and upgrades between loaders that start at once, and
  /// names (as the first key) the session locks that say a load is running.
  static let lockSpace: Int32 = 0x4549_444C

  /// The first tables Eidolon made, before versions were kept (events and imports only):
  /// version 0, which `upgrades[0]` brings up to date.
  static let version0 = """
    CREATE TABLE imports (
      id BIGSERIAL PRIMARY KEY,
      started TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished TIMESTAMPTZ,
      status TEXT NOT NULL,
      tool_version TEXT NOT NULL,
      inputs TEXT NOT NULL,
      strategy TEXT NOT NULL,
      read BIGINT NOT NULL DEFAULT 0,
      inserted BIGINT NOT NULL DEFAULT 0,
      skipped BIGINT NOT NULL DEFAULT 0,
      replaced BIGINT NOT NULL DEFAULT 0,
      rejected BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE events (
      seq BIGSERIAL PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      source TEXT NOT NULL,
      kind TEXT NOT NULL,
      start TEXT NOT NULL,
      start_ms BIGINT NOT NULL,
      end_ms BIGINT NOT NULL,
      duration DOUBLE PRECISION NOT NULL,
      stream TEXT, host TEXT, "user" TEXT, app TEXT, title TEXT, url TEXT, file TEXT,
      project TEXT, client TEXT, task TEXT, description TEXT, category TEXT, subcategory TEXT,
      productivity INTEGER, tags TEXT, billable BOOLEAN, utc_offset TEXT, attrs TEXT,
      import_id BIGINT NOT NULL REFERENCES imports(id)
    );
    CREATE INDEX events_by_start ON events (start_ms);
    """

  /// Version 0 to 1: the version kept; the imports' removed count and checksum; the
  /// loads' checkpoints, replace-range spans and rejected records; the indexed text
  /// columns compared byte by byte (COLLATE "C": a locale's collation made every key
  /// comparison of the id index a strcoll, and ids have no language); the index
  /// replace-range deletes by; the views of the SQLite store.
  static let version1 = """
    CREATE TABLE eidolon_store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO eidolon_store VALUES ('schema_version', '0');
    ALTER TABLE imports ADD COLUMN removed BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE imports ADD COLUMN checksum TEXT;
    CREATE TABLE checkpoints (
      import_id BIGINT PRIMARY KEY REFERENCES imports(id),
      input_index BIGINT NOT NULL,
      input TEXT NOT NULL,
      lines BIGINT NOT NULL,
      checksum_state BIGINT NOT NULL,
      updated TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE import_ranges (
      import_id BIGINT NOT NULL REFERENCES imports(id),
      source TEXT NOT NULL,
      stream TEXT NOT NULL,
      first_start_ms BIGINT NOT NULL,
      last_start_ms BIGINT NOT NULL,
      last_end_ms BIGINT NOT NULL,
      PRIMARY KEY (import_id, source, stream)
    );
    CREATE TABLE rejects (
      import_id BIGINT NOT NULL REFERENCES imports(id),
      input TEXT NOT NULL,
      line BIGINT,
      col BIGINT,
      error TEXT NOT NULL,
      raw BYTEA
    );
    ALTER TABLE events ALTER COLUMN id TYPE TEXT COLLATE "C", ALTER COLUMN source TYPE TEXT COLLATE "C",
      ALTER COLUMN stream TYPE TEXT COLLATE "C";
    CREATE INDEX events_by_stream ON events (source, stream, start_ms);
    \(StoreSchema.viewDefinitions)
    """

  /// Every table and view any version has made: what a backup holds and a rollback
  /// replaces (other tables of the database are left alone).
  static let tables = ["imports", "events", "eidolon_store", "checkpoints", "import_ranges", "rejects"]
  static let views = ["time_per_day_app", "time_per_day_category", "time_per_day_project", "time_per_day_source"]

  /// The steps from each older version: `upgrades[v]` takes version v to v + 1.
  static let upgrades: [Int64: String] = [0: version1]

  /// The store's version: nil when the database holds no Eidolon tables, 0 for the first
  /// tables (no `eidolon_store`).
  static func version(_ connection: PostgresConnection) throws -> Int64? {
    let tables = try connection.rows("SELECT to_regclass('eidolon_store') IS NOT NULL, to_regclass('events') IS NOT NULL, to_regclass('imports') IS NOT NULL")
    let present = tables.first?.map { $0 == "t" } ?? []
    if present.first == true {
      let value = try connection.rows("SELECT value FROM eidolon_store WHERE key = 'schema_version'").first?.first ?? nil
      guard let value, let version = Int64(value) else {
        throw EidolonError(.data, "the store's eidolon_store table holds no schema_version", file: connection.displayName)
      }
      return version
    }
    if present.count == 3 && present[1] && present[2] { return 0 }
    if present.count == 3 && (present[1] || present[2]) {
      throw EidolonError(.usage, "this database has an events or imports table that is not an Eidolon store's; give another database or schema", file: connection.displayName)
    }
    return nil
  }

  /// Runs the steps from `from` to the current version, then records it; inside the
  /// caller's transaction.
  static func upgrade(_ connection: PostgresConnection, from: Int64) throws {
    for version in from..<currentVersion {
      guard let step = upgrades[version] else {
        throw EidolonError(.unsupported, "no upgrade from schema version \(version)", file: connection.displayName)
      }
      try connection.execute(step)
    }
    try connection.execute("UPDATE eidolon_store SET value = '\(currentVersion)' WHERE key = 'schema_version'")
  }
}
