/// A calendar day (YYYY-MM-DD), as the APIs' date windows take them: days since 1970-01-01.
public struct LiveDay: Sendable, Comparable, Hashable, CustomStringConvertible {
  public let number: Int64

  public init(number: Int64) { self.number = number }

  /// `YYYY-MM-DD` (or the date of an RFC 3339 time), nil for anything else.
  public init?(_ text: String) {
    let bytes = Array(text.utf8.prefix(10))
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)), let month = Int(String(decoding: bytes[5..<7], as: UTF8.self)),
      let day = Int(String(decoding: bytes[8..<10], as: UTF8.self)), (1...9999).contains(year), (1...12).contains(month),
      (1...CivilTime.daysInMonth(year: year, month: month)).contains(day)
    else { return nil }
    number = CivilTime.daysFromCivil(year: year, month: month, day: day)
  }

  public static func today(now seconds: Double) -> LiveDay { LiveDay(number: Int64((seconds / 86_400).rounded(.down))) }

  public func adding(_ days: Int) -> LiveDay { LiveDay(number: number + Int64(days)) }

  public var description: String {
    let (y, m, d) = CivilTime.civilFromDays(number)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(String(repeating: "0", count: max(0, 4 - String(y).count)))\(y)-\(two(m))-\(two(d))"
  }

  public static func < (a: LiveDay, b: LiveDay) -> Bool { a.number < b.number }
}
