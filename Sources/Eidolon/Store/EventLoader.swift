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

  public let store: EventStorage
  private let options: Options
  private let diagnostics: Diagnostics
  /// The storing side (the store's engine's): the thread's while a load runs, this one's
  /// before and after.
  private let writer: LoadWriter
  public var importID: Int64 { writer.importID }
  /// The load's counts (after `load`, or `finish`).
  public var counts: Counts { writer.counts }
  /// Set when this run continues an interrupted load.
  public let resumedFrom: (importID: Int64, inputIndex: Int, lines: Int)?
  /// Where the stopped run's committed part ends (nothing, for a new load).
  private let resumeAt: LoadStart.Checkpoint
  /// What says the load is running (StoreLock, a PostgreSQL session lock), held until the
  /// loader goes away.
  private var hold: AnyObject?

  public init(store: EventStorage, inputs: [String], options: Options, diagnostics: Diagnostics) throws {
    let session = try store.beginLoad(inputs: inputs, options: options, diagnostics: diagnostics)
    self.store = store
    self.options = options
    self.diagnostics = diagnostics
    writer = session.writer
    hold = session.hold
    let start = session.start
    resumeAt = start.checkpoint
    resumedFrom = start.resumed ? (start.importID, start.checkpoint.inputIndex, start.checkpoint.lines) : nil
    diagnostics.onReject = { [unowned self] error, raw in try self.queueReject(error, raw: raw) }
  }

  // MARK: Reading

  /// Loads every input in turn; on a resume, inputs and lines already committed are
  /// read again only to check they are the same (their checksum), never stored twice.
  public func load(paths: [String], progress: Progress) throws {
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
            throw LoadStart.inputDiffers(input.name, part, store: store.displayName)
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
          try queue(event, raw: reader.lastRaw, file: input.name, position: reader.lastPosition)
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
    var bytesBefore: Int64 = 0
    try withStoringThread {
      for (index, input) in inputs.enumerated() {
        queued.appendInput(index: index, name: input.name)
        let reader = try input.open()
        let counting = reader as? InputCounting
        let skip = index < resumeAt.inputIndex ? Int.max : (index == resumeAt.inputIndex ? resumeAt.lines : 0)
        let mismatch = LoadStart.inputDiffers(input.name, "its first events differ", store: store.displayName)
        var position = 0
        defer { diagnostics.muted = false }
        // Without a transform, a reader that hands out views is read as views: nothing is
        // made but the canonical line, which is both checksummed and stored.
        let viewReader = transform == nil ? reader as? EventViewReader : nil
        while true {
          // Records rejected before the checkpoint's event were counted by the stopped run.
          diagnostics.muted = position < skip
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
            if try transform(&shaped) { try queue(canonicalView(of: shaped), raw: line, file: input.name, position: nil) }
          } else if let read {
            try queue(read, raw: line, file: input.name, position: nil)
          }
          if queuedSinceCommit >= options.batchSize { try queueCommit(lines: position) }
          progress.update(records: position, bytes: bytesBefore + (counting?.bytesRead ?? 0))
        }
        diagnostics.muted = false
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
      try self.writer.store(block, restoringInto: stored)
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

  /// Queues an event for the storing thread; one the store cannot hold (PostgreSQL's text
  /// has no U+0000) is rejected here instead, with its place and `raw` (already in the
  /// checksum), rather than failing its whole batch on the server.
  private func queue(_ view: EventView, raw: UnsafeRawBufferPointer, file: String, position: SourcePosition?) throws {
    if !holdsNUL, let field = EventLoader.fieldWithNUL(view) {
      refusing = true
      defer { refusing = false }
      let id = EventView.text(view.id).replacingOccurrences(of: "\u{0}", with: "\\u0000")
      try diagnostics.reject(
        EidolonError(.data, "event \(id): its \(field) holds U+0000, which PostgreSQL text cannot hold (a SQLite store keeps it)",
                     file: file, position: position),
        raw: raw)
      return
    }
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
    if let raw, !refusing { readChecksum = EventLoader.crc(readChecksum, raw) }
    if diagnostics.muted { return }
    queued.appendReject(error, raw: raw)
    if queued.isFull { try handOn() }
  }

  /// Set while `queue` rejects an event the store cannot hold: its line is in the
  /// checksum already.
  private var refusing = false
  /// False for a store whose text cannot hold U+0000 (PostgreSQL).
  private lazy var holdsNUL = store.holdsNUL

  /// The first text field of `view` holding a U+0000, by its name; nil when none does.
  static func fieldWithNUL(_ view: EventView) -> String? {
    func hasNUL(_ bytes: UnsafeRawBufferPointer) -> Bool { bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false }
    if hasNUL(view.id) { return "id" }
    if hasNUL(view.source) { return "source" }
    if hasNUL(view.kind) { return "kind" }
    for (index, name) in Event.optionalStringNames.enumerated() where hasNUL(view.strings[index]) { return name }
    if hasNUL(view.offset) { return "offset" }
    return nil
  }

  /// Gives the filled block to the storing thread (or, outside a load, stores it here).
  private func handOn() throws {
    guard !queued.isEmpty else { return }
    if let storing {
      try storing.hand { swap(&$0, &queued) }
    } else {
      defer { queued.removeAll() }
      try writer.store(queued, restoringInto: EventView())
    }
  }

  /// CRC-32 of a line and its LF, continuing `state`.
  static func crc(_ state: UInt32, _ line: UnsafeRawBufferPointer) -> UInt32 {
    var value = crc32(uLong(state), line.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(line.count))
    var newline: UInt8 = 0x0A
    value = crc32(value, &newline, 1)
    return UInt32(truncatingIfNeeded: value)
  }

  /// Ends the load: what it left to its end is done (replace-range's removals, deferred
  /// indexes) and the load marked done.
  public func finish() throws -> Counts {
    try handOn()  // records rejected outside a load
    defer { hold = nil }
    return try writer.finish()
  }

  /// After an error: the open batch is dropped and the load marked failed (a --resume
  /// continues from its last checkpoint).
  public func abandon() {
    writer.abandon()
    hold = nil
  }
}
