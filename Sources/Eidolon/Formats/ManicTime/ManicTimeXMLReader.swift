/// Reads ManicTime's XML (formats/manictime.md, "XML"): the custom-timeline file
/// ManicTime imports (`<Timeline>` with Activities and Groups) and the ManicTime Server
/// API v1 (`<timelines><timeline>` with timelineKey, timelineType, activities, groups),
/// one activity at a time over libxml2's pull reader. Element names are matched without
/// regard to case, so both spellings read alike; ManicTimeActivities makes the events.
public final class ManicTimeXMLReader: EventReader, InputCounting {
  private let xml: XMLPullReader
  private let input: ByteReader
  private let activities: ManicTimeActivities

  /// The elements the reader acts on, told from their names without regard to case.
  private enum Tag {
    case timeline, activities, activity, groups, group, displayName, timelineKey, typeName, timelineType, other
  }

  /// The open elements: what each is and its name as libxml2 holds it (interned: good
  /// for the reader's life). No String per element (bench/README.md, "rt-read and mt-read on bytes").
  private var path: [(tag: Tag, name: UnsafeRawBufferPointer)] = []
  private let text = ByteBuffer(capacity: 256)
  /// Where the activity or group being read keeps its child elements' names and text,
  /// as bytes until the record is applied.
  let fields = ManicTimeXMLFields()
  /// The field names met so far and their Strings (a file uses a few, made once each).
  private var fieldNames: [(bytes: UnsafeRawBufferPointer, name: String, role: ManicTimeActivities.FieldRole)] = []
  private var recordLine = 0
  /// True from an activity's or group's start to its end.
  private(set) var inRecord = false
  /// Set when the activity or group being read holds what its fields cannot (an element
  /// inside a field, text beside the fields): it is then rejected, not read in part.
  private var recordProblem: String?

  public init(input: ByteReader, diagnostics: Diagnostics, zone: ZoneConverter?, timeline: ManicTimeCSVReader.Timeline? = nil) throws {
    self.input = input
    xml = try XMLPullReader(source: ByteReaderSource(input), fileName: input.name)
    // Text gathered before an element starts is dropped at its start (`step`).
    xml.dropsBlankTextBeforeElements = true
    activities = ManicTimeActivities(diagnostics: diagnostics, zone: zone, fileName: input.name, timeline: timeline)
  }

  /// On both cores, the reader on the thread that makes the events: it reads the nodes
  /// this one parses (`parseChunk`), handed to it in turn (`receive`), into this one's
  /// activities, which only it uses while it reads.
  private init(receivingFrom parsing: ManicTimeXMLReader) {
    input = parsing.input
    xml = XMLPullReader(receivingNodesOf: parsing.xml.fileName)
    activities = parsing.activities
  }

  func receivingReader() -> ManicTimeXMLReader { ManicTimeXMLReader(receivingFrom: self) }

  /// On both cores, the parsing thread's part: the nodes of the next `bytes` of input
  /// into `batch` for the receiving reader; false once all are out.
  func parseChunk(bytes: Int, into batch: XMLNodes) -> Bool { xml.parseChunk(bytes: bytes, into: batch) }

  /// The receiving reader's next batch of nodes, read by `step()` until it is false.
  func receive(_ batch: XMLNodes) { xml.receive(batch) }

  public var bytesRead: Int64 { input.consumedOffset }

  /// What makes the events, for the thread that does while records are handed to it.
  var ownActivities: ManicTimeActivities { activities }

  /// Where what the XML says goes: this reader's own activities, or (on both cores) the
  /// thread that makes the events (ManicTimeXMLBlocks.swift), which takes an activity's
  /// or group's fields where they are in `fields` (`emitFields`).
  var emit: ((ManicTimeXMLRecord) throws -> Void)?
  var emitFields: ((_ fields: Range<Int>, _ isActivity: Bool, _ line: Int) throws -> Void)?

  private func say(_ record: ManicTimeXMLRecord) throws {
    if let emit { try emit(record) } else { try activities.apply(record) }
  }

  /// An activity or group ends: its fields, or why it cannot be read.
  private func endRecord(isActivity: Bool) throws {
    inRecord = false
    if let recordProblem {
      fields.removeAll()
      try say(isActivity ? .rejectedActivity(recordProblem, line: recordLine) : .groupLeftOut(recordProblem, line: recordLine))
    } else {
      try sayFields(isActivity: isActivity)
    }
  }

  private func sayFields(isActivity: Bool) throws {
    let range = 0..<fields.count
    if let emitFields { return try emitFields(range, isActivity, recordLine) }
    try say(isActivity ? .activity(fields.strings(range), line: recordLine) : .group(fields.strings(range)))
  }

  public func next() throws -> Event? {
    while true {
      if let event = try activities.next() { return event }
      guard try step() else { return nil }
    }
  }

  /// Reads one node of the XML; false at the end.
  func step() throws -> Bool {
    guard try xml.next() else { return false }
    switch xml.kind {
    case .startElement:
      let name = xml.nameBytes
      let tag = ManicTimeXMLReader.tag(name)
      if recordProblem == nil, path.count >= 2, path[path.count - 2].tag == .activity || path[path.count - 2].tag == .group {
        recordProblem = "<\(xml.name)> inside the field <\(ManicTimeXMLReader.lowercased(path.last!.name))>: a ManicTime field holds only text"
      }
      let parent = path.last?.tag
      path.append((tag, name))
      text.removeAll()
      if tag == .timeline { try say(.startTimeline) }
      if (tag == .activity && parent == .activities) || (tag == .group && parent == .groups) {
        fields.removeAll()
        inRecord = true
        recordLine = xml.nodeLine
        recordProblem = nil
      }
    case .text:
      let value = xml.valueBytes
      if recordProblem == nil, let parent = path.last?.tag, parent == .activity || parent == .group,
        value.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
      {
        recordProblem = "text beside the fields of <\(parent == .activity ? "activity" : "group")>: \"\(xml.value.prefix(40))\""
      }
      text.append(value)
    case .endElement:
      let tag = path.popLast()?.tag ?? .other
      try end(tag)
      text.removeAll()
    }
    return true
  }

  private var textString: String { String(decoding: text.bytes, as: UTF8.self) }

  private func end(_ tag: Tag) throws {
    let parent = path.last?.tag
    if parent == .activity || parent == .group {
      // (Outside a record nothing reads them: on both cores not kept.)
      if inRecord || emitFields == nil {
        let (name, role) = fieldName(xml.nameBytes)
        fields.append(name: name, role: role, text: text.bytes)
      }
      return
    }
    switch (tag, parent) {
    case (.displayName, .timeline?): try say(.timelineName(textString))
    case (.timelineKey, .timeline?): try say(.timelineKey(textString))
    case (.typeName, .timelineType?): try say(.schemaName(textString))
    case (.activity, .activities?): try endRecord(isActivity: true)
    case (.group, .groups?): try endRecord(isActivity: false)
    case (.groups, .timeline?): try say(.groupsComplete)
    case (.timeline, _): try say(.endTimeline)
    default: break
    }
  }

  /// A field's name as a String and what it is to an activity, worked out once per name
  /// the file uses.
  private func fieldName(_ bytes: UnsafeRawBufferPointer) -> (String, ManicTimeActivities.FieldRole) {
    // Interned: the same name is the same pointer; compared by bytes all the same.
    for known in fieldNames where known.bytes.baseAddress == bytes.baseAddress || known.bytes.sameBytes(as: bytes) {
      return (known.name, known.role)
    }
    let name = String(decoding: bytes, as: UTF8.self)
    let role = ManicTimeActivities.role(lowercased: name.lowercased())
    if fieldNames.count < 64 { fieldNames.append((bytes, name, role)) }
    return (name, role)
  }

  /// What an element is, from its name in any case.
  private static func tag(_ name: UnsafeRawBufferPointer) -> Tag {
    @inline(__always) func named(_ known: StaticString) -> Bool {
      guard known.utf8CodeUnitCount == name.count else { return false }
      for k in 0..<name.count where known.utf8Start[k] != (name[k] &- 0x41 < 26 ? name[k] | 0x20 : name[k]) { return false }
      return true
    }
    switch name.count {
    case 5: return named("group") ? .group : .other
    case 6: return named("groups") ? .groups : .other
    case 8: return named("activity") ? .activity : named("timeline") ? .timeline : named("typename") ? .typeName : .other
    case 10: return named("activities") ? .activities : .other
    case 11: return named("displayname") ? .displayName : named("timelinekey") ? .timelineKey : .other
    case 12: return named("timelinetype") ? .timelineType : .other
    default: return .other
    }
  }

  private static func lowercased(_ name: UnsafeRawBufferPointer) -> String { String(decoding: name, as: UTF8.self).lowercased() }
}

/// An activity's or group's fields as ManicTimeXMLReader gathers them: each name (a String
/// made once per name the file uses) and its text's bytes, one after the other. Reused
/// from record to record.
final class ManicTimeXMLFields {
  /// The first `count` slots are the fields'; the rest are kept from fields before, to be
  /// written over (emptying an Array of Strings released each, per element).
  private var nameSlots: [String] = []
  /// What each field is to an activity (`ManicTimeActivities.FieldRole`).
  private var roleSlots: [ManicTimeActivities.FieldRole] = []
  /// Where each field's text ends in `text` (it starts where the one before ends).
  private var endSlots: [Int] = []
  let text = ByteBuffer(capacity: 512)

  private(set) var count = 0

  func removeAll() {
    count = 0
    text.removeAll()
  }

  func append(name: String, role: ManicTimeActivities.FieldRole, text value: UnsafeRawBufferPointer) {
    text.append(value)
    if count < nameSlots.count {
      nameSlots[count] = name
      roleSlots[count] = role
      endSlots[count] = text.count
    } else {
      nameSlots.append(name)
      roleSlots.append(role)
      endSlots.append(text.count)
    }
    count += 1
  }

  func name(_ index: Int) -> String { nameSlots[index] }

  func role(_ index: Int) -> ManicTimeActivities.FieldRole { roleSlots[index] }

  /// Field `index`'s text; good until the fields change.
  func value(_ index: Int) -> UnsafeRawBufferPointer {
    let start = index == 0 ? 0 : endSlots[index - 1]
    return UnsafeRawBufferPointer(start: text.base + start, count: endSlots[index] - start)
  }

  /// The fields of `range`, as ManicTimeActivities takes them.
  func strings(_ range: Range<Int>) -> ManicTimeActivities.Fields {
    range.map { (nameSlots[$0], String(decoding: value($0), as: UTF8.self)) }
  }
}
