import Foundation

/// What one part of a rule's `match` asks of an event (formats/rules.md, "Matching").
indirect enum Condition {
  /// An equality or a plain-words regular expression, answered for all rules at once by
  /// `RuleIndex` (the number is the condition's slot in it).
  case indexed(Int)
  /// Plain words with ignore_case: the index's answer, or the engine's where the index
  /// is unsure of the text (`RuleIndex.isUnsure`).
  case confirmed(Int, EventField, NSRegularExpression)
  case glob(EventField, String, ignoreCase: Bool)
  case regex(EventField, NSRegularExpression)
  /// min <= value <= max; for start and end, milliseconds with since <= value < until.
  case range(EventField, min: Double?, max: Double?, maxInclusive: Bool)
  case exists(EventField, Bool)
  /// Minutes after local midnight, [from, to); from > to wraps past midnight.
  case timeOfDay(from: Int, to: Int, LocalClock)
  /// Bit 0 Monday ... bit 6 Sunday.
  case weekday(mask: UInt8, LocalClock)
  case all([Condition])
  case any([Condition])
  case not(Condition)

  func holds(for event: Event, _ index: RuleIndex) -> Bool {
    switch self {
    case .indexed(let slot): return index.hit(slot)
    case .glob(let field, let pattern, let ignoreCase):
      return field.forEachText(of: event) { fnmatch(pattern, $0, ignoreCase ? Condition.fnmCaseFold : 0) == 0 }
    case .confirmed(let slot, let field, let regex):
      return index.hit(slot) && (!index.isUnsure(slot) || Condition.regex(field, regex).holds(for: event, index))
    case .regex(let field, let regex):
      return field.forEachText(of: event) { text in
        let range = NSRange(location: 0, length: (text as NSString).length)
        return regex.firstMatch(in: text, options: [], range: range) != nil
      }
    case .range(let field, let min, let max, let maxInclusive):
      guard let value = field.number(of: event) else { return false }
      if let min, value < min { return false }
      if let max, maxInclusive ? value > max : value >= max { return false }
      return true
    case .exists(let field, let wanted): return field.isPresent(in: event) == wanted
    case .timeOfDay(let from, let to, let clock):
      let minute = clock.minuteOfDay(event)
      return from <= to ? (minute >= from && minute < to) : (minute >= from || minute < to)
    case .weekday(let mask, let clock): return mask & (1 << clock.weekday(event)) != 0
    case .all(let parts): return parts.allSatisfy { $0.holds(for: event, index) }
    case .any(let parts): return parts.contains { $0.holds(for: event, index) }
    case .not(let part): return !part.holds(for: event, index)
    }
  }

  /// GNU fnmatch's FNM_CASEFOLD, which Swift's Glibc module does not show.
  static let fnmCaseFold: Int32 = 1 << 4

  /// The indexed slots every event that holds this condition must hit (the parts of an
  /// `all`), so a rule need not be looked at for events that hit none of them.
  var requiredSlots: [Int] {
    switch self {
    case .indexed(let slot), .confirmed(let slot, _, _): return [slot]
    case .all(let parts): return parts.flatMap(\.requiredSlots)
    default: return []
    }
  }
}

/// The local wall clock of a rule's zone: `zone:` in the rule or the file, or the
/// event's own recorded offset with `zone: event`, UTC by default.
final class LocalClock {
  private let zone: ZoneConverter?
  private let useEventOffset: Bool

  init(zone: ZoneConverter?, useEventOffset: Bool = false) {
    self.zone = zone
    self.useEventOffset = useEventOffset
  }

  func localSeconds(_ event: Event) -> Int64 {
    let utc = CivilTime.floorDiv(event.start, 1000)
    if useEventOffset { return utc + Int64(event.offset.flatMap(Timestamp.parseOffset) ?? 0) }
    return utc + Int64(zone?.offset(atUTC: utc) ?? 0)
  }

  func minuteOfDay(_ event: Event) -> Int {
    let seconds = localSeconds(event)
    return Int((seconds - CivilTime.floorDiv(seconds, 86_400) * 86_400) / 60)
  }

  /// 0 Monday ... 6 Sunday.
  func weekday(_ event: Event) -> Int {
    CivilTime.weekday(days: CivilTime.floorDiv(localSeconds(event), 86_400))
  }
}
