@testable import Eidolon
import Foundation
import Testing

/// The one path from input text to numbers, and the one check every event passes.
@Suite struct NumberAndSpecTests {
  @Test func decimalsAreWhatTrackersWriteAndNothingElse() {
    for (text, value) in [("0", 0.0), ("12", 12), ("-3.5", -3.5), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("2.5E-1", 0.25)] {
      #expect(InputNumber.decimal(text) == value, "\(text)")
    }
    for text in ["", "-", ".", "+1", "0x1p3", "inf", "-inf", "nan", "NaN", "1e", "1e999", " 1", "1 ", "1,5", "١٢", "e5"] {
      #expect(InputNumber.decimal(text) == nil, "\(text)")
    }
  }

  @Test func integersStopAtInt64WithoutATrap() {
    #expect(InputNumber.integer("9223372036854775807") == Int64.max)
    #expect(InputNumber.integer("-42") == -42)
    #expect(InputNumber.integer("01") == 1)
    for text in ["9223372036854775808", "99999999999999999999", "", "-", "+1", "1.0", "1e3"] {
      #expect(InputNumber.integer(text) == nil, "\(text)")
    }
    #expect(InputNumber.millis(seconds: Int64.max) == nil)
    #expect(InputNumber.millis(seconds: 1e300) == nil)
    #expect(InputNumber.millis(seconds: .infinity) == nil)
    #expect(InputNumber.millis(seconds: 1.5) == 1500)
    #expect(InputNumber.wholeInt(1e300) == nil && InputNumber.wholeInt(2.5) == nil && InputNumber.wholeInt(7) == 7)
  }

  @Test func jsonNumbersFollowTheGrammar() {
    for text in ["0", "-0", "1.5", "1e5", "-1.25E+10", "10"] { #expect(InputNumber.isJSONNumber(text), "\(text)") }
    for text in ["01", ".5", "+1", "1.", "inf", "1e", "0x10", "", "-"] { #expect(!InputNumber.isJSONNumber(text), "\(text)") }
    #expect(InputNumber.jsonValue("01") == .number("1"))
    #expect(InputNumber.jsonValue(".5") == .number("0.5"))
    #expect(InputNumber.jsonValue("2.50") == .number("2.50"))
    #expect(InputNumber.jsonValue("+1") == nil)
  }

  @Test func theSpecRefusesWhatNoWriterCouldWrite() {
    let good = Event(id: "x:1", source: "x", kind: "window", start: 1_700_000_000_000, duration: 60)
    #expect(EventSpec.problem(good) == nil)
    var event = good
    for duration in [-1, .infinity, .nan, 1e300, EventSpec.maxDurationSeconds + 1] {
      event.duration = duration
      #expect(EventSpec.problem(event) != nil, "\(duration)")
    }
    event.duration = EventSpec.maxDurationSeconds
    #expect(EventSpec.problem(event) == nil)
    event = good
    event.start = Timestamp.minMillis - 1
    #expect(EventSpec.problem(event)?.contains("0001 to 9999") == true)
    event.start = Timestamp.maxMillis - 10
    #expect(EventSpec.problem(event)?.contains("past the year 9999") == true)
    event = good
    event.productivity = 3
    #expect(EventSpec.problem(event) != nil)
    event = good
    event.offset = "2 hours"
    #expect(EventSpec.problem(event) != nil)
    event = good
    event.attrs["n"] = .array([.object(JSONObject([.init("deep", .number("01"))]))])
    #expect(EventSpec.problem(event)?.contains("\"01\"") == true)
    #expect(EventSpec.problem(event, attrsNumbers: false) == nil)
    event = good
    event.id = ""
    #expect(EventSpec.problem(event) != nil)
  }

  @Test func anEndPastAnyDateSaturatesInsteadOfTrapping() {
    var event = Event(id: "x:1", source: "x", kind: "window", start: 0, duration: 1e300)
    #expect(event.endMillis == Int64.max)
    event.duration = .infinity
    #expect(event.endMillis == Int64.max)
    event.duration = 1.5
    #expect(event.endMillis == 1500)
  }

  /// The checked end is there exactly when the spec finds nothing wrong with the start
  /// and the duration, and the end stays in the years 0001-9999.
  @Test func aCheckedEndIsThereWhenTheSpecTakesTheTimes() {
    let max = EventSpec.maxDurationSeconds
    let seconds = [Double.nan, -.infinity, .infinity, -1, -0.0, 0, 0.0005, 1.5, max, max.nextUp, 1e300, -Double.leastNonzeroMagnitude]
    let starts = [Timestamp.minMillis - 1, Timestamp.minMillis, 0, Timestamp.maxMillis - 1000, Timestamp.maxMillis, Timestamp.maxMillis + 1]
    for second in seconds {
      for start in starts {
        let takes = EventSpec.durationProblem(second) == nil && EventSpec.startProblem(start) == nil
        let expected = takes ? Optional(start + Int64((second * 1000).rounded())).flatMap { $0 <= Timestamp.maxMillis ? $0 : nil } : nil
        #expect(EventSpec.endMillis(start: start, seconds: second) == expected, "\(second) s from \(start)")
      }
    }
  }

  @Test func bigObjectsAreSetAndReadByKeyInLinearTime() {
    var object = JSONObject()
    for i in 0..<50_000 { object["k\(i)"] = .number(i) }
    object["k7"] = .string("seven")
    object["k49999"] = nil
    #expect(object.count == 49_999)
    #expect(object["k7"] == .string("seven") && object["k49998"] == .number(49_998) && object["k49999"] == nil)
    object.members.append(.init("late", .null))
    #expect(object["late"] == .null)
    #expect(object == JSONObject(object.members))
  }
}

@Suite struct ShortestNumberTextTests {
  /// `shortestValue` may say no to a text that is in the shortest form, never yes to one
  /// that is not, and its value is strtod's: checked against writing the parsed value,
  /// over many texts, and read from the front of a longer text as the scanner reads it.
  @Test func aTextCalledShortestIsWhatTheWriterWrites() throws {
    var random = SplitMix(state: 77)
    var texts = ["0", "1", "10", "100", "0.5", "0.01", "0.05", "0.001", "0.0001", "3.0", "3.10", "2.256", "20.618", "05", "-1",
                 "1e5", "1.", ".5", "123456789012345", "1234567890123456", "0.123456789012345", "0.1234567890123456",
                 "99999999999999.5", "9007199254740993", "0.30000000000000004"]
    for _ in 0..<20_000 {
      let digits = 1 + random.below(17)
      var text = String((0..<digits).map { _ in Character(String(random.below(10))) })
      if random.below(2) == 0 && digits > 1 {
        let point = 1 + random.below(digits - 1)
        text.insert(".", at: text.index(text.startIndex, offsetBy: point))
      }
      texts.append(text)
    }
    var shortest = 0
    for text in texts {
      var bytes = text
      let value = bytes.withUTF8 { NumberText.shortestValue(UnsafeRawBufferPointer($0)) }
      // As the scanner reads it: the number at the front, taken when a comma follows it.
      var followed = Array(text.utf8) + Array(",\"x\":1".utf8)
      let front = followed.withUnsafeMutableBufferPointer { NumberText.shortestNumber($0.baseAddress!, $0.count) }
      #expect(front.flatMap { followed[$0.length] == 0x2C ? $0.value : nil } == value, "\(text)")
      guard let value else { continue }
      #expect(value == Double(text)!, "\(text)")
      shortest += 1
      let out = ByteBuffer()
      out.appendJSONNumber(Double(text)!)
      #expect(String(decoding: out.bytes, as: UTF8.self) == text)
    }
    #expect(shortest > 5_000)
  }

  /// An id's 32 hex digits against Swift's own hex of each word.
  @Test func idDigitsAreEachWordInLowerCaseHex() {
    var random = SplitMix(state: 23)
    var hashes: [(UInt64, UInt64)] = [(0, 0), (.max, .max), (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210), (0xA, 0x9F)]
    for _ in 0..<2000 { hashes.append((random.next(), random.next() >> UInt64(random.below(64)))) }
    for hash in hashes {
      func hex(_ word: UInt64) -> String { String(repeating: "0", count: 16 - String(word, radix: 16).count) + String(word, radix: 16) }
      var out = [UInt8](repeating: 0, count: 32)
      out.withUnsafeMutableBytes { EventID.writeHex(hash, to: $0.baseAddress!) }
      #expect(String(decoding: out, as: UTF8.self) == hex(hash.0) + hex(hash.1))
    }
  }

  /// A date and a time read a word at a time against the same read a digit at a time, on
  /// texts that are nearly the usual layout (a digit or separator changed at any place).
  @Test func usualDatesAndTimesReadAsTheDigitsSay() {
    func expected(_ date: [UInt8], _ time: [UInt8]) -> LocalDateTime? {
      func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var value = 0
        for i in range {
          guard (0x30...0x39).contains(bytes[i]) else { return nil }
          value = value * 10 + Int(bytes[i] - 0x30)
        }
        return value
      }
      guard date[4] == 0x2D, date[7] == 0x2D, time[2] == 0x3A, time[5] == 0x3A, let year = number(date, 0..<4),
        let month = number(date, 5..<7), let day = number(date, 8..<10), let hour = number(time, 0..<2),
        let minute = number(time, 3..<5), let second = number(time, 6..<8)
      else { return nil }
      return LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
    var random = SplitMix(state: 41)
    let odd: [UInt8] = [0x2F, 0x3A, 0x2D, 0x20, 0x00, 0xFF, 0x80, 0x39, 0x30, 0x41, 0x0A, 0x7F, 0xB0, 0xC9]
    for round in 0..<20_000 {
      var date = Array(String(format: "%04d-%02d-%02d", random.below(10_000), random.below(100), random.below(100)).utf8)
      var time = Array(String(format: "%02d:%02d:%02d", random.below(100), random.below(100), random.below(100)).utf8)
      if round % 2 == 1 {
        if random.below(2) == 0 { date[random.below(10)] = odd[random.below(odd.count)] } else { time[random.below(8)] = odd[random.below(odd.count)] }
      }
      let got = date.withUnsafeBytes { d in time.withUnsafeBytes { t in LocalDateTime.usualDigits(date: d.baseAddress!, time: t.baseAddress!) } }
      #expect(got == expected(date, time), "\(date) \(time)")
    }
  }

  /// `WallClockSeconds` against `usualDigits`, `isValid` and `secondsAsIfUTC`, on runs of
  /// rows that share a date (its remembered days) and dates that change, valid or not
  /// (February 29th of years that are and are not leap years, month 13, day 0, 24:00:00, a
  /// byte changed anywhere), 1970-01-01 first (the day it starts with).
  @Test func wallClockSecondsAgreeWithTheLocalTime() {
    var random = SplitMix(state: 47)
    var clock = WallClockSeconds()
    let odd: [UInt8] = [0x2F, 0x3A, 0x2D, 0x20, 0x00, 0xFF, 0x39, 0x30, 0x41]
    var date = Array("1970-01-01".utf8)
    var checked = 0
    for round in 0..<40_000 {
      if round > 0 && random.below(8) == 0 {
        switch random.below(4) {
        case 0: date = Array(String(format: "%04d-02-29", [1900, 2000, 2023, 2024, 2100, 1, 9999][random.below(7)]).utf8)
        case 1: date = Array(String(format: "%04d-%02d-%02d", random.below(10_000), random.below(14), random.below(33)).utf8)
        case 2: date[random.below(10)] = odd[random.below(odd.count)]
        default: date = Array(String(format: "%04d-%02d-%02d", 1 + random.below(9999), 1 + random.below(12), 1 + random.below(28)).utf8)
        }
      }
      var time = Array(String(format: "%02d:%02d:%02d", random.below(25), random.below(61), random.below(61)).utf8)
      if random.below(16) == 0 { time[random.below(8)] = odd[random.below(odd.count)] }
      let got = date.withUnsafeBytes { d in time.withUnsafeBytes { t in clock.seconds(date: d.baseAddress!, time: t.baseAddress!) } }
      let local = date.withUnsafeBytes { d in time.withUnsafeBytes { t in LocalDateTime.usualDigits(date: d.baseAddress!, time: t.baseAddress!) } }
      let expected = local.flatMap { $0.isValid ? $0.secondsAsIfUTC : nil }
      #expect(got == expected, "\(String(decoding: date, as: UTF8.self)) \(String(decoding: time, as: UTF8.self))")
      if expected != nil { checked += 1 }
    }
    #expect(checked > 10_000)
  }

  /// `CanonicalTimeWriter` against `Timestamp.writeCanonical` on times in order (the same
  /// day, the next, a jump back), around midnight, and outside the years 0001-9999 (clamped).
  @Test func canonicalTimesWithTheDateKeptAreTheCanonicalTimes() {
    var random = SplitMix(state: 53)
    var writer = CanonicalTimeWriter()
    var millis: Int64 = 1_700_000_000_000
    var got = [UInt8](repeating: 0, count: 24), expected = [UInt8](repeating: 0, count: 24)
    for round in 0..<30_000 {
      switch random.below(10) {
      case 0: millis &-= Int64(random.below(5 * 86_400_000))  // back
      case 1: millis = (millis / 86_400_000) &* 86_400_000 &+ [-1, 0, 1, 86_399_999][random.below(4)]  // around midnight
      case 2: millis = [Timestamp.firstMillis - 1, Timestamp.firstMillis, Timestamp.lastMillis, Timestamp.lastMillis + 1, -1, 0, Int64.min, Int64.max][random.below(8)]
      case 3: millis = Int64(random.below(1 << 30)) * 200_000 - 62_000_000_000_000
      default: millis &+= Int64(random.below(3_600_000))
      }
      got.withUnsafeMutableBufferPointer { writer.write(millis, to: $0.baseAddress!) }
      expected.withUnsafeMutableBufferPointer { Timestamp.writeCanonical(millis, to: $0.baseAddress!) }
      #expect(got == expected, "\(round): \(millis)")
    }
  }

  @Test func eightDigitsReadAsTheirNumber() {
    var random = SplitMix(state: 43)
    for round in 0..<20_000 {
      var text = Array(String(format: "%08d", random.below(100_000_000)).utf8)
      if round % 3 == 0 { text[random.below(8)] = [0x2F, 0x3A, 0x2E, 0x00, 0xB0, 0x41][random.below(6)] }
      let word = text.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
      #expect(LocalDateTime.eightDigits(word) == Int(String(decoding: text, as: UTF8.self)), "\(text)")
    }
  }

  /// The literal bounds `Timestamp.appendCanonical` clamps to are the worked-out ones.
  @Test func canonicalTimesClampToTheSpecsBounds() {
    #expect(Timestamp.firstMillis == Timestamp.minMillis)
    #expect(Timestamp.lastMillis == Timestamp.maxMillis)
  }

  /// Days to dates, the unsigned way of years 1-9999, against the signed formula written
  /// out here (Howard Hinnant's civil_from_days), at every day of the edge years and
  /// random days between.
  @Test func civilDatesAgreeWithTheSignedFormula() {
    func expected(_ days: Int64) -> (Int, Int, Int) {
      let z = days + 719_468
      let era = (z >= 0 ? z : z - 146_096) / 146_097
      let dayOfEra = z - era * 146_097
      let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
      let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
      let mp = (5 * dayOfYear + 2) / 153
      let month = mp < 10 ? mp + 3 : mp - 9
      return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(dayOfYear - (153 * mp + 2) / 5 + 1))
    }
    var days: [Int64] = Array(-720_000 ... -718_000) + Array(2_932_000 ... 2_934_000) + Array(-400 ... 400)
    var random = SplitMix(state: 47)
    for _ in 0..<20_000 { days.append(Int64(random.below(3_652_059)) - 719_162) }
    for day in days {
      let got = CivilTime.civilFromDays(day)
      #expect(got == expected(day), "\(day)")
    }
  }
}
