/// A CSV from a homebrew tracker, read by a column map the user gives
/// (formats/generic-csv.md): `start=When,duration=Seconds,app=Program`. Mapped columns
/// fill canonical fields; every other column goes to attrs under its header name.
public final class GenericCSVReader: EventReader, InputCounting {
  public struct Options {
    /// Canonical field name to header name.
    public var columns: [String: String] = [:]
    /// The `source` of every event (and its id prefix).
    public var sourceName = "csv"
    /// The `kind` when no column is mapped to it.
    public var kind = "activity"
    /// The zone of times written without an offset; nil: such rows are rejected.
    public var zone: ZoneConverter?
    public var delimiter = UInt8(ascii: ",")
    public init() {}
  }

  /// The fields a column can fill.
  public static let mappableFields = ["id", "start", "end", "duration", "kind"] + Event.optionalStringNames + ["productivity", "tags", "billable"]

  /// A field of `mappableFields`, by its place there (the optional text fields are 5 to 17,
  /// in Event.optionalStringNames' order), for the ColumnIndex looked up once per row.
  enum Field: Int, CaseIterable {
    case id, start, end, duration, kind
    case stream, host, user, app, title, url, file, project, client, task, description, category, subcategory
    case productivity, tags, billable

    init?(name: String) {
      guard let index = GenericCSVReader.mappableFields.firstIndex(of: name) else { return nil }
      self.init(rawValue: index)
    }

    var name: String { GenericCSVReader.mappableFields[rawValue] }
    static let optionalStrings = Field.stream.rawValue...Field.subcategory.rawValue
  }

  /// Parses `field=Header,field=Header` (a header may not hold a comma here; a map file can).
  public static func parseColumnMap(_ text: String) throws -> [String: String] {
    var map: [String: String] = [:]
    for pair in text.split(separator: ",") {
      let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: [" "]) }
      guard parts.count == 2, !parts[1].isEmpty else { throw EidolonError(.usage, "--columns takes FIELD=HEADER pairs separated by commas, not \"\(pair)\"") }
      map[parts[0]] = parts[1]
    }
    return map
  }

  private let csv: CSVReader
  private let diagnostics: Diagnostics
  private let options: Options
  private var header: [String] = []
  /// The column of each mapped field, after the header is read.
  private var index = ColumnIndex<Field>()
  private var usesDuration = false
  private var attrColumns: [Int] = []
  private var started = false
  private let joined = ByteBuffer(capacity: 1024)

  public init(input: ByteReader, diagnostics: Diagnostics, options: Options) throws {
    let unknown = options.columns.keys.filter { Field(name: $0) == nil }.sorted()
    guard unknown.isEmpty else {
      throw EidolonError(.usage, "the column map names \(unknown.joined(separator: ", ")), which are not fields (fields: \(GenericCSVReader.mappableFields.joined(separator: ", ")))")
    }
    guard options.columns["start"] != nil else { throw EidolonError(.usage, "the column map needs start=HEADER (and end= or duration=)") }
    guard options.columns["end"] != nil || options.columns["duration"] != nil else {
      throw EidolonError(.usage, "the column map needs end=HEADER or duration=HEADER as well as start")
    }
    var dialect = CSVDialect.standard
    dialect.delimiter = options.delimiter
    csv = CSVReader(input: input, dialect: dialect)
    self.diagnostics = diagnostics
    self.options = options
    usesDuration = options.columns["duration"] != nil
  }

  public var bytesRead: Int64 { csv.bytesRead }

  private func readHeader() throws {
    started = true
    guard try csv.next() else { return }
    header = csv.strings
    csv.minimumFieldCount = csv.fieldCount
    for (field, name) in options.columns {
      guard let column = header.firstIndex(of: name) else {
        throw EidolonError(.usage, "the header has no column \"\(name)\" (for \(field)); it has: \(header.joined(separator: ", "))",
                           file: csv.fileName, position: SourcePosition(line: 1, column: 1, byteOffset: 0))
      }
      index[Field(name: field)!] = column
    }
    let mapped = Set(Field.allCases.compactMap { index[$0] })
    attrColumns = header.indices.filter { !mapped.contains($0) }
  }

  public func next() throws -> Event? {
    if !started { try readHeader() }
    while try csv.next(rejectingBadLinesTo: diagnostics) {
      do {
        let event = try event()
        try EventSpec.check(event)
        return event
      } catch var error as EidolonError where error.isRecordError {
        if error.file == nil { error.file = csv.fileName }
        if error.position == nil { error.position = SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0) }
        try diagnostics.reject(error, raw: csv.rawRecord)
      }
    }
    return nil
  }

  private func cell(_ field: Field) -> String? {
    guard let column = index[field], column < csv.fieldCount, !csv.field(column).isEmpty else { return nil }
    return csv.string(column)
  }

  private func failure(_ message: String, _ field: Field) -> EidolonError {
    EidolonError(.data, "\(message) (column \"\(options.columns[field.name] ?? field.name)\")", file: csv.fileName,
                 position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
  }

  /// Epoch seconds, or an RFC 3339 time (a naive one in --tz: in a spring-forward gap
  /// moved past it, in the repeated hour of a fall-back night its first occurrence, each
  /// with a warning), with the UTC offset it was written at.
  private func time(_ field: Field) throws -> (millis: Int64, offset: Int?)? {
    guard let text = cell(field) else { return nil }
    if text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }), let seconds = InputNumber.decimal(text) {
      guard let millis = InputNumber.millis(seconds: seconds), EventSpec.startProblem(millis) == nil else {
        throw failure("\(field.name) \"\(text)\" seconds since 1970 fall outside the years 0001 to 9999", field)
      }
      return (millis, nil)
    }
    guard let parsed = Timestamp.parse(text) ?? Timestamp.parse(text + ":00") else {
      throw failure("\(field.name) \"\(text)\" is not a time (RFC 3339, or seconds since 1970)", field)
    }
    if let offset = parsed.offsetSeconds { return (parsed.epochMillis, offset) }
    guard let zone = options.zone else { throw failure("\(field.name) \"\(text)\" has no UTC offset: give --tz for the zone it was written in", field) }
    let (millis, resolution) = zone.toUTCMillis(parsed.local)
    if let warning = zone.warning("the \(field.name) \(text)", resolution) {
      diagnostics.warn(warning, file: csv.fileName, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
    }
    return (millis, zone.offset(atMillis: millis))
  }

  private func event() throws -> Event {
    guard let (start, offset) = try time(.start) else { throw failure("the start is empty", .start) }
    var duration: Double
    if usesDuration {
      guard let text = cell(.duration) else { throw failure("the duration is empty", .duration) }
      guard let seconds = InputNumber.decimal(text) ?? TogglDuration.parse(text)?.seconds, seconds >= 0, seconds.isFinite else {
        throw failure("duration \"\(text)\" is not seconds or H:MM:SS", .duration)
      }
      if let reason = EventSpec.durationProblem(seconds) { throw failure(reason, .duration) }
      duration = seconds
    } else {
      guard let end = try time(.end)?.millis else { throw failure("the end is empty", .end) }
      guard end >= start else { throw failure("the end is before the start", .end) }
      duration = Double(end - start) / 1000
    }
    joined.removeAll()
    for column in 0..<csv.fieldCount {
      if column > 0 { joined.append(0x1F) }
      joined.append(csv.field(column))
    }
    let id = cell(.id).map { options.sourceName + ":" + $0 }
      ?? EventID.make(prefix: options.sourceName, joinedFields: joined.bytes)
    var event = Event(id: id, source: options.sourceName, kind: cell(.kind) ?? options.kind, start: start, duration: duration)
    event.offset = offset.map(Timestamp.formatOffset)
    for raw in Field.optionalStrings {
      if let value = cell(Field(rawValue: raw)!) { event.setOptionalString(raw - Field.stream.rawValue, value) }
    }
    if let text = cell(.productivity) {
      guard let value = InputNumber.integer(text).map(Int.init), (-2...2).contains(value) else { throw failure("productivity \"\(text)\" is not -2 to 2", .productivity) }
      event.productivity = value
    }
    if let text = cell(.tags) {
      event.tags = text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
    if let text = cell(.billable) {
      switch text.lowercased() {
      case "true", "yes", "1", "y": event.billable = true
      case "false", "no", "0", "n": event.billable = false
      default: throw failure("billable \"\(text)\" is not yes or no", .billable)
      }
    }
    for column in attrColumns where column < csv.fieldCount {
      let value = csv.string(column)
      if !value.isEmpty { event.attrs.members.append(.init(header[column], .string(value))) }
    }
    return event
  }
}

import Yams

extension GenericCSVReader {
  /// A column map file: YAML (or JSON) of `field: Header` pairs.
  public static func loadColumnMap(path: String) throws -> [String: String] {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw EidolonError(.io, "cannot read the column map: \(error.localizedDescription)", file: path)
    }
    guard let map = (try YAMLDocument.load(text, file: path)) as? [String: Any] else {
      throw EidolonError(.usage, "a column map is a YAML or JSON mapping of field: Header", file: path)
    }
    var columns: [String: String] = [:]
    for (field, header) in map {
      guard let name = header as? String else { throw EidolonError(.usage, "\(field): the header must be text", file: path) }
      columns[field] = name
    }
    return columns
  }
}
