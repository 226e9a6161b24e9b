import Foundation

/// Converts local wall-clock times in an IANA zone (`--tz Europe/Oslo`) to UTC.
///
/// DST: a time that falls in a gap (02:30 on a spring-forward night) does not
/// exist; it is read with the offset in force before the gap, which puts it as
/// far after the gap as it was into it (02:30 becomes 03:30 local), and is reported
/// as `.gap`. A time that happens twice (02:30 on a fall-back night) is given its
/// first occurrence, the earlier instant, and reported as `.overlap`.
///
/// Foundation answers the offset questions; a cache of the last two spans between
/// transitions keeps it off the per-record path. One thread at a time: each thread
/// takes its own (`forAnotherThread()`).
public final class ZoneConverter {
  public enum Resolution: Sendable, Equatable {
    case exact
    /// The local time did not exist; it was moved forward by this many seconds.
    case gap(seconds: Int)
    /// The local time happened twice; the earlier was taken.
    case overlap
  }

  public let identifier: String
  private let zone: TimeZone
  /// UTC seconds [from, until) over which one offset holds. `endsAtTransition`: `until`
  /// is the zone's next transition after `from` (not a month's guess past the last one).
  private struct Span {
    var from: Int64 = 1, until: Int64 = 0, offset = 0, endsAtTransition = false
    @inline(__always) func holds(_ seconds: Int64) -> Bool { seconds >= from && seconds < until }
  }
  /// The span of the last answer, and the one before it. Times near a transition are asked
  /// about on both sides of it in turn (a day either side, then the time itself): with
  /// one span each answer took the other's place, and every row of the two days around a
  /// transition cost Foundation's transition search, several times (mt-read: 12% of its
  /// instructions on 8 MB with one transition in it; bench/README.md).
  private var current = Span(), previous = Span()

  /// nil when the zone is unknown.
  public init?(identifier: String) {
    guard let zone = TimeZone(identifier: identifier) else { return nil }
    self.identifier = identifier
    self.zone = zone
  }

  private init(zone: TimeZone, identifier: String) {
    self.identifier = identifier
    self.zone = zone
  }

  /// A converter of the same zone for another thread: the cache is not shared (a
  /// converter is not safe to use from two threads at once).
  public func forAnotherThread() -> ZoneConverter { ZoneConverter(zone: zone, identifier: identifier) }

  /// The offset from UTC, in seconds, in force at `utcSeconds`.
  public func offset(atUTC utcSeconds: Int64) -> Int {
    if current.holds(utcSeconds) { return current.offset }
    if previous.holds(utcSeconds) {
      swap(&current, &previous)
      return current.offset
    }
    let date = Date(timeIntervalSince1970: TimeInterval(utcSeconds))
    let offset = zone.secondsFromGMT(for: date)
    let next = zone.nextDaylightSavingTimeTransition(after: date).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    if let next, next > utcSeconds {
      // The same next transition as a span known: no transition between this time and
      // that span, which now reaches back to it.
      if current.endsAtTransition && current.until == next {
        current.from = min(current.from, utcSeconds)
        return current.offset
      }
      if previous.endsAtTransition && previous.until == next {
        previous.from = min(previous.from, utcSeconds)
        swap(&current, &previous)
        return current.offset
      }
      previous = current
      current = Span(from: utcSeconds, until: next, offset: offset, endsAtTransition: true)
      return offset
    }
    // No further transition: the offset holds for good (a month at a time, to stay safe).
    // (A "next" transition not after the time, which Foundation should not give: this second only.)
    previous = current
    current = Span(from: utcSeconds, until: utcSeconds + (next == nil ? 30 * 86_400 : 1), offset: offset, endsAtTransition: false)
    return offset
  }

  /// The UTC instant, in milliseconds, of a local wall-clock time.
  public func toUTCMillis(_ local: LocalDateTime) -> (millis: Int64, resolution: Resolution) {
    toUTCMillis(wall: local.secondsAsIfUTC, subsecondMillis: Int64(local.nanosecond / 1_000_000))
  }

  /// `toUTCMillis(_:)` of the time `wall` seconds after 1970-01-01T00:00:00 on the wall
  /// clock (`secondsAsIfUTC`, `WallClockSeconds`) and `subsecondMillis` more.
  @inline(__always)
  func toUTCMillis(wall: Int64, subsecondMillis: Int64) -> (millis: Int64, resolution: Resolution) {
    // A day either side within the span the cache holds: one offset all through, so the
    // time exists once (what the three lookups below would find, each from the cache).
    if wall &- 86_400 >= current.from && wall &+ 86_400 < current.until {
      return ((wall &- Int64(current.offset)) &* 1000 &+ subsecondMillis, .exact)
    }
    return nearTransition(wall: wall, subsecondMillis: subsecondMillis)
  }

  /// `toUTCMillis` of a time within a day of the span's ends: the offsets a day either side
  /// bracket any single transition near it.
  @inline(never)
  private func nearTransition(wall: Int64, subsecondMillis: Int64) -> (millis: Int64, resolution: Resolution) {
    let before = offset(atUTC: wall - 86_400)
    let after = offset(atUTC: wall + 86_400)
    if before == after, offset(atUTC: wall - Int64(before)) == before {
      return ((wall - Int64(before)) * 1000 + subsecondMillis, .exact)
    }
    let first = wall - Int64(before)
    let second = wall - Int64(after)
    let firstHolds = offset(atUTC: first) == before
    let secondHolds = offset(atUTC: second) == after
    switch (firstHolds, secondHolds) {
    case (true, true) where first != second:
      return (min(first, second) * 1000 + subsecondMillis, .overlap)
    case (true, _):
      return (first * 1000 + subsecondMillis, .exact)
    case (false, true):
      return (second * 1000 + subsecondMillis, .exact)
    case (false, false):
      return (first * 1000 + subsecondMillis, .gap(seconds: after - before))
    }
  }

  // MARK: The one local-time policy of the readers (formats/eidolon-ndjson.md, "Time")

  /// The offset in force at a UTC instant in milliseconds (floored to its second, so
  /// times before 1970 get the right one).
  public func offset(atMillis millis: Int64) -> Int { offset(atUTC: CivilTime.floorDiv(millis, 1000)) }

  /// The later of the two instants a local time in the repeated hour names (`millis`
  /// being the earlier, as `toUTCMillis` gives it): the reader that can tell (an end
  /// that must not come before its start, a Duration column) takes it.
  public func laterOccurrence(ofOverlap millis: Int64) -> Int64 {
    let seconds = CivilTime.floorDiv(millis, 1000)
    return millis + Int64(offset(atUTC: seconds) - offset(atUTC: seconds + 86_400)) * 1000
  }

  /// The one wording of the warning every reader gives for a local time the clock
  /// skipped or repeated, nil for an exact one. `what` names the time as the input
  /// wrote it ("the start 2024-03-31 02:30:00"); it is made only for a warning, as
  /// most times are exact and readers call this per row.
  public func warning(_ what: @autoclosure () -> String, _ resolution: Resolution) -> String? {
    switch resolution {
    case .exact: return nil
    case .gap(let seconds): return "\(what()) does not exist in \(identifier) (clocks went forward); read \(seconds) s later"
    case .overlap: return "\(what()) happened twice in \(identifier) (clocks went back); the first is taken"
    }
  }
}
