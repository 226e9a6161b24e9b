import Eidolon
import Foundation
import Testing

private func parse(_ text: String) -> ParsedTimestamp? { Timestamp.parse(text) }

@Suite struct TimeTests {
  @Test func rfc3339WithEveryFractionLengthAndOffset() throws {
    let cases: [(String, Int64)] = [
      ("2024-03-01T08:00:12Z", 1_709_280_012_000),
      ("2024-03-01T08:00:12.5Z", 1_709_280_012_500),
      ("2024-03-01T08:00:12.500+00:00", 1_709_280_012_500),
      ("2024-03-01T08:00:12.500000+00:00", 1_709_280_012_500),
      ("2024-03-01T08:00:12.500000000Z", 1_709_280_012_500),
      ("2024-03-01T10:00:12.500+02:00", 1_709_280_012_500),
      ("2024-03-01T02:30:12.500-05:30", 1_709_280_012_500),
      ("2024-03-01 08:00:12.500z", 1_709_280_012_500),
      ("2024-03-01t08:00:12,500+0000", 1_709_280_012_500),
      ("1970-01-01T00:00:00Z", 0),
      ("1969-12-31T23:59:59.999Z", -1),
    ]
    for (text, millis) in cases {
      #expect(parse(text)?.epochMillis == millis, "\(text)")
    }
    #expect(parse("2024-03-01T08:00:12")?.offsetSeconds == nil)
    #expect(parse("2024-03-01T08:00:12.123456789Z")?.subMillisecondNanos == 456_789)
  }

  @Test func invalidTimestampsAreRefusedWithAReason() {
    for text in ["2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-03-01T24:00:00Z", "2024-03-01T08:00:60Z",
                 "2024-03-01", "2024-03-01T08:00Z", "2024-03-01T08:00:00.Z", "2024-03-01T08:00:00+2", "2024-03-01T08:00:00Zjunk",
                 "2024-03-01T08:00:00.1234567891Z", "24-03-01T08:00:00Z"] {
      #expect(parse(text) == nil, "\(text)")
    }
    var reason = ""
    var text = "2024-03-01T08:00:60Z"
    _ = text.withUTF8 { Timestamp.parse(UnsafeRawBufferPointer($0), error: &reason) }
    #expect(reason.contains("leap second"))
  }

  /// The date and time read a word at a time agree with reading them a digit at a time,
  /// whatever one byte of them is changed to.
  @Test func everyByteOfTheDateAndTimeIsChecked() {
    let valid = Array("2024-03-01T08:00:12.500+01:00".utf8)
    func digitAtATime(_ b: [UInt8]) -> LocalDateTime? {
      let digitPlaces = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
      guard b[4] == 0x2D, b[7] == 0x2D, [0x54, 0x74, 0x20].contains(b[10]), b[13] == 0x3A, b[16] == 0x3A,
        digitPlaces.allSatisfy({ b[$0] >= 0x30 && b[$0] <= 0x39 })
      else { return nil }
      func number(_ at: Int, _ count: Int) -> Int { (at..<(at + count)).reduce(0) { $0 * 10 + Int(b[$1] - 0x30) } }
      let local = LocalDateTime(year: number(0, 4), month: number(5, 2), day: number(8, 2), hour: number(11, 2),
                                minute: number(14, 2), second: number(17, 2), nanosecond: 500_000_000)
      return local.isValid ? local : nil
    }
    for place in 0..<19 {
      for byte: UInt8 in [0x00, 0x20, 0x2D, 0x2F, 0x30, 0x31, 0x35, 0x39, 0x3A, 0x54, 0x74, 0x61, 0x7F, 0xB0, 0xFF] {
        var text = valid
        text[place] = byte
        let parsed = text.withUnsafeBytes { raw -> ParsedTimestamp? in
          var reason = ""
          return Timestamp.parse(raw, error: &reason)
        }
        #expect(parsed?.local == digitAtATime(text), "\(String(decoding: text, as: UTF8.self))")
      }
    }
  }

  @Test func canonicalFormatting() {
    #expect(Timestamp.canonical(1_709_280_012_500) == "2024-03-01T08:00:12.500Z")
    #expect(Timestamp.canonical(0) == "1970-01-01T00:00:00.000Z")
    #expect(Timestamp.canonical(-1) == "1969-12-31T23:59:59.999Z")
    #expect(Timestamp.canonical(Timestamp.maxMillis) == "9999-12-31T23:59:59.999Z")
    #expect(Timestamp.canonical(Timestamp.minMillis) == "0001-01-01T00:00:00.000Z")
    #expect(Timestamp.canonical(Timestamp.maxMillis + 1) == "9999-12-31T23:59:59.999Z")
    #expect(Timestamp.canonical(Timestamp.minMillis - 1) == "0001-01-01T00:00:00.000Z")
    #expect(Timestamp.canonical(.max) == "9999-12-31T23:59:59.999Z")
    #expect(Timestamp.canonical(.min) == "0001-01-01T00:00:00.000Z")
  }

  /// The unsigned, two-digits-at-a-time writing against the calendar's own arithmetic, at
  /// random instants of years 1 to 9999 and at each day's and each year's edges.
  @Test func canonicalFormattingAgreesWithCivilTime() {
    func expected(_ millis: Int64) -> String {
      let days = CivilTime.floorDiv(millis, CivilTime.millisPerDay)
      let inDay = millis - days * CivilTime.millisPerDay
      let (year, month, day) = CivilTime.civilFromDays(days)
      func pad(_ value: Int64, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
      }
      return "\(pad(Int64(year), 4))-\(pad(Int64(month), 2))-\(pad(Int64(day), 2))T\(pad(inDay / 3_600_000, 2)):"
        + "\(pad(inDay / 60_000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }
    var random = SplitMix(state: 7)
    let span = UInt64(Timestamp.maxMillis - Timestamp.minMillis + 1)
    var instants: [Int64] = (0..<20_000).map { _ in Timestamp.minMillis + Int64(random.next() % span) }
    for year in [1, 2, 4, 99, 100, 399, 400, 401, 1600, 1899, 1900, 1969, 1970, 2000, 2024, 2100, 9999] {
      for (month, day) in [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)] where day <= CivilTime.daysInMonth(year: year, month: month) {
        let start = CivilTime.daysFromCivil(year: year, month: month, day: day) * CivilTime.millisPerDay
        instants += [start, start + 1, start + CivilTime.millisPerDay - 1, start - 1]
      }
    }
    for millis in instants where millis >= Timestamp.minMillis && millis <= Timestamp.maxMillis {
      #expect(Timestamp.canonical(millis) == expected(millis), "\(millis)")
    }
  }

  @Test func civilDaysRoundTripOverCenturies() {
    // Years 1-9999 go the unsigned way, the others the signed one.
    var days: Int64 = CivilTime.daysFromCivil(year: -800, month: 1, day: 1)
    let end = CivilTime.daysFromCivil(year: 10_400, month: 1, day: 1)
    while days < end {
      let (y, m, d) = CivilTime.civilFromDays(days)
      #expect(CivilTime.daysFromCivil(year: y, month: m, day: d) == days)
      days += days > -719_600 && days < -718_800 || days > 2_932_500 && days < 2_933_300 ? 1 : 37
    }
    #expect(CivilTime.daysFromCivil(year: 1, month: 1, day: 1) == -719_162)
    #expect(CivilTime.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
    #expect(CivilTime.daysFromCivil(year: 9999, month: 12, day: 31) == 2_932_896)
    // Days past a month's end count on, as the formula always did.
    #expect(CivilTime.daysFromCivil(year: 2024, month: 2, day: 30) == CivilTime.daysFromCivil(year: 2024, month: 3, day: 1))
    #expect(CivilTime.weekday(days: CivilTime.daysFromCivil(year: 2024, month: 3, day: 4)) == 0)  // a Monday
  }

  @Test func offsets() {
    #expect(Timestamp.parseOffset("+02:00") == 7200)
    #expect(Timestamp.parseOffset("-05:30") == -19800)
    #expect(Timestamp.parseOffset("+2:00") == nil)
    #expect(Timestamp.parseOffset("Z") == nil)
    #expect(Timestamp.formatOffset(-19800) == "-05:30")
    #expect(Timestamp.formatOffset(0) == "+00:00")
  }

  @Test func localTimesInAZoneAcrossDST() throws {
    let oslo = try #require(ZoneConverter(identifier: "Europe/Oslo"))
    // Winter +01:00, summer +02:00.
    let winter = oslo.toUTCMillis(LocalDateTime(year: 2024, month: 1, day: 15, hour: 12))
    #expect(Timestamp.canonical(winter.millis) == "2024-01-15T11:00:00.000Z")
    #expect(winter.resolution == .exact)
    let summer = oslo.toUTCMillis(LocalDateTime(year: 2024, month: 7, day: 1, hour: 12, minute: 0, second: 0, nanosecond: 250_000_000))
    #expect(Timestamp.canonical(summer.millis) == "2024-07-01T10:00:00.250Z")
    // 2024-03-31 02:30 does not exist in Oslo: read with +01:00, it is 01:30Z (03:30 local).
    let gap = oslo.toUTCMillis(LocalDateTime(year: 2024, month: 3, day: 31, hour: 2, minute: 30))
    #expect(Timestamp.canonical(gap.millis) == "2024-03-31T01:30:00.000Z")
    #expect(gap.resolution == .gap(seconds: 3600))
    // 2024-10-27 02:30 happens twice; the first (+02:00) is taken.
    let overlap = oslo.toUTCMillis(LocalDateTime(year: 2024, month: 10, day: 27, hour: 2, minute: 30))
    #expect(Timestamp.canonical(overlap.millis) == "2024-10-27T00:30:00.000Z")
    #expect(overlap.resolution == .overlap)
    // Just either side of the changes.
    #expect(Timestamp.canonical(oslo.toUTCMillis(LocalDateTime(year: 2024, month: 3, day: 31, hour: 1, minute: 59, second: 59)).millis) == "2024-03-31T00:59:59.000Z")
    #expect(Timestamp.canonical(oslo.toUTCMillis(LocalDateTime(year: 2024, month: 3, day: 31, hour: 3)).millis) == "2024-03-31T01:00:00.000Z")
    #expect(Timestamp.canonical(oslo.toUTCMillis(LocalDateTime(year: 2024, month: 10, day: 27, hour: 3)).millis) == "2024-10-27T02:00:00.000Z")
  }

  /// The readers' one policy: the later occurrence of a repeated time, the offset at an
  /// instant before 1970 (floored), and the warnings' one wording.
  @Test func theReadersLocalTimePolicy() throws {
    let oslo = try #require(ZoneConverter(identifier: "Europe/Oslo"))
    let overlap = oslo.toUTCMillis(LocalDateTime(year: 2024, month: 10, day: 27, hour: 2, minute: 30))
    #expect(Timestamp.canonical(oslo.laterOccurrence(ofOverlap: overlap.millis)) == "2024-10-27T01:30:00.000Z")
    #expect(oslo.offset(atMillis: -1) == oslo.offset(atUTC: -1))  // 1969-12-31T23:59:59.999Z, not 1970
    #expect(oslo.warning("the start 2024-03-31 02:30", .gap(seconds: 3600))
      == "the start 2024-03-31 02:30 does not exist in Europe/Oslo (clocks went forward); read 3600 s later")
    #expect(oslo.warning("the end 02:30", .overlap) == "the end 02:30 happened twice in Europe/Oslo (clocks went back); the first is taken")
    #expect(oslo.warning("x", .exact) == nil)
  }

  @Test func otherZones() throws {
    let newYork = try #require(ZoneConverter(identifier: "America/New_York"))
    #expect(Timestamp.canonical(newYork.toUTCMillis(LocalDateTime(year: 2024, month: 3, day: 10, hour: 2, minute: 15)).millis) == "2024-03-10T07:15:00.000Z")
    let kolkata = try #require(ZoneConverter(identifier: "Asia/Kolkata"))
    #expect(Timestamp.canonical(kolkata.toUTCMillis(LocalDateTime(year: 2024, month: 6, day: 1)).millis) == "2024-05-31T18:30:00.000Z")
    #expect(ZoneConverter(identifier: "Not/AZone") == nil)
  }

  /// The converter's two cached spans against the zone itself, asked in the order the
  /// readers ask (a day either side of a time, then the time) around every transition of
  /// twelve years, with jumps back; and local times against a converter with nothing cached.
  @Test func cachedSpansAgreeWithTheZoneAroundTransitions() throws {
    var random = SplitMix(state: 23)
    for name in ["Europe/Oslo", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo", "Africa/Casablanca", "Asia/Kolkata"] {
      let zone = try #require(TimeZone(identifier: name))
      let converter = try #require(ZoneConverter(identifier: name))
      var transitions: [Int64] = []
      var date = Date(timeIntervalSince1970: 1_420_070_400)  // 2015-01-01
      while let next = zone.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < 1_798_761_600 {  // 2027
        transitions.append(Int64(next.timeIntervalSince1970))
        date = next
      }
      if transitions.isEmpty { transitions = [1_600_000_000] }  // (Kolkata: none)
      var asked = 0
      func expectOffset(_ seconds: Int64) {
        let truth = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        #expect(converter.offset(atUTC: seconds) == truth, "\(name) at \(seconds)")
        asked += 1
      }
      for transition in transitions {
        var t = transition - 2 * 86_400
        while t < transition + 2 * 86_400 {
          expectOffset(t - 86_400)
          expectOffset(t + 86_400)
          expectOffset(t)
          if random.next() % 8 == 0 { expectOffset(t - Int64(random.next() % (3 * 86_400))) }  // a jump back
          t += 300 + Int64(random.next() % 900)
        }
        expectOffset(transition - 1)
        expectOffset(transition)
      }
      #expect(asked > 1_000)
      // Local times, each against a converter that has seen nothing.
      for transition in transitions.prefix(6) {
        for step in stride(from: -30, through: 30, by: 1) {
          let wall = transition + Int64(step) * 1_800 + 3_600
          let days = CivilTime.floorDiv(wall, 86_400), second = Int(wall - days * 86_400)
          let civil = CivilTime.civilFromDays(days)
          let local = LocalDateTime(year: civil.year, month: civil.month, day: civil.day, hour: second / 3600, minute: second / 60 % 60, second: second % 60)
          let fresh = converter.forAnotherThread().toUTCMillis(local)
          let cached = converter.toUTCMillis(local)
          #expect(cached.millis == fresh.millis && cached.resolution == fresh.resolution, "\(name) \(local)")
        }
      }
    }
  }

  @Test func backwardsAndForwardsQueriesAgree() throws {
    // The converter caches the span between transitions; going back in time must not reuse it wrongly.
    let oslo = try #require(ZoneConverter(identifier: "Europe/Oslo"))
    let july = LocalDateTime(year: 2024, month: 7, day: 1, hour: 12)
    let january = LocalDateTime(year: 2024, month: 1, day: 1, hour: 12)
    let first = oslo.toUTCMillis(july).millis
    let second = oslo.toUTCMillis(january).millis
    #expect(oslo.toUTCMillis(july).millis == first)
    #expect(second == CivilTime.daysFromCivil(year: 2024, month: 1, day: 1) * 86_400_000 + 11 * 3_600_000)
  }
}
