/// Picks the ManicTime reader for an input by its first bytes: `<` is XML, `{` the
/// Server API's JSON, anything else a CSV export (formats/manictime.md).
public enum ManicTimeReader {
  public struct Options {
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

  public static func make(input: ByteReader, diagnostics: Diagnostics, options: Options) throws -> EventReader & InputCounting {
    var head = try input.peek(4096)
    if head.starts(with: [0xEF, 0xBB, 0xBF]) { head = UnsafeRawBufferPointer(rebasing: head[3...]) }
    let first = head.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
    if first == UInt8(ascii: "<") { return try ManicTimeXMLReader(input: input, diagnostics: diagnostics, zone: options.zone, timeline: options.timeline) }
    if first == UInt8(ascii: "{") { return ManicTimeJSONReader(input: input, diagnostics: diagnostics, zone: options.zone, timeline: options.timeline) }
    guard let zone = options.zone else { throw EidolonError(.usage, zoneRequired, file: input.name) }
    let firstLine = String(decoding: head.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
    if ManicTimeTimesheetReader.isTimesheet(headerLine: firstLine) {
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
