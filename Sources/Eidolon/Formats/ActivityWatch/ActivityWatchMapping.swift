/// How ActivityWatch events and the canonical form map onto each other, both ways.
/// The tables here are the ones formats/activitywatch.md documents.
public enum ActivityWatchMapping {
  public static let source = "activitywatch"

  /// Bucket type to canonical kind; any other type becomes "other".
  public static let kindByType: [String: String] = [
    "currentwindow": "window",
    "afkstatus": "afk",
    "web.tab.current": "web",
    "app.editor.activity": "editor",
    "general.stopwatch": "stopwatch",
    "os.hid.input": "input",
    "media.playback": "media",
    "currently-playing": "media",
    "os.lockscreen.unlocks": "unlock",
  ]

  /// Data keys that have a canonical field, in the order the writer puts them back.
  /// A key maps only when its value is a string; otherwise it stays in attrs.data.
  static let dataFields: [(key: String, field: Int)] = [
    ("app", Event.OptionalString.app), ("title", Event.OptionalString.title), ("url", Event.OptionalString.url),
    ("file", Event.OptionalString.file), ("project", Event.OptionalString.project),
  ]
  /// The stopwatch's label is the entry's description.
  static let stopwatchLabel = "label"

  public static func kind(forType type: String?) -> String {
    type.flatMap { kindByType[$0] } ?? "other"
  }

  /// Turns one exported event into the canonical form. Throws a data error (the
  /// event is rejected) for a missing or bad timestamp, a non-number or negative
  /// duration, or data that is not an object.
  /// `scratch` is reused from event to event for the id's input.
  static func event(from object: JSONObject, bucket: ActivityWatchBucket, scratch: ByteBuffer) throws -> Event {
    var timestampText: String?
    var durationValue: JSONValue?
    var data = JSONObject()
    var eventID: JSONValue?
    var extra = JSONObject()
    for member in object.members {
      switch member.key {
      case "timestamp":
        guard case .string(let text) = member.value else { throw dataError("\"timestamp\" must be a string") }
        timestampText = text
      case "duration": durationValue = member.value
      case "data":
        switch member.value {
        case .object(let o): data = o
        case .null: break
        default: throw dataError("\"data\" must be an object")
        }
      case "id": eventID = member.value
      default: extra[member.key] = member.value
      }
    }
    guard let timestampText else { throw dataError("the event has no \"timestamp\"") }
    guard let parsed = Timestamp.parse(timestampText) else {
      throw dataError("\"timestamp\" is not an RFC 3339 time: \"\(timestampText)\"")
    }
    var duration = 0.0
    var durationText = "0"
    switch durationValue {
    case nil, .null?: break  // the servers read a missing duration as 0
    case .number(let text)?:
      guard let value = Double(text), value.isFinite else { throw dataError("\"duration\" is out of range") }
      guard value >= 0 else { throw dataError("\"duration\" is negative (\(text))") }
      if let reason = EventSpec.durationProblem(value) { throw dataError(reason) }
      duration = value
      durationText = text
    default:
      throw dataError("\"duration\" must be a number of seconds")
    }
    let start = parsed.epochMillis
    guard start >= Timestamp.minMillis, Double(start) + duration * 1000 <= Double(Timestamp.maxMillis) else {
      throw dataError("the event falls outside the years 0001 to 9999")
    }

    let kind = kind(forType: bucket.type)
    var event = Event(id: "", source: source, kind: kind, start: start, duration: duration)
    event.stream = bucket.id
    event.host = bucket.hostname
    var rest = JSONObject()
    for member in data.members {
      if let mapping = dataFields.first(where: { $0.key == member.key }), case .string(let s) = member.value {
        event.setOptionalString(mapping.field, s)
      } else if bucket.type == "general.stopwatch", member.key == stopwatchLabel, case .string(let s) = member.value {
        event.description = s
      } else {
        rest.members.append(member)
      }
    }
    event.attrs = attrs(bucket: bucket, data: rest, eventID: eventID, extra: extra,
                        timestamp: parsed.subMillisecondNanos != 0 ? timestampText : nil)
    // Identical events in one bucket get identical ids (real exports repeat events;
    // the loader keeps one). The server's own event id is left out for that reason.
    // Keys sorted: the same data written in another key order (aw-write puts the
    // canonical fields first) must give the same id.
    scratch.removeAll()
    scratch.append(bucket.id)
    scratch.append(0x1F)
    Timestamp.appendCanonical(start, to: scratch)
    scratch.append(0x1F)
    scratch.append(integer: Int64(parsed.subMillisecondNanos))
    scratch.append(0x1F)
    appendNormalised(durationText, to: scratch)
    scratch.append(0x1F)
    let inOrder = zip(data.members, data.members.dropFirst()).allSatisfy { ByteOrder.precedes($0.key, $1.key) }
    scratch.appendJSON(inOrder ? data : JSONObject(data.members.sorted { ByteOrder.precedes($0.key, $1.key) }))
    event.id = EventID.make(prefix: "aw", joinedFields: scratch.bytes)
    return event
  }

  /// "3.0" and "3" are the same duration: the id must not depend on how it was written.
  private static func appendNormalised(_ numberText: String, to out: ByteBuffer) {
    var text = numberText
    // Most durations are written in that form already: parsing and printing them again
    // was a twentieth of aw-read.
    if text.withUTF8({ NumberText.shortestValue(UnsafeRawBufferPointer($0)) }) != nil { return out.append(text) }
    guard let value = Double(numberText) else { return out.append(numberText) }
    out.appendJSONNumber(value)
  }

  static func attrs(bucket: ActivityWatchBucket, data: JSONObject, eventID: JSONValue?, extra: JSONObject,
                            timestamp: String?) -> JSONObject {
    var attrs = JSONObject()
    if let type = bucket.type { attrs.members.append(.init("bucket_type", .string(type))) }
    if let client = bucket.client { attrs.members.append(.init("client", .string(client))) }
    if let created = bucket.created { attrs.members.append(.init("created", created)) }
    if let name = bucket.name, name != .null { attrs.members.append(.init("name", name)) }
    if let bucketData = bucket.data, !bucketData.isEmpty { attrs.members.append(.init("bucket_data", .object(bucketData))) }
    if !bucket.extraFields.isEmpty { attrs.members.append(.init("bucket_fields", .object(bucket.extraFields))) }
    if let eventID { attrs.members.append(.init("event_id", eventID)) }
    if let timestamp { attrs.members.append(.init("timestamp", .string(timestamp))) }
    if !extra.isEmpty { attrs.members.append(.init("event_fields", .object(extra))) }
    if !data.isEmpty { attrs.members.append(.init("data", .object(data))) }
    return attrs
  }

  private static func dataError(_ message: String) -> EidolonError {
    EidolonError(.data, message)
  }
}
