/// Writes events as a ManicTime custom timeline (formats/manictime.md, "Writing XML"), the
/// XML ManicTime imports, so history from any tracker shows up inside ManicTime: one
/// Activity per event, grouped by one field (`groupBy`), the groups after the activities
/// (they are known only at the end; there are few, so they are held in memory).
public final class ManicTimeXMLWriter: EventWriter {
  /// The fields a timeline can be grouped by (each group's DisplayKey is `eidolon:FIELD`).
  public static let groupFields = ["app", "project", "client", "task", "category", "subcategory", "user", "host"]

  private struct Group {
    var id: String
    var name: String
    var key: String
    var color: String
  }

  private let sink: OutputSink
  private let groupBy: EventField
  private let groupKey: String
  private let zone: ZoneConverter?
  private var timelineName: String?
  private var started = false
  private var groups: [Group] = []
  /// Group index by key and name.
  private var groupIndex: [String: Int] = [:]
  private var usedIDs: Set<String> = []
  private var nextID = 1
  public private(set) var eventCount = 0

  /// `timelineName` nil: the first event's stream (unless it is a ManicTime schema name), else "Eidolon".
  public init(sink: OutputSink, groupBy: String, zone: ZoneConverter?, timelineName: String?) {
    self.sink = sink
    self.groupBy = EventField(name: groupBy) ?? EventField(name: "app")!
    groupKey = "eidolon:\(groupBy)"
    self.zone = zone
    self.timelineName = timelineName
  }

  private func element(_ name: String, _ text: String, indent: String) {
    let out = sink.buffer
    out.append(indent + "<\(name)>")
    ManicTimeXMLWriter.appendEscaped(text, to: out)
    out.append("</\(name)>\n")
  }

  static func appendEscaped(_ text: String, to out: ByteBuffer) {
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "&"): out.append("&amp;")
      case UInt8(ascii: "<"): out.append("&lt;")
      case UInt8(ascii: ">"): out.append("&gt;")
      case UInt8(ascii: "\""): out.append("&quot;")
      // XML 1.0 has no way to write other control characters: they become spaces.
      case 0x00..<0x20 where byte != 0x09 && byte != 0x0A && byte != 0x0D: out.append(UInt8(ascii: " "))
      default: out.append(byte)
      }
    }
  }

  private func start(with event: Event) {
    started = true
    let name = timelineName ?? event.stream.flatMap { ManicTimeMapping.timeline(schemaName: $0) == nil ? $0 : nil } ?? "Eidolon"
    sink.buffer.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Timeline>\n")
    element("Color", "#3366FF", indent: "  ")
    element("DisplayName", name, indent: "  ")
    sink.buffer.append("  <Activities>\n")
  }

  /// The group an event belongs to: the one a ManicTime XML gave it (attrs.group), or its
  /// `groupBy` field; a group id from the source is kept where it is free.
  private func group(of event: Event) -> Group? {
    var name: String?
    var key = groupKey
    if let group = event.attrs["group"]?.stringValue {
      name = group
      key = event.attrs["group_key"]?.stringValue ?? ""
    } else {
      _ = groupBy.forEachText(of: event) { name = $0; return true }
    }
    guard let name else { return nil }
    let lookup = key + "\u{1}" + name
    if let index = groupIndex[lookup] { return groups[index] }
    var id = event.attrs["group_id"]?.stringValue ?? ""
    if id.isEmpty || usedIDs.contains(id) {
      while usedIDs.contains(String(nextID)) { nextID += 1 }
      id = String(nextID)
    }
    usedIDs.insert(id)
    let color = event.attrs["group_color"]?.stringValue ?? ManicTimeXMLWriter.color(for: name)
    groupIndex[lookup] = groups.count
    groups.append(Group(id: id, name: name, key: key, color: color))
    return groups[groups.count - 1]
  }

  /// A color from the name, so the same group has the same color in every file.
  static func color(for name: String) -> String {
    let palette = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"]
    var hash: UInt32 = 2_166_136_261
    for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
    return palette[Int(hash % UInt32(palette.count))]
  }

  /// xs:dateTime with an offset: the event's own, else the zone's, else UTC.
  private func dateTime(_ millis: Int64, _ event: Event) -> String {
    let seconds = CivilTime.floorDiv(millis, 1000)
    let offset = event.offset.flatMap(Timestamp.parseOffset) ?? zone?.offset(atUTC: seconds) ?? 0
    let local = Timestamp.canonical(millis + Int64(offset) * 1000)  // 2024-03-04T09:00:05.123Z
    let time = millis - seconds * 1000 == 0 ? local.prefix(19) : local.prefix(23)
    return String(time) + Timestamp.formatOffset(offset)
  }

  public func write(_ event: Event) throws {
    try EventSpec.checkBeforeWriting(event)
    if !started { start(with: event) }
    let name = event.title ?? event.description ?? event.url ?? event.app ?? event.project ?? event.kind
    sink.buffer.append("    <Activity>\n")
    element("DisplayName", name, indent: "      ")
    if let group = group(of: event) {
      element("GroupId", group.id, indent: "      ")
    } else if let id = event.attrs["group_id"]?.stringValue {
      element("GroupId", id, indent: "      ")
    }
    element("StartTime", dateTime(event.start, event), indent: "      ")
    element("EndTime", dateTime(event.endMillis, event), indent: "      ")
    sink.buffer.append("    </Activity>\n")
    eventCount += 1
    try sink.flushIfFull()
  }

  public func finish() throws {
    if !started {
      started = true
      sink.buffer.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Timeline>\n")
      element("Color", "#3366FF", indent: "  ")
      element("DisplayName", timelineName ?? "Eidolon", indent: "  ")
      sink.buffer.append("  <Activities>\n")
    }
    sink.buffer.append("  </Activities>\n  <Groups>\n")
    for group in groups {
      sink.buffer.append("    <Group>\n")
      element("GroupId", group.id, indent: "      ")
      element("DisplayName", group.name, indent: "      ")
      element("Color", group.color, indent: "      ")
      if !group.key.isEmpty { element("DisplayKey", group.key, indent: "      ") }
      sink.buffer.append("    </Group>\n")
      try sink.flushIfFull()
    }
    sink.buffer.append("  </Groups>\n</Timeline>\n")
    try sink.finish()
  }
}
