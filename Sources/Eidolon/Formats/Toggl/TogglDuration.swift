/// The Duration column as Toggl writes it, in whichever format the user's preference
/// picked (formats/toggl.md, "Durations").
public enum TogglDuration {
  /// Seconds, and how coarse the format is (seconds), for the cross-check with start
  /// and end. nil for "-", an empty cell, or text that is none of the formats.
  public static func parse(_ text: String) -> (seconds: Double, resolution: Double)? {
    if let seconds = fastClock(text) { return (seconds, 1) }
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

  /// "HH:MM:SS" straight off the bytes: the common case, without splitting strings.
  private static func fastClock(_ text: String) -> Double? {
    var text = text
    return text.withUTF8 { b -> Double? in
      guard b.count >= 7, b[b.count - 3] == 0x3A, b[b.count - 6] == 0x3A else { return nil }
      // Hours in a Double: any number of digits is read without an overflow trap (the
      // reader then refuses a duration past EventSpec's longest).
      var hours = 0.0
      for i in 0..<(b.count - 6) {
        let digit = Int(b[i]) - 0x30
        guard (0...9).contains(digit) else { return nil }
        hours = hours * 10 + Double(digit)
      }
      func two(_ at: Int) -> Int? {
        let high = Int(b[at]) - 0x30, low = Int(b[at + 1]) - 0x30
        guard (0...5).contains(high), (0...9).contains(low) else { return nil }
        return high * 10 + low
      }
      guard let minutes = two(b.count - 5), let seconds = two(b.count - 2) else { return nil }
      return hours * 3600 + Double(minutes * 60 + seconds)
    }
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
