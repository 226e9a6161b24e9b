/// Picks the ManicTime reader for an input by its first bytes: `<` is XML, `{` the
/// Server API's JSON, anything else a CSV export (formats/manictime.md).
public enum ManicTimeReader {
  /// The kinds of input, for `--variant` (else found from the first bytes).
  public enum Variant: String, CaseIterable, Sendable {
    /// A timeline's CSV export, from mtc or the GUI.
    case csv
    case timesheet, xml, json, database
  }

  public struct Options {
    public var variant: Variant?
    /// The zone of the computer ManicTime ran on: required for the CSV exports' naive times.
    public var zone: ZoneConverter?
    public var timeline: ManicTimeCSVReader.Timeline?
    public var dateOrder: ManicTimeDateTime.DateOrder?
    public var pendingLimit = 100_000
    public init() {}
  }

  public static let zoneRequired = """
    --tz is required: ManicTime's CSV exports hold local times without an offset, and reading them as UTC would shift every event by the zone's offset. Give the zone the computer was in, e.g. --tz Europe/Berlin (or --tz UTC if it was UTC)
    """

  /// What the first bytes say the input is (a database is found by its path, not here).
  public static func detect(_ input: ByteReader) throws -> Variant {
    if try input.peek(16).starts(with: Array("SQLite format 3\0".utf8)) { return .database }
    let first = ByteReader.firstSignificantByte(try input.peekPastBOM(4096))
    if first == UInt8(ascii: "<") { return .xml }
    if first == UInt8(ascii: "{") { return .json }
    return ManicTimeTimesheetReader.isTimesheet(headerLine: try firstLine(input)) ? .timesheet : .csv
  }

  /// The input's first line (its first 4 KB at most), without a BOM.
  private static func firstLine(_ input: ByteReader) throws -> String {
    let head = try input.peekPastBOM(4096)
    return String(decoding: head.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
  }

  public static func make(input: ByteReader, diagnostics: Diagnostics, options: Options) throws -> EventReader & InputCounting {
    let variant = try options.variant ?? detect(input)
    switch variant {
    case .xml: return try ManicTimeXMLReader(input: input, diagnostics: diagnostics, zone: options.zone, timeline: options.timeline)
    case .json: return ManicTimeJSONReader(input: input, diagnostics: diagnostics, zone: options.zone, timeline: options.timeline)
    case .database:
      throw EidolonError(.usage, "a ManicTimeReports.db is read from its file: give its path, not standard input", file: input.name)
    case .csv, .timesheet: break
    }
    guard let zone = options.zone else { throw EidolonError(.usage, zoneRequired, file: input.name) }
    if variant == .timesheet {
      let firstLine = try firstLine(input)
      // Locales that write decimal commas separate fields with semicolons.
      let semicolons = firstLine.utf8.filter { $0 == UInt8(ascii: ";") }.count
      let commas = firstLine.utf8.filter { $0 == UInt8(ascii: ",") }.count
      return ManicTimeTimesheetReader(input: input, diagnostics: diagnostics, zone: zone, dateOrder: options.dateOrder,
                                      delimiter: semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ","))
    }
    var csv = ManicTimeCSVReader.Options(zone: zone)
    csv.timeline = options.timeline
    csv.dateOrder = options.dateOrder
    csv.pendingLimit = options.pendingLimit
    return ManicTimeCSVReader(input: input, diagnostics: diagnostics, options: csv)
  }
}
