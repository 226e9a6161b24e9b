/// The quick way for an activity that will wait for its group (on both cores,
/// ManicTimeXMLBlocks.swift): its line in the temporary file, byte for byte what
/// `addActivity` writes there, made from its fields' bytes with no Event and no String
/// per value (an Event per activity, its Strings counted and freed, was most of the
/// time of the thread that makes the events). Only the usual activity is taken: times
/// with their offsets, an end time, a name field or none, no attrs key twice, on an
/// Applications, Documents or custom timeline whose groups are still to come; any other
/// goes `addActivity`'s way (with its messages), which the caller takes on false.
extension ManicTimeActivities {
  /// What a field of an activity is, from its name (any case): the reader works it out
  /// once per name (ManicTimeXMLFields.roles).
  enum FieldRole { case start, end, duration, displayName, name, notes, groupID, activityID, isActive, other }

  static func role(lowercased name: String) -> FieldRole {
    switch name {
    case "starttime": return .start
    case "endtime": return .end
    case "duration": return .duration
    case "displayname": return .displayName
    case "name": return .name
    case "textdata", "notes": return .notes
    case "groupid": return .groupID
    case "activityid", "entityid": return .activityID
    case "isactive": return .isActive
    default: return .other
    }
  }

  /// Writes the waiting activity `fields[range]` to the temporary file and says true;
  /// false, with nothing written, for one to read as an Event.
  func spillOnBytes(_ fields: ManicTimeXMLFields, _ range: Range<Int>, scratch out: ByteBuffer) throws -> Bool {
    guard !groupsComplete else { return false }
    switch timeline {
    case .applications?, .documents?, nil: break
    default: return false
    }
    var start: Int?, end: Int?, displayName: Int?, name: Int?, notes: Int?, hasGroup = false
    for index in range {
      switch fields.role(index) {
      case .start: if start == nil { start = index }
      case .end: if end == nil { end = index }
      case .duration: return false
      case .displayName: if displayName == nil { displayName = index }
      case .name: if name == nil { name = index }
      case .notes: if !fields.value(index).isEmpty { notes = index }
      case .groupID: hasGroup = true
      default: break
      }
    }
    // (An offset of a day or more is refused by the spec: left to addActivity's message.)
    guard hasGroup, let start, let end, let (startMillis, offset) = ManicTimeActivities.instant(fields.value(start)),
      offset.magnitude < 86_400, let (endMillis, _) = ManicTimeActivities.instant(fields.value(end)), endMillis >= startMillis
    else { return false }
    let seconds = Double(endMillis - startMillis) / 1000
    guard EventSpec.startProblem(startMillis) == nil, EventSpec.durationProblem(seconds) == nil,
      Event.endMillis(start: startMillis, duration: seconds) <= Timestamp.maxMillis
    else { return false }
    let nameBytes = (displayName ?? name).map { fields.value($0) } ?? UnsafeRawBufferPointer(start: nil, count: 0)

    out.removeAll()
    out.append(literal: "{\"id\":\"manictime:pending\",\"source\":\"manictime\",\"kind\":")
    let nameIsURL: Bool
    switch timeline {
    case .applications?:
      out.append(literal: "\"window\"")
      nameIsURL = false
    case .documents?:
      // "://" as Characters: a combining mark after one of them would make it another
      // Character, so a name not ASCII is left to addActivity.
      guard !nameBytes.contains(where: { $0 >= 0x80 }) else { return false }
      nameIsURL = ManicTimeActivities.containsScheme(nameBytes)
      out.append(literal: nameIsURL ? "\"web\"" : "\"document\"")
    default:
      out.append(literal: "\"activity\"")
      nameIsURL = false
    }
    out.append(literal: ",\"start\":\"")
    Timestamp.appendCanonical(startMillis, to: out)
    out.append(literal: "\",\"duration\":")
    out.appendJSONNumber(seconds)
    if let stream = schemaName ?? timelineName {
      out.append(literal: ",\"stream\":")
      out.appendJSONString(stream)
    }
    out.appendJSONMember(nameIsURL ? ",\"url\":" : ",\"title\":", nameBytes)
    out.appendJSONMember(",\"description\":", notes.map { fields.value($0) })
    out.append(literal: ",\"offset\":\"")
    spilledOffset.append(offset, to: out)  // nothing in it to escape
    out.append(0x22)
    // attrs in addActivity's order; a key written twice (it would be set in place) is
    // left to that way.
    out.append(literal: ",\"attrs\":{")
    let keys = spilledKeys
    keys.removeAll()
    func member(_ key: String, _ value: UnsafeRawBufferPointer) -> Bool {
      // (A key that lends no bytes, or is too long to hold, is left to addActivity.)
      key.utf8.withContiguousStorageIfAvailable { key in
        let key = UnsafeRawBufferPointer(key)
        guard key.count <= 255, !ManicTimeActivities.holds(keys, key) else { return false }
        if keys.count > 0 { out.append(UInt8(ascii: ",")) }
        keys.append(UInt8(key.count))
        keys.append(key)
        out.appendJSONString(key)
        out.append(UInt8(ascii: ":"))
        out.appendJSONString(value)
        return true
      } ?? false
    }
    for index in range {
      let value = fields.value(index)
      let key: String
      switch fields.role(index) {
      case .start, .end, .duration, .displayName, .name, .notes: continue
      case .groupID: key = "group_id"
      case .activityID: key = "activity_id"
      case .isActive: key = "is_active"
      case .other:
        guard !value.isEmpty else { continue }
        key = fields.name(index)
      }
      guard member(key, value) else { return false }
    }
    if let timelineKey {
      guard timelineKey.utf8.withContiguousStorageIfAvailable({ member("timeline_key", UnsafeRawBufferPointer($0)) }) == true
      else { return false }
    }
    guard member("activity_name", nameBytes) else { return false }
    out.append(literal: "}}\n")
    let writer = try spillWriter()
    writer.sink.buffer.append(out.bytes)
    try writer.sink.flushIfFull()
    return true
  }

  /// A time with its offset, as addActivity takes it: UTC milliseconds and the offset's
  /// seconds; nil for one with spaces around it, without an offset, or not a time.
  private static func instant(_ text: UnsafeRawBufferPointer) -> (Int64, Int)? {
    guard let first = text.first, let last = text.last, first != 0x20, first != 0x09, last != 0x20, last != 0x09 else { return nil }
    var error = ""
    guard let parsed = Timestamp.parse(text, error: &error), let offset = parsed.offsetSeconds else { return nil }
    return (parsed.epochMillis, offset)
  }

  /// Whether `keys` (each a length byte and its bytes) holds `key`.
  private static func holds(_ keys: ByteBuffer, _ key: UnsafeRawBufferPointer) -> Bool {
    var at = 0
    while at < keys.count {
      let length = Int(keys.base[at])
      if UnsafeRawBufferPointer(start: keys.base + at + 1, count: length).sameBytes(as: key) { return true }
      at += 1 + length
    }
    return false
  }

  /// Whether the name holds "://" (a Documents activity's URL).
  private static func containsScheme(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= 3 else { return false }
    for i in 0..<(bytes.count - 2) where bytes[i] == 0x3A && bytes[i + 1] == 0x2F && bytes[i + 2] == 0x2F { return true }
    return false
  }
}
