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
        path.append(name)
        text = ""
        if name == "timeline" { activities.startTimeline() }
        if (name == "activity" && path.dropLast().last == "activities") || (name == "group" && path.dropLast().last == "groups") {
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
    case ("activity", "activities"): try activities.addActivity(fields, line: recordLine)
    case ("group", "groups"): activities.addGroup(fields)
    case ("groups", "timeline"): activities.groupsComplete = true
    case ("timeline", _): try activities.endTimeline()
    default: break
    }
  }
}
