/// Reads Toggl Track time-entry CSVs (the classic Detailed report, the Admin data
/// export, the new Reports UI's detailed export) into events of kind "time_entry",
/// one row at a time (formats/toggl.md).
///
/// Times in these files are wall-clock times in the user's Toggl time zone; `zone`
/// turns them into UTC (nil reads them as UTC). A bad row is rejected through
/// `Diagnostics` with its line; a file that is not a Toggl CSV stops the read.
///
/// Rows of the usual shape go from their cells' bytes straight to their canonical line
/// (`TogglCSVRowScanner`); any other row goes through an Event as before. `nextView()`
/// hands out either as a view over that line.
public final class TogglCSVReader: EventReader, EventViewReader, CSVRowBlockReading {
  public enum Running: String, CaseIterable, Sendable {
    /// Reject the entry (the default: the user decides).
    case error
    /// Leave it out, counted in a warning.
    case skip
    /// Keep it as lasting until `Options.now`, with attrs.running = true.
    case now
  }

  public struct Options {
    public var zone: ZoneConverter?
    public var running = Running.error
    /// Milliseconds since the epoch that `--running now` ends running entries at.
    public var now: Int64 = 0
    /// Rows of the usual shape read straight from their bytes. False: every row through
    /// an Event (the reference the tests and fuzzers hold the fast way to).
    public var scansRows = true
    public init() {}
  }

  private let csv: CSVReader
  private let diagnostics: Diagnostics
  private let options: Options
  private var columns: TogglColumns?
  private var rowScanner: TogglCSVRowScanner?
  private var converter: TogglCSVRowConverter?
  private let records = ScannedRecords()
  /// Rows the scanner took (the rest went through an Event).
  private(set) var scannedRows = 0

  public init(input: ByteReader, diagnostics: Diagnostics, options: Options = Options()) {
    csv = CSVReader(input: input)
    self.diagnostics = diagnostics
    self.options = options
  }

  public var bytesRead: Int64 { csv.bytesRead }

  public func next() throws -> Event? { try records.event(nextRecord(), fill: { self.rowScanner?.fill($0) }) }

  /// The next event as a view over its canonical line, valid until the next call.
  public func nextView() throws -> EventView? { try records.view(nextRecord(), fill: { self.rowScanner?.fill($0) }) }

  /// Reads the header where it is not read yet; false for an empty file.
  private func readHeader() throws -> Bool {
    if columns != nil { return true }
    guard try csv.next() else { return false }
    do {
      columns = try TogglColumns(header: csv.strings)
      csv.minimumFieldCount = csv.fieldCount
    } catch var error as EidolonError {
      error.file = csv.fileName
      throw error
    }
    if options.scansRows { rowScanner = TogglCSVRowScanner(columns: columns!, zone: options.zone) }
    converter = TogglCSVRowConverter(columns: columns!, options: options, diagnostics: diagnostics)
    return true
  }

  private func nextRecord() throws -> ScannedRecords.Record? {
    guard try readHeader(), let converter else { return nil }
    while true {
      // A stray quote loses that row to the parser, not the next ones.
      guard try csv.next(rejectingBadLinesTo: diagnostics) else { return nil }
      if let rowScanner, rowScanner.scan(csv) {
        scannedRows += 1
        return .scanned
      }
      if let event = try converter.event(csv) { return records.converted(event) }
    }
  }

  /// The event id every reader gives the entry with this Toggl id (for removing an entry
  /// Toggl says was deleted: `migrate sync`).
  public static func eventID(togglID: String) -> String {
    id(for: Event(id: "", source: "toggl", kind: "time_entry", start: 0, duration: 0), togglID: togglID, scratch: ByteBuffer())
  }

  /// The Eidolon id: from Toggl's own id when the file has one (the same entry from a
  /// CSV or the API gets the same id), else from the row's content, with end minus start
  /// (`spanned`) as the row's length when it has an end.
  static func id(for event: Event, togglID: String?, spanned: Double? = nil, scratch: ByteBuffer) -> String {
    scratch.removeAll()
    if let togglID {
      scratch.append("entry")
      scratch.append(0x1F)
      scratch.append(togglID)
    } else {
      scratch.append("row")
      for part in [event.user, event.attrs["email"]?.stringValue, nil, event.client, event.project, event.task, event.description] {
        scratch.append(0x1F)
        if let part { scratch.append(part) }
      }
      scratch.append(0x1F)
      Timestamp.appendCanonical(event.start, to: scratch)
      scratch.append(0x1F)
      scratch.appendJSONNumber(spanned ?? event.duration)
      scratch.append(0x1F)
      scratch.append((event.tags ?? []).joined(separator: ","))
    }
    return EventID.make(prefix: "toggl", joinedFields: scratch.bytes)
  }


  /// "YYYY-MM-DD" and "HH:MM:SS" exactly, digits where digits go, as a wall-clock time
  /// (not yet checked with `isValid`); nil for any other layout.
  static func usualLocalDateTime(_ d: UnsafeRawBufferPointer, _ t: UnsafeRawBufferPointer) -> LocalDateTime? {
    guard d.count == 10, t.count == 8, let date = d.baseAddress, let time = t.baseAddress else { return nil }
    return LocalDateTime.usualDigits(date: date, time: time)
  }

  static func localDateTime(_ date: String, _ time: String) -> LocalDateTime? {
    // The layout every Toggl CSV uses, read straight off the bytes (splitting strings
    // took a third of toggl-read's time); anything else goes the general way.
    var date = date, time = time
    let fast = date.withUTF8 { d in time.withUTF8 { t in usualLocalDateTime(UnsafeRawBufferPointer(d), UnsafeRawBufferPointer(t)) } }
    if let fast { return fast.isValid ? fast : nil }
    let d = date.trimmingSpaces().split(separator: "-", omittingEmptySubsequences: false)
    let t = time.trimmingSpaces().split(separator: ":", omittingEmptySubsequences: false)
    guard d.count == 3, d[0].count == 4, (2...3).contains(t.count),
      let year = Int(d[0]), let month = Int(d[1]), let day = Int(d[2]),
      let hour = Int(t[0]), let minute = Int(t[1])
    else { return nil }
    var second = 0
    var nanosecond = 0
    if t.count == 3 {
      let parts = t[2].split(separator: ".", maxSplits: 1)
      guard let whole = parts.first.flatMap({ Int($0) }) else { return nil }
      second = whole
      if parts.count == 2 {
        let digits = String(parts[1].prefix(9))
        guard let fraction = Int(digits), digits.allSatisfy(\.isASCIIDigit) else { return nil }
        nanosecond = fraction * [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000][9 - digits.count]
      }
    }
    let local = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    return local.isValid ? local : nil
  }

  // MARK: Rows on both cores (BothCores, CSVRowBlocks.swift)

  public func csvForBlocks() throws -> CSVReader? {
    guard options.scansRows, try readHeader() else { return nil }
    return csv
  }

  public func makeRowLines(diagnostics: Diagnostics) -> CSVRowLines {
    TogglCSVRowLines(columns: columns!, options: options, diagnostics: diagnostics)
  }
}
