/// The storing side of a load (EventLoader's storing thread runs it while a load reads):
/// each event written as the strategy says, each reject kept, and each batch committed
/// in one transaction with its checkpoint, its spans and the load's counts
/// (formats/sqlite-schema.md, "Loading").
final class BatchWriter: LoadWriter {
  let importID: Int64
  private(set) var counts: EventLoader.Counts
  private let database: SQLiteDatabase
  private let storePath: String
  private let options: EventLoader.Options
  private var spans: [String: LoadStart.Span]
  /// True while the load leaves the indexes to its end (StoreIndexes.settle).
  private var indexesDeferred: Bool
  private var inBatch: Bool
  /// Events of the open batch, the input they are of, the checksum the next commit records.
  private var pending = 0
  private var currentInput = (index: 0, name: "")
  private var checksum: UInt32

  /// The insert for the mode: ON CONFLICT(id) DO NOTHING with the id index, a plain
  /// insert while the indexes wait for the end of a load into an empty store.
  private let insert: SQLiteStatement
  private let update: SQLiteStatement
  private let insertTag: SQLiteStatement
  private let deleteTags: SQLiteStatement
  private let insertReject: SQLiteStatement

  /// `inBatch`: a transaction is open already (a dry run's, which is rolled back at the end).
  init(database: SQLiteDatabase, storePath: String, options: EventLoader.Options, start: LoadStart, indexesDeferred: Bool,
       inBatch: Bool) throws {
    self.database = database
    self.storePath = storePath
    self.options = options
    importID = start.importID
    counts = start.counts
    spans = start.spans
    checksum = start.checkpoint.checksum
    self.indexesDeferred = indexesDeferred
    self.inBatch = inBatch
    let columns = StoreSchema.eventColumns
    // EventColumn's raw values count the optional text fields' 13 columns; debug builds (the tests) check.
    assert(StoreSchema.EventColumn.attrs.rawValue == columns.count - 1 && columns[StoreSchema.EventColumn.productivity.rawValue] == "productivity")
    let placeholders = (1...columns.count + 1).map { "?\($0)" }.joined(separator: ", ")
    let insertSQL = "INSERT INTO events (\(columns.joined(separator: ", ")), import_id) VALUES (\(placeholders))"
    insert = try database.prepare(insertSQL + (indexesDeferred ? "" : " ON CONFLICT(id) DO NOTHING"))
    let assignments = columns.enumerated().dropFirst().map { "\($0.element) = ?\($0.offset + 1)" }.joined(separator: ", ")
    update = try database.prepare("UPDATE events SET \(assignments), import_id = ?\(columns.count + 1) WHERE id = ?1 RETURNING seq")
    insertTag = try database.prepare("INSERT OR IGNORE INTO event_tags (event_seq, tag) VALUES (?1, ?2)")
    deleteTags = try database.prepare("DELETE FROM event_tags WHERE event_seq = ?1")
    insertReject = try database.prepare("INSERT INTO rejects (import_id, input, line, col, error, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
  }

  func startInput(index: Int, name: String) { currentInput = (index, name) }

  func commit(lines: Int, nextInput: Bool, checksum: UInt32) throws {
    self.checksum = checksum
    try commitBatch(lines: lines, nextInput: nextInput)
  }


  private func beginBatch() throws {
    guard !inBatch else { return }
    try database.execute("BEGIN IMMEDIATE")
    inBatch = true
  }

  /// Stores one event as the strategy says (on the storing thread during a load).
  func add(_ event: EventView) throws {
    try beginBatch()
    counts.read += 1
    pending += 1
    event.bind(to: insert, importID: importID)
    try insert.step()
    insert.resetKeepingBindings()
    // With the indexes deferred every insert lands; repeated ids are settled in finish().
    if indexesDeferred || database.changes > 0 {
      counts.inserted += 1
      if event.hasTags { try storeTags(of: event, seq: database.lastInsertRowID) }
    } else {
      switch options.strategy {
      case .append:
        counts.skipped += 1
      case .fail:
        try rollbackBatch()
        throw EidolonError(
          .data, "event \(event.idText) is already in the store; nothing of this batch was written (--merge-strategy fail)",
          file: currentInput.name)
      case .replace, .replaceRange:
        event.bind(to: update, importID: importID)
        guard try update.step() else { throw EidolonError(.io, "the stored event \(event.idText) vanished", file: storePath) }
        let seq = update.int64(0)
        update.resetKeepingBindings()
        deleteTags.bind(1, seq)
        try deleteTags.step()
        deleteTags.reset()
        if event.hasTags { try storeTags(of: event, seq: seq) }
        counts.replaced += 1
      }
    }
    if options.strategy == .replaceRange {
      let (source, stream) = event.sourceAndStream
      LoadStart.note(source: source, stream: stream, start: event.start, end: event.endMillis, in: &spans)
    }
  }

  private func storeTags(of event: EventView, seq: Int64) throws {
    try event.forEachTag { tag in
      insertTag.bind(1, seq)
      insertTag.bind(2, borrowing: tag)
      try insertTag.step()
      insertTag.resetKeepingBindings()
    }
  }

  func keepReject(_ error: EidolonError, raw: UnsafeRawBufferPointer?) throws {
    try beginBatch()
    counts.read += 1
    counts.rejected += 1
    insertReject.bind(1, importID)
    insertReject.bind(2, error.file ?? currentInput.name)
    insertReject.bind(3, error.position.map { Int64($0.line) })
    insertReject.bind(4, error.position.map { Int64($0.column) })
    insertReject.bind(5, error.message)
    if let raw { insertReject.bind(6, bytes: raw) } else { insertReject.bind(6, nil as String?) }
    try insertReject.step()
    insertReject.reset()
  }

  func rollbackBatch() throws {
    guard inBatch else { return }
    inBatch = false
    pending = 0
    try database.execute("ROLLBACK")
  }

  /// Commits the batch with its checkpoint: `lines` of the current input are in.
  private func commitBatch(lines: Int, nextInput: Bool = false) throws {
    if options.dryRun {
      pending = 0
      return
    }
    try beginBatch()
    let save = try database.prepare(
      "INSERT OR REPLACE INTO checkpoints (import_id, input_index, input, lines, checksum_state, updated) VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
    save.bind(1, importID)
    save.bind(2, Int64(currentInput.index + (nextInput ? 1 : 0)))
    save.bind(3, currentInput.name)
    save.bind(4, Int64(lines))
    save.bind(5, Int64(checksum))
    try save.step()
    if options.strategy == .replaceRange {
      let span = try database.prepare(
        "INSERT OR REPLACE INTO import_ranges (import_id, source, stream, first_start_ms, last_start_ms, last_end_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      for range in spans.values {
        span.bind(1, importID)
        span.bind(2, range.source)
        span.bind(3, range.stream)
        span.bind(4, range.first)
        span.bind(5, range.lastStart)
        span.bind(6, range.lastEnd)
        try span.step()
        span.reset()
      }
    }
    try saveCounts(status: nil)
    try database.execute("COMMIT")
    inBatch = false
    pending = 0
  }

  private func saveCounts(status: String?) throws {
    let save = try database.prepare(
      "UPDATE imports SET read = ?2, inserted = ?3, skipped = ?4, replaced = ?5, removed = ?6, rejected = ?7, checksum = ?8, status = coalesce(?9, status), finished = CASE WHEN ?9 IS NULL THEN finished ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END WHERE id = ?1")
    save.bind(1, importID)
    for (i, value) in [counts.read, counts.inserted, counts.skipped, counts.replaced, counts.removed, counts.rejected].enumerated() {
      save.bind(Int32(i + 2), Int64(value))
    }
    save.bind(8, "crc32:" + String(checksum, radix: 16))
    save.bind(9, status)
    try save.step()
  }

  /// Ends the load: for replace-range, removes what the input's spans no longer hold;
  /// builds deferred indexes; marks the load done.
  func finish() throws -> EventLoader.Counts {
    try beginBatch()
    if options.strategy == .replaceRange {
      let remove = try database.prepare("""
        DELETE FROM events WHERE source = ?1 AND stream IS ?2 AND start_ms >= ?3
          AND (start_ms <= ?4 OR start_ms < ?5) AND import_id != ?6
        """)
      for range in spans.values.sorted(by: { ($0.source, $0.stream) < ($1.source, $1.stream) }) {
        remove.bind(1, range.source)
        remove.bind(2, range.stream.isEmpty ? nil : range.stream)
        remove.bind(3, range.first)
        remove.bind(4, range.lastStart)
        remove.bind(5, range.lastEnd)
        remove.bind(6, importID)
        try remove.step()
        counts.removed += database.changes
        remove.reset()
      }
    }
    if indexesDeferred {
      let repeated = try StoreIndexes.build(database)
      counts.inserted -= repeated
      counts.skipped += repeated
      indexesDeferred = false
    }
    try saveCounts(status: "done")
    try database.execute(options.dryRun ? "ROLLBACK" : "COMMIT")
    inBatch = false
    return counts
  }

  /// After an error: the open batch is dropped and the load marked failed (a --resume
  /// continues from its last checkpoint).
  func abandon() {
    try? rollbackBatch()
    try? database.execute("UPDATE imports SET status = 'failed' WHERE id = \(importID)")
  }
}
