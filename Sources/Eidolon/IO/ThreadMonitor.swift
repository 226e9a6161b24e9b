#if canImport(Glibc)
import Glibc
#endif

/// A mutex and the condition its waiters wait on: the state a worker thread and its owner
/// share (ReadAheadSource, HandOffThread) is read and changed only between `lock` and `unlock`.
final class ThreadMonitor {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(changed, nil)
  }

  deinit {
    pthread_cond_destroy(changed)
    pthread_mutex_destroy(mutex)
    changed.deallocate()
    mutex.deallocate()
  }

  func lock() { pthread_mutex_lock(mutex) }
  func unlock() { pthread_mutex_unlock(mutex) }
  /// Waits, the lock held, until another thread broadcasts.
  func wait() { pthread_cond_wait(changed, mutex) }
  func broadcast() { pthread_cond_broadcast(changed) }

  /// Another condition on the monitor's lock, for threads that wait for one thing among
  /// others waiting for another: `signal` wakes one of its own waiters, and no one else.
  final class Condition {
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    init() { pthread_cond_init(condition, nil) }
    deinit {
      pthread_cond_destroy(condition)
      condition.deallocate()
    }
    /// Waits, `monitor`'s lock held, until signalled.
    func wait(in monitor: ThreadMonitor) { pthread_cond_wait(condition, monitor.mutex) }
    func signal() { pthread_cond_signal(condition) }
    func broadcast() { pthread_cond_broadcast(condition) }
  }

  /// Lowers the calling thread's priority by `levels` nice levels (to 19 at most): a thread
  /// that helps another of its process, which should have a core whenever it can use one.
  /// (Linux: `setpriority` of process 0 changes the calling thread alone.) Best effort: a
  /// priority that cannot change is left as it is.
  static func yieldToOwnProcess(by levels: Int32) {
    #if os(Linux)
    errno = 0
    let now = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    guard errno == 0 else { return }
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, now + levels))
    #endif
  }

  /// Starts `body` on a thread of its own, which the caller joins. `doing` says what the
  /// thread is for in the error when it cannot start. `body` should hold only what the
  /// thread shares, never its owner (whose last release on the thread would join itself).
  static func startThread(doing: String, _ body: @escaping () -> Void) throws -> pthread_t {
    var made = pthread_t()
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    let status = pthread_create(&made, nil, { context in
      Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
      return nil
    }, context)
    guard status == 0 else {
      Unmanaged<ThreadBody>.fromOpaque(context).release()
      throw EidolonError(.io, "cannot start a thread to \(doing): \(String(cString: strerror(status)))")
    }
    return made
  }
}

/// What a thread started by `ThreadMonitor.startThread` runs.
private final class ThreadBody {
  let run: () -> Void
  init(_ run: @escaping () -> Void) { self.run = run }
}
