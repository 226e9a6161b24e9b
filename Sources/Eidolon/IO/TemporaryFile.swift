#if canImport(Glibc)
import Glibc
#endif

/// Temporary files for spills, in $TMPDIR (or /tmp).
enum TemporaryFile {
  /// Creates `eidolon-<name>-XXXXXX` and opens it. Unlinked at once (the file goes when
  /// it is closed, whatever happens) unless `keepName`; then the path is returned too.
  /// `holding` says what for, in the error.
  static func create(_ name: String, holding: String, keepName: Bool = false) throws -> (fd: Int32, path: String?) {
    var template = Array("\(DuplicateIDFinder.defaultTemporaryDirectory())/eidolon-\(name)-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw EidolonError(.io, "cannot create a temporary file to hold \(holding): \(SystemCall.lastErrorMessage()) (set TMPDIR to a writable folder)")
    }
    let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    if keepName { return (fd, path) }
    unlink(path)
    return (fd, nil)
  }
}
