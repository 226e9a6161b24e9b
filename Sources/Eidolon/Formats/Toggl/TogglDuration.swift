/// The Duration column as Toggl writes it, in whichever format the user's preference
/// picked (formats/toggl.md, "Durations").
public enum TogglDuration {
  /// Seconds, and how coarse the format is (seconds), for the cross-check with start
  /// and end. nil for "-", an empty cell, or text that is none of the formats.
  public static func parse(_ text: String) -> (seconds: Double, resolution: Double)? {
    var text = text
    if let seconds = text.withUTF8({ clock(UnsafeRawBufferPointer($0)) }) { return (seconds, 1) }
    let trimmed = text.trimmingSpaces()
    if trimmed.isEmpty || trimmed == "-" { return nil }
    if let number = trimmed.stripping(suffix: " sec"), let value = InputNumber.decimal(number), value >= 0 { return (value, 1) }
    if let clock = trimmed.stripping(suffix: " min"), let (value, _) = clockTime(clock, parts: 2) { return (value, 1) }
    if let hours = trimmed.stripping(suffix: " h"), let value = InputNumber.decimal(hours), value >= 0 {
      // "0.79 h": as many decimals as written; "2 h" is whole hours.
      let decimals = hours.split(separator: ".").dropFirst().first?.count ?? 0
      var resolution = 3600.0
      for _ in 0..<decimals { resolution /= 10 }
      return (value * 3600, resolution / 2)
    }
    if let (value, _) = clockTime(trimmed, parts: 3) { return (value, 1) }
    return nil
  }

  /// "H:MM:SS" or "M:SS min" straight off the bytes (the leading number up to 14 digits,
  /// read as a Double: no overflow trap), as seconds; nil for anything else. The common
  /// case, without splitting strings; toggl-read's row scanner reads its cells with it too.
  static func clock(_ text: UnsafeRawBufferPointer) -> Double? {
    if text.count == 8, let seconds = usualClock(text.baseAddress!) { return seconds }  // else "0:05 min", or nothing
    var b = text
    var parts = 3
    if b.count > 4, b[b.count - 4] == 0x20, b[b.count - 3] == UInt8(ascii: "m"), b[b.count - 2] == UInt8(ascii: "i"),
      b[b.count - 1] == UInt8(ascii: "n") {
      b = UnsafeRawBufferPointer(rebasing: b.dropLast(4))
      parts = 2
    }
    let lead = b.count - 3 * (parts - 1)  // the digits before the first colon
    guard lead >= 1, lead <= 14 else { return nil }
    var value = 0.0
    for i in 0..<lead {
      let digit = b[i] &- 0x30
      guard digit <= 9 else { return nil }
      value = value * 10 + Double(digit)
    }
    for at in stride(from: lead, to: b.count, by: 3) {
      let high = b[at + 1] &- 0x30, low = b[at + 2] &- 0x30
      guard b[at] == 0x3A, high <= 5, low <= 9 else { return nil }
      value = value * 60 + Double(Int(high) * 10 + Int(low))
    }
    return value
  }

  /// "HH:MM:SS", every byte checked at once in a word (the digit loops above took 122
  /// instructions a row of toggl-read): the XOR with "00:00:00" leaves each digit's value
  /// and zeros for the colons, and a byte above 9 carries into its high bit when 0x76 is
  /// added (none carries further: each byte is checked below 0x80 first).
  @inline(__always)
  private static func usualClock(_ p: UnsafeRawPointer) -> Double? {
    let x = p.loadUnaligned(as: UInt64.self) ^ 0x3030_3A30_303A_3030  // "00:00:00", little-endian
    let high: UInt64 = 0x8080_8080_8080_8080
    guard (x | (x &+ 0x7676_7676_7676_7676)) & high == 0, x & 0x0000_FF00_00FF_0000 == 0 else { return nil }
    @inline(__always) func byte(_ k: UInt64) -> Int { Int(truncatingIfNeeded: x >> (8 &* k)) & 0xFF }
    guard byte(3) <= 5, byte(6) <= 5 else { return nil }
    let hours = byte(0) &* 10 &+ byte(1), minutes = byte(3) &* 10 &+ byte(4), seconds = byte(6) &* 10 &+ byte(7)
    return Double(hours &* 3600 &+ minutes &* 60 &+ seconds)
  }

  /// "H:MM:SS" (hours unpadded, any number of them) or "M:SS" (parts: 2).
  private static func clockTime(_ text: String, parts: Int) -> (Double, Int)? {
    let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
    guard pieces.count == parts, pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
    // In Doubles: "9223372036854775807:06" is read, not trapped on.
    let numbers = pieces.compactMap { InputNumber.decimal($0) }
    guard numbers.count == parts, numbers.dropFirst().allSatisfy({ $0 < 60 }) else { return nil }
    let seconds = numbers.reduce(0) { $0 * 60 + $1 }
    return (seconds, parts)
  }
}
