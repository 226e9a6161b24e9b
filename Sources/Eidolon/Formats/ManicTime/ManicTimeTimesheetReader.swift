/// Reads ManicTime's timesheet export (formats/manictime.md, "Timesheet"): a pivot of
/// hours per tag combination per day, `Tag 1, Tag 2, ..., Notes, <one column per date>,
/// Total`, a Total row at the end, labels in the user's language (`tag 1`, `Notizen`,
/// `Gesamt`), dates and decimal commas in the user's locale, `,` or `;` between fields.
/// Each non-zero cell becomes a "summary" event: that many hours, from local midnight of
/// that day (the timesheet keeps no times of day).
public final class ManicTimeTimesheetReader: EventReader, InputCounting {
  static let totalLabels: Set<String> = ["total", "gesamt", "totaal", "totale", "summe", "totalt", "razem", "celkem"]
  static let notesLabels: Set<String> = ["notes", "note", "notizen", "notiz", "notities", "remarques", "note/i"]

  /// True when a header line looks like a timesheet's: a `Tag 1` column.
  public static func isTimesheet(headerLine: String) -> Bool {
    headerLine.split(whereSeparator: { $0 == "," || $0 == ";" }).contains { isTagLabel(String($0)) }
  }

  static func isTagLabel(_ label: String) -> Bool {
    let text = label.trimmingCharacters(in: ["\"", " ", "\u{FEFF}"]).lowercased()
    guard text.hasPrefix("tag") else { return false }
    let number = text.dropFirst(3).trimmingCharacters(in: [" "])
    return !number.isEmpty && number.allSatisfy(\.isASCIIDigit)
  }

  private let csv: CSVReader
  private let diagnostics: Diagnostics
  private let zone: ZoneConverter
  private let dateOrder: ManicTimeDateTime.DateOrder?
  private var header: [String] = []
  private var tagColumns: [Int] = []
  private var notesColumn: Int?
  private var totalColumn: Int?
  private var dateColumns: [(index: Int, date: LocalDateTime, label: String)] = []
  private var otherColumns: [Int] = []
  /// Columns headed by what looks like a date but is none (2024-02-30): their hours
  /// cannot be placed, so each non-empty cell is rejected, never dropped.
  private var badDateColumns: [(index: Int, label: String)] = []
  /// The row's events not handed out yet, the next one last.
  private var pending: [Event] = []
  /// Hours per date column, summed, to hold against the Total row.
  private var columnSums: [Double] = []

  public init(input: ByteReader, diagnostics: Diagnostics, zone: ZoneConverter, dateOrder: ManicTimeDateTime.DateOrder?, delimiter: UInt8) {
    csv = CSVReader(input: input, dialect: CSVDialect(delimiter: delimiter))
    self.diagnostics = diagnostics
    self.zone = zone
    self.dateOrder = dateOrder
  }

  public var bytesRead: Int64 { csv.bytesRead }

  private func position() -> SourcePosition { SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0) }

  private func readHeader() throws -> Bool {
    guard try csv.next() else { return false }
    header = csv.strings.map { $0.trimmingSpaces() }
    csv.minimumFieldCount = csv.fieldCount
    // The date order: --date-order, else what the dates in the header settle.
    var order = dateOrder
    if order == nil {
      var ambiguous: String?
      for label in header {
        guard let parsed = ManicTimeDateTime.parse(label + " 00:00", order: nil) else { continue }
        if let settles = parsed.settles { order = settles; break }
        if parsed.isAmbiguous { ambiguous = ambiguous ?? label }
      }
      if order == nil, let ambiguous {
        throw EidolonError(.usage, "the timesheet's dates such as \"\(ambiguous)\" could be month first or day first, and none settles it: give --date-order mdy or dmy",
                           file: csv.fileName)
      }
    }
    for (index, label) in header.enumerated() {
      let lower = label.lowercased()
      if ManicTimeTimesheetReader.isTagLabel(label) {
        tagColumns.append(index)
      } else if ManicTimeTimesheetReader.notesLabels.contains(lower) {
        notesColumn = index
      } else if ManicTimeTimesheetReader.totalLabels.contains(lower) {
        totalColumn = index
      } else if let parsed = ManicTimeDateTime.parse(label + " 00:00", order: order) {
        dateColumns.append((index, parsed.local, label))
      } else if ManicTimeTimesheetReader.looksLikeDate(label) {
        badDateColumns.append((index, label))
        diagnostics.warn("the column \"\(label)\" looks like a date but is not one: its hours are rejected row by row",
                         file: csv.fileName, position: position())
      } else {
        otherColumns.append(index)
      }
    }
    guard !tagColumns.isEmpty, !dateColumns.isEmpty else {
      throw EidolonError(.syntax, "not a ManicTime timesheet: it needs Tag 1 and date columns (it has \(header.joined(separator: ", ")))",
                         file: csv.fileName, position: position())
    }
    columnSums = Array(repeating: 0, count: dateColumns.count)
    return true
  }

  /// Digits with two date separators between them (`2024-02-30`, `31.02.2024`, `2/30/2024`).
  static func looksLikeDate(_ label: String) -> Bool {
    let parts = label.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "-" || $0 == "." || $0 == "/" })
    return parts.count == 3 && parts.allSatisfy { part in !part.isEmpty && part.count <= 4 && part.allSatisfy { $0.isASCIIDigit } }
  }

  /// Hours as the timesheet writes them: `3,35`, `3.35`, or `3:21` (hours and minutes).
  static func hours(_ text: String) -> Double? {
    let cell = text.trimmingSpaces().replacingOccurrences(of: "\u{A0}", with: "").replacingOccurrences(of: "h", with: "")
    if cell.isEmpty { return 0 }
    if cell.contains(":") {
      let parts = cell.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), h >= 0, (0..<60).contains(m) else { return nil }
      return Double(h) + Double(m) / 60
    }
    var number = cell
    if number.contains(",") {
      number = number.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
    }
    guard let value = InputNumber.decimal(number.trimmingSpaces()), value >= 0 else { return nil }
    return value
  }

  private func cell(_ index: Int) -> String { index < csv.fieldCount ? csv.string(index) : "" }

  public func next() throws -> Event? {
    if header.isEmpty, try !readHeader() { return nil }
    while true {
      if let event = pending.popLast() { return event }
      guard try csv.next(rejectingBadLinesTo: diagnostics) else { return nil }
      do {
        try row()
      } catch var error as EidolonError where error.isRecordError {
        error.file = csv.fileName
        if error.position == nil { error.position = position() }
        try diagnostics.reject(error, raw: csv.rawRecord)
      }
    }
  }

  private func row() throws {
    let tags = tagColumns.map { cell($0).trimmingSpaces() }
    if let first = tags.first, ManicTimeTimesheetReader.totalLabels.contains(first.lowercased()) {
      return try checkTotalRow()
    }
    // Every cell is read before any counts: a rejected row adds nothing to the sums.
    let cells = try dateColumns.map { (index, _, label) -> Double in
      guard let hours = ManicTimeTimesheetReader.hours(cell(index)) else {
        throw EidolonError(.data, "\(label): \"\(cell(index))\" is not a number of hours (3,35 or 3.35 or 3:21)")
      }
      return hours
    }
    var events: [Event] = []
    var rowHours = 0.0
    for (column, (index, date, label)) in dateColumns.enumerated() {
      let text = cell(index)
      let hours = cells[column]
      rowHours += hours
      columnSums[column] += hours
      guard hours > 0 else { continue }
      let midnight = zone.toUTCMillis(date).millis
      var event = Event(id: "", source: "manictime", kind: "summary", start: midnight, duration: (hours * 3_600_000).rounded() / 1000)
      event.stream = ManicTimeCSVReader.Timeline.tags.schemaName
      event.offset = Timestamp.formatOffset(zone.offset(atMillis: midnight))
      let present = tags.filter { !$0.isEmpty }
      if !present.isEmpty { event.tags = present }
      if let notesColumn, !cell(notesColumn).isEmpty { event.description = cell(notesColumn) }
      event.attrs["timesheet_hours"] = .string(text)
      event.attrs["timesheet_date"] = .string(label)
      for other in otherColumns where !cell(other).isEmpty { event.attrs[header[other]] = .string(cell(other)) }
      event.id = EventID.make(prefix: "manictime", fields: ["timesheet", tags.joined(separator: ", "), event.description ?? "", label])
      if let reason = EventSpec.problem(event) { throw EidolonError(.data, "\(label): \(reason)") }
      events.append(event)
    }
    if let totalColumn, let listed = ManicTimeTimesheetReader.hours(cell(totalColumn)), abs(listed - rowHours) > 0.01 * Double(dateColumns.count) {
      diagnostics.warn("the row's Total \(cell(totalColumn)) differs from its days' sum (\(SecondsText.short(rowHours)) h); the days are kept",
                       file: csv.fileName, position: position())
    }
    for (index, label) in badDateColumns {
      let text = cell(index).trimmingSpaces()
      guard !text.isEmpty, ManicTimeTimesheetReader.hours(text) != 0 else { continue }
      try diagnostics.reject(EidolonError(.data, "\(label): \"\(text)\" hours under a column whose date is not a valid date",
                                          file: csv.fileName, position: position()), raw: csv.rawRecord)
    }
    pending = events.reversed()
  }

  /// The Total row: each column's total against the sum of the rows above.
  private func checkTotalRow() throws {
    for (column, (index, _, label)) in dateColumns.enumerated() {
      guard let listed = ManicTimeTimesheetReader.hours(cell(index)) else { continue }
      if abs(listed - columnSums[column]) > 0.01 * Double(max(1, tagColumns.count)) + 0.005 {
        diagnostics.warn("the Total row's \(label) (\(cell(index))) differs from the sum of the rows above (\(SecondsText.short(columnSums[column])) h)",
                         file: csv.fileName, position: position())
      }
    }
  }
}
