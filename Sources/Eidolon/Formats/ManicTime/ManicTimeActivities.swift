#if canImport(Glibc)
import Glibc
#endif

/// Turns the activities and groups of ManicTime's structured formats (its XML and the
/// Server API's JSON) into events, the same way for all of them (formats/manictime.md,
/// "XML" and "Server JSON"). A reader hands over each record's fields by name (any case)
/// and says where a timeline starts and ends.
///
/// An activity names its group by id, and the groups may come after the activities:
/// those that come before their timeline's groups wait in a temporary file, not in
/// memory, and come out, with their group, when the timeline ends.
final class ManicTimeActivities {
  typealias Fields = [(name: String, value: String)]

  let diagnostics: Diagnostics
  private let zone: ZoneConverter?
  private let fileName: String
  /// The timeline to take when the input does not say (v3 activities, a custom file).
  private let defaultTimeline: ManicTimeCSVReader.Timeline?
  private var defaultSchemaName: String? { defaultTimeline?.schemaName }

  var schemaName: String? {
    didSet {
      timeline = schemaName.flatMap(ManicTimeMapping.timeline(schemaName:))
      groupsMade = nil
    }
  }
  /// The timeline `schemaName` names, if it is one of ManicTime's (looked up when it changes).
  private(set) var timeline: ManicTimeCSVReader.Timeline?
  var timelineName: String?
  var timelineKey: String?
  /// True once the timeline's groups are all known (activities after that come out at once).
  var groupsComplete = false
  private var groups: [String: [String: String]] = [:] { didSet { groupsMade = nil } }
  /// Activities waiting for their groups, in a file unlinked when it was made.
  private var spill: (writer: EidolonNDJSONWriter, fd: Int32)?
  /// The attrs keys `spillOnBytes` has written for the activity at hand, each a length
  /// byte and its bytes (kept, not allocated per activity; an Array of Strings released
  /// each of them per activity).
  let spilledKeys = ByteBuffer(capacity: 256)
  /// The offset `spillOnBytes` writes, made again only when it changes.
  let spilledOffset = RepeatedOffsetText()
  private var replay: EidolonNDJSONReader?
  /// What waited for the timeline's groups, once the timeline ended, until it is read.
  private var replayInput: ByteReader?
  private var ready: [Event] = []

  init(diagnostics: Diagnostics, zone: ZoneConverter?, fileName: String, timeline: ManicTimeCSVReader.Timeline?) {
    self.diagnostics = diagnostics
    self.zone = zone
    self.fileName = fileName
    defaultTimeline = timeline
    schemaName = timeline?.schemaName
    self.timeline = schemaName.flatMap(ManicTimeMapping.timeline(schemaName:))
  }

  deinit {
    guard let fd = spill?.fd else { return }
    // The writer goes first: its sink's thread writes what it was handed before it ends,
    // and must not write once the descriptor's number may be another file's.
    spill = nil
    close(fd)
  }


  /// Forgets the last timeline's names and groups. Call once what it left waiting is out.
  func startTimeline() {
    schemaName = defaultSchemaName
    timelineName = nil
    timelineKey = nil
    groups = [:]
    groupsComplete = false
  }

  /// The next event ready, or one that waited for its group; nil when there is none yet.
  func next() throws -> Event? {
    if !ready.isEmpty { return ready.removeFirst() }
    if replay == nil, let input = replayInput {
      replay = EidolonNDJSONReader(input: input, diagnostics: diagnostics)
      replayInput = nil
    }
    if let replay {
      if var event = try replay.next() {
        resolveGroup(&event)
        return event
      }
      self.replay = nil
    }
    return nil
  }

  /// What a structured reader says, in the order it says it: the one place it acts.
  func apply(_ record: ManicTimeXMLRecord) throws {
    switch record {
    case .startTimeline: startTimeline()
    case .timelineName(let name): timelineName = name
    case .timelineKey(let key): timelineKey = key
    case .schemaName(let name): schemaName = name
    case .activity(let fields, let line): try addActivity(fields, line: line)
    case .rejectedActivity(let problem, let line): try rejectActivity(problem, line: line)
    case .group(let fields): addGroup(fields)
    case .groupLeftOut(let problem, let line):
      diagnostics.warn("the group is left out: \(problem); its activities keep its id in attrs.group_id",
                       file: fileName, position: SourcePosition(line: line, column: 1, byteOffset: 0))
    case .groupsComplete: groupsComplete = true
    case .endTimeline: try endTimeline()
    }
  }

  /// The activities that waited for the timeline's groups, as NDJSON, and the groups to
  /// resolve them with, for a caller that reads them itself (on both cores,
  /// ManicTimeXMLBlocks.swift) instead of `next()`; nil when none wait.
  func takeWaiting() -> (ByteReader, ManicTimeGroups)? {
    guard ready.isEmpty, replay == nil, let input = replayInput else { return nil }
    replayInput = nil
    return (input, currentGroups)
  }

  /// `name` is lower-case; the fields' names are compared without regard to case.
  private func value(_ fields: Fields, _ name: String) -> String? {
    fields.first { $0.name.utf8.count == name.utf8.count && lowercased($0.name) == name }?.value
  }

  /// Field names and their lower case, for the few names a file uses (lower-casing each
  /// field of each activity again was a tenth of reading an XML timeline).
  private var lowercasedNames: [(name: String, lower: String)] = []

  private func lowercased(_ name: String) -> String {
    // Short names are held inline: comparing them is comparing two words.
    for known in lowercasedNames where known.name == name { return known.lower }
    let lower = name.lowercased()
    if lowercasedNames.count < 32 { lowercasedNames.append((name, lower)) }
    return lower
  }

  func addGroup(_ fields: Fields) {
    guard let id = value(fields, "groupid") ?? value(fields, "entityid") else { return }
    var group: [String: String] = [:]
    for (name, value) in fields { group[lowercased(name)] = value }
    groups[id] = group
  }

  /// An activity whose XML cannot be read as fields: rejected whole, with its line.
  func rejectActivity(_ message: String, line: Int) throws {
    try diagnostics.reject(fail(message, line: line), raw: nil)
  }

  private func fail(_ message: String, line: Int) -> EidolonError {
    EidolonError(.data, message, file: fileName, position: line > 0 ? SourcePosition(line: line, column: 1, byteOffset: 0) : nil)
  }

  private func instant(_ fields: Fields, _ name: String, shown: String, line: Int) throws -> (millis: Int64, offset: Int?)? {
    guard let text = value(fields, name)?.trimmingSpaces(), !text.isEmpty else { return nil }
    guard let parsed = Timestamp.parse(text) else {
      throw fail("\(shown) \"\(text)\" is not an ISO 8601 time (2024-03-04T09:00:05+01:00)", line: line)
    }
    if let offset = parsed.offsetSeconds { return (parsed.epochMillis, offset) }
    guard let zone else { throw fail("\(shown) \"\(text)\" has no offset: give the zone it is in with --tz", line: line) }
    let (millis, resolution) = zone.toUTCMillis(parsed.local)
    if let warning = zone.warning("the \(shown) \(text)", resolution) {
      diagnostics.warn(warning, file: fileName, position: line > 0 ? SourcePosition(line: line, column: 1, byteOffset: 0) : nil)
    }
    return (millis, zone.offset(atMillis: millis))
  }

  /// One activity: StartTime and EndTime, or a start and a duration in seconds (v3).
  func addActivity(_ fields: Fields, line: Int) throws {
    do {
      guard let (start, offset) = try instant(fields, "starttime", shown: "StartTime", line: line) else {
        throw fail("the activity has no start time", line: line)
      }
      var end: Int64
      if let (millis, _) = try instant(fields, "endtime", shown: "EndTime", line: line) {
        end = millis
      } else if let text = value(fields, "duration") {
        guard let seconds = InputNumber.decimal(text.trimmingSpaces()), seconds >= 0 else { throw fail("duration \"\(text)\" is not a number of seconds", line: line) }
        if let reason = EventSpec.durationProblem(seconds) { throw fail(reason, line: line) }
        guard let millis = EventSpec.endMillis(start: start, seconds: seconds) else { throw fail("the activity runs past the year 9999", line: line) }
        end = millis
      } else {
        throw fail("the activity has no end time and no duration", line: line)
      }
      guard end >= start else { throw fail("the activity ends before it starts", line: line) }
      let name = value(fields, "displayname") ?? value(fields, "name") ?? ""
      // The id is made once the group is known (resolveGroup).
      var event = Event(id: "manictime:pending", source: "manictime", kind: "activity", start: start, duration: Double(end - start) / 1000)
      event.stream = schemaName ?? timelineName
      event.offset = offset.map(Timestamp.formatOffset)
      ManicTimeMapping.apply(name: name, to: &event, timeline: timeline)
      for (field, text) in fields {
        // The one table of what a field is (ManicTimeActivityLine.swift takes it too).
        switch ManicTimeActivities.role(lowercased: lowercased(field)) {
        case .displayName, .name, .start, .end, .duration: continue
        case .notes:
          if !text.isEmpty { event.description = text }
        case .groupID: event.attrs["group_id"] = .string(text)
        case .activityID: event.attrs["activity_id"] = .string(text)
        case .isActive: event.attrs["is_active"] = .string(text)
        case .other: if !text.isEmpty { event.attrs[field] = .string(text) }
        }
      }
      if let timelineKey { event.attrs["timeline_key"] = .string(timelineKey) }
      event.attrs["activity_name"] = .string(name)
      if let reason = EventSpec.problem(event) { throw fail(reason, line: line) }
      if groupsComplete || event.attrs["group_id"] == nil {
        resolveGroup(&event)
        ready.append(event)
      } else {
        // Its group may come later in the timeline: wait on disk, not in memory.
        try spillWriter().write(event)
      }
    } catch var error as EidolonError where error.isRecordError {
      if error.file == nil { error.file = fileName }
      try diagnostics.reject(error, raw: nil)
    }
  }

  /// Where activities wait for their groups: a file unlinked when it was made.
  func spillWriter() throws -> EidolonNDJSONWriter {
    if let spill { return spill.writer }
    let fd = try TemporaryFile.create("mt-read", holding: "activities waiting for their groups")
    // Written behind, on a thread of its own: copying the lines into the file system was
    // a third of the time of the thread that makes the events (bench/README.md).
    let writer = EidolonNDJSONWriter(sink: OutputSink(fd: fd, name: "mt-read spill", writesBehind: true))
    spill = (writer, fd)
    return writer
  }

  /// The timeline is over: what waited for its groups comes out next.
  func endTimeline() throws {
    groupsComplete = true
    guard let spill else { return }
    try spill.writer.finish()
    try TemporaryFile.rewind(spill.fd, name: "mt-read spill")
    // The reader owns the descriptor now: it closes it when the replay is done.
    replayInput = ByteReader(source: FileDescriptorSource(fd: spill.fd, name: "mt-read spill", ownsDescriptor: true), name: "mt-read spill")
    self.spill = nil
  }

  /// The groups as activities take them, made again only when the groups or the
  /// timeline change.
  private var currentGroups: ManicTimeGroups {
    if let groupsMade { return groupsMade }
    let made = ManicTimeGroups(groups: groups, timeline: timeline, fileName: fileName)
    groupsMade = made
    return made
  }
  private var groupsMade: ManicTimeGroups?
  private let idScratch = ByteBuffer(capacity: 256)

  private func resolveGroup(_ event: inout Event) { currentGroups.resolve(&event, diagnostics: diagnostics, scratch: idScratch) }

  /// The field mt-write names in a group's DisplayKey (`eidolon:project`), if it is one.
  static func keyField(_ key: String) -> String? {
    guard key.hasPrefix("eidolon:") else { return nil }
    let field = String(key.dropFirst(8))
    return ManicTimeXMLWriter.groupFields.contains(field) ? field : nil
  }
}

/// A timeline's groups, by id, and what an activity takes of its group.
struct ManicTimeGroups {
  /// What an activity takes of its group, worked out once per group (not per activity).
  struct Taken {
    let name: String
    /// The optional text field mt-write's key names (`eidolon:project`), on a custom timeline.
    let field: Int?
    /// A key that is not mt-write's, kept in attrs.group_key.
    let key: String?
    let color: String?
  }

  let taken: [String: Taken]
  let timeline: ManicTimeCSVReader.Timeline?
  let fileName: String

  init(groups: [String: [String: String]], timeline: ManicTimeCSVReader.Timeline?, fileName: String) {
    self.timeline = timeline
    self.fileName = fileName
    taken = groups.mapValues { group in
      let key = group["displaykey"] ?? group["key"] ?? ""
      let keyField = ManicTimeActivities.keyField(key)
      var field: Int?
      if let named = keyField.flatMap(EventField.init(name:)), case .text(let index) = named { field = index }
      let color = group["color"] ?? ""
      return Taken(name: group["displayname"] ?? group["name"] ?? "", field: field,
                   key: !key.isEmpty && keyField == nil ? key : nil, color: color.isEmpty ? nil : color)
    }
  }

  /// The group's name goes where its timeline puts it (the application, the domain), or
  /// where mt-write's key says (`eidolon:project`), else to attrs.group; the id is made last
  /// (its input joined in `scratch` when one is given: one per thread).
  func resolve(_ event: inout Event, diagnostics: Diagnostics, scratch: ByteBuffer? = nil) {
    let name = event.attrs["activity_name"]?.stringValue ?? ""
    event.attrs["activity_name"] = nil
    if let id = event.attrs["group_id"]?.stringValue, let group = taken[id] {
      switch timeline {
      case .applications?: event.app = group.name
      case .documents?: event.attrs["domain"] = .string(group.name)
      default:
        if let index = group.field {
          event.setOptionalString(index, group.name)
        } else {
          event.attrs["group"] = .string(group.name)
        }
      }
      if let key = group.key { event.attrs["group_key"] = .string(key) }
      if let color = group.color { event.attrs["group_color"] = .string(color) }
    } else if let id = event.attrs["group_id"]?.stringValue {
      diagnostics.warn("the activity's group \(id) is not among the timeline's groups; its id is kept in attrs.group_id",
                       file: fileName, position: nil)
    }
    event.id = ManicTimeMapping.id(event, name: name, scratch: scratch)
  }
}
