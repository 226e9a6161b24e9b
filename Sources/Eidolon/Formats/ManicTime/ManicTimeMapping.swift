/// What every ManicTime reader does the same way (formats/manictime.md, "Fields"): a
/// timeline's kind, where an activity's name goes, and the id.
enum ManicTimeMapping {
  typealias Timeline = ManicTimeCSVReader.Timeline

  /// The timeline of a ManicTime schema name (`ManicTime/Applications`), nil for others.
  static func timeline(schemaName: String) -> Timeline? {
    Timeline.allCases.first { $0.schemaName.lowercased() == schemaName.lowercased() }
  }

  /// Sets the kind and puts the activity's name where its timeline says; a custom
  /// timeline's activities are kind "activity" with the name as title.
  static func apply(name: String, to event: inout Event, timeline: Timeline?) {
    switch timeline {
    case .applications?:
      event.kind = "window"
      event.title = name
    case .documents?:
      if name.contains("://") {
        event.kind = "web"
        event.url = name
      } else {
        event.kind = "document"
        event.title = name
      }
    case .computerUsage?:
      event.kind = "afk"
      event.attrs["name"] = .string(name)
      event.attrs["status"] = .string(ManicTimeCSVReader.usageStates[name] ?? "away")
    case .tags?:
      event.kind = "tag"
      let tags = name.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
      if !tags.isEmpty { event.tags = tags }
    case nil:
      event.kind = "activity"
      event.title = name
    }
  }

  /// `manictime:` and the hash of the stream, name, start, end and the activity's group
  /// (application or domain): the same activity from a CSV, XML or the server, alike.
  /// A tag activity's name counts as its tags as read (trimmed, joined by ", "), so a
  /// name written back with other spacing keeps its id.
  static func id(_ event: Event, name: String, scratch: ByteBuffer? = nil) -> String {
    let name = event.kind == "tag" ? (event.tags ?? []).joined(separator: ", ") : name
    let input = scratch ?? ByteBuffer(capacity: 256)
    input.removeAll()
    input.append(event.stream ?? "")
    input.append(0x1F)
    input.append(name)
    input.append(0x1F)
    input.append(integer: event.start)
    input.append(0x1F)
    input.append(integer: event.endMillis)
    input.append(0x1F)
    input.append(event.app ?? event.attrs["domain"]?.stringValue ?? "")
    return EventID.make(prefix: "manictime", joinedFields: input.bytes)
  }
}
