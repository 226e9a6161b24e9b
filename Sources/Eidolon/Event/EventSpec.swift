/// What every event must be before any writer writes it (formats/eidolon-ndjson.md,
/// "Limits"): the one check readers make on what they hand out, the store's dumper on
/// what it reads back, and writers on what they are given. An event that fails it is a
/// rejected record (file:line:column, --rejects, counted), never a crash or bad output.
public enum EventSpec {
  /// The longest event Eidolon takes: 3,660 days, about ten years. Longer is a clock or
  /// unit mistake (a timer left running for decades, milliseconds read as seconds), and
  /// a bound here keeps every writer's work per event bounded.
  public static let maxDurationSeconds: Double = 3_660 * 86_400

  /// The longest duration, as text for messages.
  public static let maxDurationText = "3660 days"

  /// Why the event breaks the spec, or nil when it keeps it. `attrsNumbers: false` skips
  /// the walk over attrs for events whose attrs came through the JSON tokenizer, which
  /// already holds every number to JSON's grammar.
  public static func problem(_ event: Event, attrsNumbers: Bool = true) -> String? {
    if event.id.isEmpty { return "\"id\" must not be empty" }
    if event.source.isEmpty { return "\"source\" must not be empty" }
    if event.kind.isEmpty { return "\"kind\" must not be empty" }
    if let reason = startProblem(event.start) { return reason }
    if let reason = durationProblem(event.duration) { return reason }
    if event.endMillis > Timestamp.maxMillis { return "the event runs past the year 9999 (\"duration\" \(event.duration) s)" }
    if let productivity = event.productivity, !(-2...2).contains(productivity) {
      return "\"productivity\" must be a whole number from -2 to 2, not \(productivity)"
    }
    if let offset = event.offset, Timestamp.parseOffset(offset) == nil {
      return "\"offset\" must look like +02:00 or -05:30, not \"\(offset)\""
    }
    if attrsNumbers, let bad = firstBadNumber(in: event.attrs) { return "attrs holds \"\(bad)\", which is not a JSON number" }
    return nil
  }

  /// Throws the problem as a record error (`.data`), for a reader's or writer's usual path.
  public static func check(_ event: Event) throws {
    if let reason = problem(event) { throw EidolonError(.data, reason) }
  }

  /// A writer's check of what it is given: all of the spec but the walk over attrs, whose
  /// numbers were held to JSON's grammar where the attrs were made (a reader's own check,
  /// or the JSON tokenizer of an NDJSON line), so walking them again on every write is
  /// only cost.
  public static func checkBeforeWriting(_ event: Event) throws {
    if let reason = problem(event, attrsNumbers: false) { throw EidolonError(.data, reason) }
  }

  /// Why a start in UTC milliseconds cannot be an event's, or nil.
  public static func startProblem(_ millis: Int64) -> String? {
    guard takesStart(millis) else {
      return "the start falls outside the years 0001 to 9999 in UTC"
    }
    return nil
  }

  /// Why a number of seconds cannot be an event's duration, or nil. Checked before any
  /// arithmetic with it, so nothing downstream can overflow.
  public static func durationProblem(_ seconds: Double) -> String? {
    if takesDuration(seconds) { return nil }
    guard seconds.isFinite else { return "\"duration\" is not a finite number" }
    guard seconds >= 0 else { return "\"duration\" must not be negative (\(seconds) s)" }
    return "\"duration\" of \(seconds) s is longer than the longest event Eidolon takes (\(maxDurationText))"
  }

  /// Whether `startProblem` finds nothing, without making a message.
  @inline(__always)
  static func takesStart(_ millis: Int64) -> Bool { millis >= Timestamp.minMillis && millis <= Timestamp.maxMillis }

  /// Whether `durationProblem` finds nothing, without making a message (NaN fails both
  /// compares, infinity the second).
  @inline(__always)
  static func takesDuration(_ seconds: Double) -> Bool { seconds >= 0 && seconds <= maxDurationSeconds }

  /// The end of an event in milliseconds, or nil when start + duration leaves the years
  /// 0001-9999 (or the duration breaks the spec): the checked form of `endMillis`.
  public static func endMillis(start: Int64, seconds: Double) -> Int64? {
    // (Not `durationProblem` and `startProblem`: their messages' Optionals, per event.)
    guard takesDuration(seconds), takesStart(start) else { return nil }
    let end = start + Int64((seconds * 1000).rounded())  // both bounded: no overflow
    return end <= Timestamp.maxMillis ? end : nil
  }

  /// The first number text in `object` (at any depth) that JSON's grammar refuses.
  static func firstBadNumber(in object: JSONObject) -> String? {
    for member in object.members {
      if let bad = firstBadNumber(in: member.value) { return bad }
    }
    return nil
  }

  private static func firstBadNumber(in value: JSONValue) -> String? {
    switch value {
    case .number(let text): return InputNumber.isJSONNumber(text) ? nil : text
    case .array(let items):
      for item in items { if let bad = firstBadNumber(in: item) { return bad } }
      return nil
    case .object(let object): return firstBadNumber(in: object)
    default: return nil
    }
  }
}
