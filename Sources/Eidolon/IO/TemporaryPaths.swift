#if canImport(Glibc)
import Glibc
#endif

/// The temporary files and folders that need a name while the run lasts (TemporaryFile),
/// removed when the run ends however it ends: by their owner, by `removeAll()` at the
/// tool's exit, or by the signal handler this installs on first use for SIGINT, SIGTERM,
/// SIGHUP, SIGQUIT and the crash signals. The handler only unlinks (async-signal-safe),
/// then hands the signal to whatever handled it before (the default action, or Swift's
/// backtracer on a crash).
public enum TemporaryPaths {
  private static let capacity = 4096
  /// C strings, nil where free; read by the signal handler without a lock.
  nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
    let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
    slots.initialize(repeating: nil, count: capacity)
    return slots
  }()
  nonisolated(unsafe) private static let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
    return mutex
  }()
  nonisolated(unsafe) fileprivate static let previous: UnsafeMutablePointer<sigaction> = {
    let actions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    actions.initialize(repeating: sigaction(), count: 65)
    return actions
  }()
  nonisolated(unsafe) private static var installed = false

  static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
  static let crashSignals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE]

  /// Runs `body` with the stop signals held off in this thread (delivered when it
  /// returns), so a file named only for a moment (made, then unlinked) is never left
  /// behind by a signal in that moment.
  static func holdingStopSignals<T>(_ body: () throws -> T) rethrows -> T {
    var blocked = sigset_t()
    var old = sigset_t()
    sigemptyset(&blocked)
    for signal in stopSignals { sigaddset(&blocked, signal) }
    pthread_sigmask(SIG_BLOCK, &blocked, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    return try body()
  }

  /// Registers `path` followed by each suffix ("" for the path itself).
  static func register(_ path: String, suffixes: [String] = [""]) {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    installHandlers()
    for suffix in suffixes {
      guard let free = (0..<capacity).first(where: { slots[$0] == nil }) else { return }
      slots[free] = strdup(path + suffix)
    }
  }

  /// Forgets `path` and everything under or beside it (its journal files, a folder's
  /// files) without touching the files: they were moved into place, or are gone.
  static func unregister(_ path: String) {
    _ = take(path)
  }

  /// Removes `path` and everything registered under or beside it, files before folders.
  static func remove(_ path: String) {
    for entry in take(path).sorted(by: { $0.utf8.count > $1.utf8.count }) {
      if unlink(entry) != 0 { rmdir(entry) }
    }
  }

  /// Removes every registered path: the end of a run (ToolMain), where no owner's
  /// deinit will run.
  public static func removeAll() {
    pthread_mutex_lock(mutex)
    let all = (0..<capacity).compactMap { i -> String? in
      guard let entry = slots[i] else { return nil }
      slots[i] = nil
      defer { free(entry) }
      return String(cString: entry)
    }
    pthread_mutex_unlock(mutex)
    for entry in all.sorted(by: { $0.utf8.count > $1.utf8.count }) {
      if unlink(entry) != 0 { rmdir(entry) }
    }
  }

  /// How many paths are registered (tests).
  static var count: Int {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return (0..<capacity).filter { slots[$0] != nil }.count
  }

  private static func take(_ path: String) -> [String] {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    var taken: [String] = []
    for i in 0..<capacity {
      guard let entry = slots[i] else { continue }
      let text = String(cString: entry)
      guard text.hasPrefix(path) else { continue }
      slots[i] = nil
      free(entry)
      taken.append(text)
    }
    return taken
  }

  /// From the signal handler: two passes, so a folder goes once its files have.
  fileprivate static func unlinkAllFromSignal() {
    for _ in 0..<2 {
      for i in 0..<capacity {
        guard let entry = slots[i] else { continue }
        if unlink(entry) != 0 { rmdir(entry) }
      }
    }
  }

  private static func installHandlers() {
    guard !installed else { return }
    installed = true
    _ = previous  // made before any handler can read it
    for signal in stopSignals + crashSignals {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = temporaryPathsSignalHandler
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      var old = sigaction()
      sigaction(signal, nil, &old)
      // A signal the caller chose to ignore (nohup) stays ignored.
      if let handler = old.__sigaction_handler.sa_handler, unsafeBitCast(handler, to: Int.self) == 1 { continue }  // SIG_IGN
      previous[Int(signal)] = old
      sigaction(signal, &action, nil)
    }
  }
}

/// Unlinks the registered paths, puts back the handler that was there before, and lets
/// the signal go on to it.
private func temporaryPathsSignalHandler(_ signal: Int32) {
  TemporaryPaths.unlinkAllFromSignal()
  sigaction(signal, TemporaryPaths.previous + Int(signal), nil)
  raise(signal)
}
