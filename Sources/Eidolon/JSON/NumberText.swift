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

  /// The value of `bytes`, a number's text, when the text is what
  /// `ByteBuffer.appendJSONNumber` writes for that value, so that reading and writing it
  /// again would give the same bytes; nil for any other text (the long way's to read).
  /// That is a whole number below 10^15 without sign, fraction or leading zero, or a
  /// decimal fraction of at most 15 significant digits, none of them a trailing zero,
  /// from 0.01 up. (Such a text reads back to the only Double that 15 digits round to it,
  /// and Swift prints that Double in its shortest form, positional from 0.0001 to 2^53:
  /// the same text.)
  static func shortestValue(_ bytes: UnsafeRawBufferPointer) -> Double? {
    guard let base = bytes.baseAddress, let (value, length) = shortestNumber(base.assumingMemoryBound(to: UInt8.self), bytes.count),
      length == bytes.count
    else { return nil }
    return value
  }

  /// `shortestValue` of the digits and points that start at `p` (no more than `limit`
  /// bytes), and their length; read in one pass, without strtod: with 15 significant
  /// digits at most, the digits as a whole number and the power of ten are both exact in
  /// a Double, and their quotient is the correctly rounded value (as strtod's).
  @inline(__always)
  static func shortestNumber(_ p: UnsafePointer<UInt8>, _ limit: Int) -> (value: Double, length: Int)? {
    guard limit > 0, p[0] &- 0x30 <= 9, p[0] != 0x30 || limit == 1 || p[1] &- 0x30 > 9 else { return nil }
    var mantissa: UInt64 = 0  // 18 digits at most: no overflow
    var point = -1
    var i = 0
    let stop = min(limit, 18)
    while i < stop {
      let digit = p[i] &- 0x30
      if digit <= 9 {
        mantissa = mantissa &* 10 &+ UInt64(digit)
      } else if p[i] == 0x2E && point < 0 {
        point = i
      } else {
        break
      }
      i += 1
    }
    guard i <= 17 else { return nil }
    // The digits from the first that is not 0 (zeros come first only after "0").
    var significant = point < 0 ? i : i - 1
    if p[0] == 0x30 {
      var k = 0
      while k < i && (p[k] == 0x30 || p[k] == 0x2E) {
        if p[k] == 0x30 { significant -= 1 }
        k += 1
      }
    }
    guard significant <= 15 else { return nil }
    if point < 0 {
      // A lone 0, or a whole number without a leading zero (`p[0]` was checked).
      return (Double(mantissa), i)
    }
    // "0." comes only as the start of a fraction, and from 0.01 up ("0.00..." the long way).
    guard point + 1 < i, p[i - 1] != 0x30, p[0] != 0x30 || point == 1 && (i < 4 || p[2] != 0x30 || p[3] != 0x30) else {
      return nil
    }
    return (Double(mantissa) / powersOfTen[i - point - 1], i)
  }

  /// Written out, so the table is in the binary as it stands (one computed was made on
  /// first use, and every read checked whether it had been).
  private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17]

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
