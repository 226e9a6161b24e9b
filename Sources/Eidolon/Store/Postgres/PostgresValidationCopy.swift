/// How `migrate validate` reads a PostgreSQL store (formats/postgresql.md, "Validating"):
/// the stored events it compares (those in the source's spans, and those with the
/// source's ids) are copied from the server into the events table of a scratch SQLite
/// store, and the validation runs there as it runs on a SQLite store. The source's spans
/// and ids go to the server first (COPY into temporary tables), so it sends only the rows
/// in scope, through a cursor.
enum PostgresValidationCopy {
  /// Fills `scratch`'s empty events table, in the transaction open on it. `scratch` holds the source's events in
  /// `temp.src` and their spans in `temp.spans`; `user`: a shared store's user.
  static func fill(_ scratch: SQLiteDatabase, from store: PostgresEventStore, scope: MigrationValidator.Scope, user: String?) throws {
    let connection = store.connection
    try connection.execute("""
      BEGIN ISOLATION LEVEL REPEATABLE READ;
      CREATE TEMP TABLE validate_spans (source TEXT, stream TEXT, first BIGINT, last BIGINT) ON COMMIT DROP;
      CREATE TEMP TABLE validate_ids (id TEXT) ON COMMIT DROP;
      """)
    defer { try? connection.execute("COMMIT") }
    try copy(scratch, "SELECT source, stream, first, last FROM temp.spans", into: "validate_spans", connection)
    try copy(scratch, "SELECT DISTINCT id FROM temp.src", into: "validate_ids", connection)
    try connection.execute("ANALYZE validate_ids")
    let columns = StoreSchema.eventColumns.map { $0 == "user" ? "\"user\"" : $0 == "billable" ? "billable::int" : $0 }.joined(separator: ", ")
    let inSpans = """
      EXISTS (SELECT 1 FROM validate_spans s WHERE s.source = e.source AND s.stream IS NOT DISTINCT FROM e.stream
        AND e.start_ms BETWEEN s.first AND s.last)\(user == nil ? "" : " AND e.\"user\" IS NOT DISTINCT FROM $1")
      """
    let byID = "e.id IN (SELECT id FROM validate_ids)\(user == nil ? "" : " AND e.\"user\" IS NOT DISTINCT FROM $1")"
    let condition = scope == .range ? "(\(inSpans)) OR (\(byID))" : byID
    try connection.run("DECLARE validate_events NO SCROLL CURSOR FOR SELECT \(columns) FROM events e WHERE \(condition)",
                       user.map { [$0] } ?? [])
    let names = StoreSchema.eventColumns
    let insert = try scratch.prepare(
      "INSERT INTO main.events (\(names.joined(separator: ", ")), import_id) VALUES (\((1...names.count).map { "?\($0)" }.joined(separator: ", ")), 0)")
    // Inside the validation's transaction on the scratch store.
    while true {
      let rows = try connection.rows("FETCH 10000 FROM validate_events")
      if rows.isEmpty { break }
      for row in rows {
        // Text into columns of integer and real affinity is stored as the number it spells.
        for (index, value) in row.enumerated() { insert.bind(Int32(index + 1), value) }
        _ = try insert.step()
        insert.reset()
      }
    }
  }

  /// The rows of a scratch query, COPYed into a server table of the same columns.
  private static func copy(_ scratch: SQLiteDatabase, _ query: String, into table: String, _ connection: PostgresConnection) throws {
    let rows = try scratch.prepare(query)
    let out = ByteBuffer(capacity: 1 << 20)
    let width = rows.columnCount
    try connection.copyIn("COPY \(table) FROM STDIN") { send in
      while try rows.step() {
        for column in 0..<width {
          PostgresCopyText.appendField(rows.isNull(Int32(column)) ? nil : rows.string(Int32(column)), to: out, first: column == 0)
        }
        PostgresCopyText.endRow(out)
        if out.count >= 1 << 20 {
          try out.bytes.withUnsafeBytes { try send($0) }
          out.removeAll()
        }
      }
      try out.bytes.withUnsafeBytes { try send($0) }
    }
  }
}
