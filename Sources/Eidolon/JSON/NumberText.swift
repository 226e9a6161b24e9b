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

  /// True when `bytes`, a number's text, is what `ByteBuffer.appendJSONNumber` writes for
  /// its value, so that reading and writing it again would give the same bytes: a whole
  /// number below 10^15 without sign, fraction or leading zero, or a decimal fraction of
  /// at most 15 significant digits, none of them a trailing zero, from 0.01 up. (Such a
  /// text reads back to the only Double that 15 digits round to it, and Swift prints that
  /// Double in its shortest form, positional from 0.0001 to 2^53: the same text.)
  static func isWrittenShortest(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let count = bytes.count
    guard count > 0, count <= 17 else { return false }
    var i = 0
    var significant = 0
    var seenNonZero = false
    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    guard isDigit(bytes[0]), bytes[0] != 0x30 || count == 1 || bytes[1] == 0x2E else { return false }
    while i < count && isDigit(bytes[i]) {
      if bytes[i] != 0x30 || seenNonZero { seenNonZero = true; significant += 1 }
      i += 1
    }
    if i == count { return significant <= 15 }
    guard bytes[i] == 0x2E, i + 1 < count, bytes[count - 1] != 0x30 else { return false }
    // From 0.01 up: "0.00..." is left to the long way.
    if bytes[0] == 0x30 && count > 3 && bytes[2] == 0x30 && bytes[3] == 0x30 { return false }
    i += 1
    while i < count {
      guard isDigit(bytes[i]) else { return false }
      if bytes[i] != 0x30 || seenNonZero { seenNonZero = true; significant += 1 }
      i += 1
    }
    return significant <= 15
  }

  /// The value of a text `isWrittenShortest` holds true, without strtod: digits and at
  /// most one '.', 15 significant digits at most, so the digits as a whole number and
  /// the power of ten are both exact in a Double and their quotient is the correctly
  /// rounded value (as strtod's).
  static func shortestValue(_ bytes: UnsafeRawBufferPointer) -> Double {
    var mantissa: Int64 = 0
    var fractionDigits = 0
    var inFraction = false
    for c in bytes {
      if c == 0x2E {
        inFraction = true
      } else {
        mantissa = mantissa * 10 + Int64(c - 0x30)
        if inFraction { fractionDigits += 1 }
      }
    }
    return Double(mantissa) / powersOfTen[fractionDigits]
  }

  private static let powersOfTen: [Double] = (0...17).map { k in (0..<k).reduce(1.0) { value, _ in value * 10 } }

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
