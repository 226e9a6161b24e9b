/// Seconds written for people, in the few forms the tools use: one place for each.
public enum SecondsText {
  /// The shortest number for the value rounded to the millisecond: `12`, `2.5`, `0.001`
  /// (in messages: "differs from End minus Start (75.5 s)").
  public static func short(_ value: Double) -> String {
    let out = ByteBuffer(capacity: 32)
    out.appendJSONNumber((value * 1000).rounded() / 1000)
    return String(decoding: out.bytes, as: UTF8.self)
  }

  /// Three decimals, durations being kept to the millisecond: `12.000`, `2.500`.
  public static func millis(_ value: Double) -> String {
    // Past 2^53 ms the digits are not exact anyway; say what the double says.
    guard value.magnitude < 9e12 else { return String(value) }
    let millis = Int64((value * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
  }

  /// Hours to a tenth: `3.5 h`.
  public static func hours(_ value: Double) -> String {
    guard value.magnitude < 9e15 else { return "\(value / 3600) h" }
    let tenths = Int64((value / 360).rounded())
    return "\(tenths / 10).\(tenths % 10) h"
  }

  /// Hours, minutes and seconds, rounded to the second: `12h 03m 20s`, `4m 05s`, `9s`.
  public static func clock(_ value: Double) -> String {
    let total = Int(value.rounded())
    let sign = total < 0 ? "-" : ""
    let magnitude = abs(total)
    let (h, m, s) = (magnitude / 3600, magnitude / 60 % 60, magnitude % 60)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    if h > 0 { return "\(sign)\(h)h \(two(m))m \(two(s))s" }
    if m > 0 { return "\(sign)\(m)m \(two(s))s" }
    return "\(sign)\(s)s"
  }
}
