/// A piece of one NDJSON input, whole lines, handed to a thread and merged back in input
/// order (`LineBlocks`); subclasses add what handling it found.
class LineBlock: HandedBlock {
  var fileIndex = 0
  var fileName = ""
  /// Lines and bytes of the input before the block's first line.
  var linesBefore = 0
  var offset: Int64 = 0
  /// Lines read (records and rejects, blank lines not counted).
  var records = 0

  required init() {}

  /// A reader over the block's lines where they lie, positions as in the whole input;
  /// `diagnostics` (the thread's own) records into the block's messages from now on.
  func reader(diagnostics: Diagnostics, options: EidolonNDJSONReader.Options) -> EidolonNDJSONReader {
    diagnostics.recording = messages
    let bytes = ByteReader(borrowing: UnsafeMutableRawBufferPointer(start: input.base, count: input.count), name: fileName,
                           linesBefore: linesBefore, offset: offset)
    return EidolonNDJSONReader(input: bytes, diagnostics: diagnostics, options: options)
  }

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    records = 0
  }
}

/// NDJSON on both cores, the same for each tool that uses it: the caller's thread cuts
/// its inputs into blocks of whole lines (through the input's own ByteReader, so the
/// line limit, line numbers and offsets are those one reader gives) and queues them for
/// `threads` threads (`BlockRing`), each with a handler of its own; each block comes back to
/// the caller's thread and is merged in input order. A stop keeps its place: a block
/// whose merge throws ends the run, nothing after it is merged; an input that fails
/// (a line over the limit, a file that cannot be opened) has the blocks before it merged
/// first. Memory: `threads` + 3 blocks (about a MiB each).
final class LineBlocks<Block: LineBlock> {
  private let ring: BlockRing<Block>
  private var bytesBefore: Int64 = 0

  /// `handler` makes each thread's handler of blocks; `merge` takes each handled block
  /// on the caller's thread, in input order.
  init(threads: Int, blockBytes: Int, handler: () -> (Block) -> Void, merge: @escaping (Block) throws -> Void) throws {
    ring = try BlockRing(threads: threads, blockBytes: blockBytes, doing: "read NDJSON on the second core", handler: handler,
                         merge: merge)
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
      try ring.mergeOutstanding()
      throw error
    }
    try ring.mergeOutstanding()
  }

  private func read(_ input: ByteReader, fileIndex: Int) throws {
    while true {
      let block = ring.emptyBlock()
      block.fileIndex = fileIndex
      block.fileName = input.name
      block.linesBefore = input.lineNumber
      block.offset = input.consumedOffset
      do {
        _ = try input.moveLines(into: block.input, size: ring.blockBytes)
      } catch {
        // A line past the limit, or a source that fails: the whole lines before it are
        // still handled and merged.
        if block.input.count > 0 { try ring.handOff(block) } else { ring.giveBack(block) }
        throw error
      }
      block.progressBytes = bytesBefore + input.consumedOffset
      if block.input.count == 0 {
        ring.giveBack(block)
        break
      }
      try ring.handOff(block)
    }
    bytesBefore += input.consumedOffset
  }
}
