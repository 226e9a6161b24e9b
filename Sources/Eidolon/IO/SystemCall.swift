#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that talks to the system's read/write calls.
enum SystemCall {
  /// Runs `call` again while it fails with EINTR.
  static func retrying<T: FixedWidthInteger>(_ call: () -> T) -> T {
    while true {
      let result = call()
      if result < 0 && errno == EINTR { continue }
      return result
    }
  }

  static func lastErrorMessage() -> String {
    String(cString: strerror(errno))
  }
}
