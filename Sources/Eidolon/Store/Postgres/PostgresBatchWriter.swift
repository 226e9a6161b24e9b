/// The storing side of a load into PostgreSQL (EventLoader's storing thread runs it):
/// the batch's events COPYed in text format into the session's staging table a megabyte
/// at a time, then at each commit one statement per strategy into `events`, with the
/// checkpoint, the spans and the counts, in one transaction (formats/postgresql.md).
///
/// Rows go into `events` in id order, their `seq` taken in input order while they were
/// copied: loaders that write overlapping ids at once lock them in the same order (no
/// deadlock), and ties in start time still read back in load order, as from SQLite.
final class PostgresBatchWriter: LoadWriter {
  let importID: Int64
  private(set) var counts: EventLoader.Counts
  private let connection: PostgresConnection
  private let options: EventLoader.Options
  private var spans: [String: LoadStart.Span]
  private var checksum: UInt32
  private var currentInput = (index: 0, name: "")
  private var inTransaction = false
  /// COPY rows not yet sent, and the events of the open batch.
  private let rows = ByteBuffer(capacity: PostgresBatchWriter.copyTarget + (1 << 16))
  private var pending = 0

  /// Rows are sent to the server once this many bytes wait.
  static let copyTarget = 1 << 20

  static let columns = StoreSchema.eventColumns.map { $0 == "user" ? "\"user\"" : $0 } + ["import_id"]
  static let columnList = columns.joined(separator: ", ")

  /// `inTransaction`: the load's transaction is open already (a dry run's, rolled back at
  /// the end, which holds the whole load).
  init(connection: PostgresConnection, options: EventLoader.Options, start: LoadStart, inTransaction: Bool) throws {
    self.connection = connection
    self.inTransaction = inTransaction
    self.options = options
    importID = start.importID
    counts = start.counts
    spans = start.spans
    checksum = start.checkpoint.checksum
  }

  func startInput(index: Int, name: String) { currentInput = (index, name) }

  func commit(lines: Int, nextInput: Bool, checksum: UInt32) throws {
    self.checksum = checksum
    try commitBatch(lines: lines, nextInput: nextInput)
  }


  private func begin() throws {
    guard !inTransaction else { return }
    try connection.execute("BEGIN; \(PostgresBatchWriter.createStaging)")
    inTransaction = true
  }

  /// The session's staging table: the events' columns, `seq` from their sequence.
  static let createStaging = "CREATE TEMP TABLE IF NOT EXISTS staging (LIKE events INCLUDING DEFAULTS)"

  func add(_ event: EventView) throws {
    try begin()
    appendRow(event)
    pending += 1
    if options.strategy == .replaceRange {
      let (source, stream) = event.sourceAndStream
      LoadStart.note(source: source, stream: stream, start: event.start, end: event.endMillis, in: &spans)
    }
    if rows.count >= PostgresBatchWriter.copyTarget { try sendRows() }
  }

  /// The view's columns as a COPY row of `columns` but seq (the staging table's default
  /// takes it from the events' sequence, in input order).
  private func appendRow(_ event: EventView) {
    PostgresCopyText.appendField(event.id, to: rows, first: true)
    PostgresCopyText.appendField(event.source, to: rows)
    PostgresCopyText.appendField(event.kind, to: rows)
    PostgresCopyText.appendField(event.startText, to: rows)
    rows.append(0x09)
    rows.append(integer: event.start)
    rows.append(0x09)
    rows.append(integer: event.endMillis)
    rows.append(0x09)
    rows.appendJSONNumber(event.duration)
    for field in 0..<Event.optionalStringNames.count { PostgresCopyText.appendField(event.strings[field], to: rows) }
    if let productivity = event.productivity {
      rows.append(0x09)
      rows.append(integer: Int64(productivity))
    } else {
      PostgresCopyText.appendNull(to: rows)
    }
    PostgresCopyText.appendField(event.tagsJSON, to: rows)
    if let billable = event.billable { rows.append(billable ? "\tt" : "\tf") } else { PostgresCopyText.appendNull(to: rows) }
    PostgresCopyText.appendField(event.offset, to: rows)
    PostgresCopyText.appendField(event.attrsJSON.isEmpty ? EventView.absent : event.attrsJSON, to: rows)
    rows.append(0x09)
    rows.append(integer: importID)
    PostgresCopyText.endRow(rows)
  }

  private func sendRows() throws {
    guard rows.count > 0 else { return }
    try connection.copyIn("COPY staging (\(PostgresBatchWriter.columnList)) FROM STDIN") { send in
      try rows.bytes.withUnsafeBytes { try send($0) }
    }
    rows.removeAll()
  }

  func keepReject(_ error: EidolonError, raw: UnsafeRawBufferPointer?) throws {
    try begin()
    counts.read += 1
    counts.rejected += 1
    try connection.run(
      "INSERT INTO rejects (import_id, input, line, col, error, raw) VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'))",
      [String(importID), PostgresBatchWriter.text(error.file ?? currentInput.name), error.position.map { String($0.line) },
       error.position.map { String($0.column) }, PostgresBatchWriter.text(error.message), raw.map(PostgresBatchWriter.hex)])
  }

  /// Text PostgreSQL can hold: a U+0000 written as the six characters \u0000.
  static func text(_ value: String) -> String { value.replacingOccurrences(of: "\u{0}", with: "\\u0000") }

  static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The staged events into `events` as the strategy says, then the staging table emptied.
  private func applyBatch() throws {
    try sendRows()
    guard pending > 0 else { return }
    let columns = PostgresBatchWriter.columnList
    let into = "INSERT INTO events (seq, \(columns))"
    switch options.strategy {
    case .append:
      let inserted = try connection.run("\(into) SELECT seq, \(columns) FROM staging ORDER BY id ON CONFLICT (id) DO NOTHING", [])
      counts.inserted += inserted
      counts.skipped += pending - inserted
    case .fail:
      // The first event (in input order) whose id is stored, or came earlier in the batch.
      let clash = try connection.rows("""
        SELECT id FROM (SELECT id, seq, row_number() OVER (PARTITION BY id ORDER BY seq) AS n FROM staging) s
        WHERE n > 1 OR EXISTS (SELECT 1 FROM events e WHERE e.id = s.id) ORDER BY seq LIMIT 1
        """)
      var clashing = clash.first?.first ?? nil
      if clashing == nil {
        let inserted = try connection.run("\(into) SELECT seq, \(columns) FROM staging ORDER BY id ON CONFLICT (id) DO NOTHING", [])
        // Another loader stored one of these ids since the check.
        if inserted < pending { clashing = "of this batch" }
        counts.inserted += inserted
      }
      if let clashing {
        pending = 0
        rollback()
        throw EidolonError(
          .data, "event \(clashing) is already in the store; nothing of this batch was written (--merge-strategy fail)",
          file: currentInput.name)
      }
    case .replace, .replaceRange:
      // The last of each id in the batch; xmax = 0 tells an inserted row from an updated one.
      let updates = PostgresBatchWriter.columns.filter { $0 != "id" }.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
      let inserted = try connection.rows("""
        WITH written AS (
          \(into) SELECT DISTINCT ON (id) seq, \(columns) FROM staging ORDER BY id, seq DESC
          ON CONFLICT (id) DO UPDATE SET \(updates) RETURNING (xmax = 0) AS new)
        SELECT count(*) FILTER (WHERE new) FROM written
        """).first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
      counts.inserted += inserted
      counts.replaced += pending - inserted
    }
    counts.read += pending
    pending = 0
    try connection.execute("TRUNCATE staging")
  }

  /// Commits the batch with its checkpoint: `lines` of the current input are in.
  private func commitBatch(lines: Int, nextInput: Bool) throws {
    try begin()
    try applyBatch()
    if options.dryRun { return }
    try connection.run("""
      INSERT INTO checkpoints (import_id, input_index, input, lines, checksum_state, updated) VALUES ($1, $2, $3, $4, $5, now())
      ON CONFLICT (import_id) DO UPDATE SET input_index = EXCLUDED.input_index, input = EXCLUDED.input, lines = EXCLUDED.lines,
        checksum_state = EXCLUDED.checksum_state, updated = EXCLUDED.updated
      """, [String(importID), String(currentInput.index + (nextInput ? 1 : 0)), currentInput.name, String(lines), String(checksum)])
    for range in spans.values where options.strategy == .replaceRange {
      try connection.run("""
        INSERT INTO import_ranges (import_id, source, stream, first_start_ms, last_start_ms, last_end_ms) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (import_id, source, stream) DO UPDATE SET first_start_ms = EXCLUDED.first_start_ms,
          last_start_ms = EXCLUDED.last_start_ms, last_end_ms = EXCLUDED.last_end_ms
        """, [String(importID), range.source, range.stream, String(range.first), String(range.lastStart), String(range.lastEnd)])
    }
    try saveCounts(status: nil)
    try connection.execute("COMMIT")
    inTransaction = false
  }

  private func saveCounts(status: String?) throws {
    try connection.run("""
      UPDATE imports SET read = $2, inserted = $3, skipped = $4, replaced = $5, removed = $6, rejected = $7, checksum = $8,
        status = coalesce($9, status), finished = CASE WHEN $9::text IS NULL THEN finished ELSE now() END WHERE id = $1
      """, [String(importID)] + [counts.read, counts.inserted, counts.skipped, counts.replaced, counts.removed, counts.rejected].map { String($0) }
        + ["crc32:" + String(checksum, radix: 16), status])
  }

  /// Ends the load: for replace-range, removes what the input's spans no longer hold;
  /// marks the load done.
  func finish() throws -> EventLoader.Counts {
    try begin()
    try applyBatch()
    if options.strategy == .replaceRange {
      for range in spans.values.sorted(by: { ($0.source, $0.stream) < ($1.source, $1.stream) }) {
        counts.removed += try connection.run("""
          DELETE FROM events WHERE source = $1 AND stream IS NOT DISTINCT FROM $2 AND start_ms >= $3
            AND (start_ms <= $4 OR start_ms < $5) AND import_id != $6
          """, [range.source, range.stream.isEmpty ? nil : range.stream, String(range.first), String(range.lastStart),
                String(range.lastEnd), String(importID)])
      }
    }
    try saveCounts(status: "done")
    try connection.execute(options.dryRun ? "ROLLBACK" : "COMMIT")
    inTransaction = false
    return counts
  }

  private func rollback() {
    rows.removeAll()
    pending = 0
    guard inTransaction else { return }
    inTransaction = false
    try? connection.execute("ROLLBACK")
  }

  /// After an error: the open batch is dropped and the load marked failed (a --resume
  /// continues from its last checkpoint).
  func abandon() {
    rollback()
    try? connection.execute("UPDATE imports SET status = 'failed' WHERE id = \(importID)")
  }
}
