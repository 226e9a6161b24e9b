#if canImport(Glibc)
import Glibc
#endif

/// Temporary files for spills, in $TMPDIR (or /tmp). They hold users' data, so none may
/// outlive the run: a spill is unlinked the moment it is made (it goes when its
/// descriptor closes, whatever ends the process), and the few that need a name (a
/// SQLite store, a folder of bucket files, an output file before its rename) are
/// registered with `TemporaryPaths`, which removes them at the end of the run and on
/// SIGINT, SIGTERM, SIGHUP or a crash.
enum TemporaryFile {
  static func directory() -> String {
    if let value = getenv("TMPDIR"), value.pointee != 0 { return String(cString: value) }
    return "/tmp"
  }

  /// Creates `eidolon-<name>-XXXXXX`, opens it for reading and writing, and unlinks it at
  /// once. `holding` says what for, in the error. `rewind` makes it readable from the start.
  static func create(_ name: String, holding: String, in folder: String? = nil) throws -> Int32 {
    try TemporaryPaths.holdingStopSignals {
      let (fd, path) = try make(name, holding: holding, in: folder)
      unlink(path)
      return fd
    }
  }

  /// A path for a SQLite database of the run's own (an assessment's ids, a dry run's
  /// store), registered with its journal files; `TemporaryPaths.remove` ends it.
  static func databasePath(_ name: String, holding: String) throws -> String {
    try TemporaryPaths.holdingStopSignals {
      let (fd, path) = try make(name, holding: holding)
      close(fd)
      unlink(path)
      TemporaryPaths.register(path, suffixes: ["", "-journal", "-wal", "-shm"])
      return path
    }
  }

  /// A folder of the run's own, registered (its files are registered by their makers).
  static func makeDirectory(_ name: String, holding: String) throws -> String {
    try TemporaryPaths.holdingStopSignals {
      var template = Array("\(directory())/eidolon-\(name)-XXXXXX".utf8CString)
      guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw EidolonError(.io, "cannot create a temporary folder for \(holding): \(SystemCall.lastErrorMessage()) (set TMPDIR to a writable folder)")
      }
      let path = String(cString: made)
      TemporaryPaths.register(path)
      return path
    }
  }

  /// Back to the start of a spill written through its descriptor, for reading it again.
  static func rewind(_ fd: Int32, name: String) throws {
    if lseek(fd, 0, SEEK_SET) != 0 {
      throw EidolonError(.io, "cannot read back a temporary file: \(SystemCall.lastErrorMessage())", file: name)
    }
  }

  private static func make(_ name: String, holding: String, in folder: String? = nil) throws -> (Int32, String) {
    var template = Array("\(folder ?? directory())/eidolon-\(name)-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    guard fd >= 0 else {
      throw EidolonError(.io, "cannot create a temporary file to hold \(holding): \(SystemCall.lastErrorMessage()) (set TMPDIR to a writable folder)")
    }
    return (fd, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
  }
}
