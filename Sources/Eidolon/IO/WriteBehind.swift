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
    /// Guarded by `mutex`: a buffer handed and not yet written, the first error, a stop request.
    var busy = false
    var failure: Error?
    var stopping = false
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(writer: SinkWriter) {
      self.writer = writer
      pthread_mutex_init(mutex, nil)
      pthread_cond_init(changed, nil)
    }

    deinit {
      pthread_cond_destroy(changed)
      pthread_mutex_destroy(mutex)
      changed.deallocate()
      mutex.deallocate()
    }

    /// The thread: writes each buffer handed to it until asked to stop (after the last).
    func run() {
      pthread_mutex_lock(mutex)
      while true {
        while !busy && !stopping { pthread_cond_wait(changed, mutex) }
        if !busy { break }  // stopping, nothing left
        let skip = failure != nil  // after an error nothing more is written
        pthread_mutex_unlock(mutex)
        var error: Error?
        if !skip {
          do { try writer.write(pending.bytes) } catch let caught { error = caught }
        }
        pending.removeAll()
        pthread_mutex_lock(mutex)
        if let error { failure = error }
        busy = false
        pthread_cond_broadcast(changed)
      }
      pthread_mutex_unlock(mutex)
    }
  }

  private let shared: Shared
  private var thread: pthread_t?

  init(writer: SinkWriter) throws {
    shared = Shared(writer: writer)
    var made = pthread_t()
    let context = Unmanaged.passRetained(shared).toOpaque()
    let status = pthread_create(&made, nil, { context in
      Unmanaged<Shared>.fromOpaque(context!).takeRetainedValue().run()
      return nil
    }, context)
    guard status == 0 else {
      Unmanaged<Shared>.fromOpaque(context).release()
      throw EidolonError(.io, "cannot start a thread to write the output: \(String(cString: strerror(status)))")
    }
    thread = made
  }

  deinit { stop() }

  /// Gives `buffer`'s bytes to the thread and leaves `buffer` empty (with the thread's
  /// last buffer's memory), once the thread has written the buffer before.
  func hand(_ buffer: ByteBuffer) throws {
    pthread_mutex_lock(shared.mutex)
    while shared.busy { pthread_cond_wait(shared.changed, shared.mutex) }
    if let failure = shared.failure {
      pthread_mutex_unlock(shared.mutex)
      throw failure
    }
    buffer.swapStorage(with: shared.pending)
    shared.busy = true
    pthread_cond_broadcast(shared.changed)
    pthread_mutex_unlock(shared.mutex)
  }

  /// Waits until everything handed is written; throws what the thread met.
  func drain() throws {
    pthread_mutex_lock(shared.mutex)
    while shared.busy { pthread_cond_wait(shared.changed, shared.mutex) }
    let failure = shared.failure
    pthread_mutex_unlock(shared.mutex)
    if let failure { throw failure }
  }

  /// Waits until the thread holds no buffer (the writer may then be read or used).
  func waitIdle() {
    pthread_mutex_lock(shared.mutex)
    while shared.busy { pthread_cond_wait(shared.changed, shared.mutex) }
    pthread_mutex_unlock(shared.mutex)
  }

  /// Lets the thread write what it holds, then ends it.
  func stop() {
    guard let thread else { return }
    pthread_mutex_lock(shared.mutex)
    shared.stopping = true
    pthread_cond_broadcast(shared.changed)
    pthread_mutex_unlock(shared.mutex)
    pthread_join(thread, nil)
    self.thread = nil
  }
}
