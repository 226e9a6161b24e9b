/// Reads the daily summary feed (/anapi/daily_summary_feed): a JSON array of day
/// objects, each one "summary" event for the day, its figures in attrs
/// (formats/rescuetime.md, "Daily summary feed").
public final class RescueTimeDailySummaryReader: EventReader, RescueTimeReaderCounts {
  private let tokenizer: JSONTokenizer
  private let input: ByteReader
  private let diagnostics: Diagnostics
  private let zone: ZoneConverter?
  private var started = false
  private var finished = false
  private let scratch = ByteBuffer(capacity: 1024)

  init(input: ByteReader, diagnostics: Diagnostics, options: RescueTimeReadOptions) {
    self.input = input
    self.diagnostics = diagnostics
    tokenizer = JSONTokenizer(reader: input)
    zone = options.zoneIdentifier.flatMap(ZoneConverter.init(identifier:))
  }

  public var bytesRead: Int64 { input.consumedOffset }

  public func next() throws -> Event? {
    if !started {
      started = true
      guard try tokenizer.next() == .beginArray else {
        throw EidolonError(.syntax, "the daily summary feed is a list of days", file: input.name, position: tokenizer.tokenPosition)
      }
    }
    while !finished {
      let first = try tokenizer.next()
      if first == .endArray {
        guard try tokenizer.next() == .end else {
          throw EidolonError(.syntax, "unexpected data after the list of days", file: input.name, position: tokenizer.tokenPosition)
        }
        finished = true
        break
      }
      let position = tokenizer.tokenPosition
      let value = try tokenizer.readValue(startingWith: first)
      do {
        guard case .object(let day) = value else { throw EidolonError(.data, "a day must be an object") }
        let event = try event(day)
        try EventSpec.check(event)
        return event
      } catch var error as EidolonError where error.isRecordError {
        error.file = input.name
        error.position = position
        scratch.removeAll()
        scratch.appendJSON(value)
        try diagnostics.reject(error, raw: scratch.bytes)
      }
    }
    return nil
  }

  private func event(_ day: JSONObject) throws -> Event {
    guard let dateText = day["date"]?.stringValue, let date = Timestamp.parse(dateText + "T00:00:00"), dateText.count == 10 else {
      throw EidolonError(.data, "the day has no \"date\" (YYYY-MM-DD)")
    }
    let midnightAsUTC = date.local.secondsAsIfUTC
    // "id" is the Unix time of the day's local midnight: it gives the offset too.
    var start: Int64
    var offset: Int?
    if case .number(let text)? = day["id"], let seconds = InputNumber.integer(text) {
      // Checked before any arithmetic: an id far from the date would overflow.
      guard seconds >= midnightAsUTC - 18 * 3600, seconds <= midnightAsUTC + 18 * 3600 else { throw EidolonError(.data, "\"id\" \(text) is not the local midnight of \(dateText)") }
      start = seconds * 1000
      offset = Int(midnightAsUTC - seconds)
    } else if let zone {
      start = zone.toUTCMillis(date.local).millis
      offset = zone.offset(atMillis: start)
    } else {
      start = midnightAsUTC * 1000
    }
    let duration: Double
    if let text = day["total_duration_formatted"]?.stringValue, let seconds = RescueTimeDailySummaryReader.seconds(formatted: text) {
      duration = seconds
    } else if case .number(let text)? = day["total_hours"], let hours = InputNumber.decimal(text) {
      duration = (hours * 3600).rounded()
    } else {
      throw EidolonError(.data, "the day has neither \"total_duration_formatted\" nor \"total_hours\"")
    }
    var event = Event(id: "", source: "rescuetime", kind: "summary", start: start, duration: duration)
    event.offset = offset.map(Timestamp.formatOffset)
    var attrs = JSONObject()
    attrs["report"] = .string("daily_summary")
    for member in day.members where member.key != "id" && member.value != .null {
      attrs[member.key] = member.value
    }
    if let id = day["id"] { attrs["day_id"] = id }
    event.attrs = attrs
    event.id = EventID.make(prefix: "rescuetime", fields: ["day", dateText])
    return event
  }

  /// "7h 3m 20s", "2m 20s", "30s", "no time" as seconds; nil for anything else.
  static func seconds(formatted text: String) -> Double? {
    let trimmed = text.trimmingSpaces()
    if trimmed == "no time" { return 0 }
    var total = 0.0
    var any = false
    for part in trimmed.split(separator: " ") {
      guard let unit = part.last, let value = InputNumber.decimal(part.dropLast()) else { return nil }
      switch unit {
      case "h": total += value * 3600
      case "m": total += value * 60
      case "s": total += value
      default: return nil
      }
      any = true
    }
    return any ? total : nil
  }
}
