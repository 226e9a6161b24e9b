/// The SQLite schema of an Eidolon store, and the steps that bring an older one up to
/// date (formats/sqlite-schema.md). `PRAGMA user_version` holds the version;
/// `PRAGMA application_id` marks the file as an Eidolon store.
public enum StoreSchema {
  /// The version this build writes. A store with a higher one is refused.
  public static let currentVersion: Int64 = 3
  /// "EIDL" in ASCII.
  public static let applicationID: Int64 = 0x4549_444C

  /// The canonical columns of `events`, in the order of the insert and update
  /// statements' parameters and of eid-dump's select: the one place that order is kept.
  enum EventColumn: Int, CaseIterable {
    case id, source, kind, start, startMillis, endMillis, duration
    /// The optional text fields, in `Event.optionalStringNames` order (13 columns).
    case firstOptionalString
    case productivity = 20, tags, billable, utcOffset, attrs

    /// The column's index in a select of `eventColumns`.
    var column: Int32 { Int32(rawValue) }
    /// The column's parameter (`?N`) in the insert and update statements.
    var parameter: Int32 { Int32(rawValue + 1) }
    /// The optional text field `index` (of `Event.optionalStringNames`): its column.
    static func optionalString(_ index: Int) -> Int32 { firstOptionalString.column + Int32(index) }
    /// The optional text field `index`'s parameter.
    static func optionalStringParameter(_ index: Int) -> Int32 { optionalString(index) + 1 }
    /// The import's id: the parameter after the columns'.
    static let importIDParameter = Int32(eventColumns.count + 1)
  }

  /// The column names, in EventColumn's order: each case's name, and the optional text
  /// fields' names where `firstOptionalString` stands.
  static let eventColumns: [String] = EventColumn.allCases.flatMap { column -> [String] in
    switch column {
    case .firstOptionalString: return Event.optionalStringNames
    case .startMillis: return ["start_ms"]
    case .endMillis: return ["end_ms"]
    case .utcOffset: return ["utc_offset"]
    default: return ["\(column)"]
    }
  }

  /// A new store, at the current version.
  static let create = """
    CREATE TABLE imports (
      id INTEGER PRIMARY KEY,
      started TEXT NOT NULL,
      finished TEXT,
      status TEXT NOT NULL,
      tool_version TEXT NOT NULL,
      inputs TEXT NOT NULL,
      strategy TEXT NOT NULL,
      read INTEGER NOT NULL DEFAULT 0,
      inserted INTEGER NOT NULL DEFAULT 0,
      skipped INTEGER NOT NULL DEFAULT 0,
      replaced INTEGER NOT NULL DEFAULT 0,
      removed INTEGER NOT NULL DEFAULT 0,
      rejected INTEGER NOT NULL DEFAULT 0,
      checksum TEXT
    );
    \(eventsTable("events"))
    \(StoreIndexes.create)
    \(version2)
    """

  /// The events table. Ids are unique by the index events_by_id (StoreIndexes), not a
  /// UNIQUE constraint, so that a load into an empty store can build it at the end.
  static func eventsTable(_ name: String) -> String {
    """
    CREATE TABLE \(name) (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      source TEXT NOT NULL,
      kind TEXT NOT NULL,
      start TEXT NOT NULL,
      start_ms INTEGER NOT NULL,
      end_ms INTEGER NOT NULL,
      duration REAL NOT NULL,
      stream TEXT, host TEXT, user TEXT, app TEXT, title TEXT, url TEXT, file TEXT,
      project TEXT, client TEXT, task TEXT, description TEXT, category TEXT, subcategory TEXT,
      productivity INTEGER, tags TEXT, billable INTEGER, utc_offset TEXT, attrs TEXT,
      import_id INTEGER NOT NULL REFERENCES imports(id)
    );
    """
  }

  static let forgetTagsTrigger = """
    CREATE TRIGGER events_forget_tags AFTER DELETE ON events BEGIN
      DELETE FROM event_tags WHERE event_seq = old.seq;
    END;
    """

  /// Version 1 to 2: tags in their own table (queryable with a join), the load's
  /// checkpoints and time ranges, and rejected records kept with the load.
  static let version2 = """
    CREATE TABLE event_tags (
      event_seq INTEGER NOT NULL,
      tag TEXT NOT NULL,
      PRIMARY KEY (tag, event_seq)
    ) WITHOUT ROWID;
    CREATE INDEX event_tags_by_event ON event_tags(event_seq);
    INSERT INTO event_tags (event_seq, tag)
      SELECT DISTINCT events.seq, json_each.value FROM events, json_each(events.tags) WHERE events.tags IS NOT NULL;
    \(forgetTagsTrigger)
    CREATE TABLE checkpoints (
      import_id INTEGER PRIMARY KEY REFERENCES imports(id),
      input_index INTEGER NOT NULL,
      input TEXT NOT NULL,
      lines INTEGER NOT NULL,
      checksum_state INTEGER NOT NULL,
      updated TEXT NOT NULL
    );
    CREATE TABLE import_ranges (
      import_id INTEGER NOT NULL REFERENCES imports(id),
      source TEXT NOT NULL,
      stream TEXT NOT NULL,
      first_start_ms INTEGER NOT NULL,
      last_start_ms INTEGER NOT NULL,
      last_end_ms INTEGER NOT NULL,
      PRIMARY KEY (import_id, source, stream)
    );
    CREATE TABLE rejects (
      import_id INTEGER NOT NULL REFERENCES imports(id),
      input TEXT NOT NULL,
      line INTEGER,
      col INTEGER,
      error TEXT NOT NULL,
      raw TEXT
    );
    \(views)
    """

  /// Views people want right away; days are UTC days. Dropped first, so a step can make
  /// them again after the table they read was rebuilt.
  static let views = """
    DROP VIEW IF EXISTS time_per_day_app;
    DROP VIEW IF EXISTS time_per_day_category;
    DROP VIEW IF EXISTS time_per_day_project;
    DROP VIEW IF EXISTS time_per_day_source;
    \(viewDefinitions)
    """

  /// The views' definitions, the same in a PostgreSQL store (PostgresSchema).
  static let viewDefinitions = """
    CREATE VIEW time_per_day_app AS
      SELECT substr(start, 1, 10) AS day, app, count(*) AS events, sum(duration) AS seconds
      FROM events WHERE app IS NOT NULL GROUP BY day, app;
    CREATE VIEW time_per_day_category AS
      SELECT substr(start, 1, 10) AS day, category, subcategory, count(*) AS events, sum(duration) AS seconds
      FROM events WHERE category IS NOT NULL GROUP BY day, category, subcategory;
    CREATE VIEW time_per_day_project AS
      SELECT substr(start, 1, 10) AS day, client, project, count(*) AS events, sum(duration) AS seconds
      FROM events WHERE project IS NOT NULL GROUP BY day, client, project;
    CREATE VIEW time_per_day_source AS
      SELECT substr(start, 1, 10) AS day, source, kind, count(*) AS events, sum(duration) AS seconds
      FROM events GROUP BY day, source, kind;
    """

  /// Version 2 to 3: the events table rebuilt without the UNIQUE constraint on id, its
  /// place taken by the unique index events_by_id (SQLite's twelve steps for a changed
  /// table: new table, copy, drop, rename, then its indexes, trigger and views again).
  static let version3 = """
    DROP VIEW IF EXISTS time_per_day_app;
    DROP VIEW IF EXISTS time_per_day_category;
    DROP VIEW IF EXISTS time_per_day_project;
    DROP VIEW IF EXISTS time_per_day_source;
    \(eventsTable("events_v3"))
    INSERT INTO events_v3 SELECT seq, id, source, kind, start, start_ms, end_ms, duration, stream, host, user, app,
      title, url, file, project, client, task, description, category, subcategory, productivity, tags, billable,
      utc_offset, attrs, import_id FROM events;
    DROP TABLE events;
    ALTER TABLE events_v3 RENAME TO events;
    \(StoreIndexes.create)
    \(forgetTagsTrigger)
    \(views)
    """

  /// The steps from each older version: `upgrades[v]` takes version v to v + 1.
  static let upgrades: [Int64: String] = [1: version2, 2: version3]
}
