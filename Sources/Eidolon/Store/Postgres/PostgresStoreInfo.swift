extension StoreInfo {
  /// `eidolon db info` of a PostgreSQL store: what `read(path:)` shows of a SQLite one,
  /// the size being the events' and imports' tables with their indexes.
  static func read(postgres target: String) throws -> StoreInfo {
    let store = try PostgresEventStore(target, readOnly: true, upgrade: true)
    let connection = store.connection
    func value(_ sql: String) throws -> String? { try connection.rows(sql).first?.first ?? nil }
    var info = StoreInfo(path: store.displayName, schemaVersion: store.schemaVersion)
    info.currentVersion = PostgresSchema.currentVersion
    info.bytes = Int64(try value("SELECT pg_total_relation_size('events') + pg_total_relation_size('imports')") ?? "0") ?? 0
    info.events = Int64(try value("SELECT count(*) FROM events") ?? "0") ?? 0
    info.first = try value("SELECT min(start_ms) FROM events").flatMap { Int64($0) }
    info.last = try value("SELECT max(end_ms) FROM events").flatMap { Int64($0) }
    info.users = try connection.rows("SELECT DISTINCT \"user\" FROM events WHERE \"user\" IS NOT NULL ORDER BY 1 LIMIT 1000").map { $0[0] ?? "" }
    info.sources = try connection.rows("SELECT source, count(*), coalesce(sum(duration), 0) FROM events GROUP BY source ORDER BY source").map {
      SourceTotal(source: $0[0] ?? "", events: Int64($0[1] ?? "") ?? 0, seconds: Double($0[2] ?? "") ?? 0)
    }
    info.loads = try connection.rows("""
      SELECT id, to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), to_char(finished AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        status, inputs, strategy, read, inserted, skipped, rejected FROM imports ORDER BY id
      """).map { row in
      let number = { (column: Int) in Int64(row[column] ?? "") ?? 0 }
      return Load(id: number(0), started: row[1] ?? "", finished: row[2], status: row[3] ?? "", inputs: row[4] ?? "", strategy: row[5] ?? "",
                  read: number(6), inserted: number(7), skipped: number(8), rejected: number(9))
    }
    return info
  }
}
