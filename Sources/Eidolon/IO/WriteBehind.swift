#if canImport(Glibc)
import Glibc
#endif

/// Writes an OutputSink's full buffers on a thread of its own, in order, while the tool
/// fills the next: the system's copying (and a .gz output's deflating) runs on the second
/// core. `hand` trades the caller's full buffer for an empty one and queues it; the caller
/// waits only when `depth` buffers are queued. (With one, a tool whose other threads kept
/// both cores busy waited for the writing thread to be given a core, its own threads
/// idle meanwhile: bench/README.md, "Blocks taken by whichever thread is free".) An error
/// the thread met comes back from the next `hand` or `drain`, and nothing more is written
/// after it. Memory: `depth` more buffers.
final class WriteBehind {
  /// Buffers queued before `hand` waits: two (toggl-read and rt-read 2-4% faster with four,
  /// but rt-read's buffers are its blocks' lines, 700 KB each, handed on whole: 1.7 MB more
  /// at peak, near its 50 MB bound).
  static let depth = 2

  /// What the thread and the caller share; the thread holds this, never the owner.
  private final class Shared {
    let writer: SinkWriter
    let monitor = ThreadMonitor()
    /// Guarded by `monitor`: full buffers in order (the first is the one being written),
    /// written ones to fill again, the first error, a stop request.
    var queued: [ByteBuffer] = []
    var spares: [ByteBuffer] = []
    var failure: Error?
    var stopping = false

    init(writer: SinkWriter) { self.writer = writer }

    /// The thread: writes each buffer queued until asked to stop (after the last).
    func run() {
      monitor.lock()
      while true {
        while queued.isEmpty && !stopping { monitor.wait() }
        guard let buffer = queued.first else { break }  // stopping, nothing left
        let skip = failure != nil
        monitor.unlock()
        var error: Error?
        if !skip {
          do { try writer.write(buffer.bytes) } catch let caught { error = caught }
        }
        buffer.removeAll()
        monitor.lock()
        if let error, failure == nil { failure = error }
        queued.removeFirst()
        spares.append(buffer)
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

  /// Queues `buffer`'s bytes for the thread and leaves `buffer` empty (with the memory of a
  /// buffer the thread wrote), once fewer than `depth` are queued.
  func hand(_ buffer: ByteBuffer) throws {
    shared.monitor.lock()
    defer { shared.monitor.unlock() }
    while shared.queued.count >= WriteBehind.depth { shared.monitor.wait() }
    if let failure = shared.failure { throw failure }
    let full = shared.spares.popLast() ?? ByteBuffer(capacity: OutputSink.flushThreshold + (1 << 16))
    full.swapStorage(with: buffer)
    shared.queued.append(full)
    shared.monitor.broadcast()
  }

  /// Waits until everything handed is written; throws what the thread met.
  func drain() throws {
    waitIdle()
    shared.monitor.lock()
    let failure = shared.failure
    shared.monitor.unlock()
    if let failure { throw failure }
  }

  /// Waits until the thread has nothing queued (the writer may then be read or used).
  func waitIdle() {
    shared.monitor.lock()
    while !shared.queued.isEmpty { shared.monitor.wait() }
    shared.monitor.unlock()
  }

  /// Lets the thread write what is queued, then ends it.
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
