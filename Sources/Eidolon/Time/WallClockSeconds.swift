/// Wall-clock seconds since 1970-01-01T00:00:00 (`LocalDateTime.secondsAsIfUTC`) of a
/// "YYYY-MM-DD" and an "HH:MM:SS" as bytes, the last date's day count kept: a tracker's
/// rows come in time order, hundreds to a day, so a row's date is compared with the last
/// one (two loads), not read, checked and counted again. What it answers is what
/// `LocalDateTime.usualDigits`, `isValid` and `secondsAsIfUTC` answer together (a test
/// compares); nil where they give nil. One per thread.
struct WallClockSeconds {
  /// The last date's ten bytes, as loaded, and its days. It starts at 1970-01-01, day 0,
  /// so a date that matches before any was read is still answered right.
  private var dateWord = WallClockSeconds.epochWord, dateTail = WallClockSeconds.epochTail
  private var days: Int64 = 0

  private static let epochWord: UInt64 = 0x2D31_302D_3037_3931  // "1970-01-"
  private static let epochTail: UInt16 = 0x3130  // "01"

  /// The seconds of `date`'s ten bytes and `time`'s eight; nil for any other layout, a
  /// date that does not exist or a time past 23:59:59.
  @inline(__always)
  mutating func seconds(date: UnsafeRawPointer, time: UnsafeRawPointer) -> Int64? {
    let word = date.loadUnaligned(as: UInt64.self), tail = date.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
    if word != dateWord || tail != dateTail {
      guard let counted = WallClockSeconds.days(word, tail) else { return nil }
      (dateWord, dateTail, days) = (word, tail, counted)
    }
    guard let second = WallClockSeconds.secondOfDay(time.loadUnaligned(as: UInt64.self)) else { return nil }
    return days &* 86_400 &+ second
  }

  /// The days since 1970-01-01 of "YYYY-MM-DD" (a word and the last two bytes); nil when
  /// it is not that layout or not a date of years 1-9999. Once a day: not inlined.
  @inline(never)
  private static func days(_ word: UInt64, _ tail: UInt16) -> Int64? {
    guard word & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000, let d = LocalDateTime.digits(word, 0x00FF_FF00_FFFF_FFFF),
      let dd = LocalDateTime.digits(UInt64(tail), 0xFFFF)
    else { return nil }
    let pairs = d &* 10 &+ (d >> 8)
    @inline(__always) func byte(_ word: UInt64, _ k: UInt64) -> Int { Int(truncatingIfNeeded: (word >> (8 &* k)) & 0xFF) }
    let year = byte(pairs, 0) &* 100 &+ byte(pairs, 2), month = byte(pairs, 5), day = byte(dd, 0) &* 10 &+ byte(dd, 1)
    guard year >= 1, month >= 1, month <= 12, day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else { return nil }
    return CivilTime.daysFromCivil(year: year, month: month, day: day)
  }

  /// "HH:MM:SS" (as loaded) as seconds into the day; nil for other bytes or past 23:59:59.
  @inline(__always)
  private static func secondOfDay(_ word: UInt64) -> Int64? {
    guard word & 0x0000_FF00_00FF_0000 == 0x0000_3A00_003A_0000, let t = LocalDateTime.digits(word, 0xFFFF_00FF_FF00_FFFF) else {
      return nil
    }
    // Two-digit numbers at bytes 0, 3 and 6 (`usualDigits`).
    let clock = t &* 10 &+ (t >> 8)
    let hour = clock & 0xFF, minute = (clock >> 24) & 0xFF, second = (clock >> 48) & 0xFF
    guard hour < 24, minute < 60, second < 60 else { return nil }
    return Int64(truncatingIfNeeded: hour &* 3600 &+ minute &* 60 &+ second)
  }
}
