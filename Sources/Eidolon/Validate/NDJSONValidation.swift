/// eid-validate on both cores. The caller's thread cuts the input into blocks of whole
/// lines (about a MiB) and hands them by turns to two threads, each checking its block
/// with a reader and `EventCheck` of its own, messages kept in a `DiagnosticsRecording`;
/// the caller then merges each block back in input order: the messages replayed into the
/// run's diagnostics, the events into `EventValidator` (summary, duplicate ids). So the
/// output, the messages and their order are what one thread reading the lines in turn
/// gives. Memory: five blocks (a MiB each, more only for a block holding a long line).
public struct NDJSONValidation {
  /// Lines are gathered into a block until it holds this many bytes.
  public static let blockBytes = 1 << 20

  let validator: EventValidator
  let diagnostics: Diagnostics
  let options: EidolonNDJSONReader.Options
  let progress: Progress?
  let blockBytes: Int
  let threads: Int

  /// `threads` check the blocks while the caller reads and merges them.
  public init(validator: EventValidator, diagnostics: Diagnostics, options: EidolonNDJSONReader.Options,
              progress: Progress? = nil, blockBytes: Int = NDJSONValidation.blockBytes, threads: Int = 2) {
    self.threads = max(1, threads)
    self.validator = validator
    self.diagnostics = diagnostics
    self.options = options
    self.progress = progress
    self.blockBytes = max(1, blockBytes)
  }

  /// Checks every event of every input, in turn; `validator.finish()` then gives the summary.
  public func run(paths: [String]) throws {
    try run(inputs: paths.map { path in { try InputOpener.open(path) } })
  }

  /// `run` over inputs each opened at its turn (a fuzz target's bytes in memory).
  public func run(inputs: [() throws -> ByteReader]) throws {
    let run = try Run(self)
    defer { run.stop() }
    do {
      for open in inputs { try run.read(try open()) }
    } catch {
      // What was read before the failure is reported first, as one thread would have.
      try run.mergeOutstanding()
      throw error
    }
    try run.mergeOutstanding()
    progress?.clear()
  }

  /// One run's blocks and the threads that check them.
  private final class Run {
    let settings: NDJSONValidation
    /// Checkers, handed blocks in turn: the next one holds the oldest block out.
    let threads: [HandOffThread<ValidationBlock>]
    var next = 0
    var free: [ValidationBlock] = []
    var records = 0
    var bytesBefore: Int64 = 0
    /// Set when a merge threw (a strict stop, a line from a newer version): nothing after
    /// it is reported.
    var stopped = false

    init(_ settings: NDJSONValidation) throws {
      self.settings = settings
      threads = try (0..<settings.threads).map { _ in
        let checker = BlockChecker(settings)
        return try HandOffThread(spare: ValidationBlock(), doing: "check NDJSON") { block in checker.check(block) }
      }
    }

    func stop() {
      for thread in threads { thread.stop() }
    }

    func read(_ input: ByteReader) throws {
      let fileIndex = settings.validator.beginFile(input.name)
      while true {
        let block = free.popLast() ?? ValidationBlock()
        block.start(fileIndex: fileIndex, name: input.name, linesBefore: input.lineNumber, offset: input.consumedOffset)
        do {
          while block.input.count < settings.blockBytes, let line = try input.readLine() {
            block.input.append(line)
            block.input.append(0x0A)
          }
        } catch {
          // A line past the limit: the lines before it are still checked and reported.
          if block.input.count > 0 { try merge(try trade(block)) }
          throw error
        }
        block.progressBytes = bytesBefore + input.consumedOffset
        if block.input.count == 0 {
          free.append(block)
          break
        }
        try merge(try trade(block))
      }
      bytesBefore += input.consumedOffset
    }

    /// Gives the next thread `block` once it is done with its last one, which comes back
    /// (the oldest block out).
    private func trade(_ block: ValidationBlock) throws -> ValidationBlock {
      var other = block
      try threads[next].hand { swap(&other, &$0) }
      next = (next + 1) % threads.count
      return other
    }

    /// Merges every block handed out, in order.
    func mergeOutstanding() throws {
      guard !stopped else { return }
      for _ in threads { try merge(try trade(free.popLast() ?? ValidationBlock())) }
      for thread in threads { try thread.drain() }
    }

    private func merge(_ block: ValidationBlock) throws {
      defer {
        block.recycle(blockBytes: settings.blockBytes)
        free.append(block)
      }
      guard block.isChecked else { return }
      do {
        try block.messages.replay(into: settings.diagnostics)
        try settings.validator.merge(block.events, fileIndex: block.fileIndex)
        if let failure = block.failure { throw failure }
      } catch {
        stopped = true
        throw error
      }
      records += block.records
      settings.progress?.updateNow(records: records, bytes: block.progressBytes)
    }
  }
}

/// A piece of one input, whole lines, and what checking it found.
final class ValidationBlock {
  let input = ByteBuffer(capacity: NDJSONValidation.blockBytes + (64 << 10))
  var fileIndex = 0
  var fileName = ""
  /// Lines and bytes of the input before the block's first line.
  var linesBefore = 0
  var offset: Int64 = 0
  /// Bytes of all inputs read up to the block's end (for progress).
  var progressBytes: Int64 = 0
  let events = CheckedEvents()
  let messages = DiagnosticsRecording()
  /// What stopped the reading (a line from a newer format version, a strict stop).
  var failure: Error?
  var records = 0
  /// Set once checked, until merged.
  var isChecked = false

  func start(fileIndex: Int, name: String, linesBefore: Int, offset: Int64) {
    self.fileIndex = fileIndex
    fileName = name
    self.linesBefore = linesBefore
    self.offset = offset
  }

  /// Ready to be filled again; a block grown by a long line gives its memory back.
  func recycle(blockBytes: Int) {
    if input.capacity > 2 * blockBytes + (64 << 10) { input.releaseMemory() }
    input.removeAll()
    events.removeAll()
    messages.removeAll()
    failure = nil
    records = 0
    isChecked = false
  }
}

/// Checks blocks on one thread: a reader over the block's lines, `EventCheck` on each
/// event, messages into the block's recording.
private final class BlockChecker {
  let diagnostics: Diagnostics
  let checks: EventCheck
  let options: EidolonNDJSONReader.Options

  init(_ settings: NDJSONValidation) {
    diagnostics = Diagnostics(toolName: settings.diagnostics.toolName)
    checks = EventCheck(diagnostics: diagnostics, now: settings.validator.now)
    options = settings.options
  }

  func check(_ block: ValidationBlock) {
    guard block.input.count > 0 else { return }
    block.isChecked = true
    diagnostics.recording = block.messages
    checks.fileName = block.fileName
    let input = ByteReader(borrowing: UnsafeMutableRawBufferPointer(start: block.input.base, count: block.input.count),
                           name: block.fileName, linesBefore: block.linesBefore, offset: block.offset)
    let reader = EidolonNDJSONReader(input: input, diagnostics: diagnostics, options: options)
    do {
      while let view = try reader.nextView() {
        try checks.check(view, at: reader.lastPosition, raw: reader.lastRaw, into: block.events)
      }
    } catch {
      block.failure = error
    }
    block.records = reader.recordCount
  }
}
