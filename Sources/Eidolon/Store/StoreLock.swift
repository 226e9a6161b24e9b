#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One load at a time per store, across processes: an advisory lock (flock) on the
/// store's own file, held for the whole load. The kernel drops it when the process ends,
/// however it ends, so a load marked running in a store nobody holds is a dead one, and
/// only then may the next load call it interrupted (formats/sqlite-schema.md,
/// "Concurrent loads"). SQLite's own locks are fcntl locks on the same file; the two
/// kinds do not interact on Linux.
public final class StoreLock {
  private let fd: Int32

  /// Takes the lock on `path`, waiting up to `wait` seconds for the load that holds it
  /// (`waiting` is told once, with what `holder` says of it); 0 fails at once. A file
  /// that cannot be opened for locking (a read-only folder) goes unlocked: nothing can
  /// be written there either, and SQLite says so.
  public init?(path: String, wait: Double, waiting: (String) -> Void, holder: () -> String) throws {
    let fd = SystemCall.retrying { open(path, O_RDONLY | O_CLOEXEC) }
    guard fd >= 0 else { return nil }
    self.fd = fd
    if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
    guard errno == EWOULDBLOCK else {
      close(fd)
      return nil
    }
    let who = holder()
    if wait > 0 { waiting("\(path): waiting for \(who) to finish (up to \(SecondsText.short(wait)) s; --wait sets how long)") }
    var clock = timespec()
    clock_gettime(CLOCK_MONOTONIC, &clock)
    let deadline = Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9 + wait
    while true {
      if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
      clock_gettime(CLOCK_MONOTONIC, &clock)
      if Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9 >= deadline { break }
      usleep(50_000)
    }
    close(fd)
    throw EidolonError(
      .io, "\(who) is still loading into this store\(wait > 0 ? " after \(SecondsText.short(wait)) s" : ""); run this load when it is done, or give --wait SECONDS to wait for it",
      file: path)
  }

  deinit { close(fd) }
}
