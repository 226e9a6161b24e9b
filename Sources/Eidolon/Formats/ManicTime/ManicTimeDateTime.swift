/// The wall-clock times ManicTime's CSV exports hold (formats/manictime.md, "Dates"):
/// mtc's ISO-like `2024-03-04T09:00:05.1234567` (or a space for the T), and the GUI's
/// Windows-locale forms: `3/4/2019 11:33:52 AM` (en-US), `04.03.2019 11:33:52` (German
/// and most of Europe), `04/03/2019 11:33` (day first), `2019/03/04 11:33:52` (Japan).
public enum ManicTimeDateTime {
  /// Which of two numbers before the year is the day, for `3/4/2019`.
  public enum DateOrder: String, CaseIterable, Sendable {
    /// Month first: 3/4/2019 is March 4 (en-US).
    case mdy
    /// Day first: 3/4/2019 is April 3 (most other locales).
    case dmy
  }

  /// A time read from a cell, and what it says about the date order.
  public struct Parsed: Equatable {
    public var local: LocalDateTime
    /// Read without an order, a date like 3/4/2019 could be either way (first is taken as the month).
    public var isAmbiguous = false
    /// Read without an order, a date like 13/4/2019 that can be read only one way.
    public var settles: DateOrder?
  }

  /// What a pair of numbers before the year settles: nil when both could be the month.
  public static func order(settledBy parts: (Int, Int)) -> DateOrder? {
    if parts.0 > 12 && parts.1 <= 12 { return .dmy }
    if parts.1 > 12 && parts.0 <= 12 { return .mdy }
    return nil
  }

  /// Reads `text`; `order` is used for dates like 3/4/2019 (month first when nil, and the
  /// result says the date was ambiguous). Nil for anything that is not such a time.
  public static func parse(_ text: String, order: DateOrder?) -> Parsed? {
    var text = text
    // Read off the string's own bytes: this runs twice on every row of an export.
    return text.withUTF8 { parse(bytes: $0, order: order) }
  }

  /// mtc's own form, `2024-03-04T09:00:05.1234567` (or a space for the T; zero to nine
  /// digits of fraction), read straight off the bytes; nil for any other text or a time
  /// that is not valid, which `parse` then reads (it gives the same for these).
  static func usual(_ bytes: UnsafeRawBufferPointer) -> LocalDateTime? {
    let n = bytes.count
    guard n >= 19, n != 20, n <= 29, let p = bytes.baseAddress, bytes[10] == 0x54 || bytes[10] == 0x20, n == 19 || bytes[19] == 0x2E,
      var local = LocalDateTime.usualDigits(date: p, time: p + 11)
    else { return nil }
    if n == 27 {
      // mtc's seven digits of fraction, with the dot before them as a leading zero: eight
      // digits read in a word.
      guard let fraction = LocalDateTime.eightDigits((p + 19).loadUnaligned(as: UInt64.self) & ~0xFF | 0x30) else { return nil }
      local.nanosecond = fraction &* 100
    } else if n > 20 {
      var nanosecond = 0
      for i in 20..<n {
        let d = bytes[i] &- 0x30
        guard d <= 9 else { return nil }
        nanosecond = nanosecond &* 10 &+ Int(d)
      }
      for _ in (n - 20)..<9 { nanosecond &*= 10 }
      local.nanosecond = nanosecond
    }
    return local.isValid ? local : nil
  }

  static func parse(bytes: UnsafeBufferPointer<UInt8>, order: DateOrder?) -> Parsed? {
    var scanner = Scanner(bytes)
    scanner.skipSpaces()
    guard let first = scanner.number() else { return nil }
    var year = 0, month = 0, day = 0
    var isAmbiguous = false
    var settles: DateOrder?
    if first.digits == 4 {
      // 2024-03-04 or 2019/03/04: year first, month, day.
      guard let separator = scanner.take(anyOf: "-/."), let m = scanner.number(), scanner.take(separator),
        let d = scanner.number()
      else { return nil }
      (year, month, day) = (first.value, m.value, d.value)
    } else {
      guard let separator = scanner.take(anyOf: "/.-"), let second = scanner.number(), scanner.take(separator),
        let y = scanner.number(), y.digits == 4
      else { return nil }
      year = y.value
      if separator == UInt8(ascii: ".") {
        (day, month) = (first.value, second.value)  // 04.03.2019 is always day first
      } else {
        if order == nil {
          settles = ManicTimeDateTime.order(settledBy: (first.value, second.value))
          isAmbiguous = settles == nil
        }
        let reading = order ?? settles ?? .mdy
        (month, day) = reading == .mdy ? (first.value, second.value) : (second.value, first.value)
      }
    }
    // The time: T or spaces (and a comma, as some locales write), H:MM[:SS[.fraction]] [AM|PM].
    if !scanner.take(UInt8(ascii: "T")) {
      _ = scanner.take(UInt8(ascii: ","))
      guard scanner.skipSpaces() else { return nil }
    }
    guard let h = scanner.number(), h.digits <= 2, scanner.take(UInt8(ascii: ":")), let m = scanner.number(), m.digits == 2 else {
      return nil
    }
    var hour = h.value, second = 0, nanosecond = 0
    if scanner.take(UInt8(ascii: ":")) {
      guard let s = scanner.number(), s.digits == 2 else { return nil }
      second = s.value
      if scanner.take(anyOf: ".,") != nil {
        guard let fraction = scanner.number(), fraction.digits <= 9 else { return nil }
        nanosecond = fraction.value
        for _ in fraction.digits..<9 { nanosecond *= 10 }
      }
    }
    scanner.skipSpaces()
    if let meridiem = scanner.meridiem() {
      guard (1...12).contains(hour) else { return nil }
      hour = hour % 12 + (meridiem == .pm ? 12 : 0)
    }
    scanner.skipSpaces()
    guard scanner.atEnd, (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month),
      hour < 24, m.value < 60, second < 60
    else { return nil }
    return Parsed(local: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: m.value, second: second,
                                       nanosecond: nanosecond),
                  isAmbiguous: isAmbiguous, settles: settles)
  }

  private enum Meridiem { case am, pm }

  private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { at == bytes.count }

    /// Skips spaces (and no-break spaces, which Windows puts before AM/PM in some locales); true if any.
    @discardableResult
    mutating func skipSpaces() -> Bool {
      let from = at
      while at < bytes.count {
        if bytes[at] == 0x20 {
          at += 1
        } else if at + 1 < bytes.count, bytes[at] == 0xC2, bytes[at + 1] == 0xA0 {
          at += 2
        } else if at + 2 < bytes.count, bytes[at] == 0xE2, bytes[at + 1] == 0x80, bytes[at + 2] == 0xAF {
          at += 3  // narrow no-break space
        } else {
          break
        }
      }
      return at > from
    }

    mutating func number() -> (value: Int, digits: Int)? {
      var value = 0, digits = 0
      while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39, digits < 10 {
        value = value * 10 + Int(bytes[at] - 0x30)
        digits += 1
        at += 1
      }
      return digits == 0 ? nil : (value, digits)
    }

    mutating func take(_ byte: UInt8) -> Bool {
      guard at < bytes.count, bytes[at] == byte else { return false }
      at += 1
      return true
    }

    mutating func take(anyOf set: String) -> UInt8? {
      guard at < bytes.count, set.utf8.contains(bytes[at]) else { return nil }
      at += 1
      return bytes[at - 1]
    }

    mutating func meridiem() -> Meridiem? {
      guard at + 1 < bytes.count, bytes[at + 1] | 0x20 == UInt8(ascii: "m") else { return nil }
      let letter = bytes[at] | 0x20
      guard letter == UInt8(ascii: "a") || letter == UInt8(ascii: "p") else { return nil }
      at += 2
      return letter == UInt8(ascii: "a") ? .am : .pm
    }
  }

  /// A Duration cell: `H:MM:SS` with unpadded hours of any size (`0:01:05`, `26:03:04`),
  /// .NET's `d.hh:mm:ss`, and a fraction of a second; seconds, or nil. Read off the bytes:
  /// it is on every row.
  public static func duration(_ text: String) -> Double? {
    var numbers: [Int] = []
    var separators: [UInt8] = []
    var current = 0, digits = 0, fraction = 0.0, scale = 0.1
    var inFraction = false
    for byte in text.utf8 {
      switch byte {
      case 0x30...0x39:
        if inFraction {
          fraction += Double(byte - 0x30) * scale
          scale /= 10
        } else {
          guard digits < 12 else { return nil }
          current = current * 10 + Int(byte - 0x30)
          digits += 1
        }
      case UInt8(ascii: ":"), UInt8(ascii: "."):
        guard digits > 0, !inFraction else { return nil }
        // A dot after H:MM:SS starts the fraction; before the first colon it ends the days.
        if byte == UInt8(ascii: "."), separators.filter({ $0 == UInt8(ascii: ":") }).count == 2 {
          inFraction = true
          continue
        }
        numbers.append(current)
        separators.append(byte)
        current = 0
        digits = 0
      case 0x20, 0x09: continue
      default: return nil
      }
    }
    guard digits > 0 || inFraction else { return nil }
    numbers.append(current)
    var days = 0
    if separators.first == UInt8(ascii: ".") {
      days = numbers.removeFirst()
      separators.removeFirst()
    }
    guard numbers.count == 3, separators == [UInt8(ascii: ":"), UInt8(ascii: ":")], numbers[1] < 60, numbers[2] < 60 else { return nil }
    // In Doubles: twelve digits of days or hours times 86,400 stays exact, never traps.
    return Double(days) * 86_400 + Double(numbers[0]) * 3600 + Double(numbers[1] * 60 + numbers[2]) + fraction
  }
}
