#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the text of a checked JSON number into a value, without Foundation.
enum NumberText {
  /// An integer with no fraction or exponent, when it fits in Int64.
  static func int64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
    guard !bytes.isEmpty else { return nil }
    var i = 0
    let negative = bytes[0] == UInt8(ascii: "-")
    if negative { i = 1 }
    guard i < bytes.count else { return nil }
    var value: Int64 = 0
    while i < bytes.count {
      let c = bytes[i]
      guard c >= 0x30 && c <= 0x39 else { return nil }
      let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(Int64(c - 0x30))
      if overflow1 || overflow2 { return nil }
      value = sum
      i += 1
    }
    return negative ? -value : value
  }

  /// Any JSON number as a Double; nil when it is too large for one.
  static func double(_ text: ByteBuffer) -> Double? {
    if let whole = int64(text.bytes), whole.magnitude < 1 << 53 { return Double(whole) }
    // strtod needs a terminating NUL; C numeric locale is in force in our tools.
    text.append(0)
    defer { text.commit(-1) }
    let value = text.base.withMemoryRebound(to: CChar.self, capacity: text.count) { strtod($0, nil) }
    return value.isFinite ? value : nil
  }
}
