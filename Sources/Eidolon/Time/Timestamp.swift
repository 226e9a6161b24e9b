/// RFC 3339 timestamps over bytes: parsing any fraction length and offset, and
/// writing the canonical form `2024-03-01T08:00:12.500Z`. No DateFormatter.
public struct ParsedTimestamp: Sendable, Equatable {
  /// The date and time as written, before the offset is applied.
  public var local: LocalDateTime
  /// The offset from UTC in seconds; nil when the text had none (a naive time).
  public var offsetSeconds: Int?
  public var fractionDigits: Int

  /// Milliseconds since the Unix epoch, UTC; a missing offset counts as UTC.
  /// Digits past the millisecond are cut (see `subMillisecondNanos`).
  public var epochMillis: Int64 {
    (local.secondsAsIfUTC - Int64(offsetSeconds ?? 0)) * 1000 + Int64(local.nanosecond / 1_000_000)
  }

  /// The part of the time finer than a millisecond, in nanoseconds (0 in most data).
  public var subMillisecondNanos: Int { local.nanosecond % 1_000_000 }
}

public enum Timestamp {
  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`. Also takes a space or
  /// lower-case `t` between date and time, `z`, `±HHMM`, and a comma before the
  /// fraction (ISO 8601). Returns nil, with the reason in `error`, when it is not one.
  public static func parse(_ bytes: UnsafeRawBufferPointer, error: inout String) -> ParsedTimestamp? {
    let n = bytes.count
    @inline(__always) func digits(_ at: Int, _ count: Int) -> Int? {
      guard at + count <= n else { return nil }
      var value = 0
      for i in at..<(at + count) {
        let c = bytes[i]
        guard c >= 0x30 && c <= 0x39 else { return nil }
        value = value * 10 + Int(c - 0x30)
      }
      return value
    }
    var local: LocalDateTime
    if n >= 19, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == 0x20,
      let usual = LocalDateTime.usualDigits(date: bytes.baseAddress!, time: bytes.baseAddress! + 11) {
      // Most times: every digit read a word at a time (a digit at a time took 420
      // instructions a time, 3% of mt-read's XML).
      local = usual
    } else {
      guard n >= 19, let year = digits(0, 4), bytes[4] == 0x2D, let month = digits(5, 2), bytes[7] == 0x2D,
        let day = digits(8, 2)
      else {
        error = "expected a date as YYYY-MM-DD"
        return nil
      }
      let separator = bytes[10]
      guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20 else {
        error = "expected 'T' between the date and the time"
        return nil
      }
      guard let hour = digits(11, 2), bytes[13] == 0x3A, let minute = digits(14, 2), bytes[16] == 0x3A,
        let second = digits(17, 2)
      else {
        error = "expected a time as HH:MM:SS"
        return nil
      }
      local = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
    var i = 19
    var nanos = 0
    var fractionDigits = 0
    if i < n && (bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",")) {
      i += 1
      while i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
        guard fractionDigits < 9 else {
          error = "more than 9 digits after the seconds"
          return nil
        }
        nanos = nanos * 10 + Int(bytes[i] - 0x30)
        fractionDigits += 1
        i += 1
      }
      guard fractionDigits > 0 else {
        error = "expected digits after the decimal point"
        return nil
      }
      nanos *= Timestamp.nanosPerUnit[fractionDigits]
    }
    var offset: Int? = nil
    if i < n {
      let c = bytes[i]
      if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
        offset = 0
        i += 1
      } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
        guard let oh = digits(i + 1, 2) else {
          error = "expected an offset as +HH:MM"
          return nil
        }
        var om = 0
        if i + 3 < n && bytes[i + 3] == 0x3A, let m = digits(i + 4, 2) {
          om = m
          i += 6
        } else if let m = digits(i + 3, 2) {
          om = m
          i += 5
        } else {
          error = "expected an offset as +HH:MM"
          return nil
        }
        guard oh <= 23 && om <= 59 else {
          error = "the offset is out of range"
          return nil
        }
        offset = (oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
      }
    }
    guard i == n else {
      error = "unexpected text after the time"
      return nil
    }
    local.nanosecond = nanos
    guard local.isValid else {
      error = local.second == 60 ? "leap seconds (:60) are not supported" : "the date or time is out of range"
      return nil
    }
    return ParsedTimestamp(local: local, offsetSeconds: offset, fractionDigits: fractionDigits)
  }

  /// Nanoseconds in one unit of a fraction's last digit, by the number of digits (1-9).
  static let nanosPerUnit = [0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1]

  public static func parse(_ text: String) -> ParsedTimestamp? {
    var text = text
    var error = ""
    return text.withUTF8 { parse(UnsafeRawBufferPointer($0), error: &error) }
  }

  /// True for exactly the canonical form: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
  public static func isCanonical(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count == 24 && bytes[10] == UInt8(ascii: "T") && bytes[19] == UInt8(ascii: ".")
      && bytes[23] == UInt8(ascii: "Z")
  }

  /// The earliest and latest instants the canonical form can write (years 0001 to 9999).
  public static let minMillis: Int64 = CivilTime.daysFromCivil(year: 1, month: 1, day: 1) * CivilTime.millisPerDay
  public static let maxMillis: Int64 = CivilTime.daysFromCivil(year: 10000, month: 1, day: 1) * CivilTime.millisPerDay - 1

  /// Writes `millis` (since the epoch, UTC) in the canonical form.
  public static func appendCanonical(_ millis: Int64, to out: ByteBuffer) {
    writeCanonical(millis, to: out.reserve(canonicalLength))
    out.commit(canonicalLength)
  }

  /// The length of every canonical text `appendCanonical` writes.
  static var canonicalLength: Int { 24 }

  /// Writes `millis` in the canonical form at `out`, which has room for `canonicalLength`.
  static func writeCanonical(_ millis: Int64, to out: UnsafeMutablePointer<UInt8>) {
    // Readers refuse instants outside the years 0001-9999; clamping keeps a stray one
    // from printing a wrong four-digit year. From there on every value is small and not
    // negative: unsigned arithmetic, whose divisions by constants are a multiply and a
    // shift, and two digits at a time (335 instructions a call before, 5% of mt-read's
    // CSV; bench/README.md).
    let sinceYear1 = UInt64(truncatingIfNeeded: min(max(millis, firstMillis), lastMillis) &- firstMillis)
    let inDay = UInt32(truncatingIfNeeded: sinceYear1 % 86_400_000)
    let (y, m, d) = CivilTime.civilFromDays(Int64(truncatingIfNeeded: sinceYear1 / 86_400_000) &- 719_162)
    let year = UInt32(truncatingIfNeeded: y), month = UInt32(truncatingIfNeeded: m), day = UInt32(truncatingIfNeeded: d)
    // Written straight into the buffer: this runs once for every event written.
    let p = UnsafeMutableRawPointer(out)
    let pairs = ByteBuffer.digitPairs
    @inline(__always) func two(_ value: UInt32, at k: Int) {
      p.storeBytes(of: pairs.loadUnaligned(fromByteOffset: Int(value) &* 2, as: UInt16.self), toByteOffset: k, as: UInt16.self)
    }
    @inline(__always) func byte(_ value: UInt8, at k: Int) { p.storeBytes(of: value, toByteOffset: k, as: UInt8.self) }
    two(year / 100, at: 0)
    two(year % 100, at: 2)
    byte(0x2D, at: 4)
    two(month, at: 5)
    byte(0x2D, at: 7)
    two(day, at: 8)
    writeTimeOfDay(inDay, to: out)
  }

  /// The canonical text's "THH:MM:SS.mmmZ" (bytes 10 to 23) of the millisecond `inDay`
  /// of its day.
  @inline(__always)
  static func writeTimeOfDay(_ inDay: UInt32, to out: UnsafeMutablePointer<UInt8>) {
    let p = UnsafeMutableRawPointer(out)
    let pairs = ByteBuffer.digitPairs
    @inline(__always) func two(_ value: UInt32, at k: Int) {
      p.storeBytes(of: pairs.loadUnaligned(fromByteOffset: Int(value) &* 2, as: UInt16.self), toByteOffset: k, as: UInt16.self)
    }
    @inline(__always) func byte(_ value: UInt8, at k: Int) { p.storeBytes(of: value, toByteOffset: k, as: UInt8.self) }
    byte(UInt8(ascii: "T"), at: 10)
    let seconds = inDay / 1000, millisecond = inDay % 1000
    let minutes = seconds / 60
    two(minutes / 60, at: 11)
    byte(0x3A, at: 13)
    two(minutes % 60, at: 14)
    byte(0x3A, at: 16)
    two(seconds &- minutes &* 60, at: 17)
    byte(UInt8(ascii: "."), at: 19)
    byte(UInt8(truncatingIfNeeded: millisecond / 100) &+ 0x30, at: 20)
    two(millisecond % 100, at: 21)
    byte(UInt8(ascii: "Z"), at: 23)
  }

  /// `minMillis` and `maxMillis` as literals, for `appendCanonical`: a `static let` worked
  /// out at run time is checked for its first use on every read (NumberAndSpecTests
  /// compares them).
  static let firstMillis: Int64 = -62_135_596_800_000
  static let lastMillis: Int64 = 253_402_300_799_999

  /// The canonical form of `millis` as a String (for messages and tests; not a hot path).
  public static func canonical(_ millis: Int64) -> String {
    let buffer = ByteBuffer(capacity: 32)
    appendCanonical(millis, to: buffer)
    return String(decoding: buffer.bytes, as: UTF8.self)
  }

  /// Parses an offset as written in the canonical "offset" field: `+02:00`, `-05:30`.
  public static func parseOffset(_ text: String) -> Int? {
    var text = text
    return text.withUTF8 { parseOffset(UnsafeRawBufferPointer($0)) }
  }

  /// `parseOffset` of the offset's UTF-8 bytes.
  public static func parseOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
    guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == 0x3A
    else { return nil }
    for k in [1, 2, 4, 5] where !(bytes[k] >= 0x30 && bytes[k] <= 0x39) { return nil }
    let hours = Int(bytes[1] - 0x30) * 10 + Int(bytes[2] - 0x30)
    let minutes = Int(bytes[4] - 0x30) * 10 + Int(bytes[5] - 0x30)
    guard hours <= 23 && minutes <= 59 else { return nil }
    return (hours * 3600 + minutes * 60) * (bytes[0] == UInt8(ascii: "-") ? -1 : 1)
  }

  /// Writes an offset in seconds as `+HH:MM` (whole minutes).
  public static func formatOffset(_ seconds: Int) -> String {
    let sign = seconds < 0 ? "-" : "+"
    let minutes = seconds.magnitude / 60
    let hh = minutes / 60
    let mm = minutes % 60
    if hh < 100 {
      // Six bytes written in place: joining five Strings cost more than reading the row.
      return String(unsafeUninitializedCapacity: 6) { out in
        out[0] = seconds < 0 ? 0x2D : 0x2B
        out[1] = UInt8(truncatingIfNeeded: hh / 10) + 0x30
        out[2] = UInt8(truncatingIfNeeded: hh % 10) + 0x30
        out[3] = 0x3A
        out[4] = UInt8(truncatingIfNeeded: mm / 10) + 0x30
        out[5] = UInt8(truncatingIfNeeded: mm % 10) + 0x30
        return 6
      }
    }
    return sign + String(hh) + ":" + (mm < 10 ? "0" : "") + String(mm)
  }
}

#if canImport(Glibc)
import Glibc
#endif

extension Timestamp {
  /// The current time in milliseconds since the epoch (for "until now").
  public static func nowMillis() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }
}
