/// The Duration column as Toggl writes it, in whichever format the user's preference
/// picked (formats/toggl.md, "Durations").
public enum TogglDuration {
  /// Seconds, and how coarse the format is (seconds), for the cross-check with start
  /// and end. nil for "-", an empty cell, or text that is none of the formats.
  public static func parse(_ text: String) -> (seconds: Double, resolution: Double)? {
    let trimmed = text.trimmingSpaces()
    if trimmed.isEmpty || trimmed == "-" { return nil }
    if let number = trimmed.stripping(suffix: " sec"), let value = Double(number), value >= 0 { return (value, 1) }
    if let clock = trimmed.stripping(suffix: " min"), let (value, _) = clockTime(clock, parts: 2) { return (value, 1) }
    if let hours = trimmed.stripping(suffix: " h"), let value = Double(hours), value >= 0, value.isFinite {
      // "0.79 h": as many decimals as written; "2 h" is whole hours.
      let decimals = hours.split(separator: ".").dropFirst().first?.count ?? 0
      var resolution = 3600.0
      for _ in 0..<decimals { resolution /= 10 }
      return (value * 3600, resolution / 2)
    }
    if let (value, _) = clockTime(trimmed, parts: 3) { return (value, 1) }
    return nil
  }

  /// "H:MM:SS" (hours unpadded, any number of them) or "M:SS" (parts: 2).
  private static func clockTime(_ text: String, parts: Int) -> (Double, Int)? {
    let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
    guard pieces.count == parts, pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
    let numbers = pieces.compactMap { Int($0) }
    guard numbers.count == parts, numbers.dropFirst().allSatisfy({ $0 < 60 }) else { return nil }
    let seconds = numbers.reduce(0) { $0 * 60 + $1 }
    return (Double(seconds), parts)
  }
}

extension String {
  func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(scalars)
  }

  func stripping(suffix: String) -> String? {
    hasSuffix(suffix) ? String(dropLast(suffix.count)).trimmingSpaces() : nil
  }
}

extension Character {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
