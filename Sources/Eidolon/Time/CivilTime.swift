/// Calendar arithmetic on the proleptic Gregorian calendar, without Foundation.
/// (The day-count formulas are Howard Hinnant's `days_from_civil` and `civil_from_days`.)
public enum CivilTime {
  public static let millisPerDay: Int64 = 86_400_000

  /// Days since 1970-01-01 of a calendar date.
  @inline(__always)
  public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    if year >= 1 && year <= 9999 && month >= 1 && month <= 12 {
      // Every date a reader makes: nothing negative, so unsigned arithmetic, whose
      // divisions by constants are a multiply and a shift.
      let y = UInt32(truncatingIfNeeded: month <= 2 ? year &- 1 : year)
      let era = y / 400
      let yearOfEra = y &- era &* 400
      let m = UInt32(truncatingIfNeeded: month)
      let dayOfYear = (153 &* (m > 2 ? m &- 3 : m &+ 9) &+ 2) / 5
      let dayOfEra = yearOfEra &* 365 &+ yearOfEra / 4 &- yearOfEra / 100 &+ dayOfYear
      return Int64(era &* 146_097 &+ dayOfEra) - 719_468 + Int64(day) - 1
    }
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let m = Int64(month)
    let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The calendar date of a day count since 1970-01-01.
  @inline(__always)
  public static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
    if days >= -719_162 && days <= 2_932_896 {
      // Years 1-9999 (every instant a reader takes): the same in unsigned arithmetic,
      // whose divisions by constants are a multiply and a shift.
      let z = UInt32(truncatingIfNeeded: days &+ 719_468)
      let era = z / 146_097
      let dayOfEra = z &- era &* 146_097
      let yearOfEra = (dayOfEra &- dayOfEra / 1460 &+ dayOfEra / 36524 &- dayOfEra / 146_096) / 365
      let dayOfYear = dayOfEra &- (365 &* yearOfEra &+ yearOfEra / 4 &- yearOfEra / 100)
      let mp = (5 &* dayOfYear &+ 2) / 153
      let day = dayOfYear &- (153 &* mp &+ 2) / 5 &+ 1
      let month = mp < 10 ? mp &+ 3 : mp &- 9
      let year = yearOfEra &+ era &* 400 &+ (month <= 2 ? 1 : 0)
      return (Int(year), Int(month), Int(day))
    }
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
  }

  public static func isLeapYear(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// 0 for Monday through 6 for Sunday.
  public static func weekday(days: Int64) -> Int {
    // 1970-01-01 was a Thursday (3).
    Int(((days % 7) + 7 + 3) % 7)
  }

  /// Floor division, for splitting milliseconds into days.
  @inline(__always)
  public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }
}

/// A wall-clock date and time with no zone: what a tracker wrote down locally.
public struct LocalDateTime: Sendable, Equatable {
  public var year: Int
  public var month: Int
  public var day: Int
  public var hour: Int
  public var minute: Int
  public var second: Int
  public var nanosecond: Int

  public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
    self.nanosecond = nanosecond
  }

  /// True when every part is in range (month 1-12, day in that month, hour 0-23 ...).
  public var isValid: Bool {
    (1...9999).contains(year) && (1...12).contains(month)
      && day >= 1 && day <= CivilTime.daysInMonth(year: year, month: month)
      && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
      && (0..<1_000_000_000).contains(nanosecond)
  }

  /// Seconds since 1970-01-01T00:00:00 on the same wall clock (as if it were UTC).
  public var secondsAsIfUTC: Int64 {
    CivilTime.daysFromCivil(year: year, month: month, day: day) * 86_400
      + Int64(hour * 3600 + minute * 60 + second)
  }
}

extension LocalDateTime {
  /// The wall-clock time this many seconds after 1970-01-01T00:00:00 (the inverse of `secondsAsIfUTC`).
  public init(secondsAsIfUTC seconds: Int64) {
    let days = CivilTime.floorDiv(seconds, 86_400)
    let rest = Int(seconds - days * 86_400)
    let (y, m, d) = CivilTime.civilFromDays(days)
    self.init(year: y, month: m, day: d, hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60)
  }
}

extension LocalDateTime {
  /// "YYYY-MM-DD" at `date` and "HH:MM:SS" at `time` (the caller has seen ten and eight
  /// bytes there), every digit and separator checked and every number read at once in a
  /// word; nil for other bytes. Not checked for range: `isValid` says.
  /// (A digit at a time, toggl-read's and mt-read's dates took 140 to 260 instructions.)
  @inline(__always)
  static func usualDigits(date: UnsafeRawPointer, time: UnsafeRawPointer) -> LocalDateTime? {
    let dateWord = date.loadUnaligned(as: UInt64.self), timeWord = time.loadUnaligned(as: UInt64.self)
    let dayWord = UInt64(date.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
    // "YYYY-MM-" and "HH:MM:SS": the separators, then the digits around them.
    guard dateWord & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000, timeWord & 0x0000_FF00_00FF_0000 == 0x0000_3A00_003A_0000,
      let d = LocalDateTime.digits(dateWord, 0x00FF_FF00_FFFF_FFFF), let t = LocalDateTime.digits(timeWord, 0xFFFF_00FF_FF00_FFFF),
      let dd = LocalDateTime.digits(dayWord, 0xFFFF)
    else { return nil }
    // Each byte times ten plus the byte above: two-digit numbers at bytes 0, 2, 5 (date)
    // and 0, 3, 6 (time); no byte above 99 (separators are zero), so none carries.
    let pairs = d &* 10 &+ (d >> 8), clock = t &* 10 &+ (t >> 8)
    @inline(__always) func byte(_ word: UInt64, _ k: UInt64) -> Int { Int(truncatingIfNeeded: (word >> (8 &* k)) & 0xFF) }
    return LocalDateTime(year: byte(pairs, 0) &* 100 &+ byte(pairs, 2), month: byte(pairs, 5),
                         day: byte(dd, 0) &* 10 &+ byte(dd, 1), hour: byte(clock, 0), minute: byte(clock, 3), second: byte(clock, 6))
  }

  /// The digits' values at the bytes `picked` picks (zero elsewhere), nil when one of them
  /// is not a digit. Xor with '0' makes exactly the digits 0-9 (no borrow between bytes,
  /// as a subtraction would make); 0x76 added takes any other value to 0x80 or more.
  @inline(__always)
  static func digits(_ word: UInt64, _ picked: UInt64) -> UInt64? {
    let value = (word ^ 0x3030_3030_3030_3030) & picked
    return ((value &+ 0x7676_7676_7676_7676) | value) & picked & 0x8080_8080_8080_8080 == 0 ? value : nil
  }

  /// Eight digits (the first in the lowest byte, as loaded from memory) as their number;
  /// nil when a byte is not a digit. Pairs, then fours, then the eight, each a multiply.
  @inline(__always)
  static func eightDigits(_ word: UInt64) -> Int? {
    guard var value = digits(word, ~0) else { return nil }
    value = (value &* 10 &+ (value >> 8)) & 0x00FF_00FF_00FF_00FF  // two-digit numbers at bytes 0, 2, 4, 6
    value = (value &* 100 &+ (value >> 16)) & 0x0000_FFFF_0000_FFFF  // four-digit ones at 0 and 4
    return Int(truncatingIfNeeded: (value &* 10_000 &+ (value >> 32)) & 0xFFFF_FFFF)
  }
}
