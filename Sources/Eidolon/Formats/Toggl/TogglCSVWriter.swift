#if canImport(Glibc)
import Glibc
#endif

/// Writes events as a Toggl CSV (formats/toggl.md, "Writing"): the classic Detailed
/// report, or the column set of Toggl's CSV import.
///
/// The classic header grows columns for what the events carry beyond it (Id, Currency,
/// other attrs), so toggl-read reads back the same events; which ones are only known
/// after the last event, so events wait in a temporary file (memory stays flat).
public final class TogglCSVWriter: EventWriter {
  public enum Variant: String, CaseIterable, Sendable {
    /// The classic Detailed report, plus columns for what else the events carry.
    case classic
    /// What Toggl's CSV import takes: no end, no amounts, no extra columns.
    case `import`
  }

  public struct Options {
    public var variant = Variant.classic
    /// Wall-clock times are written in this zone (nil: UTC).
    public var zone: ZoneConverter?
    public init() {}
  }

  private let sink: OutputSink
  private let options: Options
  /// The entries waiting for the header, in a file unlinked when it was made.
  private let spillFD: Int32
  private let spill: EidolonNDJSONWriter
  private var currencies: Set<String> = []
  private var hasAmount = false
  private var hasID = false
  private var extraKeys: [String] = []
  private var extraKeySet: Set<String> = []
  public private(set) var eventCount = 0

  public init(sink: OutputSink, options: Options) throws {
    self.sink = sink
    self.options = options
    spillFD = try TemporaryFile.create("toggl-write", holding: "the entries")
    spill = EidolonNDJSONWriter(sink: OutputSink(fd: spillFD, name: "toggl-write spill"))
  }

  deinit { close(spillFD) }

  /// The attrs that have their own column.
  static let attrsWithColumns: Set<String> = ["email", "amount", "currency", "toggl_id", "billable", "end"]

  public func write(_ event: Event) throws {
    try EventSpec.checkBeforeWriting(event)
    try spill.write(event)
    eventCount += 1
    if event.attrs["amount"] != nil { hasAmount = true }
    if let currency = event.attrs["currency"]?.stringValue { currencies.insert(currency) }
    if event.attrs["toggl_id"] != nil { hasID = true }
    for member in event.attrs.members where !TogglCSVWriter.attrsWithColumns.contains(member.key) && !extraKeySet.contains(member.key) {
      extraKeySet.insert(member.key)
      extraKeys.append(member.key)
    }
  }

  public func finish() throws {
    try spill.finish()
    let classic = options.variant == .classic
    var header = ["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date", "Start time"]
    if classic { header += ["End date", "End time"] }
    header += ["Duration", "Tags"]
    let currencyInHeader = currencies.count == 1 ? currencies.first! : ""
    if classic {
      if hasAmount || !currencies.isEmpty { header.append("Amount (\(currencyInHeader))") }
      if currencies.count > 1 { header.append("Currency") }
      if hasID { header.append("Id") }
      header += extraKeys.map(TogglColumns.header(forAttrsKey:))
    }
    let csv = CSVWriter(sink: sink, dialect: CSVDialect(writesBOM: true))
    try csv.writeRecord(header)
    // Every event was checked on the way in: a line refused now is a bug, so it stops.
    let diagnostics = Diagnostics(toolName: "toggl-write", strict: true)
    try TemporaryFile.rewind(spillFD, name: "toggl-write spill")
    let reader = EidolonNDJSONReader(input: ByteReader(source: FileDescriptorSource(fd: spillFD, name: "toggl-write spill", ownsDescriptor: false),
                                                       name: "toggl-write spill"), diagnostics: diagnostics)
    var row: [String] = []
    while let event = try reader.next() {
      row.removeAll(keepingCapacity: true)
      let safe = TogglCSVWriter.formulaSafe
      row += [safe(event.user ?? ""), safe(event.attrs["email"]?.stringValue ?? ""), safe(event.client ?? ""),
              safe(event.project ?? ""), safe(event.task ?? ""), safe(event.description ?? "")]
      row.append(event.billable.map { $0 ? "Yes" : "No" } ?? (event.attrs["billable"]?.stringValue ?? ""))
      let (startDate, startTime) = wallClock(event.start)
      row += [startDate, startTime]
      if classic {
        let (endDate, endTime) = wallClock(TogglCSVWriter.end(of: event))
        row += [endDate, endTime]
      }
      row.append(TogglCSVWriter.clock(event.duration))
      row.append(safe((event.tags ?? []).joined(separator: ", ")))
      if classic {
        if hasAmount || !currencies.isEmpty { row.append(text(event.attrs["amount"])) }
        if currencies.count > 1 { row.append(event.attrs["currency"]?.stringValue ?? "") }
        if hasID { row.append(text(event.attrs["toggl_id"])) }
        for value in event.attrs.values(forKeys: extraKeys) { row.append(safe(text(value))) }
      }
      try csv.writeRecord(row)
    }
    try sink.finish()
  }

  private func text(_ value: JSONValue?) -> String { value?.cellText ?? "" }

  /// Where the entry ended: `attrs.end` (toggl-read keeps it there when Toggl's Duration
  /// is not end minus start), else start plus duration.
  static func end(of event: Event) -> Int64 {
    if let text = event.attrs["end"]?.stringValue, let end = Timestamp.parse(text)?.epochMillis, end >= event.start {
      return end
    }
    return event.endMillis
  }

  /// "YYYY-MM-DD" and "HH:MM:SS" of a UTC instant in the zone.
  private func wallClock(_ millis: Int64) -> (String, String) {
    let seconds = CivilTime.floorDiv(millis, 1000)
    let offset = options.zone?.offset(atUTC: seconds) ?? 0
    let canonical = Timestamp.canonical((seconds + Int64(offset)) * 1000)  // 2024-03-04T09:00:00.000Z
    let date = canonical.prefix(10)
    let time = canonical.dropFirst(11).prefix(8)
    return (String(date), String(time))
  }

  /// Hours unpadded past two digits: 01:30:15, 36:00:00.
  static func clock(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    let h = whole / 3600, m = whole / 60 % 60, s = whole % 60
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(two(h)):\(two(m)):\(two(s))"
  }

  /// A text cell a spreadsheet could take for a formula (it starts with =, +, -, @) gets
  /// a leading apostrophe, and so does one that starts with an apostrophe, so toggl-read
  /// can take exactly one off again (formats/toggl.md).
  static func formulaSafe(_ text: String) -> String {
    guard let first = text.utf8.first, needsFormulaGuard(first) else { return text }
    return "'" + text
  }

  /// What toggl-read does to a text cell: the apostrophe `formulaSafe` added comes off.
  static func unescapeFormula(_ text: String) -> String {
    guard text.utf8.first == UInt8(ascii: "'"), let second = text.utf8.dropFirst().first, needsFormulaGuard(second)
    else { return text }
    return String(text.dropFirst())
  }

  /// True for a first byte after which `formulaSafe` puts an apostrophe in front.
  @inline(__always)
  static func needsFormulaGuard(_ first: UInt8) -> Bool {
    switch first {
    case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "'"), 0x09, 0x0D: return true
    default: return false
    }
  }
}
