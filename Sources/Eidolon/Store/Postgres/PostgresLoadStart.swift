/// Where a load into PostgreSQL begins (formats/postgresql.md, "Loads at once"): as in a
/// SQLite store, a new row in `imports` or, with `--resume`, the unfinished load of the
/// same inputs. Many loaders may run at once, so "unfinished" is not enough to call a load
/// dead: each running load holds a session lock on its import id, which the server drops
/// when the loader's connection ends, however it ends. Only a load whose lock is free is
/// resumed or called interrupted.
extension PostgresEventStore {
  func loadStart(inputs: [String], options: EventLoader.Options, diagnostics: Diagnostics) throws -> (LoadStart, PostgresLoadLock) {
    let names = LoadStart.jsonList(inputs)
    let unfinished = try connection.rows("""
      SELECT id, inputs, strategy, status, read, inserted, skipped, replaced, removed, rejected FROM imports
      WHERE status != 'done' ORDER BY inputs = $1 DESC, id DESC
      """, [names])
    for row in unfinished {
      guard let id = row[0].flatMap({ Int64($0) }), let lock = try PostgresLoadLock(connection, importID: id, wait: false) else { continue }
      let inputsOfLoad = row[1] ?? "", status = row[3] ?? ""
      if options.resume && inputsOfLoad == names {
        try LoadStart.checkResumable(id, inputs: inputsOfLoad, strategy: row[2] ?? "?", names: names, options: options, store: displayName)
        let number = { (column: Int) in Int(row[column] ?? "") ?? 0 }
        let counts = EventLoader.Counts(read: number(4), inserted: number(5), skipped: number(6), replaced: number(7), removed: number(8),
                                        rejected: number(9))
        var checkpoint = LoadStart.Checkpoint()
        if let saved = try connection.rows("SELECT input_index, lines, checksum_state FROM checkpoints WHERE import_id = $1", [String(id)]).first {
          checkpoint = LoadStart.Checkpoint(inputIndex: Int(saved[0] ?? "") ?? 0, lines: Int(saved[1] ?? "") ?? 0,
                                            checksum: UInt32(truncatingIfNeeded: Int64(saved[2] ?? "") ?? 0))
        }
        var spans: [String: LoadStart.Span] = [:]
        for span in try connection.rows(
          "SELECT source, stream, first_start_ms, last_start_ms, last_end_ms FROM import_ranges WHERE import_id = $1", [String(id)]) {
          let source = span[0] ?? "", stream = span[1] ?? ""
          spans[source + "\u{0}" + stream] = (source, stream, Int64(span[2] ?? "") ?? 0, Int64(span[3] ?? "") ?? 0, Int64(span[4] ?? "") ?? 0)
        }
        try connection.run("UPDATE imports SET status = 'running' WHERE id = $1", [String(id)])
        return (LoadStart(importID: id, counts: counts, checkpoint: checkpoint, spans: spans, resumed: true), lock)
      }
      if status == "running" {
        diagnostics.note("eid-load: load \(id) did not finish; its committed batches stay (eid-load --resume with its inputs finishes it)")
        try connection.run("UPDATE imports SET status = 'interrupted' WHERE id = $1", [String(id)])
      }
    }
    if options.resume { diagnostics.note("eid-load: no interrupted load to resume; loading from the start") }
    let made = try connection.rows(
      "INSERT INTO imports (status, tool_version, inputs, strategy) VALUES ('running', $1, $2, $3) RETURNING id",
      [EidolonVersion.current, names, options.strategy.rawValue])
    guard let id = made.first?.first.flatMap({ $0 }).flatMap({ Int64($0) }) else {
      throw EidolonError(.io, "cannot record the load", file: displayName)
    }
    guard let lock = try PostgresLoadLock(connection, importID: id, wait: true) else {
      throw EidolonError(.io, "cannot lock load \(id)", file: displayName)
    }
    return (LoadStart(importID: id, counts: EventLoader.Counts(), checkpoint: LoadStart.Checkpoint(), spans: [:], resumed: false), lock)
  }
}

/// The session lock that says load `importID` is running; released when this goes away
/// (or, however the loader ends, when its connection does).
final class PostgresLoadLock {
  private let connection: PostgresConnection
  private let key: String
  private var held = false

  /// nil when another session holds it and `wait` is false.
  init?(_ connection: PostgresConnection, importID: Int64, wait: Bool) throws {
    self.connection = connection
    key = "\(PostgresSchema.lockSpace), \((importID % Int64(Int32.max)))::int4"
    if wait {
      try connection.execute("SELECT pg_advisory_lock(\(key))")
    } else if try connection.rows("SELECT pg_try_advisory_lock(\(key))").first?.first != "t" {
      return nil
    }
    held = true
  }

  deinit {
    if held { try? connection.execute("SELECT pg_advisory_unlock(\(key))") }
  }
}
