#if canImport(Glibc)
import Glibc
#endif

/// Writes events as a ManicTime CSV export of one timeline, in the shape `mtc export`
/// writes (formats/manictime.md, "Writing CSV"): UTF-8 with a BOM, CRLF, the timeline's
/// columns, local wall-clock times in the zone, then a column for each attrs member the
/// events carry, so mt-read reads back the same events. Which members those are is only
/// known after the last event, so events wait in a temporary file (memory stays flat).
public final class ManicTimeCSVWriter: EventWriter {
  public typealias Timeline = ManicTimeCSVReader.Timeline

  /// The kinds each timeline's file holds; events of other kinds are left out, counted.
  public static func kinds(of timeline: Timeline) -> Set<String> {
    switch timeline {
    case .applications: return ["window"]
    case .documents: return ["web", "document"]
    case .computerUsage: return ["afk"]
    case .tags: return ["tag"]
    }
  }

  /// The attrs members that have a column of their own (or are what mt-read derives).
  static func attrsWithColumns(_ timeline: Timeline) -> Set<String> {
    switch timeline {
    case .applications: return ["listed_duration"]
    case .documents: return ["listed_duration", "domain"]
    case .computerUsage: return ["listed_duration", "name", "status"]
    case .tags: return ["listed_duration"]
    }
  }

  private let sink: OutputSink
  private let timeline: Timeline
  private let zone: ZoneConverter
  private let kinds: Set<String>
  private let ownColumns: Set<String>
  /// The activities waiting for the header, in a file unlinked when it was made.
  private let spillFD: Int32
  private let spill: EidolonNDJSONWriter
  private var extraKeys: [String] = []
  private var extraKeySet: Set<String> = []
  public private(set) var eventCount = 0
  public private(set) var skippedByKind: [String: Int] = [:]
  /// Refuse an event of another timeline's kind as a record error (eidolon convert and
  /// export, where it is counted as rejected) instead of leaving it out with a count
  /// in `skippedByKind` (mt-write, which says so at the end).
  public var rejectsOtherKinds = false

  public init(sink: OutputSink, timeline: Timeline, zone: ZoneConverter) throws {
    self.sink = sink
    self.timeline = timeline
    self.zone = zone
    kinds = ManicTimeCSVWriter.kinds(of: timeline)
    ownColumns = ManicTimeCSVWriter.attrsWithColumns(timeline)
    spillFD = try TemporaryFile.create("mt-write", holding: "the activities")
    spill = EidolonNDJSONWriter(sink: OutputSink(fd: spillFD, name: "mt-write spill"))
  }

  deinit { close(spillFD) }

  public func write(_ event: Event) throws {
    try EventSpec.checkBeforeWriting(event)
    guard kinds.contains(event.kind) else {
      if rejectsOtherKinds {
        throw EidolonError(.data, "a \(event.source) \(event.kind) event has no place on ManicTime's \(timeline.rawValue) timeline (it holds \(kinds.sorted().joined(separator: ", "))): write another timeline (timeline=tags, ...) or variant=xml")
      }
      skippedByKind[event.kind, default: 0] += 1
      return
    }
    try spill.write(event)
    eventCount += 1
    for member in event.attrs.members where !ownColumns.contains(member.key) && !extraKeySet.contains(member.key) {
      extraKeySet.insert(member.key)
      extraKeys.append(member.key)
    }
  }

  public func finish() throws {
    try spill.finish()
    var header = ["Name", "Start", "End", "Duration"]
    switch timeline {
    case .applications: header.append("Process")
    case .documents: header.append("Domain")
    case .computerUsage: break
    case .tags: header.append("Notes")
    }
    let csv = CSVWriter(sink: sink, dialect: CSVDialect(lineTerminator: [0x0D, 0x0A], writesBOM: true))
    try csv.writeRecord(header + extraKeys)
    try TemporaryFile.rewind(spillFD, name: "mt-write spill")
    let reader = EidolonNDJSONReader(input: ByteReader(source: FileDescriptorSource(fd: spillFD, name: "mt-write spill", ownsDescriptor: false),
                                                       name: "mt-write spill"),
                                     diagnostics: Diagnostics(toolName: "mt-write", strict: true))
    var row: [String] = []
    while let event = try reader.next() {
      row.removeAll(keepingCapacity: true)
      switch timeline {
      case .applications: row.append(event.title ?? "")
      case .documents: row.append(event.url ?? event.title ?? "")
      case .computerUsage:
        let active = event.attrs["status"]?.stringValue.map { $0 == "active" || $0 == "not-afk" } ?? false
        row.append(event.attrs["name"]?.stringValue ?? (active ? "Active" : "Away"))
      case .tags: row.append((event.tags ?? []).joined(separator: ", "))
      }
      row.append(wallClock(event.start))
      row.append(wallClock(event.endMillis))
      row.append(event.attrs["listed_duration"]?.stringValue ?? ManicTimeCSVWriter.clock(event.duration))
      switch timeline {
      case .applications: row.append(event.app ?? "")
      case .documents: row.append(event.attrs["domain"]?.cellText ?? event.url.map(WebDomain.domain(ofURL:)) ?? "")
      case .computerUsage: break
      case .tags: row.append(event.description ?? "")
      }
      for value in event.attrs.values(forKeys: extraKeys) { row.append(value?.cellText ?? "") }
      try csv.writeRecord(row)
    }
    try sink.finish()
  }

  /// `2024-03-04T09:00:05`, with `.123` when there are milliseconds: the zone's wall clock.
  private func wallClock(_ millis: Int64) -> String {
    let seconds = CivilTime.floorDiv(millis, 1000)
    let local = (seconds + Int64(zone.offset(atUTC: seconds))) * 1000 + (millis - seconds * 1000)
    let canonical = Timestamp.canonical(local)  // 2024-03-04T09:00:05.123Z
    return millis - seconds * 1000 == 0 ? String(canonical.prefix(19)) : String(canonical.prefix(23))
  }

  /// `H:MM:SS` with unpadded hours, as mtc writes it (0:01:05, 26:03:04).
  static func clock(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    let m = whole / 60 % 60, s = whole % 60
    return "\(whole / 3600):\(m < 10 ? "0" : "")\(m):\(s < 10 ? "0" : "")\(s)"
  }
}
