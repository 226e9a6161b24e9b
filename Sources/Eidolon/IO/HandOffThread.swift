#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own that handles blocks one at a time, in order, while the caller
/// fills the next: the caller's work and the thread's run on the two cores. `hand` waits
/// until fewer than `depth` blocks are handed and not yet handled, lets the caller trade
/// contents with a block the thread is done with (the caller gets it back, to fill again),
/// and queues it for the thread. An error the thread met comes back from the next `hand`
/// or `drain`; the thread handles nothing more after it. Memory: `depth` more blocks.
/// (WriteBehind's output buffers, the loader's packed events.)
final class HandOffThread<Block: AnyObject> {
  /// What the thread and the caller share; the thread holds this, never the owner.
  private final class Shared {
    let handle: (Block) throws -> Void
    let monitor = ThreadMonitor()
    /// Guarded by `monitor`: blocks handed, oldest first (the first is the one being
    /// handled); blocks handled, to trade with; the first error; a stop request.
    var queued: [Block] = []
    var spares: [Block]
    var failure: Error?
    var stopping = false

    init(spares: [Block], handle: @escaping (Block) throws -> Void) {
      self.spares = spares
      self.handle = handle
    }

    /// The thread: handles each block handed until asked to stop (after the last).
    func run() {
      monitor.lock()
      while true {
        while queued.isEmpty && !stopping { monitor.wait() }
        guard let block = queued.first else { break }  // stopping, nothing left
        let skip = failure != nil
        monitor.unlock()
        var error: Error?
        if !skip {
          do { try handle(block) } catch let caught { error = caught }
        }
        monitor.lock()
        if let error, failure == nil { failure = error }
        queued.removeFirst()
        spares.append(block)
        monitor.broadcast()
      }
      monitor.unlock()
    }
  }

  private let shared: Shared
  private let depth: Int
  private var thread: pthread_t?

  /// `spares` are the thread's first blocks (empty), as many as may be handed before
  /// `hand` waits (one unless more are given); `handle` must leave each block ready to be
  /// filled again.
  init(spares: [Block], doing: String, handle: @escaping (Block) throws -> Void) throws {
    precondition(!spares.isEmpty, "a thread handed blocks needs one to trade")
    let shared = Shared(spares: spares, handle: handle)
    self.shared = shared
    depth = spares.count
    thread = try ThreadMonitor.startThread(doing: doing) { shared.run() }
  }

  convenience init(spare: Block, doing: String, handle: @escaping (Block) throws -> Void) throws {
    try self.init(spares: [spare], doing: doing, handle: handle)
  }

  deinit { stop() }

  /// Once fewer than `depth` blocks are out, `trade` swaps the caller's filled block (or
  /// its contents) with one the thread is done with, and the thread is given it.
  func hand(_ trade: (inout Block) -> Void) throws {
    shared.monitor.lock()
    defer { shared.monitor.unlock() }
    while shared.queued.count >= depth { shared.monitor.wait() }
    if let failure = shared.failure { throw failure }
    var block = shared.spares.removeLast()
    trade(&block)
    shared.queued.append(block)
    shared.monitor.broadcast()
  }

  /// Waits until everything handed is handled; throws what the thread met.
  func drain() throws {
    shared.monitor.lock()
    while !shared.queued.isEmpty { shared.monitor.wait() }
    let failure = shared.failure
    shared.monitor.unlock()
    if let failure { throw failure }
  }

  /// Waits until the thread holds no block (what it works on may then be used).
  func waitIdle() {
    shared.monitor.lock()
    while !shared.queued.isEmpty { shared.monitor.wait() }
    shared.monitor.unlock()
  }

  /// Lets the thread handle what it was handed, then ends it.
  func stop() {
    guard let thread else { return }
    shared.monitor.lock()
    shared.stopping = true
    shared.monitor.broadcast()
    shared.monitor.unlock()
    pthread_join(thread, nil)
    self.thread = nil
  }
}
