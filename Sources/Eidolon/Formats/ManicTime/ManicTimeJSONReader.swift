/// Reads the ManicTime Server API's JSON (formats/manictime.md, "Server JSON"), one
/// activity at a time: v2's timeline (`timelineType`, `timelineKey`, `activities`,
/// `groups`, and `{"timelines": [...]}` around several), and v3's `{"entities": [...]}`
/// with groups and activities in any order. ManicTimeActivities makes the events.
public final class ManicTimeJSONReader: EventReader, InputCounting {
  private enum Context { case timeline, timelines, activities, groups, entities }

  private let tokenizer: JSONTokenizer
  private let input: ByteReader
  private let diagnostics: Diagnostics
  private let activities: ManicTimeActivities
  private var stack: [Context] = []
  private var started = false
  public private(set) var deletedIDs = 0

  public init(input: ByteReader, diagnostics: Diagnostics, zone: ZoneConverter?, timeline: ManicTimeCSVReader.Timeline? = nil) {
    self.input = input
    self.diagnostics = diagnostics
    tokenizer = JSONTokenizer(reader: input)
    activities = ManicTimeActivities(diagnostics: diagnostics, zone: zone, fileName: input.name, timeline: timeline)
  }

  public var bytesRead: Int64 { input.consumedOffset }

  private func syntax(_ message: String) -> EidolonError {
    EidolonError(.syntax, message, file: input.name, position: tokenizer.tokenPosition)
  }

  public func next() throws -> Event? {
    while true {
      if let event = try activities.next() { return event }
      guard let context = stack.last else {
        if started {
          guard try tokenizer.next() == .end else { throw syntax("unexpected data after the ManicTime response") }
          return nil
        }
        started = true
        guard try tokenizer.next() == .beginObject else {
          throw syntax("ManicTime Server JSON is an object: a timeline with activities, {\"timelines\": [...]} or {\"entities\": [...]}")
        }
        stack.append(.timeline)
        activities.startTimeline()
        continue
      }
      let token = try tokenizer.next()
      switch context {
      case .timeline:
        if token == .endObject {
          stack.removeLast()
          try activities.endTimeline()
          continue
        }
        try member(tokenizer.stringValue())
      case .timelines:
        if token == .endArray {
          stack.removeLast()
        } else if token == .beginObject {
          stack.append(.timeline)
          activities.startTimeline()
        } else {
          try tokenizer.skip(token)
        }
      case .activities, .groups, .entities:
        if token == .endArray {
          stack.removeLast()
          if context == .groups { activities.groupsComplete = true }
          continue
        }
        let line = tokenizer.tokenPosition.line
        guard case .object(let object) = try tokenizer.readValue(startingWith: token) else {
          throw syntax("each of \(context) is an object")
        }
        switch context {
        case .activities: try activities.addActivity(ManicTimeJSONReader.fields(object), line: line)
        case .groups: activities.addGroup(ManicTimeJSONReader.fields(object))
        default: try entity(object, line: line)
        }
      }
    }
  }

  /// A member of a timeline object: the arrays are read item by item, the rest at once.
  private func member(_ key: String) throws {
    let token = try tokenizer.next()
    func array(_ context: Context) throws {
      guard token == .beginArray else { throw syntax("\"\(key)\" must be an array") }
      stack.append(context)
    }
    switch key {
    case "timelines": try array(.timelines)
    case "activities": try array(.activities)
    case "groups": try array(.groups)
    case "entities": try array(.entities)
    case "timelineType", "schema":
      if case .object(let type) = try tokenizer.readValue(startingWith: token) {
        activities.schemaName = type["typeName"]?.stringValue ?? type["name"]?.stringValue
      }
    case "timelineKey":
      activities.timelineKey = try tokenizer.readValue(startingWith: token).stringValue
    case "deletedActivityIds":
      if case .array(let ids) = try tokenizer.readValue(startingWith: token), !ids.isEmpty {
        deletedIDs += ids.count
        diagnostics.note("mt-read: \(input.name): \(ids.count) deleted activity ids (deletedActivityIds) are listed; they are not events")
      }
    default: try tokenizer.skip(token)
    }
  }

  /// A v3 entity: a group or an activity, with its values; others are skipped.
  private func entity(_ object: JSONObject, line: Int) throws {
    guard case .object(let values)? = object["values"] else { return }
    var fields = ManicTimeJSONReader.fields(values)
    if let id = object["entityId"] { fields.append(("entityId", id.cellText)) }
    switch object["entityType"]?.stringValue {
    case "group"?: activities.addGroup(fields)
    case "activity"?:
      if case .object(let interval)? = values["timeInterval"] {
        fields.removeAll { $0.name == "timeInterval" }
        if let start = interval["start"] { fields.append(("startTime", start.cellText)) }
        if let duration = interval["duration"] { fields.append(("duration", duration.cellText)) }
      }
      try activities.addActivity(fields, line: line)
    default: break
    }
  }

  /// An object's members as text fields: strings as they are, other values as JSON.
  static func fields(_ object: JSONObject) -> ManicTimeActivities.Fields {
    object.members.compactMap { member in
      switch member.value {
      case .null: return nil
      case .bool(let flag): return (member.key, flag ? "true" : "false")
      default: return (member.key, member.value.cellText)
      }
    }
  }
}
