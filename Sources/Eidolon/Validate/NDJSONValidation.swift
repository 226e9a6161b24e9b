/// eid-validate on both cores (`LineBlocks`): two threads check a block of lines each,
/// with a reader and `EventCheck` of their own, messages kept in the block's recording;
/// each block is merged back in input order: the messages replayed into the run's
/// diagnostics, the events into `EventValidator` (summary, duplicate ids). So the output,
/// the messages and their order are what one thread reading the lines in turn gives.
public struct NDJSONValidation {
  /// Lines are gathered into a block until it holds this many bytes.
  public static let blockBytes = LineBlock.defaultBytes

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
    let (validator, diagnostics, progress, toolName, now, options) =
      (self.validator, self.diagnostics, self.progress, self.diagnostics.toolName, self.validator.now, self.options)
    var records = 0
    let blocks = try LineBlocks<ValidationBlock>(threads: threads, blockBytes: blockBytes, handler: {
      let checker = BlockChecker(toolName: toolName, now: now, options: options)
      return { checker.check($0) }
    }, merge: { block in
      try block.messages.replay(into: diagnostics)
      try validator.merge(block.events, fileIndex: block.fileIndex)
      if let failure = block.failure { throw failure }
      records += block.records
      progress?.updateNow(records: records, bytes: block.progressBytes)
    })
    try blocks.run(inputs) { validator.beginFile($0.name) }
    progress?.clear()
  }
}

/// A block of lines and the events that passed `EventCheck`.
final class ValidationBlock: LineBlock {
  let events = CheckedEvents()

  required init() {}

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    events.removeAll()
  }
}

/// Checks blocks on one thread: a reader over the block's lines, `EventCheck` on each
/// event, messages into the block's recording.
private final class BlockChecker {
  let diagnostics: Diagnostics
  let checks: EventCheck
  let options: EidolonNDJSONReader.Options

  init(toolName: String, now: Int64, options: EidolonNDJSONReader.Options) {
    diagnostics = Diagnostics(toolName: toolName)
    checks = EventCheck(diagnostics: diagnostics, now: now)
    self.options = options
  }

  func check(_ block: ValidationBlock) {
    checks.fileName = block.fileName
    let reader = block.reader(diagnostics: diagnostics, options: options)
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
