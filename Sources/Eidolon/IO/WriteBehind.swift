#if canImport(Glibc)
import Glibc
#endif

/// Writes an OutputSink's full buffers on a thread of its own, one at a time and in order,
/// while the tool fills the next: the system's copying (and a .gz output's deflating)
/// runs on the second core. `hand` trades the caller's full buffer for the empty one the
/// thread last wrote; an error the thread met comes back from the next `hand` or `drain`.
/// Memory: one more buffer.
final class WriteBehind {
  /// What the thread and the caller share; the thread holds this, never the sink.
  private final class Shared {
    let writer: SinkWriter
    /// The buffer the thread writes; the caller's side touches it only while not `busy`.
    let pending = ByteBuffer(capacity: OutputSink.flushThreshold + (1 << 16))
    /// Guarded by `monitor`: a buffer handed and not yet written, the first error, a stop request.
    var busy = false
    var failure: Error?
    var stopping = false
    let monitor = ThreadMonitor()

    init(writer: SinkWriter) {
      self.writer = writer
    }

    /// The thread: writes each buffer handed to it until asked to stop (after the last).
    func run() {
      monitor.lock()
      while true {
        while !busy && !stopping { monitor.wait() }
        if !busy { break }  // stopping, nothing left
        let skip = failure != nil  // after an error nothing more is written
        monitor.unlock()
        var error: Error?
        if !skip {
          do { try writer.write(pending.bytes) } catch let caught { error = caught }
        }
        pending.removeAll()
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

  init(writer: SinkWriter) throws {
    let shared = Shared(writer: writer)
    self.shared = shared
    thread = try ThreadMonitor.startThread(doing: "write the output") { shared.run() }
  }

  deinit { stop() }

  /// Gives `buffer`'s bytes to the thread and leaves `buffer` empty (with the thread's
  /// last buffer's memory), once the thread has written the buffer before.
  func hand(_ buffer: ByteBuffer) throws {
    shared.monitor.lock()
    while shared.busy { shared.monitor.wait() }
    if let failure = shared.failure {
      shared.monitor.unlock()
      throw failure
    }
    buffer.swapStorage(with: shared.pending)
    shared.busy = true
    shared.monitor.broadcast()
    shared.monitor.unlock()
  }

  /// Waits until everything handed is written; throws what the thread met.
  func drain() throws {
    shared.monitor.lock()
    while shared.busy { shared.monitor.wait() }
    let failure = shared.failure
    shared.monitor.unlock()
    if let failure { throw failure }
  }

  /// Waits until the thread holds no buffer (the writer may then be read or used).
  func waitIdle() {
    shared.monitor.lock()
    while shared.busy { shared.monitor.wait() }
    shared.monitor.unlock()
  }

  /// Lets the thread write what it holds, then ends it.
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
