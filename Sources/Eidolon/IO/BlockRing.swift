/// A piece of one input handed to a thread and merged back in input order (`BlockRing`);
/// subclasses say what the piece holds and what handling it found.
class HandedBlock {
  /// Input is gathered into a block until it holds this many bytes.
  static let defaultBytes = 1 << 20
  /// The input bytes the thread handles.
  let input = ByteBuffer(capacity: HandedBlock.defaultBytes + (64 << 10))
  /// Bytes of all inputs read up to the block's end (for progress).
  var progressBytes: Int64 = 0
  /// What the thread's diagnostics were told, for the run's own.
  let messages = DiagnosticsRecording()
  /// What stopped the reading.
  var failure: Error?
  /// Set once handled, until merged.
  var isHandled = false

  /// False for a block with nothing to handle (the empty ones `mergeOutstanding` hands
  /// out); a subclass whose work is not in `input` says so itself.
  var holdsWork: Bool { input.count > 0 }

  required init() {}

  /// Ready to be filled again; a block grown by a long record gives its memory back.
  func recycle(blockBytes: Int) {
    if input.capacity > 2 * blockBytes + (64 << 10) { input.releaseMemory() }
    input.removeAll()
    messages.removeAll()
    failure = nil
    isHandled = false
  }
}

/// Two cores for one input, the same for each tool that uses them: the caller's thread
/// fills blocks and hands them by turns to `threads` threads, each with a handler of its
/// own; each block comes back to the caller's thread and is merged in input order. A
/// stop keeps its place: a block whose merge throws ends the run, nothing after it is
/// merged. Memory: `threads` + 3 blocks.
final class BlockRing<Block: HandedBlock> {
  let blockBytes: Int
  /// Handlers, handed blocks in turn: the next one holds the oldest block out.
  private let threads: [HandOffThread<Block>]
  private let merge: (Block) throws -> Void
  private var next = 0
  private var free: [Block] = []
  /// Set when a merge threw: nothing after it is merged.
  private(set) var stopped = false

  /// `handler` makes each thread's handler of blocks; `merge` takes each handled block
  /// on the caller's thread, in input order.
  init(threads: Int, blockBytes: Int, doing: String, handler: () -> (Block) -> Void, merge: @escaping (Block) throws -> Void) throws {
    self.blockBytes = max(1, blockBytes)
    self.merge = merge
    self.threads = try (0..<max(1, threads)).map { _ in
      let handle = handler()
      return try HandOffThread(spare: Block(), doing: doing) { block in
        guard block.holdsWork else { return }
        handle(block)
        block.isHandled = true
      }
    }
  }

  deinit {
    for thread in threads { thread.stop() }
  }

  /// An empty block to fill.
  func emptyBlock() -> Block { free.popLast() ?? Block() }

  /// Takes back a block that was not handed out.
  func giveBack(_ block: Block) {
    block.recycle(blockBytes: blockBytes)
    free.append(block)
  }

  /// Gives the next thread `block` once it is done with its last one, which comes back
  /// (the oldest block out) and is merged.
  func handOff(_ block: Block) throws {
    var other = block
    try threads[next].hand { swap(&other, &$0) }
    next = (next + 1) % threads.count
    try mergeReturned(other)
  }

  /// Merges every block handed out, in order (the ring may be used again after).
  func mergeOutstanding() throws {
    guard !stopped else { return }
    for _ in threads { try handOff(emptyBlock()) }
    for thread in threads { try thread.drain() }
  }

  private func mergeReturned(_ block: Block) throws {
    defer { giveBack(block) }
    guard block.isHandled else { return }
    do {
      try merge(block)
    } catch {
      stopped = true
      throw error
    }
  }
}
