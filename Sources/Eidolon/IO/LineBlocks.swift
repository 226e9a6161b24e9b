/// A piece of one NDJSON input, whole lines, handed to a thread and merged back in input
/// order (`LineBlocks`); subclasses add what handling it found.
class LineBlock {
  /// Lines are gathered into a block until it holds this many bytes.
  static let defaultBytes = 1 << 20
  /// The lines, each with its LF.
  let input = ByteBuffer(capacity: LineBlock.defaultBytes + (64 << 10))
  var fileIndex = 0
  var fileName = ""
  /// Lines and bytes of the input before the block's first line.
  var linesBefore = 0
  var offset: Int64 = 0
  /// Bytes of all inputs read up to the block's end (for progress).
  var progressBytes: Int64 = 0
  /// What the thread's diagnostics were told, for the run's own.
  let messages = DiagnosticsRecording()
  /// What stopped the reading (a line from a newer format version).
  var failure: Error?
  /// Lines read (records and rejects, blank lines not counted).
  var records = 0
  /// Set once handled, until merged.
  var isHandled = false

  required init() {}

  /// A reader over the block's lines where they lie, positions as in the whole input;
  /// `diagnostics` (the thread's own) records into the block's messages from now on.
  func reader(diagnostics: Diagnostics, options: EidolonNDJSONReader.Options) -> EidolonNDJSONReader {
    diagnostics.recording = messages
    let bytes = ByteReader(borrowing: UnsafeMutableRawBufferPointer(start: input.base, count: input.count), name: fileName,
                           linesBefore: linesBefore, offset: offset)
    return EidolonNDJSONReader(input: bytes, diagnostics: diagnostics, options: options)
  }

  /// Ready to be filled again; a block grown by a long line gives its memory back.
  func recycle(blockBytes: Int) {
    if input.capacity > 2 * blockBytes + (64 << 10) { input.releaseMemory() }
    input.removeAll()
    messages.removeAll()
    failure = nil
    records = 0
    isHandled = false
  }
}

/// NDJSON on both cores, the same for each tool that uses it: the caller's thread cuts
/// its inputs into blocks of whole lines (through the input's own ByteReader, so the
/// line limit, line numbers and offsets are those one reader gives) and hands them by
/// turns to `threads` threads, each with a handler of its own; each block comes back to
/// the caller's thread and is merged in input order. A stop keeps its place: a block
/// whose merge throws ends the run, nothing after it is merged; an input that fails
/// (a line over the limit, a file that cannot be opened) has the blocks before it merged
/// first. Memory: `threads` + 3 blocks (about a MiB each).
final class LineBlocks<Block: LineBlock> {
  private let blockBytes: Int
  /// Handlers, handed blocks in turn: the next one holds the oldest block out.
  private let threads: [HandOffThread<Block>]
  private let merge: (Block) throws -> Void
  private var next = 0
  private var free: [Block] = []
  private var bytesBefore: Int64 = 0
  /// Set when a merge threw: nothing after it is merged.
  private var stopped = false

  /// `handler` makes each thread's handler of blocks; `merge` takes each handled block
  /// on the caller's thread, in input order.
  init(threads: Int, blockBytes: Int, handler: () -> (Block) -> Void, merge: @escaping (Block) throws -> Void) throws {
    self.blockBytes = max(1, blockBytes)
    self.merge = merge
    self.threads = try (0..<max(1, threads)).map { _ in
      let handle = handler()
      return try HandOffThread(spare: Block(), doing: "read NDJSON on the second core") { block in
        guard block.input.count > 0 else { return }
        handle(block)
        block.isHandled = true
      }
    }
  }

  deinit {
    for thread in threads { thread.stop() }
  }

  /// Every input in turn (each opened at its turn; `begin` is told of it and gives its
  /// index), then the blocks still out; throws what stopped the run.
  func run(_ inputs: [() throws -> ByteReader], begin: (ByteReader) -> Int) throws {
    do {
      for open in inputs {
        let input = try open()
        try read(input, fileIndex: begin(input))
      }
    } catch {
      // What was read before the failure is merged first, as one thread would have.
      try mergeOutstanding()
      throw error
    }
    try mergeOutstanding()
  }

  private func read(_ input: ByteReader, fileIndex: Int) throws {
    while true {
      let block = free.popLast() ?? Block()
      block.fileIndex = fileIndex
      block.fileName = input.name
      block.linesBefore = input.lineNumber
      block.offset = input.consumedOffset
      do {
        while block.input.count < blockBytes, let line = try input.readLine() {
          block.input.append(line)
          block.input.append(0x0A)
        }
      } catch {
        // A line past the limit: the lines before it are still handled and merged.
        if block.input.count > 0 { try mergeReturned(try trade(block)) }
        throw error
      }
      block.progressBytes = bytesBefore + input.consumedOffset
      if block.input.count == 0 {
        free.append(block)
        break
      }
      try mergeReturned(try trade(block))
    }
    bytesBefore += input.consumedOffset
  }

  /// Gives the next thread `block` once it is done with its last one, which comes back
  /// (the oldest block out).
  private func trade(_ block: Block) throws -> Block {
    var other = block
    try threads[next].hand { swap(&other, &$0) }
    next = (next + 1) % threads.count
    return other
  }

  /// Merges every block handed out, in order.
  private func mergeOutstanding() throws {
    guard !stopped else { return }
    for _ in threads { try mergeReturned(try trade(free.popLast() ?? Block())) }
    for thread in threads { try thread.drain() }
  }

  private func mergeReturned(_ block: Block) throws {
    defer {
      block.recycle(blockBytes: blockBytes)
      free.append(block)
    }
    guard block.isHandled else { return }
    do {
      try merge(block)
    } catch {
      stopped = true
      throw error
    }
  }
}
