import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// Loads Eidolon NDJSON into a store in batches, one transaction each, with the
/// checkpoint that lets an interrupted load resume exactly where its last batch ended
/// (formats/sqlite-schema.md, "Loading").
public final class EventLoader {
  public enum Strategy: String, CaseIterable, Sendable {
    /// Insert; an id already stored is skipped (and counted).
    case append
    /// An incoming event replaces the stored one with its id.
    case replace
    /// Like replace, then stored events of the same source and stream that start inside
    /// the span the input covers, and that this load did not write, are removed.
    case replaceRange = "replace-range"
    /// Stop at the first id already stored; that batch is not written.
    case fail
  }

  public struct Options: Sendable {
    public var strategy = Strategy.append
    /// Measured on 1 M events (bench/README.md): 1,000 and 10,000 were 3x and 1.7x slower;
    /// 50,000 to 1,000,000 within noise of each other. A kill loses at most one batch of work.
    public var batchSize = 100_000
    public var resume = false
    /// Everything but the commit: the load runs in one transaction that is rolled back,
    /// so the counts say what a real load would do (`eidolon migrate import --dry-run`).
    public var dryRun = false
    /// Seconds to wait for another process's load into the same store (StoreLock); 0
    /// fails at once.
    public var wait: Double = 3600
    public init() {}
  }

  public struct Counts: Sendable, Equatable {
    public var read = 0
    public var inserted = 0
    public var skipped = 0
    public var replaced = 0
    public var removed = 0
    public var rejected = 0

    public init(read: Int = 0, inserted: Int = 0, skipped: Int = 0, replaced: Int = 0, removed: Int = 0, rejected: Int = 0) {
      self.read = read
      self.inserted = inserted
      self.skipped = skipped
      self.replaced = replaced
      self.removed = removed
      self.rejected = rejected
    }
  }

  /// Where an interrupted load stopped: the input and the lines of it already committed.
  struct Checkpoint {
    var inputIndex = 0
    var lines = 0
    var checksum: UInt32 = 0
  }

  public let store: EventStore
  private let database: SQLiteDatabase
  private let options: Options
  private let diagnostics: Diagnostics
  private let inputNames: [String]
  public private(set) var importID: Int64 = 0
  public private(set) var counts = Counts()
  /// Set when this run continues an interrupted load.
  public private(set) var resumedFrom: (importID: Int64, inputIndex: Int, lines: Int)?
  private var checkpoint = Checkpoint()
  private var inBatch = false
  /// The storing side's (the thread's during a load): events of the open batch, the
  /// input they are of, the checksum the next commit records.
  private var pending = 0
  private var currentInput = (index: 0, name: "")
  private var checksum: UInt32 = 0
  /// replace-range: per source and stream, the span of the input seen so far.
  private var ranges: [String: (source: String, stream: String, first: Int64, lastStart: Int64, lastEnd: Int64)] = [:]

  /// The insert for the mode: ON CONFLICT(id) DO NOTHING with the id index, a plain
  /// insert while the indexes wait for the end of a load into an empty store.
  private var insert: SQLiteStatement
  /// True while this load leaves the indexes to its end (StoreIndexes).
  public private(set) var indexesDeferred = false
  private let update: SQLiteStatement
  private let insertTag: SQLiteStatement
  private let deleteTags: SQLiteStatement
  private let insertReject: SQLiteStatement
  /// Held from before the load is started or resumed until the loader goes away.
  private var lock: StoreLock?

  public init(store: EventStore, inputs: [String], options: Options, diagnostics: Diagnostics) throws {
    // First the lock: only a load nobody holds may be called interrupted and taken over.
    let db = store.database
    lock = try StoreLock(
      path: store.path, wait: options.wait, waiting: { diagnostics.note("eid-load: \($0)") },
      holder: {
        let running = try? db.integer("SELECT max(id) FROM imports WHERE status = 'running'")
        return running.flatMap { $0 }.map { "load \($0)" } ?? "another load"
      })
    self.store = store
    database = store.database
    self.options = options
    self.diagnostics = diagnostics
    inputNames = inputs
    let columns = StoreSchema.eventColumns
    let placeholders = (1...columns.count + 1).map { "?\($0)" }.joined(separator: ", ")
    let insertSQL = "INSERT INTO events (\(columns.joined(separator: ", ")), import_id) VALUES (\(placeholders))"
    insert = try database.prepare(insertSQL)
    let assignments = columns.enumerated().dropFirst().map { "\($0.element) = ?\($0.offset + 1)" }.joined(separator: ", ")
    update = try database.prepare("UPDATE events SET \(assignments), import_id = ?\(columns.count + 1) WHERE id = ?1 RETURNING seq")
    insertTag = try database.prepare("INSERT OR IGNORE INTO event_tags (event_seq, tag) VALUES (?1, ?2)")
    deleteTags = try database.prepare("DELETE FROM event_tags WHERE event_seq = ?1")
    insertReject = try database.prepare("INSERT INTO rejects (import_id, input, line, col, error, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
    if options.dryRun {
      try database.execute("BEGIN IMMEDIATE")
      inBatch = true
      try startOrResume()
      if try !StoreIndexes.areComplete(database) { _ = try StoreIndexes.build(database) }
    } else {
      try startOrResume()
      try settleIndexes()
    }
    if !indexesDeferred { insert = try database.prepare(insertSQL + " ON CONFLICT(id) DO NOTHING") }
    diagnostics.onReject = { [unowned self] error, raw in try self.queueReject(error, raw: raw) }
  }

  /// A new append load into a store without events leaves the indexes to its end; a
  /// resumed one goes on as it began. Indexes that a stopped load left unbuilt are built
  /// now, before anything else is stored.
  private func settleIndexes() throws {
    let complete = try StoreIndexes.areComplete(database)
    if !complete && resumedFrom != nil {
      indexesDeferred = true
      return
    }
    if !complete {
      diagnostics.note("eid-load: an earlier load into this store stopped before building its indexes; building them now")
      try database.execute("BEGIN IMMEDIATE")
      let removed = try StoreIndexes.build(database)
      if removed > 0 {
        // Those were counted as inserted by the load that stored them, the only one there.
        try database.execute("UPDATE imports SET inserted = inserted - \(removed), skipped = skipped + \(removed) WHERE id = (SELECT min(import_id) FROM events)")
      }
      try database.execute("COMMIT")
    }
    guard options.strategy == .append, resumedFrom == nil,
      try database.integer("SELECT EXISTS (SELECT 1 FROM events)") == 0
    else { return }
    try database.execute("BEGIN IMMEDIATE")
    try StoreIndexes.drop(database)
    try database.execute("COMMIT")
    indexesDeferred = true
  }

  // MARK: Starting

  private func startOrResume() throws {
    let unfinished = try database.prepare(
      "SELECT id, inputs, strategy, read, inserted, skipped, replaced, removed, rejected FROM imports WHERE status != 'done' ORDER BY inputs = ?1 DESC, id DESC LIMIT 1")
    // A store shared by several people's loads may hold more than one unfinished load:
    // the one with these inputs is the one to resume.
    unfinished.bind(1, EventLoader.jsonList(inputNames))
    if try unfinished.step() {
      let id = unfinished.int64(0)
      if options.resume {
        let inputs = unfinished.string(1) ?? ""
        guard inputs == EventLoader.jsonList(inputNames) else {
          throw EidolonError(
            .usage, "the interrupted load \(id) read \(inputs); resume it with the same inputs, or load without --resume",
            file: store.path)
        }
        guard unfinished.string(2) == options.strategy.rawValue else {
          throw EidolonError(
            .usage, "the interrupted load \(id) used --merge-strategy \(unfinished.string(2) ?? "?"); resume it with the same",
            file: store.path)
        }
        importID = id
        counts = Counts(
          read: Int(unfinished.int64(3)), inserted: Int(unfinished.int64(4)), skipped: Int(unfinished.int64(5)),
          replaced: Int(unfinished.int64(6)), removed: Int(unfinished.int64(7)), rejected: Int(unfinished.int64(8)))
        try loadCheckpoint()
        resumedFrom = (id, checkpoint.inputIndex, checkpoint.lines)
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
    start.bind(2, EventLoader.jsonList(inputNames))
    start.bind(3, options.strategy.rawValue)
    guard try start.step() else { throw EidolonError(.io, "cannot record the load", file: store.path) }
    importID = start.int64(0)
  }

  private func loadCheckpoint() throws {
    let query = try database.prepare("SELECT input_index, lines, checksum_state FROM checkpoints WHERE import_id = ?1")
    query.bind(1, importID)
    if try query.step() {
      checkpoint = Checkpoint(inputIndex: Int(query.int64(0)), lines: Int(query.int64(1)), checksum: UInt32(truncatingIfNeeded: query.int64(2)))
    }
    let spans = try database.prepare(
      "SELECT source, stream, first_start_ms, last_start_ms, last_end_ms FROM import_ranges WHERE import_id = ?1")
    spans.bind(1, importID)
    while try spans.step() {
      let source = spans.string(0) ?? "", stream = spans.string(1) ?? ""
      ranges[source + "\u{0}" + stream] = (source, stream, spans.int64(2), spans.int64(3), spans.int64(4))
    }
  }

  /// True when the store at `path` holds a load of these inputs that did not finish: one
  /// that `--resume` would continue.
  public static func hasUnfinishedLoad(storePath path: String, inputs: [String]) -> Bool {
    guard access(path, F_OK) == 0, let db = try? SQLiteDatabase(path: path, mode: .readOnly),
      let query = try? db.prepare("SELECT 1 FROM imports WHERE status != 'done' AND inputs = ?1 LIMIT 1")
    else { return false }
    query.bind(1, jsonList(inputs))
    return (try? query.step()) == true
  }

  /// True for the error a resume gives when an input is not what the stopped load read.
  public static func isResumeMismatch(_ error: Error) -> Bool {
    (error as? EidolonError)?.message.hasSuffix("load it without --resume") == true
  }

  static func jsonList(_ names: [String]) -> String {
    let buffer = ByteBuffer()
    buffer.appendJSON(JSONValue.array(names.map { .string($0) }))
    return String(decoding: buffer.bytes, as: UTF8.self)
  }

  // MARK: Reading

  /// Loads every input in turn; on a resume, inputs and lines already committed are
  /// read again only to check they are the same (their checksum), never stored twice.
  public func load(paths: [String], progress: Progress) throws {
    let resumeAt = checkpoint
    var bytesBefore: Int64 = 0
    var records = 0
    try withStoringThread {
      for (index, path) in paths.enumerated() {
        let input = try InputOpener.open(path)
        let skip = index < resumeAt.inputIndex ? Int.max : (index == resumeAt.inputIndex ? resumeAt.lines : 0)
        while skip > 0, input.lineNumber < skip, let line = try input.readLine() {
          // Blank lines are skipped by the reader, so they are not in the checksum.
          if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) { readChecksum = EventLoader.crc(readChecksum, line) }
        }
        // The checksum is checked where the committed part ends: after the last whole input
        // it covers (when it stopped at the start of the next), or after the lines of the
        // input it stopped in (its checksum runs on over the inputs before).
        let lastWhole = index == resumeAt.inputIndex - 1 && resumeAt.lines == 0
        if lastWhole || (index == resumeAt.inputIndex && skip > 0) {
          guard (lastWhole || input.lineNumber == skip), readChecksum == resumeAt.checksum else {
            let part = lastWhole ? "its lines differ" : "its first \(skip) lines differ"
            throw EidolonError(
              .usage, "\(input.name) is not the input the interrupted load read (\(part)); load it without --resume",
              file: store.path)
          }
        }
        if index < resumeAt.inputIndex {
          bytesBefore += input.consumedOffset
          continue
        }
        queued.appendInput(index: index, name: input.name)
        let reader = EidolonNDJSONReader(input: input, diagnostics: diagnostics)
        while let event = try reader.nextView() {
          readChecksum = EventLoader.crc(readChecksum, reader.lastRaw)
          try queue(event)
          if queuedSinceCommit >= options.batchSize { try queueCommit(lines: reader.lastPosition.line) }
          records += 1
          progress.update(records: records, bytes: bytesBefore + reader.bytesRead)
        }
        bytesBefore += reader.bytesRead
        // The whole input is in: the checkpoint moves to the start of the next one.
        try queueCommit(lines: 0, nextInput: true)
      }
    }
    progress.clear()
  }

  /// An in-process input's event as a view, and the canonical line it is over.
  private let view = EventView()
  private let viewLine = ByteBuffer(capacity: 4096)

  /// An input read by a format's reader in process (`eidolon migrate import`), not as
  /// NDJSON lines. Its checkpoint counts the events the reader gave, and the checksum
  /// runs over their canonical lines, so a resume re-reads and checks them the same way.
  public struct EventInput {
    public let name: String
    public let open: () throws -> EventReader
    public init(name: String, open: @escaping () throws -> EventReader) {
      self.name = name
      self.open = open
    }
  }

  /// Loads each input's events in turn; `transform` may change an event or drop it
  /// (false). Events a resumed load committed before are read again for the checksum only.
  /// Each event goes to the storing thread as the view of the canonical line the
  /// checksum is taken of; a reader that hands out views, with no `transform`, gives
  /// that line itself.
  public func load(inputs: [EventInput], transform: ((inout Event) throws -> Bool)?, progress: Progress) throws {
    let resumeAt = checkpoint
    var bytesBefore: Int64 = 0
    try withStoringThread {
      for (index, input) in inputs.enumerated() {
        queued.appendInput(index: index, name: input.name)
        let reader = try input.open()
        let counting = reader as? InputCounting
        let skip = index < resumeAt.inputIndex ? Int.max : (index == resumeAt.inputIndex ? resumeAt.lines : 0)
        let mismatch = EidolonError(
          .usage, "\(input.name) is not the input the interrupted load read (its first events differ); load it without --resume",
          file: store.path)
        var position = 0
        defer { diagnostics.replaying = false }
        // Without a transform, a reader that hands out views is read as views: nothing is
        // made but the canonical line, which is both checksummed and stored.
        let viewReader = transform == nil ? reader as? EventViewReader : nil
        while true {
          // Records rejected before the checkpoint's event were counted by the stopped run.
          diagnostics.replaying = position < skip
          var event: Event?
          var read: EventView?  // the view to store, when no transform is to shape the event
          let line: UnsafeRawBufferPointer
          if let viewReader {
            guard let next = try viewReader.nextView() else { break }
            read = next
            line = next.canonicalLine
          } else {
            guard let next = try reader.next() else { break }
            if transform == nil {
              read = try canonicalView(of: next)
              line = view.canonicalLine
            } else {
              event = next
              viewLine.removeAll()
              EidolonNDJSONWriter.append(next, to: viewLine)
              viewLine.commit(-1)  // the LF
              line = viewLine.bytes
            }
          }
          position += 1
          readChecksum = EventLoader.crc(readChecksum, line)
          if position <= skip {
            if position == skip && readChecksum != resumeAt.checksum { throw mismatch }
            continue
          }
          if let transform, var shaped = event {
            // The checksum is of the event as read; what is stored is the event as shaped.
            if try transform(&shaped) { try queue(canonicalView(of: shaped)) }
          } else if let read {
            try queue(read)
          }
          if queuedSinceCommit >= options.batchSize { try queueCommit(lines: position) }
          progress.update(records: position, bytes: bytesBefore + (counting?.bytesRead ?? 0))
        }
        diagnostics.replaying = false
        bytesBefore += counting?.bytesRead ?? 0
        if index == resumeAt.inputIndex - 1 && resumeAt.lines == 0 && readChecksum != resumeAt.checksum { throw mismatch }
        if index == resumeAt.inputIndex && skip > position { throw mismatch }
        if index < resumeAt.inputIndex { continue }
        try queueCommit(lines: 0, nextInput: true)
      }
    }
    progress.clear()
  }

  /// `view` made the view of `event`'s canonical line (written into `viewLine`).
  private func canonicalView(of event: Event) throws -> EventView {
    try view.fill(from: event, line: viewLine)
    return view
  }

  // MARK: Handing on to the storing thread

  /// The reading side's: the checksum of every line read so far, the block being filled,
  /// the events queued since the last commit was (the storing side's `pending`, ahead).
  private var readChecksum: UInt32 = 0
  private var queued = LoadBlock()
  private var queuedSinceCommit = 0
  private var storing: HandOffThread<LoadBlock>?

  /// Runs `read` while a thread of its own stores what it queues (SQLite's work on the
  /// second core): each block of events, rejects and commits, in order. When `read`
  /// throws, what it queued before is stored first, as it would be without the thread;
  /// an error of the storing thread comes first, since it met it earlier in the input.
  private func withStoringThread(_ read: () throws -> Void) throws {
    let stored = EventView()
    let thread = try HandOffThread(spare: LoadBlock(), doing: "store the events") { [unowned self] block in
      defer { block.removeAll() }
      try self.store(block, restoringInto: stored)
    }
    storing = thread
    defer {
      thread.stop()
      storing = nil
    }
    var readError: Error?
    do { try read() } catch { readError = error }
    try handOn()
    try thread.drain()
    if let readError { throw readError }
  }

  private func queue(_ view: EventView) throws {
    queued.append(view)
    queuedSinceCommit += 1
    if queued.isFull { try handOn() }
  }

  private func queueCommit(lines: Int, nextInput: Bool = false) throws {
    queued.appendCommit(lines: lines, nextInput: nextInput, checksum: readChecksum)
    queuedSinceCommit = 0
  }

  /// A record the reader rejected (Diagnostics.onReject): into the checksum, and stored
  /// unless a resumed load's stopped run stored it.
  private func queueReject(_ error: EidolonError, raw: UnsafeRawBufferPointer?) throws {
    if let raw { readChecksum = EventLoader.crc(readChecksum, raw) }
    if diagnostics.replaying { return }
    queued.appendReject(error, raw: raw)
    if queued.isFull { try handOn() }
  }

  /// Gives the filled block to the storing thread (or, outside a load, stores it here).
  private func handOn() throws {
    guard !queued.isEmpty else { return }
    if let storing {
      try storing.hand { swap(&$0, &queued) }
    } else {
      defer { queued.removeAll() }
      try store(queued, restoringInto: EventView())
    }
  }

  /// The storing side: each item of `block` in order.
  private func store(_ block: LoadBlock, restoringInto view: EventView) throws {
    for item in block.items {
      switch item {
      case .event(let event):
        block.restore(event, into: view)
        try add(view)
      case .reject(let error, let raw):
        try keepReject(error, raw: raw.map(block.raw))
      case .commit(let lines, let nextInput, let checksum):
        self.checksum = checksum
        try commitBatch(lines: lines, nextInput: nextInput)
      case .input(let index, let name):
        currentInput = (index, name)
      }
    }
  }

  /// CRC-32 of a line and its LF, continuing `state`.
  static func crc(_ state: UInt32, _ line: UnsafeRawBufferPointer) -> UInt32 {
    var value = crc32(uLong(state), line.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(line.count))
    var newline: UInt8 = 0x0A
    value = crc32(value, &newline, 1)
    return UInt32(truncatingIfNeeded: value)
  }

  // MARK: Writing

  private func beginBatch() throws {
    guard !inBatch else { return }
    try database.execute("BEGIN IMMEDIATE")
    inBatch = true
  }

  /// Stores one event as the strategy says (on the storing thread during a load).
  private func add(_ event: EventView) throws {
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
        guard try update.step() else { throw EidolonError(.io, "the stored event \(event.idText) vanished", file: store.path) }
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
      noteSpan(source: source, stream: stream, start: event.start, end: event.endMillis)
    }
  }

  private func noteSpan(source: String, stream: String, start: Int64, end: Int64) {
    let key = source + "\u{0}" + stream
    if var span = ranges[key] {
      span.first = min(span.first, start)
      span.lastStart = max(span.lastStart, start)
      span.lastEnd = max(span.lastEnd, end)
      ranges[key] = span
    } else {
      ranges[key] = (source, stream, start, start, end)
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

  private func keepReject(_ error: EidolonError, raw: UnsafeRawBufferPointer?) throws {
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

  private func rollbackBatch() throws {
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
    checkpoint = Checkpoint(inputIndex: currentInput.index + (nextInput ? 1 : 0), lines: lines, checksum: checksum)
    let save = try database.prepare(
      "INSERT OR REPLACE INTO checkpoints (import_id, input_index, input, lines, checksum_state, updated) VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
    save.bind(1, importID)
    save.bind(2, Int64(checkpoint.inputIndex))
    save.bind(3, currentInput.name)
    save.bind(4, Int64(lines))
    save.bind(5, Int64(checksum))
    try save.step()
    if options.strategy == .replaceRange {
      let span = try database.prepare(
        "INSERT OR REPLACE INTO import_ranges (import_id, source, stream, first_start_ms, last_start_ms, last_end_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      for range in ranges.values {
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
  /// marks the load done.
  public func finish() throws -> Counts {
    try handOn()  // records rejected outside a load
    try beginBatch()
    if options.strategy == .replaceRange {
      let remove = try database.prepare("""
        DELETE FROM events WHERE source = ?1 AND stream IS ?2 AND start_ms >= ?3
          AND (start_ms <= ?4 OR start_ms < ?5) AND import_id != ?6
        """)
      for range in ranges.values.sorted(by: { ($0.source, $0.stream) < ($1.source, $1.stream) }) {
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
    lock = nil
    return counts
  }

  /// After an error: the open batch is dropped and the load marked failed (a --resume
  /// continues from its last checkpoint).
  public func abandon() {
    try? rollbackBatch()
    try? database.execute("UPDATE imports SET status = 'failed' WHERE id = \(importID)")
    lock = nil
  }
}
