/// The one checked path from a number written in an input file to a value. Swift's own
/// `Double(text)` takes "inf", "nan", "0x1p3" and "+1", and converting a huge Double to
/// an integer traps; every reader goes through here instead, so a bad number is a
/// rejected record with its place, never a crash, an `inf` in the output, or a hex cell
/// read as a number (formats/parsers.md, "Numbers").
public enum InputNumber {
  /// A decimal number as trackers write it: an optional '-', digits with an optional
  /// fraction (".5" and "5." too), an optional exponent. nil for anything else (hex,
  /// "inf", "nan", a leading '+', spaces inside) and for values past Double's range.
  public static func decimal<S: StringProtocol>(_ text: S) -> Double? {
    guard isDecimal(text.utf8) else { return nil }
    guard let value = Double(String(text)), value.isFinite else { return nil }
    return value
  }

  /// A whole number in decimal digits with an optional '-': nil for anything else and
  /// past Int64's range (no overflow trap).
  public static func integer<S: StringProtocol>(_ text: S) -> Int64? {
    if let value = text.utf8.withContiguousStorageIfAvailable({ NumberText.int64(UnsafeRawBufferPointer($0)) }) { return value }
    return Array(text.utf8).withUnsafeBytes { NumberText.int64($0) }
  }

  /// Whole seconds as milliseconds, nil when that leaves Int64 (no overflow trap).
  public static func millis(seconds: Int64) -> Int64? {
    let (value, overflow) = seconds.multipliedReportingOverflow(by: 1000)
    return overflow ? nil : value
  }

  /// Seconds (a Double) as whole milliseconds, nil when not finite or past Int64.
  public static func millis(seconds: Double) -> Int64? {
    let millis = (seconds * 1000).rounded()
    guard millis.isFinite, millis.magnitude < 9.2e18 else { return nil }
    return Int64(millis)
  }

  /// A Double as an Int, nil when not finite, not whole or past Int's range.
  public static func wholeInt(_ value: Double) -> Int? {
    guard value.isFinite, value == value.rounded(), value.magnitude < 9.2e18 else { return nil }
    return Int(value)
  }

  /// RFC 8259's number grammar: what may stand as a number in our JSON output.
  public static func isJSONNumber<S: StringProtocol>(_ text: S) -> Bool {
    if let answer = text.utf8.withContiguousStorageIfAvailable({ isJSONNumber(bytes: $0) }) { return answer }
    return isJSONNumber(bytes: Array(text.utf8))
  }

  /// RFC 8259's number grammar, on bytes.
  static func isJSONNumber(_ bytes: UnsafeRawBufferPointer) -> Bool { isJSONNumber(bytes: bytes) }

  private static func isJSONNumber<C: RandomAccessCollection>(bytes: C) -> Bool where C.Element == UInt8, C.Index == Int {
    var i = bytes.startIndex
    let end = bytes.endIndex
    func digits() -> Int {
      let from = i
      while i < end && isDigit(bytes[i]) { i += 1 }
      return i - from
    }
    if i < end && bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard i < end, isDigit(bytes[i]) else { return false }
    if bytes[i] == UInt8(ascii: "0") { i += 1 } else { _ = digits() }
    if i < end && bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard digits() > 0 else { return false }
    }
    if i < end && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
      i += 1
      if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
      guard digits() > 0 else { return false }
    }
    return i == end
  }

  /// A decimal number's text as JSON writes it: "01" as 1, ".5" as 0.5, "2.50" as 2.5;
  /// nil when it is not a finite decimal number.
  public static func jsonValue<S: StringProtocol>(_ text: S) -> JSONValue? {
    if isJSONNumber(text) { return .number(String(text)) }
    return decimal(text).map { JSONValue.number($0) }
  }

  private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

  private static func isDecimal<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
    var i = bytes.startIndex
    if i < bytes.endIndex && bytes[i] == UInt8(ascii: "-") { i = bytes.index(after: i) }
    var mantissaDigits = 0
    while i < bytes.endIndex && isDigit(bytes[i]) { mantissaDigits += 1; i = bytes.index(after: i) }
    if i < bytes.endIndex && bytes[i] == UInt8(ascii: ".") {
      i = bytes.index(after: i)
      while i < bytes.endIndex && isDigit(bytes[i]) { mantissaDigits += 1; i = bytes.index(after: i) }
    }
    guard mantissaDigits > 0 else { return false }
    if i < bytes.endIndex && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
      i = bytes.index(after: i)
      if i < bytes.endIndex && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i = bytes.index(after: i) }
      var exponentDigits = 0
      while i < bytes.endIndex && isDigit(bytes[i]) { exponentDigits += 1; i = bytes.index(after: i) }
      guard exponentDigits > 0 else { return false }
    }
    return i == bytes.endIndex
  }
}
