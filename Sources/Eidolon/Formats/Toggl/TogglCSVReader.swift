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
public final class TogglCSVReader: EventReader, EventViewReader {
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
  private let scratch = ByteBuffer(capacity: 1024)
  private var rowScanner: TogglCSVRowScanner?
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

  private func nextRecord() throws -> ScannedRecords.Record? {
    if columns == nil {
      guard try csv.next() else { return nil }
      do {
        columns = try TogglColumns(header: csv.strings)
        csv.minimumFieldCount = csv.fieldCount
      } catch var error as EidolonError {
        error.file = csv.fileName
        throw error
      }
      if options.scansRows { rowScanner = TogglCSVRowScanner(columns: columns!, zone: options.zone) }
    }
    while true {
      // A stray quote loses that row to the parser, not the next ones.
      guard try csv.next(rejectingBadLinesTo: diagnostics) else { return nil }
      if let rowScanner, rowScanner.scan(csv) {
        scannedRows += 1
        return .scanned
      }
      do {
        if let event = try event(from: columns!) {
          try EventSpec.check(event)
          return records.converted(event)
        }
      } catch var error as EidolonError where error.isRecordError {
        error.file = csv.fileName
        if error.position == nil { error.position = SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0) }
        try diagnostics.reject(error, raw: csv.rawRecord)
      }
    }
  }

  /// A cell's text, nil when empty or "-" (the new Reports UI's empty cell).
  private func cell(_ role: TogglColumns.Role, _ columns: TogglColumns) -> String? {
    guard let index = columns.index[role], index < csv.fieldCount else { return nil }
    let text = csv.string(index)
    return text.isEmpty || text == "-" ? nil : TogglCSVWriter.unescapeFormula(text)
  }

  private func fail(_ message: String) -> EidolonError {
    EidolonError(.data, message, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
  }

  private func event(from columns: TogglColumns) throws -> Event? {
    guard let startDate = cell(.startDate, columns), let startTime = cell(.startTime, columns) else {
      throw fail("the row has no start date and time")
    }
    var (start, startOffset, startAmbiguous) = try instant(startDate, startTime, what: "start", quietOverlap: true)
    defer {
      if startAmbiguous, let zone = options.zone {
        diagnostics.warn(zone.warning("the start \(startDate) \(startTime)", .overlap)!,
                         file: csv.fileName, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
      }
    }
    let durationCell = cell(.duration, columns)
    let listed = durationCell.flatMap(TogglDuration.parse)
    if durationCell != nil && listed == nil {
      throw fail("Duration \"\(durationCell!)\" is not a Toggl duration (08:03:27, 47:06 min, 45 sec, 0.79 h)")
    }
    if let listed, let reason = EventSpec.durationProblem(listed.seconds) { throw fail("Duration \"\(durationCell!)\": \(reason)") }
    var duration: Double
    // End minus start when the row has an end (ids hash it, as they did before the
    // Duration column was taken), and an end the duration does not reach.
    var spanned: Double?
    var endKept: Int64?
    var running = false
    if let endDate = cell(.endDate, columns), let endTime = cell(.endTime, columns) {
      var (end, _, ambiguous) = try instant(endDate, endTime, what: "end", quietOverlap: true)
      if startAmbiguous, !ambiguous, let listed, let zone = options.zone {
        // The start fell in the hour that happened twice: the Duration column says which.
        let second = zone.laterOccurrence(ofOverlap: start)
        let target = end - Int64(listed.seconds * 1000)
        // A tie leaves it open: the first is kept, and the warning says so.
        startAmbiguous = abs(second - target) == abs(start - target)
        if abs(second - target) < abs(start - target) {
          start = second
          startOffset = zone.offset(atMillis: second)
        }
      }
      if ambiguous, let zone = options.zone {
        // The end fell in the hour that happened twice: take the occurrence that agrees
        // with the Duration column, else the first one that is not before the start.
        let second = zone.laterOccurrence(ofOverlap: end)
        if let listed {
          let target = start + Int64(listed.seconds * 1000)
          if abs(second - target) < abs(end - target) { end = second }
        } else if end < start {
          end = second
        }
      }
      guard end >= start else { throw fail("the entry ends (\(endDate) \(endTime)) before it starts (\(startDate) \(startTime))") }
      duration = Double(end - start) / 1000
      spanned = duration
      if let listed, listed.resolution <= 1 {
        // Toggl's own figure, to the second, and what its reports sum (it keeps times
        // finer than the whole seconds the columns show): the duration. An end it does
        // not agree with is kept beside it.
        if listed.seconds != duration {
          if abs(listed.seconds - duration) > 1 {
            diagnostics.warn(
              "Duration \(durationCell!) differs from start to end (\(Int(duration)) s); the Duration is kept, the end in attrs.end",
              file: csv.fileName, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
          }
          duration = listed.seconds
          endKept = end
        }
      } else if let listed, abs(listed.seconds - duration) > max(listed.resolution, 1) {
        diagnostics.warn(
          "Duration \(durationCell!) differs from start to end (\(Int(duration)) s); start to end is kept",
          file: csv.fileName, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
      }
    } else if let listed {
      duration = listed.seconds
    } else {
      // No stop and no duration: the timer was still running at export.
      switch options.running {
      case .error:
        throw fail("a running entry (no stop, no duration): --running now keeps it until now, --running skip leaves it out")
      case .skip:
        diagnostics.warn("a running entry (no stop) is left out (--running skip)", file: csv.fileName,
                         position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
        return nil
      case .now:
        guard options.now >= start else { throw fail("a running entry that starts in the future") }
        duration = Double(options.now - start) / 1000
        running = true
      }
    }

    var event = Event(id: "", source: "toggl", kind: "time_entry", start: start, duration: duration)
    event.user = cell(.user, columns)
    event.client = cell(.client, columns)
    event.project = cell(.project, columns)
    event.task = cell(.task, columns)
    event.description = cell(.description, columns)
    if let tags = cell(.tags, columns) {
      event.tags = tags.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
    var attrs = JSONObject()
    if let billable = cell(.billable, columns) {
      switch billable.lowercased() {
      case "yes", "true", "1": event.billable = true
      case "no", "false", "0": event.billable = false
      default: attrs["billable"] = .string(billable)
      }
    }
    if options.zone != nil { event.offset = Timestamp.formatOffset(startOffset) }
    if let email = cell(.email, columns) { attrs["email"] = .string(email) }
    if let amount = cell(.amount, columns) { attrs["amount"] = .string(amount) }
    if let currency = cell(.currency, columns) ?? (cell(.amount, columns) != nil ? columns.amountCurrency : nil) {
      attrs["currency"] = .string(currency)
    }
    let togglID = cell(.id, columns)
    if let togglID { attrs["toggl_id"] = .string(togglID) }
    if running { attrs["running"] = .bool(true) }
    if let endKept { attrs["end"] = .string(Timestamp.canonical(endKept)) }
    for other in columns.others where other.index < csv.fieldCount {
      let text = csv.string(other.index)
      if !text.isEmpty && text != "-" { attrs[other.name] = .string(TogglCSVWriter.unescapeFormula(text)) }
    }
    event.attrs = attrs
    event.id = TogglCSVReader.id(for: event, togglID: togglID, spanned: spanned, scratch: scratch)
    return event
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

  /// "YYYY-MM-DD" and "HH:MM:SS" (or "HH:MM") in the zone, as UTC milliseconds and the offset in force.
  /// `quietOverlap`: the caller settles a time in the repeated hour itself (the third value says so).
  private func instant(_ date: String, _ time: String, what: String, quietOverlap: Bool = false) throws -> (Int64, Int, Bool) {
    guard let local = TogglCSVReader.localDateTime(date, time) else {
      throw fail("the \(what) \"\(date) \(time)\" is not a date (YYYY-MM-DD) and a time (HH:MM:SS)")
    }
    guard let zone = options.zone else { return (local.secondsAsIfUTC * 1000 + Int64(local.nanosecond / 1_000_000), 0, false) }
    let (millis, resolution) = zone.toUTCMillis(local)
    if resolution == .overlap && quietOverlap { return (millis, zone.offset(atMillis: millis), true) }
    if let warning = zone.warning("the \(what) \(date) \(time)", resolution) {
      diagnostics.warn(warning, file: csv.fileName, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
    }
    return (millis, zone.offset(atMillis: millis), false)
  }

  /// "YYYY-MM-DD" and "HH:MM:SS" exactly, digits where digits go, as a wall-clock time
  /// (not yet checked with `isValid`); nil for any other layout.
  static func usualLocalDateTime(_ d: UnsafeRawBufferPointer, _ t: UnsafeRawBufferPointer) -> LocalDateTime? {
    guard d.count == 10, t.count == 8, d[4] == 0x2D, d[7] == 0x2D, t[2] == 0x3A, t[5] == 0x3A else { return nil }
    @inline(__always) func number(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ count: Int) -> Int? {
      var value = 0
      for i in from..<(from + count) {
        let digit = bytes[i] &- 0x30
        guard digit <= 9 else { return nil }
        value = value * 10 + Int(digit)
      }
      return value
    }
    guard let year = number(d, 0, 4), let month = number(d, 5, 2), let day = number(d, 8, 2),
      let hour = number(t, 0, 2), let minute = number(t, 3, 2), let second = number(t, 6, 2)
    else { return nil }
    return LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
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
}
