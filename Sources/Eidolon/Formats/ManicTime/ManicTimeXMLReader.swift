/// Reads ManicTime's XML (formats/manictime.md, "XML"): the custom-timeline file
/// ManicTime imports (`<Timeline>` with Activities and Groups) and the ManicTime Server
/// API v1 (`<timelines><timeline>` with timelineKey, timelineType, activities, groups),
/// one activity at a time over libxml2's pull reader. Element names are matched without
/// regard to case, so both spellings read alike; ManicTimeActivities makes the events.
public final class ManicTimeXMLReader: EventReader, InputCounting {
  private let xml: XMLPullReader
  private let input: ByteReader
  private let activities: ManicTimeActivities

  /// Lower-cased names of the open elements.
  private var path: [String] = []
  private var text = ""
  /// The activity or group being read: its child elements' text by name.
  private var fields: ManicTimeActivities.Fields = []
  private var recordLine = 0
  /// Set when the activity or group being read holds what its fields cannot (an element
  /// inside a field, text beside the fields): it is then rejected, not read in part.
  private var recordProblem: String?

  public init(input: ByteReader, diagnostics: Diagnostics, zone: ZoneConverter?, timeline: ManicTimeCSVReader.Timeline? = nil) throws {
    self.input = input
    xml = try XMLPullReader(source: ByteReaderSource(input), fileName: input.name)
    activities = ManicTimeActivities(diagnostics: diagnostics, zone: zone, fileName: input.name, timeline: timeline)
  }

  public var bytesRead: Int64 { input.consumedOffset }

  public func next() throws -> Event? {
    while true {
      if let event = try activities.next() { return event }
      guard try xml.next() else { return nil }
      switch xml.kind {
      case .startElement:
        let name = xml.name.lowercased()
        if recordProblem == nil, path.count >= 2, ["activity", "group"].contains(path[path.count - 2]) {
          recordProblem = "<\(xml.name)> inside the field <\(path.last!)>: a ManicTime field holds only text"
        }
        path.append(name)
        text = ""
        if name == "timeline" { activities.startTimeline() }
        if (name == "activity" && path.dropLast().last == "activities") || (name == "group" && path.dropLast().last == "groups") {
          fields = []
          recordLine = xml.nodeLine
          recordProblem = nil
        }
      case .text:
        let value = xml.value
        if recordProblem == nil, let parent = path.last, parent == "activity" || parent == "group",
          value.utf8.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        {
          recordProblem = "text beside the fields of <\(parent)>: \"\(value.prefix(40))\""
        }
        text += value
      case .endElement:
        let name = path.popLast() ?? ""
        try end(name)
        text = ""
      }
    }
  }

  private func end(_ name: String) throws {
    let parent = path.last
    if parent == "activity" || parent == "group" {
      fields.append((xml.name, text))
      return
    }
    switch (name, parent) {
    case ("displayname", "timeline"): activities.timelineName = text
    case ("timelinekey", "timeline"): activities.timelineKey = text
    case ("typename", "timelinetype"): activities.schemaName = text
    case ("activity", "activities"):
      if let recordProblem { try activities.rejectActivity(recordProblem, line: recordLine) } else { try activities.addActivity(fields, line: recordLine) }
    case ("group", "groups"):
      if let recordProblem {
        activities.diagnostics.warn("the group is left out: \(recordProblem); its activities keep its id in attrs.group_id",
                                    file: input.name, position: SourcePosition(line: recordLine, column: 1, byteOffset: 0))
      } else {
        activities.addGroup(fields)
      }
    case ("groups", "timeline"): activities.groupsComplete = true
    case ("timeline", _): try activities.endTimeline()
    default: break
    }
  }
}
