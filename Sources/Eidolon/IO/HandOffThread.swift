#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own that handles blocks one at a time, in order, while the caller
/// fills the next: the caller's work and the thread's run on the two cores. `hand` waits
/// until the thread is done with its block, lets the caller trade contents with it (the
/// caller gets the handled block back, to fill again), and starts the thread on it. An
/// error the thread met comes back from the next `hand` or `drain`; the thread handles
/// nothing more after it. Memory: one more block. (WriteBehind's output buffers, the
/// loader's packed events.)
final class HandOffThread<Block: AnyObject> {
  /// What the thread and the caller share; the thread holds this, never the owner.
  private final class Shared {
    /// The block the thread handles; the caller touches it only in `hand`, while not `busy`.
    var block: Block
    let handle: (Block) throws -> Void
    /// Guarded by `monitor`: a block handed and not yet handled, the first error, a stop request.
    var busy = false
    var failure: Error?
    var stopping = false
    let monitor = ThreadMonitor()

    init(block: Block, handle: @escaping (Block) throws -> Void) {
      self.block = block
      self.handle = handle
    }

    /// The thread: handles each block handed to it until asked to stop (after the last).
    func run() {
      monitor.lock()
      while true {
        while !busy && !stopping { monitor.wait() }
        if !busy { break }  // stopping, nothing left
        let skip = failure != nil
        monitor.unlock()
        var error: Error?
        if !skip {
          do { try handle(block) } catch let caught { error = caught }
        }
        monitor.lock()
        if let error { failure = error }
        busy = false
        monitor.broadcast()
      }
      monitor.unlock()
    }
  }

  private let shared: Shared
  private var thread: pthread_t?

  /// `spare` is the thread's first block (empty); `handle` must leave each block ready
  /// to be filled again.
  init(spare: Block, doing: String, handle: @escaping (Block) throws -> Void) throws {
    let shared = Shared(block: spare, handle: handle)
    self.shared = shared
    thread = try ThreadMonitor.startThread(doing: doing) { shared.run() }
  }

  deinit { stop() }

  /// Once the thread is done with its block, `trade` swaps the caller's filled block (or
  /// its contents) with it, and the thread starts on what it was given.
  func hand(_ trade: (inout Block) -> Void) throws {
    shared.monitor.lock()
    while shared.busy { shared.monitor.wait() }
    if let failure = shared.failure {
      shared.monitor.unlock()
      throw failure
    }
    trade(&shared.block)
    shared.busy = true
    shared.monitor.broadcast()
    shared.monitor.unlock()
  }

  /// Waits until everything handed is handled; throws what the thread met.
  func drain() throws {
    shared.monitor.lock()
    while shared.busy { shared.monitor.wait() }
    let failure = shared.failure
    shared.monitor.unlock()
    if let failure { throw failure }
  }

  /// Waits until the thread holds no block (what it works on may then be used).
  func waitIdle() {
    shared.monitor.lock()
    while shared.busy { shared.monitor.wait() }
    shared.monitor.unlock()
  }

  /// Lets the thread handle what it holds, then ends it.
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
