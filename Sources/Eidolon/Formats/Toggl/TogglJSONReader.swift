/// Reads Toggl time entries from its APIs' JSON, one entry at a time (formats/toggl.md,
/// "API JSON"): API v9 time entries (an array of entries), Reports API v3 detailed
/// JSON (an array of groups, each with its "time_entries"), and the legacy Reports API
/// v2 details ({"data": [...]}). The shape says which.
public final class TogglJSONReader: EventReader {
  public struct Options {
    public var running = TogglCSVReader.Running.error
    public var now: Int64 = 0
    /// Keep entries the server marks deleted (server_deleted_at), with attrs.deleted_at.
    public var includeDeleted = false
    /// Names for project, client, task, user and tag ids (--workspace-export).
    public var names: TogglWorkspaceNames?
    public init() {}
  }

  private let tokenizer: JSONTokenizer
  private let input: ByteReader
  private let diagnostics: Diagnostics
  private let options: Options
  private enum State { case start, array, details, end }
  private var state = State.start
  /// The v3 group being handed out: its shared fields, and its entries on disk.
  private var group: (shared: JSONObject, entries: JSONValueSpill)?
  private let scratch = ByteBuffer(capacity: 256)
  public private(set) var skippedDeleted = 0

  public init(input: ByteReader, diagnostics: Diagnostics, options: Options = Options()) {
    self.input = input
    self.diagnostics = diagnostics
    self.options = options
    tokenizer = JSONTokenizer(reader: input)
  }

  public var bytesRead: Int64 { input.consumedOffset }

  public func next() throws -> Event? {
    while true {
      if let group {
        // A v3 group's entries come back from disk one at a time, with the shared fields.
        guard let (item, position) = try group.entries.next() else {
          self.group = nil
          continue
        }
        if let event = try groupEntry(item, shared: group.shared, at: position) { return event }
        continue
      }
      switch state {
      case .start:
        let first = try tokenizer.next()
        if first == .beginArray {
          state = .array
        } else if first == .beginObject {
          try findDetails()
        } else {
          throw EidolonError(.syntax, "Toggl JSON is an array of time entries or a report object", file: input.name, position: tokenizer.tokenPosition)
        }
      case .array, .details:
        let token = try tokenizer.next()
        if token == .endArray {
          if state == .details { try tokenizer.skipRestOfObject() }
          guard try tokenizer.next() == .end else {
            throw EidolonError(.syntax, "unexpected data after the entries", file: input.name, position: tokenizer.tokenPosition)
          }
          state = .end
          continue
        }
        let position = tokenizer.tokenPosition
        let value: JSONValue
        if token == .beginObject {
          let (members, entries, duplicate) = try readEntryOrGroup()
          if let entries {
            // A group with a repeated key is rejected whole, its entries with it.
            if let duplicate {
              try reject(EidolonError(.data, "duplicate key \"\(duplicate)\" in a group of entries"), .object(JSONObject(members)), at: position)
            } else {
              group = (JSONObject(members), entries)
            }
            continue
          }
          value = .object(JSONObject(members))
          if let duplicate {
            try reject(EidolonError(.data, "duplicate key \"\(duplicate)\" in an object"), value, at: position)
            continue
          }
        } else {
          value = try tokenizer.readValue(startingWith: token)
        }
        do {
          guard case .object(let object) = value else { throw EidolonError(.data, "a time entry must be an object") }
          if let event = try entry(object, legacy: state == .details) {
            try EventSpec.check(event)
            return event
          }
        } catch let error as EidolonError where error.isRecordError {
          try reject(error, value, at: position)
        }
      case .end:
        return nil
      }
    }
  }

  /// An entry (v9, v2) or a v3 group, member by member after its `{`. A group's
  /// "time_entries" go to disk one entry at a time (a group of 100k entries held whole
  /// took 130 MB, and shared fields may follow them), so memory stays bounded by one
  /// entry; the rest are the members. A repeated key is returned, not thrown, so the
  /// object is read to its end and the next one starts clean.
  private func readEntryOrGroup() throws -> (members: [JSONObject.Member], entries: JSONValueSpill?, duplicate: String?) {
    var members: [JSONObject.Member] = []
    var keys = Set<String>()
    var entries: JSONValueSpill?
    var duplicate: String?
    while true {
      let token = try tokenizer.next()
      if token == .endObject { break }
      let key = tokenizer.stringValue()
      if !keys.insert(key).inserted { duplicate = duplicate ?? key }
      let valueToken = try tokenizer.next()
      if key == "time_entries" && valueToken == .beginArray {
        let spill = try JSONValueSpill()
        while true {
          let item = try tokenizer.next()
          if item == .endArray { break }
          let position = tokenizer.tokenPosition
          try spill.append(try tokenizer.readValue(startingWith: item), at: position)
        }
        try spill.finishWriting()
        try spill.startReading()
        entries = spill
      } else {
        members.append(JSONObject.Member(key, try tokenizer.readValue(startingWith: valueToken)))
      }
    }
    return (members, entries, duplicate)
  }

  private func reject(_ error: EidolonError, _ value: JSONValue, at position: SourcePosition) throws {
    var error = error
    error.file = input.name
    error.position = position
    scratch.removeAll()
    scratch.appendJSON(value)
    try diagnostics.reject(error, raw: scratch.bytes)
  }

  /// v2 details: moves into the "data" array, skipping the totals before it.
  private func findDetails() throws {
    guard try tokenizer.seekMember("data") else {
      throw EidolonError(.syntax, "a Toggl report object needs \"data\" (Reports API v2 details)", file: input.name, position: tokenizer.tokenPosition)
    }
    guard try tokenizer.next() == .beginArray else {
      throw EidolonError(.syntax, "\"data\" must be a list of time entries", file: input.name, position: tokenizer.tokenPosition)
    }
    state = .details
  }

  // MARK: Mapping

  /// The first of `names` present and not null.
  private func field(_ object: JSONObject, _ names: String...) -> JSONValue? {
    for name in names { if let value = object[name], value != .null { return value } }
    return nil
  }

  private func time(_ value: JSONValue?, _ name: String) throws -> ParsedTimestamp? {
    guard let value else { return nil }
    guard case .string(let text) = value, let parsed = Timestamp.parse(text) else {
      throw EidolonError(.data, "\"\(name)\" is not an RFC 3339 time")
    }
    return parsed
  }

  /// One v9 or v2 entry. Keys with a canonical field are taken; the rest go to attrs.
  private func entry(_ object: JSONObject, legacy: Bool, shared: JSONObject = JSONObject()) throws -> Event? {
    if field(object, "server_deleted_at") != nil, !options.includeDeleted {
      skippedDeleted += 1
      return nil
    }
    guard let start = try time(field(object, "start"), "start") else { throw EidolonError(.data, "the entry has no \"start\"") }
    let stop = try time(field(object, "stop", "end"), "stop")
    var duration: Double
    var running = false
    if let stop {
      guard stop.epochMillis >= start.epochMillis else { throw EidolonError(.data, "the entry stops before it starts") }
      duration = Double(stop.epochMillis - start.epochMillis) / 1000
    } else if let seconds = try listedSeconds(object), seconds >= 0 {
      if let reason = EventSpec.durationProblem(seconds) { throw EidolonError(.data, reason) }
      duration = seconds
    } else {
      // No stop, and a negative duration: running. The negative number is never trusted.
      switch options.running {
      case .error:
        throw EidolonError(.data, "a running entry (no stop): --running now keeps it until now, --running skip leaves it out")
      case .skip:
        diagnostics.warn("a running entry (no stop) is left out (--running skip)", file: input.name, position: tokenizer.tokenPosition)
        return nil
      case .now:
        duration = Double(max(0, options.now - start.epochMillis)) / 1000
        running = true
      }
    }
    var event = Event(id: "", source: "toggl", kind: "time_entry", start: start.epochMillis, duration: duration)
    // The reports write times in the user's zone: keep the offset. Today's v9 writes UTC,
    // which says nothing of the user's zone; older v9 data (2014) wrote the profile's
    // offset, which is kept as any stated offset is.
    if let offset = start.offsetSeconds, legacy || offset != 0 { event.offset = Timestamp.formatOffset(offset) }
    var attrs = JSONObject()
    let all = JSONObject(shared.members + object.members)
    for member in all.members {
      switch (member.key, member.value) {
      case ("start", _), ("stop", _), ("end", _), ("seconds", _), ("dur", _), ("duration", _): continue
      case ("description", .string(let text)): event.description = text
      case ("project", .string(let text)), ("project_name", .string(let text)): event.project = text
      case ("client", .string(let text)), ("client_name", .string(let text)): event.client = text
      case ("task", .string(let text)), ("task_name", .string(let text)): event.task = text
      case ("user", .string(let text)), ("username", .string(let text)), ("user_name", .string(let text)): event.user = text
      case ("billable", .bool(let flag)), ("is_billable", .bool(let flag)): event.billable = flag
      case ("tags", .array(let items)) where items.allSatisfy({ $0.stringValue != nil }):
        if !items.isEmpty { event.tags = items.compactMap(\.stringValue) }
      case ("id", _): attrs["toggl_id"] = member.value
      default:
        if member.value != .null { attrs[member.key] = member.value }
      }
    }
    if let deleted = field(object, "server_deleted_at") { attrs["deleted_at"] = deleted }
    if running { attrs["running"] = .bool(true) }
    event.attrs = attrs
    options.names?.resolve(&event)
    var togglID: String?
    if case .number(let text)? = field(object, "id") { togglID = text }
    if case .string(let text)? = field(object, "id") { togglID = text }
    event.id = TogglCSVReader.id(for: event, togglID: togglID, scratch: scratch)
    return event
  }

  /// One entry of a v3 group, with the group's other fields; a bad one is rejected alone.
  private func groupEntry(_ item: JSONValue, shared: JSONObject, at position: SourcePosition) throws -> Event? {
    do {
      guard case .object(let entryObject) = item else { throw EidolonError(.data, "a time entry must be an object") }
      guard let event = try entry(entryObject, legacy: true, shared: shared) else { return nil }
      try EventSpec.check(event)
      return event
    } catch let error as EidolonError where error.isRecordError {
      try reject(error, item, at: position)
      return nil
    }
  }

  /// The entry's own duration in seconds ("seconds", v2's "dur" in ms, v9's "duration"),
  /// nil when it has none; a number past Double's range is refused, not read as infinite.
  private func listedSeconds(_ object: JSONObject) throws -> Double? {
    for (name, scale) in [("seconds", 1.0), ("dur", 1000.0), ("duration", 1.0)] {
      guard let value = field(object, name) else { continue }
      guard case .number(let text) = value else { continue }
      guard let number = InputNumber.decimal(text) else { throw EidolonError(.data, "\"\(name)\" \(text) is out of range") }
      return number / scale
    }
    return nil
  }
}
