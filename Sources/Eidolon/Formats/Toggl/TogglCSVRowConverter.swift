/// Toggl CSV rows the general way: each row's Event, warnings and errors, for rows the
/// row scanner does not take (and every row when it is off). One per thread: the reader
/// has one, and so has each thread of `BothCores`.
final class TogglCSVRowConverter {
  private let columns: TogglColumns
  private let options: TogglCSVReader.Options
  private let diagnostics: Diagnostics
  private let scratch = ByteBuffer(capacity: 1024)
  /// The row being read.
  private var row: (any CSVFields)!

  init(columns: TogglColumns, options: TogglCSVReader.Options, diagnostics: Diagnostics) {
    self.columns = columns
    self.options = options
    self.diagnostics = diagnostics
  }

  /// The row's event, checked against the spec; nil when the row gives none (a running
  /// entry left out, or a bad row, rejected through `diagnostics` with its bytes).
  func event(_ row: any CSVFields) throws -> Event? {
    self.row = row
    defer { self.row = nil }
    do {
      if let event = try event(from: columns) {
        try EventSpec.check(event)
        return event
      }
    } catch var error as EidolonError where error.isRecordError {
      error.file = row.fileName
      if error.position == nil { error.position = SourcePosition(line: row.recordLine, column: 1, byteOffset: 0) }
      try diagnostics.reject(error, raw: row.rawRecord)
    }
    return nil
  }

  /// A cell's text, nil when empty or "-" (the new Reports UI's empty cell).
  private func cell(_ role: TogglColumns.Role, _ columns: TogglColumns) -> String? {
    guard let index = columns.index[role], index < row.fieldCount else { return nil }
    let text = row.string(index)
    return text.isEmpty || text == "-" ? nil : TogglCSVWriter.unescapeFormula(text)
  }

  private func fail(_ message: String) -> EidolonError {
    EidolonError(.data, message, position: SourcePosition(line: row.recordLine, column: 1, byteOffset: 0))
  }

  private func event(from columns: TogglColumns) throws -> Event? {
    guard let startDate = cell(.startDate, columns), let startTime = cell(.startTime, columns) else {
      throw fail("the row has no start date and time")
    }
    var (start, startOffset, startAmbiguous) = try instant(startDate, startTime, what: "start", quietOverlap: true)
    defer {
      if startAmbiguous, let zone = options.zone {
        diagnostics.warn(zone.warning("the start \(startDate) \(startTime)", .overlap)!,
                         file: row.fileName, position: SourcePosition(line: row.recordLine, column: 1, byteOffset: 0))
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
              file: row.fileName, position: SourcePosition(line: row.recordLine, column: 1, byteOffset: 0))
          }
          duration = listed.seconds
          endKept = end
        }
      } else if let listed, abs(listed.seconds - duration) > max(listed.resolution, 1) {
        diagnostics.warn(
          "Duration \(durationCell!) differs from start to end (\(Int(duration)) s); start to end is kept",
          file: row.fileName, position: SourcePosition(line: row.recordLine, column: 1, byteOffset: 0))
      }
    } else if let listed {
      duration = listed.seconds
    } else {
      // No stop and no duration: the timer was still running at export.
      switch options.running {
      case .error:
        throw fail("a running entry (no stop, no duration): --running now keeps it until now, --running skip leaves it out")
      case .skip:
        diagnostics.warn("a running entry (no stop) is left out (--running skip)", file: row.fileName,
                         position: SourcePosition(line: row.recordLine, column: 1, byteOffset: 0))
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
    for other in columns.others where other.index < row.fieldCount {
      let text = row.string(other.index)
      if !text.isEmpty && text != "-" { attrs[other.name] = .string(TogglCSVWriter.unescapeFormula(text)) }
    }
    event.attrs = attrs
    event.id = TogglCSVReader.id(for: event, togglID: togglID, spanned: spanned, scratch: scratch)
    return event
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
      diagnostics.warn(warning, file: row.fileName, position: SourcePosition(line: row.recordLine, column: 1, byteOffset: 0))
    }
    return (millis, zone.offset(atMillis: millis), false)
  }
}

/// One thread's Toggl rows for `BothCores`: the scanner's line, else the general way's.
final class TogglCSVRowLines: CSVRowLines {
  private let scanner: TogglCSVRowScanner
  private let converter: TogglCSVRowConverter
  /// (No Toggl row needs the rows before it.)
  var carry: Int64?
  var knowsRowsBefore = true

  /// (A zone converter of its own: its cache is not shared between threads.)
  init(columns: TogglColumns, options: TogglCSVReader.Options, diagnostics: Diagnostics) {
    var options = options
    options.zone = options.zone?.forAnotherThread()
    scanner = TogglCSVRowScanner(columns: columns, zone: options.zone)
    converter = TogglCSVRowConverter(columns: columns, options: options, diagnostics: diagnostics)
  }

  func appendLine(_ row: CSVBlockRow, to output: ByteBuffer) throws -> CSVRowOutcome {
    if scanner.scan(row, appendingTo: output) {
      output.append(0x0A)
      return .line(scanner.start)
    }
    guard let event = try converter.event(row) else { return .none }
    EidolonNDJSONWriter.append(event, to: output)
    return .line(event.start)
  }
}
