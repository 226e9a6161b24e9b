#if canImport(Glibc)
import Glibc
#endif

/// Reads ManicTime's XML (formats/manictime.md, "XML"): the custom-timeline file
/// ManicTime imports (`<Timeline>` with Activities and Groups) and the ManicTime Server
/// API v1 (`<timelines><timeline>` with timelineKey, timelineType, activities, groups),
/// one activity at a time over libxml2's pull reader. Element names are matched without
/// regard to case, so both spellings read alike.
///
/// An activity names its group by id, and the groups may come after the activities: those
/// read before their timeline's groups wait in a temporary file, not in memory, and come
/// out, with their group, when the timeline ends.
public final class ManicTimeXMLReader: EventReader, InputCounting {
  private let xml: XMLPullReader
  private let input: ByteReader
  private let diagnostics: Diagnostics
  private let zone: ZoneConverter?

  /// Lower-cased names of the open elements.
  private var path: [String] = []
  private var text = ""
  /// The timeline being read.
  private var timelineName: String?
  private var schemaName: String?
  private var timelineKey: String?
  private var groups: [String: [String: String]] = [:]
  private var groupsRead = false
  /// The activity or group being read: its child elements' text by original name.
  private var fields: [(name: String, value: String)] = []
  private var recordLine = 0
  private var spill: (writer: EidolonNDJSONWriter, path: String)?
  private var replay: EidolonNDJSONReader?
  private var ready: [Event] = []

  public init(input: ByteReader, diagnostics: Diagnostics, zone: ZoneConverter?) throws {
    self.input = input
    self.diagnostics = diagnostics
    self.zone = zone
    xml = try XMLPullReader(source: ByteReaderSource(input), fileName: input.name)
  }

  deinit { if let spill { unlink(spill.path) } }

  public var bytesRead: Int64 { input.consumedOffset }

  private var timeline: ManicTimeCSVReader.Timeline? { schemaName.flatMap(ManicTimeMapping.timeline(schemaName:)) }

  public func next() throws -> Event? {
    while true {
      if !ready.isEmpty { return ready.removeFirst() }
      if let replay {
        if var event = try replay.next() {
          resolveGroup(&event)
          return event
        }
        self.replay = nil
      }
      guard try xml.next() else { return nil }
      switch xml.kind {
      case .startElement:
        let name = xml.name.lowercased()
        path.append(name)
        text = ""
        if name == "timeline" { startTimeline() }
        if isRecord(name) {
          fields = []
          recordLine = xml.nodeLine
        }
      case .text:
        text += xml.value
      case .endElement:
        let name = path.popLast() ?? ""
        try end(name)
        text = ""
      }
    }
  }

  private func isRecord(_ name: String) -> Bool {
    (name == "activity" && path.dropLast().last == "activities") || (name == "group" && path.dropLast().last == "groups")
  }

  private func startTimeline() {
    timelineName = nil
    schemaName = nil
    timelineKey = nil
    groups = [:]
    groupsRead = false
  }

  private func end(_ name: String) throws {
    let parent = path.last
    if parent == "activity" || parent == "group" {
      fields.append((xml.name, text))
      return
    }
    switch (name, parent) {
    case ("displayname", "timeline"): timelineName = text
    case ("timelinekey", "timeline"): timelineKey = text
    case ("typename", "timelinetype"): schemaName = text
    case ("activity", "activities"): try endActivity()
    case ("group", "groups"): endGroup()
    case ("groups", "timeline"): groupsRead = true
    case ("timeline", _): try endTimeline()
    default: break
    }
  }

  private func value(_ name: String) -> String? {
    fields.first { $0.name.lowercased() == name }?.value
  }

  private func endGroup() {
    guard let id = value("groupid") else { return }
    var group: [String: String] = [:]
    for (name, value) in fields { group[name.lowercased()] = value }
    groups[id] = group
  }

  private func fail(_ message: String) -> EidolonError {
    EidolonError(.data, message, file: xml.fileName, position: SourcePosition(line: recordLine, column: 1, byteOffset: 0))
  }

  private func instant(_ name: String) throws -> (millis: Int64, offset: Int?)? {
    guard let text = value(name)?.trimmingSpaces(), !text.isEmpty else { return nil }
    guard let parsed = Timestamp.parse(text) else { throw fail("\(name) \"\(text)\" is not an xs:dateTime (2024-03-04T09:00:05+01:00)") }
    if let offset = parsed.offsetSeconds { return (parsed.epochMillis, offset) }
    guard let zone else { throw fail("\(name) \"\(text)\" has no offset: give the zone it is in with --tz") }
    let millis = zone.toUTCMillis(parsed.local).millis
    return (millis, zone.offset(atUTC: CivilTime.floorDiv(millis, 1000)))
  }

  private func endActivity() throws {
    do {
      guard let (start, offset) = try instant("starttime") else { throw fail("the activity has no StartTime") }
      guard let (end, _) = try instant("endtime") else { throw fail("the activity has no EndTime") }
      guard end >= start else { throw fail("the activity ends before it starts") }
      let name = value("displayname") ?? value("name") ?? ""
      // The id is made once the group is known (resolveGroup).
      var event = Event(id: "manictime:pending", source: "manictime", kind: "activity", start: start, duration: Double(end - start) / 1000)
      event.stream = schemaName ?? timelineName
      event.offset = offset.map(Timestamp.formatOffset)
      ManicTimeMapping.apply(name: name, to: &event, timeline: timeline)
      for (field, text) in fields {
        switch field.lowercased() {
        case "displayname", "name", "starttime", "endtime": continue
        case "textdata", "notes":
          if !text.isEmpty { event.description = text }
        case "groupid": event.attrs["group_id"] = .string(text)
        case "activityid": event.attrs["activity_id"] = .string(text)
        case "isactive": event.attrs["is_active"] = .string(text)
        default: if !text.isEmpty { event.attrs[field] = .string(text) }
        }
      }
      if timelineKey != nil { event.attrs["timeline_key"] = .string(timelineKey!) }
      event.attrs["activity_name"] = .string(name)
      if groupsRead || event.attrs["group_id"] == nil {
        resolveGroup(&event)
        ready.append(event)
      } else {
        // Its group may come later in the timeline: wait on disk, not in memory.
        if spill == nil {
          let (fd, path) = try TemporaryFile.create("mt-read", holding: "activities waiting for their groups", keepName: true)
          spill = (EidolonNDJSONWriter(sink: OutputSink(fd: fd, name: path!)), path!)
        }
        try spill!.writer.write(event)
      }
    } catch var error as EidolonError where error.isRecordError {
      if error.file == nil { error.file = xml.fileName }
      try diagnostics.reject(error, raw: nil)
    }
  }

  private func endTimeline() throws {
    guard let spill else { return }
    try spill.writer.finish()
    replay = EidolonNDJSONReader(input: ByteReader(source: try FileDescriptorSource(path: spill.path), name: spill.path),
                                 diagnostics: diagnostics)
    unlink(spill.path)
    self.spill = nil
  }

  /// The group's name goes where its timeline puts it (the application, the domain), or
  /// where mt-write's key says (`eidolon:project`), else to attrs.group; the id is made last.
  private func resolveGroup(_ event: inout Event) {
    let name = event.attrs["activity_name"]?.stringValue ?? ""
    event.attrs["activity_name"] = nil
    if let id = event.attrs["group_id"]?.stringValue, let group = groups[id] {
      let groupName = group["displayname"] ?? group["name"] ?? ""
      let key = group["displaykey"] ?? ""
      switch timeline {
      case .applications?: event.app = groupName
      case .documents?: event.attrs["domain"] = .string(groupName)
      default:
        if let field = ManicTimeXMLReader.keyField(key).flatMap(EventField.init(name:)), case .text(let index) = field {
          event.setOptionalString(index, groupName)
        } else {
          event.attrs["group"] = .string(groupName)
        }
      }
      if !key.isEmpty, ManicTimeXMLReader.keyField(key) == nil { event.attrs["group_key"] = .string(key) }
      if let color = group["color"], !color.isEmpty { event.attrs["group_color"] = .string(color) }
    } else if let id = event.attrs["group_id"]?.stringValue {
      diagnostics.warn("the activity's group \(id) is not among the timeline's groups; its id is kept in attrs.group_id",
                       file: xml.fileName, position: nil)
    }
    event.id = ManicTimeMapping.id(event, name: name)
  }

  /// The field mt-write names in a group's DisplayKey (`eidolon:project`), if it is one.
  static func keyField(_ key: String) -> String? {
    guard key.hasPrefix("eidolon:") else { return nil }
    let field = String(key.dropFirst(8))
    return ["app", "project", "client", "task", "category", "subcategory", "user", "host"].contains(field) ? field : nil
  }
}
