#if canImport(Glibc)
import Glibc
#endif

/// Where a load begins (formats/sqlite-schema.md, "Resume"): a new row in `imports`, or,
/// with `--resume`, the unfinished load of the same inputs, with its counts, its
/// checkpoint and (replace-range) its spans. Any other unfinished load is called
/// interrupted.
struct LoadStart {
  /// Where an interrupted load stopped: the input and the lines of it already committed,
  /// and the checksum of everything before.
  struct Checkpoint {
    var inputIndex = 0
    var lines = 0
    var checksum: UInt32 = 0
  }

  /// replace-range: per source and stream, the span of the input seen so far.
  typealias Span = (source: String, stream: String, first: Int64, lastStart: Int64, lastEnd: Int64)

  private(set) var importID: Int64 = 0
  private(set) var counts = EventLoader.Counts()
  private(set) var checkpoint = Checkpoint()
  private(set) var spans: [String: Span] = [:]
  /// True when this run continues an interrupted load.
  private(set) var resumed = false

  init(database: SQLiteDatabase, storePath: String, inputNames: [String], options: EventLoader.Options,
       diagnostics: Diagnostics) throws {
    let names = LoadStart.jsonList(inputNames)
    let unfinished = try database.prepare(
      "SELECT id, inputs, strategy, read, inserted, skipped, replaced, removed, rejected FROM imports WHERE status != 'done' ORDER BY inputs = ?1 DESC, id DESC LIMIT 1")
    // A store shared by several people's loads may hold more than one unfinished load:
    // the one with these inputs is the one to resume.
    unfinished.bind(1, names)
    if try unfinished.step() {
      let id = unfinished.int64(0)
      if options.resume {
        try LoadStart.checkResumable(id, inputs: unfinished.string(1) ?? "", strategy: unfinished.string(2) ?? "?", names: names,
                                     options: options, store: storePath)
        importID = id
        counts = EventLoader.Counts(
          read: Int(unfinished.int64(3)), inserted: Int(unfinished.int64(4)), skipped: Int(unfinished.int64(5)),
          replaced: Int(unfinished.int64(6)), removed: Int(unfinished.int64(7)), rejected: Int(unfinished.int64(8)))
        try readCheckpoint(database)
        resumed = true
        try database.execute("UPDATE imports SET status = 'running' WHERE id = \(id)")
        return
      }
      diagnostics.note("eid-load: load \(id) did not finish; its committed batches stay (eid-load --resume with its inputs finishes it)")
      try database.execute("UPDATE imports SET status = 'interrupted' WHERE id = \(id)")
    } else if options.resume {
      diagnostics.note("eid-load: no interrupted load to resume; loading from the start")
    }
    let start = try database.prepare(
      "INSERT INTO imports (started, status, tool_version, inputs, strategy) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'running', ?1, ?2, ?3) RETURNING id")
    start.bind(1, EidolonVersion.current)
    start.bind(2, names)
    start.bind(3, options.strategy.rawValue)
    guard try start.step() else { throw EidolonError(.io, "cannot record the load", file: storePath) }
    importID = start.int64(0)
  }

  /// A start made by another engine's store (PostgresLoadStart).
  init(importID: Int64, counts: EventLoader.Counts, checkpoint: Checkpoint, spans: [String: Span], resumed: Bool) {
    self.importID = importID
    self.counts = counts
    self.checkpoint = checkpoint
    self.spans = spans
    self.resumed = resumed
  }

  /// `--resume` continues an unfinished load only with its inputs (`inputs`, as the
  /// imports table holds them) and its strategy.
  static func checkResumable(_ id: Int64, inputs: String, strategy: String, names: String, options: EventLoader.Options,
                             store: String) throws {
    guard inputs == names else {
      throw EidolonError(
        .usage, "the interrupted load \(id) read \(inputs); resume it with the same inputs, or load without --resume", file: store)
    }
    guard strategy == options.strategy.rawValue else {
      throw EidolonError(.usage, "the interrupted load \(id) used --merge-strategy \(strategy); resume it with the same", file: store)
    }
  }

  private mutating func readCheckpoint(_ database: SQLiteDatabase) throws {
    let query = try database.prepare("SELECT input_index, lines, checksum_state FROM checkpoints WHERE import_id = ?1")
    query.bind(1, importID)
    if try query.step() {
      checkpoint = Checkpoint(inputIndex: Int(query.int64(0)), lines: Int(query.int64(1)), checksum: UInt32(truncatingIfNeeded: query.int64(2)))
    }
    let rows = try database.prepare(
      "SELECT source, stream, first_start_ms, last_start_ms, last_end_ms FROM import_ranges WHERE import_id = ?1")
    rows.bind(1, importID)
    while try rows.step() {
      let source = rows.string(0) ?? "", stream = rows.string(1) ?? ""
      spans[source + "\u{0}" + stream] = (source, stream, rows.int64(2), rows.int64(3), rows.int64(4))
    }
  }

  /// Widens the span of `source` and `stream` in `spans` to take in an event.
  static func note(source: String, stream: String, start: Int64, end: Int64, in spans: inout [String: Span]) {
    let key = source + "\u{0}" + stream
    if var span = spans[key] {
      span.first = min(span.first, start)
      span.lastStart = max(span.lastStart, start)
      span.lastEnd = max(span.lastEnd, end)
      spans[key] = span
    } else {
      spans[key] = (source, stream, start, start, end)
    }
  }

  /// The inputs' names as `imports.inputs` holds them: a JSON array.
  static func jsonList(_ names: [String]) -> String {
    let buffer = ByteBuffer()
    buffer.appendJSON(JSONValue.array(names.map { .string($0) }))
    return String(decoding: buffer.bytes, as: UTF8.self)
  }

  /// The error for an input a resumed load finds different from what its stopped run read.
  static func inputDiffers(_ name: String, _ how: String, store: String) -> EidolonError {
    var error = EidolonError(.usage, "\(name) is not the input the interrupted load read (\(how)); load it without --resume", file: store)
    error.cause = .resumedInputDiffers
    return error
  }
}

extension EventLoader {
  /// True for the error a resume gives when an input is not what the stopped load read.
  public static func isResumeMismatch(_ error: Error) -> Bool {
    (error as? EidolonError)?.cause == .resumedInputDiffers
  }
}
