/// Reads ManicTime's CSV exports of a timeline (formats/manictime.md): `mtc export
/// ManicTime/Applications` (`Name,Start,End,Duration,Process`), `ManicTime/Documents`
/// (`...,Domain`), `ManicTime/ComputerUsage` and `ManicTime/Tags` (`...,Notes`), and the
/// GUI's details export of the same columns with dates in the Windows locale.
///
/// Times are naive wall-clock times; `zone` turns them into UTC, and is required (the
/// tool refuses to assume UTC). Dates like 3/4/2019 are read in `dateOrder`; without it
/// the first date that settles the order (13/4/2019) does, and rows until then wait in
/// memory (at most `pendingLimit`); a file that never settles it is refused.
///
/// Applications and Documents rows of the usual shape go from their cells' bytes straight
/// to their canonical line (`ManicTimeCSVRowScanner`); any other row goes through an
/// Event. `nextView()` hands out either as a view over that line.
public final class ManicTimeCSVReader: EventReader, EventViewReader, InputCounting, CSVRowBlockReading {
  public enum Timeline: String, CaseIterable, Sendable {
    case applications, documents, computerUsage = "computer-usage", tags

    /// The timeline's schema name in ManicTime, kept as the events' stream.
    public var schemaName: String {
      switch self {
      case .applications: return "ManicTime/Applications"
      case .documents: return "ManicTime/Documents"
      case .computerUsage: return "ManicTime/ComputerUsage"
      case .tags: return "ManicTime/Tags"
      }
    }
  }

  public struct Options {
    public var zone: ZoneConverter
    public var timeline: Timeline?
    public var dateOrder: ManicTimeDateTime.DateOrder?
    public var pendingLimit = 100_000
    /// Rows of the usual shape read straight from their bytes. False: every row through
    /// an Event (the reference the tests and fuzzers hold the fast way to).
    public var scansRows = true
    public init(zone: ZoneConverter) { self.zone = zone }
  }

  /// The names ComputerUsage activities have.
  static let usageStates = ["Active": "active", "Away": "away", "Session lock": "away", "Power off": "away"]

  private struct Row {
    var cells: [String]
    var line: Int
    /// A copy of the row's bytes for --rejects, for rows held back while the date order is
    /// open; nil for the current row, whose bytes the CSV reader still has.
    var raw: [UInt8]?
  }

  private let csv: CSVReader
  private let diagnostics: Diagnostics
  private var options: Options
  private var header: [String] = []
  private var roles: [String: Int] = [:]
  private var timeline: Timeline?
  /// The columns that go to attrs, once the timeline is known (every column no field takes).
  private var extraColumns: [Int]?
  private var pending: [Row] = []
  private var pendingAt = 0
  private var orderSettled = false
  /// The last row's start, to place a time of the repeated DST hour after it.
  private var previousStart: Int64?
  /// The first date seen that left the order open, for the message that says what was chosen.
  private var firstAmbiguous: String?
  private var rowScanner: ManicTimeCSVRowScanner?
  private let records = ScannedRecords()
  /// Rows the scanner took (the rest went through an Event).
  private(set) var scannedRows = 0

  public init(input: ByteReader, diagnostics: Diagnostics, options: Options) {
    csv = CSVReader(input: input)
    self.diagnostics = diagnostics
    self.options = options
    orderSettled = options.dateOrder != nil
    timeline = options.timeline
  }

  public var bytesRead: Int64 { csv.bytesRead }

  /// Finds the columns; a file without Name, Start and End or Duration is not ManicTime's.
  private func readHeader() throws -> Bool {
    guard try csv.next() else { return false }
    header = csv.strings.map { $0.trimmingSpaces() }
    csv.minimumFieldCount = csv.fieldCount
    for (index, name) in header.enumerated() {
      let key = name.lowercased()
      // The first column of a role has it ("Note" and "Notes" are one role; a later
      // column of that name is an ordinary one).
      let role = key == "note" ? "notes" : key
      roles[role] = roles[role] ?? index
    }
    guard roles["name"] != nil, roles["start"] != nil, roles["end"] != nil || roles["duration"] != nil else {
      throw EidolonError(.syntax, "not a ManicTime CSV export: the header has no Name, Start and End columns (it has \(header.joined(separator: ", ")))",
                         file: csv.fileName, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
    }
    if timeline == nil {
      if roles["process"] != nil { timeline = .applications } else if roles["domain"] != nil { timeline = .documents } else if roles["notes"] != nil { timeline = .tags }
    }
    return true
  }

  public func next() throws -> Event? { try records.event(nextRecord(), fill: { self.rowScanner?.fill($0) }) }

  /// The next event as a view over its canonical line, valid until the next call.
  public func nextView() throws -> EventView? { try records.view(nextRecord(), fill: { self.rowScanner?.fill($0) }) }

  /// Reads the header where it is not read yet; false for an empty file.
  private func prepare() throws -> Bool {
    guard header.isEmpty else { return true }
    guard try readHeader() else { return false }
    if options.scansRows, let timeline {
      rowScanner = ManicTimeCSVRowScanner(timeline: timeline, zone: options.zone, roles: roles, header: header,
                                          extraColumns: extraColumns(for: timeline))
    }
    return true
  }

  private func nextRecord() throws -> ScannedRecords.Record? {
    guard try prepare() else { return nil }
    while true {
      // The scanner takes rows straight from the file once the date order is settled.
      if let rowScanner, orderSettled, pendingAt >= pending.count {
        guard try csv.next(rejectingBadLinesTo: diagnostics) else { return nil }
        if rowScanner.scan(csv, order: options.dateOrder) {
          previousStart = rowScanner.start
          scannedRows += 1
          return .scanned
        }
        if let record = try convert(Row(cells: csv.strings, line: csv.recordLine, raw: nil)) { return record }
        continue
      }
      guard let row = try nextRow() else { return nil }
      if let record = try convert(row) { return record }
    }
  }

  /// The row's event the general way; nil when it is rejected.
  private func convert(_ row: Row) throws -> ScannedRecords.Record? {
    do {
      if let event = try event(row) {
        try EventSpec.check(event)
        return records.converted(event)
      }
    } catch var error as EidolonError where error.isRecordError {
      error.file = csv.fileName
      if error.position == nil { error.position = SourcePosition(line: row.line, column: 1, byteOffset: 0) }
      if let raw = row.raw {
        try raw.withUnsafeBytes { try diagnostics.reject(error, raw: $0) }
      } else {
        try diagnostics.reject(error, raw: csv.rawRecord)
      }
    }
    return nil
  }

  /// The next row: one held while the date order was open, or the next in the file. While
  /// the order is open, rows are held until one settles it.
  private func nextRow() throws -> Row? {
    if pendingAt < pending.count {
      defer {
        pendingAt += 1
        if pendingAt == pending.count {
          pending.removeAll()
          pendingAt = 0
        }
      }
      return pending[pendingAt]
    }
    guard try csv.next(rejectingBadLinesTo: diagnostics) else {
      return nil
    }
    var row = Row(cells: csv.strings, line: csv.recordLine, raw: nil)
    guard !orderSettled else { return row }
    switch dateOrderEvidence(row) {
    case .settles(let order):
      settle(order, by: row)
      return row
    case .none: return row
    case .needsNoOrder:
      // ISO-like and dotted dates say their order themselves: no more looking.
      orderSettled = true
      return row
    case .ambiguous(let text):
      // Hold this row and the ones after it until a date settles the order.
      firstAmbiguous = firstAmbiguous ?? text
      row.raw = Array(csv.rawRecord)
      pending.append(row)
      while try csv.next(rejectingBadLinesTo: diagnostics) {
        let held = Row(cells: csv.strings, line: csv.recordLine, raw: Array(csv.rawRecord))
        pending.append(held)
        if case .settles(let order) = dateOrderEvidence(held) {
          settle(order, by: held)
          return try nextRow()
        }
        if pending.count > options.pendingLimit { break }
      }
      throw EidolonError(
        .usage,
        "dates such as \"\(firstAmbiguous!)\" could be month first or day first, and \(pending.count > options.pendingLimit ? "the first \(options.pendingLimit) rows do not" : "no row") settle\(pending.count > options.pendingLimit ? "" : "s") it: give --date-order mdy (en-US, 3/4 is March 4) or --date-order dmy (3/4 is April 3)",
        file: csv.fileName)
    }
  }

  private enum Evidence { case none, needsNoOrder, ambiguous(String), settles(ManicTimeDateTime.DateOrder) }

  private func dateOrderEvidence(_ row: Row) -> Evidence {
    var result = Evidence.none
    for role in ["start", "end"] {
      guard let index = roles[role], index < row.cells.count, let parsed = ManicTimeDateTime.parse(row.cells[index], order: nil) else { continue }
      if let order = parsed.settles { return .settles(order) }
      if parsed.isAmbiguous {
        if case .ambiguous = result {} else { result = .ambiguous(row.cells[index]) }
      } else if case .none = result {
        result = .needsNoOrder
      }
    }
    return result
  }

  private func settle(_ order: ManicTimeDateTime.DateOrder, by row: Row) {
    orderSettled = true
    options.dateOrder = order
    if let firstAmbiguous {
      diagnostics.note(
        "mt-read: \(csv.fileName): dates are read \(order == .mdy ? "month first (3/4 is March 4)" : "day first (3/4 is April 3)"), as line \(row.line) settles it; \"\(firstAmbiguous)\" and dates like it are read so (--date-order sets it)")
    }
  }

  private func fail(_ message: String) -> EidolonError { EidolonError(.data, message) }

  private func cell(_ role: String, _ row: Row) -> String? {
    guard let index = roles[role], index < row.cells.count else { return nil }
    // Kept as they are: a title may start or end with spaces.
    let text = row.cells[index]
    return text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) ? nil : text
  }

  /// Local time to UTC in the zone; a time in a DST gap moves forward. A repeated one is
  /// its second occurrence where the first would come before `notBefore` (an end before
  /// its start; a start before the previous row's, in an export in time order), else the
  /// first, with a warning for a start.
  private func instant(_ text: String, _ what: String, line: Int, notBefore: Int64?, warn: Bool) throws -> Int64 {
    guard let parsed = ManicTimeDateTime.parse(text, order: options.dateOrder) else {
      throw fail("\(what) \"\(text)\" is not a date and time ManicTime writes (2024-03-04T09:00:05, 3/4/2019 11:33:52 AM, 04.03.2019 11:33:52)")
    }
    // A file that began with dates of another form and then has 3/4/2019: never guessed.
    if parsed.isAmbiguous {
      throw fail("\(what) \"\(text)\" could be month first or day first: give --date-order mdy or dmy")
    }
    let zone = options.zone
    let (millis, resolution) = zone.toUTCMillis(parsed.local)
    if resolution == .overlap {
      // An end in the repeated hour takes the occurrence that is not before its start.
      let later = zone.laterOccurrence(ofOverlap: millis)
      if let notBefore, millis < notBefore, later >= notBefore { return later }
      if !warn { return millis }
    }
    if let warning = zone.warning("the \(what) \(text)", resolution) {
      diagnostics.warn(warning, file: csv.fileName, position: SourcePosition(line: line, column: 1, byteOffset: 0))
    }
    return millis
  }

  /// The columns no field of `timeline` takes, worked out once.
  private func extraColumns(for timeline: Timeline) -> [Int] {
    if let extraColumns { return extraColumns }
    var roleNames = ["name", "start", "end", "duration"]
    switch timeline {
    case .applications: roleNames.append("process")
    case .documents: roleNames.append("domain")
    case .computerUsage: break
    case .tags: roleNames.append("notes")
    }
    let taken = Set(roleNames.compactMap { roles[$0] })
    let extra = header.indices.filter { !taken.contains($0) }
    extraColumns = extra
    return extra
  }

  private func event(_ row: Row) throws -> Event? {
    guard let name = cell("name", row) ?? (roles["name"].map { _ in "" }), let startText = cell("start", row) else {
      throw fail("the row has no Start")
    }
    let start = try instant(startText, "start", line: row.line, notBefore: previousStart, warn: true)
    previousStart = start
    let listedText = cell("duration", row)
    let listed = listedText.flatMap(ManicTimeDateTime.duration)
    if let listedText, listed == nil { throw fail("Duration \"\(listedText)\" is not H:MM:SS") }
    if let listedText, let listed, let reason = EventSpec.durationProblem(listed) { throw fail("Duration \"\(listedText)\": \(reason)") }
    var duration: Double
    if let endText = cell("end", row) {
      let end = try instant(endText, "end", line: row.line, notBefore: start, warn: false)
      guard end >= start else { throw fail("the activity ends (\(endText)) before it starts (\(startText))") }
      duration = Double(end - start) / 1000
    } else if let listed {
      duration = listed
    } else {
      throw fail("the row has neither End nor Duration")
    }
    let timeline = self.timeline ?? (ManicTimeCSVReader.usageStates[name] != nil ? .computerUsage : .tags)
    self.timeline = timeline
    var event = Event(id: "", source: "manictime", kind: "window", start: start, duration: duration)
    event.stream = timeline.schemaName
    event.offset = Timestamp.formatOffset(options.zone.offset(atMillis: start))
    ManicTimeMapping.apply(name: name, to: &event, timeline: timeline)
    switch timeline {
    case .applications: event.app = cell("process", row)
    case .documents: if let domain = cell("domain", row) { event.attrs["domain"] = .string(domain) }
    case .computerUsage: break
    case .tags: event.description = cell("notes", row)
    }
    if let listed, abs(listed - duration) > 1 {
      diagnostics.warn("Duration \(listedText!) differs from End minus Start (\(SecondsText.short(duration)) s); End minus Start is kept",
                       file: csv.fileName, position: SourcePosition(line: row.line, column: 1, byteOffset: 0))
      event.attrs["listed_duration"] = .string(listedText!)
    }
    // Every other column, by its header name.
    for index in extraColumns(for: timeline) where index < row.cells.count && !row.cells[index].isEmpty {
      event.attrs[header[index]] = .string(row.cells[index])
    }
    event.id = ManicTimeMapping.id(event, name: name)
    return event
  }

  // MARK: Rows on both cores (BothCores, CSVRowBlocks.swift)

  /// A reader for another thread, settled as this one is (header, timeline, date order),
  /// that reads rows handed to it (`ManicTimeCSVRowLines`).
  private init(settled reader: ManicTimeCSVReader, diagnostics: Diagnostics) {
    csv = CSVReader(input: ByteReader(source: MemorySource([]), name: reader.csv.fileName))
    self.diagnostics = diagnostics
    options = reader.options
    options.zone = reader.options.zone.forAnotherThread()  // (its cache is not shared between threads)
    header = reader.header
    roles = reader.roles
    timeline = reader.timeline
    extraColumns = reader.extraColumns
    orderSettled = true
    previousStart = reader.previousStart
    if let timeline {
      rowScanner = ManicTimeCSVRowScanner(timeline: timeline, zone: options.zone, roles: roles, header: header,
                                          extraColumns: extraColumns(for: timeline))
    }
  }

  /// Once the header is read and the date order settled (rows held for it all read), the
  /// rows go to blocks; until then the reader reads them itself.
  public func csvForBlocks() throws -> CSVReader? {
    guard options.scansRows, try prepare(), rowScanner != nil, orderSettled, pendingAt >= pending.count else { return nil }
    return csv
  }

  public func makeRowLines(diagnostics: Diagnostics) -> CSVRowLines {
    ManicTimeCSVRowLines(reader: ManicTimeCSVReader(settled: self, diagnostics: diagnostics))
  }

  fileprivate var rowLinesScanner: ManicTimeCSVRowScanner? { rowScanner }
  fileprivate var rowLinesDateOrder: ManicTimeDateTime.DateOrder? { options.dateOrder }

  /// The line of a row handed to this reader that its row scanner did not take, as
  /// `nextRecord` makes it. Such a row may need the previous row's start (a time in the
  /// repeated DST hour): without `knowsRowsBefore` it is handed back.
  fileprivate func appendLineTheGeneralWay(_ row: CSVBlockRow, to output: ByteBuffer, knowsRowsBefore: Bool) throws -> CSVRowOutcome {
    guard knowsRowsBefore else { return .needsRowsBefore }
    guard let record = try convert(Row(cells: row.strings, line: row.recordLine, raw: Array(row.rawRecord))),
      let event = try records.event(record, fill: { _ in })
    else { return .none }
    EidolonNDJSONWriter.append(event, to: output)
    return .line(event.start)
  }

  fileprivate var lastStart: Int64? {
    get { previousStart }
    set { previousStart = newValue }
  }
}

/// One thread's ManicTime rows for `BothCores`: a reader of its own, settled as the
/// file's, that reads the rows handed to it.
final class ManicTimeCSVRowLines: CSVRowLines {
  private let reader: ManicTimeCSVReader
  /// The reader's row scanner and date order, held as constants; the scanner called through
  /// `scanner`, unretained (bound from a variable, or an Optional constant, it was retained
  /// and released for each row), and kept alive by `scannerKept` whatever the reader does
  /// with its own.
  private let scannerKept: ManicTimeCSVRowScanner?
  private let scanner: Unmanaged<ManicTimeCSVRowScanner>?
  private let order: ManicTimeDateTime.DateOrder?
  var knowsRowsBefore = true

  fileprivate init(reader: ManicTimeCSVReader) {
    self.reader = reader
    scannerKept = reader.rowLinesScanner
    scanner = scannerKept.map { .passUnretained($0) }
    order = reader.rowLinesDateOrder
  }

  var carry: Int64? {
    get { reader.lastStart }
    set { reader.lastStart = newValue }
  }

  func appendLine(_ row: CSVBlockRow, to output: ByteBuffer) throws -> CSVRowOutcome {
    guard let scanner else { return .needsRowsBefore }
    if let start = scanner._withUnsafeGuaranteedRef({ $0.scan(row, order: order, appendingTo: output) ? $0.start : nil }) {
      reader.lastStart = start
      output.append(0x0A)
      knowsRowsBefore = true
      return .line(start)
    }
    let outcome = try reader.appendLineTheGeneralWay(row, to: output, knowsRowsBefore: knowsRowsBefore)
    if case .needsRowsBefore = outcome { return outcome }
    knowsRowsBefore = true
    return outcome
  }
}
