#if canImport(Glibc)
import Glibc
#endif

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

  /// False for a block with nothing to handle (`BlockRing.handOff` takes it back unmerged);
  /// a subclass whose work is not in `input` says so itself.
  var holdsWork: Bool { input.count > 0 }

  required init() {}

  /// Ready to be filled again; a block grown by a long record gives its memory back.
  func recycle(blockBytes: Int) {
    input.removeAll(releasingAbove: 2 * blockBytes + (64 << 10))
    messages.removeAll()
    failure = nil
    isHandled = false
  }
}

/// Two cores for one input, the same for each tool that uses them: the caller's thread
/// fills blocks and queues them for `threads` threads, each with a handler of its own;
/// whichever thread is free takes the next block queued, and each block comes back to the
/// caller's thread and is merged in input order, as soon as it and every block before it
/// are handled. The caller waits only when more than `inFlight` blocks are out, which may
/// be more than the threads (handed by turns, a thread held one block at a time; the CSV
/// readers' four blocks out for two threads took 7% less wall time than two; bench/README.md,
/// "Blocks taken by whichever thread is free"). A stop keeps its place: a block whose
/// merge throws ends the run, nothing after it is merged.
/// Memory: `inFlight` + 2 blocks (the one being filled, and one handed while the caller
/// waits for the oldest); with `inFlight` as many as the threads, what handing by turns held.
final class BlockRing<Block: HandedBlock> {
  /// What the caller's thread and the threads share; the threads hold this, never the ring.
  private final class Queue {
    let monitor = ThreadMonitor()
    /// Each wakes only the thread that can go on: `work` one thread waiting for a block,
    /// `handled` the caller once `awaited` is handled. (One condition broadcast to all woke
    /// every thread at every block, most to wait again; a wake-up on this machine's idle
    /// core takes about 50 µs, and the CSV readers' cores idled 13-16% of the run against
    /// 7-10% this way: bench/README.md, "Wake-ups for the thread that can go on".)
    let work = ThreadMonitor.Condition()
    let handled = ThreadMonitor.Condition()
    /// Guarded by `monitor`: blocks handed and not yet taken, oldest first; a stop request;
    /// the threads waiting for a block; the block the caller waits for.
    var waiting: [Block] = []
    var stopping = false
    var idleThreads = 0
    var awaited: Block?

    /// A thread: handles the oldest block waiting, over and over, until asked to stop.
    func run(_ handle: (Block) -> Void) {
      ThreadMonitor.yieldToOwnProcess(by: BlockRing.helperNiceness)
      monitor.lock()
      while true {
        while waiting.isEmpty && !stopping {
          idleThreads += 1
          work.wait(in: monitor)
          idleThreads -= 1
        }
        if stopping { break }
        let block = waiting.removeFirst()
        monitor.unlock()
        handle(block)
        monitor.lock()
        block.isHandled = true
        if awaited === block { handled.signal() }
      }
      monitor.unlock()
    }
  }

  /// How much lower the threads' priority is than the caller's (nice levels): the caller
  /// fills the blocks they all wait for. At the same priority the scheduler gave each of
  /// four threads half a core, the caller fell behind, and the cores sat idle for 17-26%
  /// of toggl-read's run; below it, its threads take what the caller leaves (the CSV
  /// readers, on two threads, 12-15% less wall time than on three at its priority;
  /// bench/README.md, "Blocks taken by whichever thread is free"). Another program's
  /// threads at the caller's priority get more of the cores than these too.
  static var helperNiceness: Int32 { 6 }

  let blockBytes: Int
  /// The most blocks handed and not yet merged before `handOff` waits for the oldest.
  let inFlight: Int
  private let queue = Queue()
  private var threads: [pthread_t] = []
  private let merge: (Block) throws -> Void
  /// Blocks handed and not yet merged, in input order (the caller's thread's alone).
  private var out: [Block] = []
  private var free: [Block] = []
  /// Set when a merge threw: nothing after it is merged.
  private(set) var stopped = false

  /// `handler` makes each thread's handler of blocks; `merge` takes each handled block
  /// on the caller's thread, in input order. `inFlight`: as many as the threads unless given.
  init(threads: Int, blockBytes: Int, inFlight: Int? = nil, doing: String, handler: () -> (Block) -> Void,
       merge: @escaping (Block) throws -> Void) throws {
    let count = max(1, threads)
    self.blockBytes = max(1, blockBytes)
    self.inFlight = max(count, inFlight ?? count)
    self.merge = merge
    for _ in 0..<count {
      let handle = handler()
      let queue = self.queue
      do {
        self.threads.append(try ThreadMonitor.startThread(doing: doing) { queue.run(handle) })
      } catch {
        stopThreads()
        throw error
      }
    }
  }

  deinit { stopThreads() }

  /// Ends the threads once each is done with its block; blocks still waiting are dropped.
  private func stopThreads() {
    queue.monitor.lock()
    queue.stopping = true
    queue.waiting.removeAll()
    queue.work.broadcast()
    queue.monitor.unlock()
    for thread in threads { pthread_join(thread, nil) }
    threads.removeAll()
  }

  /// An empty block to fill.
  func emptyBlock() -> Block { free.popLast() ?? Block() }

  /// Takes back a block that was not handed out.
  func giveBack(_ block: Block) {
    block.recycle(blockBytes: blockBytes)
    free.append(block)
  }

  /// Queues `block` for the next free thread, then merges the blocks handled by now, in
  /// order, waiting for the oldest only while more than `inFlight` are out.
  func handOff(_ block: Block) throws {
    guard !stopped && block.holdsWork else { return giveBack(block) }
    queue.monitor.lock()
    queue.waiting.append(block)
    if queue.idleThreads > 0 { queue.work.signal() }
    queue.monitor.unlock()
    out.append(block)
    try mergeHandled(leavingOut: inFlight)
  }

  /// Merges every block handed out, in order (the ring may be used again after).
  func mergeOutstanding() throws {
    try mergeHandled(leavingOut: 0)
  }

  /// Merges the oldest blocks out while they are handled, and waits for them while more
  /// than `most` are out.
  private func mergeHandled(leavingOut most: Int) throws {
    while !stopped, let oldest = out.first {
      queue.monitor.lock()
      if out.count > most && !oldest.isHandled {
        queue.awaited = oldest
        while !oldest.isHandled { queue.handled.wait(in: queue.monitor) }
        queue.awaited = nil
      }
      let handled = oldest.isHandled
      queue.monitor.unlock()
      guard handled else { return }
      out.removeFirst()
      defer { giveBack(oldest) }
      do {
        try merge(oldest)
      } catch {
        stopped = true
        throw error
      }
    }
  }
}
