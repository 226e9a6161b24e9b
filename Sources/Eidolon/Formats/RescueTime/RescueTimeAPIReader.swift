/// Reads Analytic Data API responses (JSON or CSV) into "summary" events, one row
/// at a time (formats/rescuetime.md, "Analytic Data API").
///
/// A row is "N seconds of X inside the bucket that starts at Date": the event starts
/// at the bucket's start (in the account's zone, converted to UTC) and lasts N
/// seconds, or with `layout` the rows of a bucket follow each other inside it.
///
/// Rows of the usual shape, from a CSV or a JSON response, go from their cells' bytes
/// straight to their canonical line (`RescueTimeRowScanner`); any other row goes through
/// an Event. `nextView()`
/// hands out either as a view over that line.
public final class RescueTimeAPIReader: EventReader, EventViewReader, RescueTimeReaderCounts, CSVRowBlockReading {
  private let source: RescueTimeRowSource
  private let diagnostics: Diagnostics
  private let options: RescueTimeReadOptions
  private var columns: RescueTimeColumns?
  /// Rows read ahead to infer the resolution, handed out first.
  private var lookahead: [RescueTimeRow] = []
  private var lookaheadIndex = 0
  public var resolution: RescueTimeResolution? { buckets.resolution }
  public private(set) var clampedRows = 0
  public private(set) var clampedSeconds: Double = 0
  private let buckets: RescueTimeBuckets
  private let scratch = ByteBuffer(capacity: 256)
  private var rowScanner: RescueTimeRowScanner?
  /// The source when it is a CSV, whose records the scanner reads in place.
  private let csvRows: RescueTimeCSVRows?
  /// The source when it is JSON, whose rows the scanner reads in place through `jsonCells`.
  private let jsonRows: RescueTimeJSONRows?
  private let jsonCells = RescueTimeJSONRowCells()
  private let records = ScannedRecords()
  /// Rows the scanner took (the rest went through an Event).
  private(set) var scannedRows = 0

  /// How many rows are read ahead to infer the bucket size.
  static let lookaheadRows = 2000

  init(source: RescueTimeRowSource, diagnostics: Diagnostics, options: RescueTimeReadOptions) {
    self.source = source
    csvRows = source as? RescueTimeCSVRows
    jsonRows = source as? RescueTimeJSONRows
    self.diagnostics = diagnostics
    self.options = options
    buckets = RescueTimeBuckets(zone: options.zoneIdentifier.flatMap(ZoneConverter.init(identifier:)), resolution: options.resolution,
                                diagnostics: diagnostics, fileName: source.fileName)
  }

  public var bytesRead: Int64 { source.bytesRead }

  public func next() throws -> Event? { try records.event(nextRecord(), fill: { self.rowScanner?.fill($0) }) }

  /// The next event as a view over its canonical line, valid until the next call.
  public func nextView() throws -> EventView? { try records.view(nextRecord(), fill: { self.rowScanner?.fill($0) }) }

  /// Reads the header (and the rows that settle the bucket size) where it is not read
  /// yet; false for an empty input.
  private func prepare() throws -> Bool {
    guard columns == nil else { return true }
    guard let header = try source.header() else { return false }
    do {
      columns = try RescueTimeColumns(header: header, kind: options.kind)
    } catch var error as EidolonError {
      error.file = source.fileName
      if error.position == nil { error.position = SourcePosition(line: 1, column: 1, byteOffset: 0) }
      throw error
    }
    try settleResolution()
    if options.scansRows {
      rowScanner = RescueTimeRowScanner(columns: columns!, buckets: buckets, layout: options.layout)
    }
    return true
  }

  private func nextRecord() throws -> ScannedRecords.Record? {
    guard try prepare() else { return nil }
    while true {
      let row: RescueTimeRow
      if lookaheadIndex < lookahead.count {
        row = lookahead[lookaheadIndex]
        lookaheadIndex += 1
        if lookaheadIndex == lookahead.count {
          lookahead = []
          lookaheadIndex = 0
        }
      } else if let rowScanner, let csvRows {
        guard try csvRows.nextRecord(diagnostics) else { return nil }
        if rowScanner.scan(csvRows.csv) {
          scannedRows += 1
          return .scanned
        }
        row = csvRows.currentRow()
      } else if let rowScanner, let jsonRows, try jsonRows.offerRow(to: jsonCells, { rowScanner.scan($0) }) {
        scannedRows += 1
        return .scanned
      } else {
        guard let next = try source.nextRow(diagnostics) else { return nil }
        row = next
      }
      do {
        // Bound straight from the call: an Optional bound after it was copied whole.
        guard let event = try event(from: row, columns!) else { return nil }
        try EventSpec.check(event)
        return records.converted(event)
      } catch var error as EidolonError where error.isRecordError {
        error.file = source.fileName
        if error.position == nil { error.position = row.position }
        try row.withRawBytes { try diagnostics.reject(error, raw: $0) }
      }
    }
  }

  /// Interval reports: the bucket size from --resolution, or inferred from the dates of
  /// the first rows (and said so).
  private func settleResolution() throws {
    let columns = columns!
    if columns.perspective != .interval {
      if options.rangeStart == nil {
        diagnostics.note("rt-read: \(source.fileName): a \(columns.perspective.rawValue) report has no dates; give the range it covers with --since and --until (each row is rejected until then)")
      }
      return
    }
    if columns.report == .category && options.kind == nil {
      diagnostics.note("rt-read: \(source.fileName): the Category column comes in both restrict_kind=category and overview reports; read as category (--kind overview says otherwise)")
    }
    guard resolution == nil else { return }
    var dates: [LocalDateTime] = []
    while lookahead.count < RescueTimeAPIReader.lookaheadRows, let row = try source.nextRow(diagnostics) {
      lookahead.append(row)
      if let text = row.cell(columns.index[.date]), let parsed = Timestamp.parse(text) { dates.append(parsed.local) }
    }
    buckets.resolution = RescueTimeResolution.infer(from: dates)
    if let resolution {
      let name = resolution == .minute ? "5-minute" : resolution.rawValue
      diagnostics.note("rt-read: \(source.fileName): \(name) buckets, inferred from the dates (--resolution sets it)")
    } else if !dates.isEmpty {
      diagnostics.note("rt-read: \(source.fileName): the bucket size cannot be told from one date (--resolution sets it)")
    }
    if options.layout && resolution == nil && !dates.isEmpty {
      throw EidolonError(.usage, "--layout needs the bucket size: give --resolution (minute, hour, day, week or month)", file: source.fileName)
    }
  }

  private func number(_ text: String?, _ what: String) throws -> Double? {
    guard let text else { return nil }
    guard let value = InputNumber.decimal(text.trimmingSpaces()) else {
      throw EidolonError(.data, "\(what) \"\(text)\" is not a number")
    }
    return value
  }

  /// A number cell as the JSON number attrs keep: as written when JSON allows it, else
  /// its value (".5" as 0.5, "+1" refused with the rest of what is not a number).
  private func jsonNumber(_ text: String, _ what: String) throws -> JSONValue {
    if InputNumber.isJSONNumber(text) { return .number(text) }  // the common case, as written
    guard let value = InputNumber.jsonValue(text.trimmingSpaces()) else { throw EidolonError(.data, "\(what) \"\(text)\" is not a number") }
    return value
  }

  /// A whole-number cell as the JSON number attrs keep ("01" as 1).
  private func wholeNumber(_ text: String, _ what: String) throws -> JSONValue {
    if InputNumber.isJSONNumber(text), InputNumber.integer(text) != nil { return .number(text) }  // as written
    guard let value = InputNumber.integer(text.trimmingSpaces()) else {
      throw EidolonError(.data, "\(what) \"\(text)\" is not a whole number")
    }
    return .number(String(value))
  }

  private func event(from row: RescueTimeRow, _ columns: RescueTimeColumns) throws -> Event? {
    let index = columns.index
    guard let secondsText = row.cell(index[.seconds]) else { throw EidolonError(.data, "the row has no Time Spent (seconds)") }
    guard let seconds = try number(secondsText, "Time Spent (seconds)"), seconds >= 0 else {
      throw EidolonError(.data, "Time Spent (seconds) \"\(secondsText)\" is not a number of seconds")
    }
    if let reason = EventSpec.durationProblem(seconds) { throw EidolonError(.data, "Time Spent (seconds): \(reason)") }
    var attrs = JSONObject()
    attrs["report"] = .string(columns.report.rawValue)
    var event = Event(id: "", source: "rescuetime", kind: "summary", start: 0, duration: seconds)
    let dateText: String
    switch columns.perspective {
    case .interval:
      guard let text = row.cell(index[.date]) else { throw EidolonError(.data, "the row has no Date") }
      dateText = text
      try place(&event, date: text)
      if let resolution { attrs["resolution"] = .string(resolution.rawValue) }
    case .rank, .member:
      guard let start = options.rangeStart else {
        throw EidolonError(.data, "a \(columns.perspective.rawValue) row has no date: give the range the report covers with --since and --until")
      }
      event.start = start
      dateText = Timestamp.canonical(start)
      if let end = options.rangeEnd { attrs["until"] = .string(Timestamp.canonical(end)) }
    }
    if let rank = row.cell(index[.rank]) { attrs["rank"] = try wholeNumber(rank, "Rank") }
    if let people = row.cell(index[.people]) { attrs["people"] = try wholeNumber(people, "Number of People") }
    event.user = row.cell(index[.person])
    if let activity = row.cell(index[.activity]) {
      event.app = activity
      if WebDomain.looksLikeDomain(activity) { event.url = activity }
    }
    if let document = row.cell(index[.document]), document != RescueTimeActivity.noDetails { event.title = document }
    event.category = row.cell(index[.category])
    if let text = row.cell(index[.productivity]) {
      guard let value = InputNumber.integer(text.trimmingSpaces()).map(Int.init), (-2...2).contains(value) else {
        throw EidolonError(.data, "Productivity \"\(text)\" is not a whole number from -2 to 2")
      }
      event.productivity = value
    }
    if let text = row.cell(index[.efficiency]) {
      attrs["efficiency"] = try jsonNumber(text, "Efficiency (-2:2)")
    }
    if let text = row.cell(index[.efficiencyPercent]) {
      attrs["efficiency_percent"] = try jsonNumber(text, "Efficiency (percent)")
    }
    for other in columns.others {
      if let text = row.cell(other.index) { attrs[other.name] = .string(text) }
    }
    if options.layout { lay(&event, attrs: &attrs) }
    event.attrs = attrs
    event.id = id(event, columns: columns, date: dateText, row: row)
    return event
  }

  /// The bucket start of a Date cell in UTC, with the offset in force.
  private func place(_ event: inout Event, date text: String) throws {
    guard let parsed = Timestamp.parse(text.trimmingSpaces()) else {
      throw EidolonError(.data, "Date \"\(text)\" is not a date and time (YYYY-MM-DDTHH:MM:SS)")
    }
    buckets.enter(parsed)
    event.start = buckets.start
    event.offset = buckets.offset
  }

  /// --layout: the row starts where the bucket's previous rows end, cut at the bucket's end.
  private func lay(_ event: inout Event, attrs: inout JSONObject) {
    guard columns?.perspective == .interval, resolution != nil else { return }
    let laid = buckets.lay(seconds: event.duration)
    event.start = laid.start
    if laid.duration < event.duration {
      clampedRows += 1
      clampedSeconds += event.duration - laid.duration
      attrs["seconds"] = .number(event.duration)
      event.duration = laid.duration
    }
  }

  /// (RescueTimeRowScanner.writeIDInput names them in this order too.)
  static let identityRoles: [RescueTimeColumns.Role] = [.person, .activity, .document, .category, .productivity, .efficiency]

  /// The id: the report, the Date as written, who, what, the productivity, and the
  /// how-manieth such row in the bucket (formats/rescuetime.md, "Ids").
  private func id(_ event: Event, columns: RescueTimeColumns, date: String, row: RescueTimeRow) -> String {
    scratch.removeAll()
    scratch.append(columns.report.rawValue)
    scratch.append(0x1F)
    scratch.append(date.trimmingSpaces())
    if columns.perspective != .interval, let end = options.rangeEnd {
      scratch.append("/")
      Timestamp.appendCanonical(end, to: scratch)
    }
    for role in RescueTimeAPIReader.identityRoles {
      scratch.append(0x1F)
      if let text = row.cell(columns.index[role]) { scratch.append(text) }
    }
    buckets.repeats.mark(scratch, bucket: date)
    return EventID.make(prefix: "rescuetime", joinedFields: scratch.bytes)
  }

  // MARK: Rows on both cores (BothCores, CSVRowBlocks.swift)

  /// A reader for another thread, settled as this one is (columns, bucket size, the
  /// buckets as they stand), that reads rows handed to it (`RescueTimeCSVRowLines`).
  private init(settled reader: RescueTimeAPIReader, diagnostics: Diagnostics) {
    source = RescueTimeCSVRows(input: ByteReader(source: MemorySource([]), name: reader.source.fileName))
    csvRows = nil
    jsonRows = nil
    self.diagnostics = diagnostics
    options = reader.options
    columns = reader.columns
    buckets = reader.buckets.copy(diagnostics: diagnostics)
    rowScanner = RescueTimeRowScanner(columns: reader.columns!, buckets: buckets, layout: options.layout)
  }

  /// The rows a block ends between: two the scanner takes whose Dates name different
  /// buckets (each enters its own, so the rows after the first start afresh), tried
  /// on buckets of their own.
  private var probe: (RescueTimeRowScanner, Diagnostics)?

  /// A CSV response's rows go to blocks once the rows read ahead for the bucket size are
  /// handed out, when the scanner reads its rows (an interval report without --layout).
  public func csvForBlocks() throws -> CSVReader? {
    guard options.scansRows, let csvRows, try prepare(), rowScanner != nil, lookaheadIndex >= lookahead.count else { return nil }
    if probe == nil {
      let quiet = Diagnostics(toolName: diagnostics.toolName)
      quiet.recording = DiagnosticsRecording()
      probe = RescueTimeRowScanner(columns: columns!, buckets: buckets.copy(diagnostics: quiet), layout: false).map { ($0, quiet) }
    }
    return csvRows.csv
  }

  public func makeRowLines(diagnostics: Diagnostics) -> CSVRowLines {
    RescueTimeCSVRowLines(reader: RescueTimeAPIReader(settled: self, diagnostics: diagnostics))
  }

  public var firstBlockContinuesRun: Bool { true }

  public var blocksMayEndAnywhere: Bool { false }
  public var cutsBlocksUnparsed: Bool { true }

  public func mayEndBlock(after last: CSVBlockRow, before next: CSVReader) -> Bool {
    guard let (scanner, quiet) = probe, let date = columns?.index[.date], date < last.fieldCount, date < next.fieldCount,
      let a = Timestamp.parse(last.string(date)), let b = Timestamp.parse(next.string(date)),
      a.local.secondsAsIfUTC != b.local.secondsAsIfUTC
    else { return false }
    defer { quiet.recording?.removeAll() }
    return scanner.scan(last) && scanner.scan(next)
  }

  fileprivate var rowBuckets: RescueTimeBuckets { buckets }
  fileprivate var rowLinesScanner: RescueTimeRowScanner? { rowScanner }

  /// The line of a row handed to this reader that the row scanner did not take, as
  /// `nextRecord` makes it.
  fileprivate func appendLineTheGeneralWay(_ row: CSVBlockRow, to output: ByteBuffer) throws -> CSVRowOutcome {
    var cells: [String?] = []
    cells.reserveCapacity(row.fieldCount)
    for i in 0..<row.fieldCount { cells.append(row.string(i)) }
    let rescueTimeRow = RescueTimeRow(cells: cells, position: SourcePosition(line: row.recordLine, column: 1, byteOffset: 0),
                                      raw: .bytes(Array(row.rawRecord)))
    do {
      guard let event = try event(from: rescueTimeRow, columns!) else { return .none }
      try EventSpec.check(event)
      EidolonNDJSONWriter.append(event, to: output)
      return .line(event.start)
    } catch var error as EidolonError where error.isRecordError {
      error.file = source.fileName
      if error.position == nil { error.position = rescueTimeRow.position }
      try rescueTimeRow.withRawBytes { try diagnostics.reject(error, raw: $0) }
      return .none
    }
  }
}

/// One thread's RescueTime rows for `BothCores`: a reader of its own, settled as the
/// file's, that reads the rows handed to it. A row entering a bucket of the repeated hour
/// needs to know the last such bucket before its block (the warning is given once per
/// bucket) until the block's own rows have entered one: it is handed back then.
final class RescueTimeCSVRowLines: CSVPlainRecordLines {
  private let reader: RescueTimeAPIReader
  /// The reader's own, held as constants; the scanner called through `scanner`, unretained
  /// (bound from a variable, or an Optional constant, it was retained and released for each
  /// row), and kept alive by `scannerKept` whatever the reader does with its own.
  private let scannerKept: RescueTimeRowScanner?
  private let scanner: Unmanaged<RescueTimeRowScanner>?
  private let buckets: RescueTimeBuckets

  fileprivate init(reader: RescueTimeAPIReader) {
    self.reader = reader
    scannerKept = reader.rowLinesScanner
    scanner = scannerKept.map { .passUnretained($0) }
    buckets = reader.rowBuckets
  }

  var carry: Int64? {
    get { buckets.overlapLabel }
    set { buckets.overlapLabel = newValue }
  }

  var knowsRowsBefore: Bool {
    get { buckets.overlapLabelKnown }
    set { buckets.overlapLabelKnown = newValue }
  }

  func startRun() { buckets.startRun() }

  func appendPlainRecords(_ records: UnsafeRawBufferPointer, to block: CSVRowBlock, keeps: (Int64) -> Bool) -> CSVRecordsTaken {
    guard let scanner else { return CSVRecordsTaken() }
    return scanner._withUnsafeGuaranteedRef {
      $0.scanPlainRecords(records, dialect: block.dialect, to: block.output, messages: block.messages, keeps: keeps, kept: &block.kept)
    }
  }

  func appendLine(_ row: CSVBlockRow, to output: ByteBuffer) throws -> CSVRowOutcome {
    buckets.clearNeededRowsBefore()
    let outcome: CSVRowOutcome
    if let start = scanner?._withUnsafeGuaranteedRef({ $0.scan(row, appendingTo: output) ? $0.start : nil }) {
      output.append(0x0A)
      outcome = .line(start)
    } else {
      outcome = try reader.appendLineTheGeneralWay(row, to: output)
    }
    return buckets.neededRowsBefore ? .needsRowsBefore : outcome
  }
}
