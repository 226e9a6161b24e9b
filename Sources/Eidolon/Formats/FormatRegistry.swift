/// Every format Eidolon reads, by name: how tools and the corpus test find a
/// reader. A new format is a Reader (and Writer) pair plus one entry here.
public enum FormatRegistry {
  public struct ReaderFormat: Sendable {
    /// The name used on command lines and as the folder under corpus/.
    public let name: String
    public let summary: String
    /// Makes a reader; `options` are the format's settings by name (corpus/<format>/NAME.options
    /// lines `name=value`, the same names as the tool's long options).
    public let make: @Sendable (ByteReader, Diagnostics, [String: String]) throws -> EventReader
  }

  public static let readers: [ReaderFormat] = [
    ReaderFormat(name: "eidolon", summary: "Eidolon NDJSON v1 (formats/eidolon-ndjson.md)") { input, diagnostics, _ in
      EidolonNDJSONReader(input: input, diagnostics: diagnostics)
    },
    ReaderFormat(name: "activitywatch", summary: "ActivityWatch exports (formats/activitywatch.md)") { input, diagnostics, _ in
      ActivityWatchReader(input: input, diagnostics: diagnostics)
    },
    ReaderFormat(name: "toggl", summary: "Toggl Track CSVs and API JSON (formats/toggl.md)") { input, diagnostics, settings in
      var options = TogglReader.Options()
      options.csv.zone = try FormatRegistry.zone(settings)
      if let running = settings["running"] {
        guard let rule = TogglCSVReader.Running(rawValue: running) else { throw EidolonError(.usage, "--running takes error, skip or now") }
        options.csv.running = rule
        options.json.running = rule
      }
      if let now = settings["now"] {
        options.csv.now = Timestamp.parse(now)?.epochMillis ?? 0
        options.json.now = options.csv.now
      }
      options.json.includeDeleted = settings["include-deleted"] == "true"
      return try TogglReader.make(input: input, diagnostics: diagnostics, options: options)
    },
    ReaderFormat(name: "rescuetime", summary: "RescueTime API responses, account export, daily summary feed (formats/rescuetime.md)") { input, diagnostics, settings in
      var options = RescueTimeReadOptions()
      var zone: ZoneConverter?
      if let tz = settings["tz"] {
        zone = try FormatRegistry.zone(settings)
        options.zoneIdentifier = tz
      }
      if let text = settings["variant"] {
        guard let variant = RescueTimeReadOptions.Variant(rawValue: text) else { throw EidolonError(.usage, "unknown --variant \(text)") }
        options.variant = variant
      }
      if let text = settings["resolution"] {
        guard let resolution = RescueTimeResolution(argument: text) else { throw EidolonError(.usage, "unknown --resolution \(text)") }
        options.resolution = resolution
      }
      if let text = settings["kind"] {
        guard let kind = RescueTimeColumns.Report(rawValue: text) else { throw EidolonError(.usage, "unknown --kind \(text)") }
        options.kind = kind
      }
      options.layout = settings["layout"] == "true"
      options.rangeStart = settings["since"].flatMap { RescueTimeReadOptions.rangeMillis($0, zone: zone) }
      options.rangeEnd = settings["until"].flatMap { RescueTimeReadOptions.rangeMillis($0, zone: zone) }
      return try RescueTimeReader.make(input: input, diagnostics: diagnostics, options: options)
    },
    ReaderFormat(name: "manictime", summary: "ManicTime CSV exports and XML (formats/manictime.md)") { input, diagnostics, settings in
      var options = ManicTimeReader.Options()
      options.zone = try FormatRegistry.zone(settings)
      if let text = settings["timeline"] {
        guard let timeline = ManicTimeCSVReader.Timeline(rawValue: text) else { throw EidolonError(.usage, "unknown --timeline \(text)") }
        options.timeline = timeline
      }
      if let text = settings["date-order"] {
        guard let order = ManicTimeDateTime.DateOrder(rawValue: text) else { throw EidolonError(.usage, "--date-order takes mdy or dmy") }
        options.dateOrder = order
      }
      if let text = settings["pending-limit"], let limit = Int(text) { options.pendingLimit = limit }
      if let text = settings["variant"] {
        guard let variant = ManicTimeReader.Variant(rawValue: text) else { throw EidolonError(.usage, "unknown --variant \(text)") }
        options.variant = variant
      }
      return try ManicTimeReader.make(input: input, diagnostics: diagnostics, options: options)
    },
    ReaderFormat(name: "csv", summary: "any CSV, by a column map (formats/generic-csv.md)") { input, diagnostics, settings in
      var options = GenericCSVReader.Options()
      if let path = settings["column-map"] { options.columns = try GenericCSVReader.loadColumnMap(path: path) }
      if let text = settings["columns"] { options.columns.merge(try GenericCSVReader.parseColumnMap(text)) { $1 } }
      options.zone = try FormatRegistry.zone(settings)
      if let name = settings["source-name"] { options.sourceName = name }
      if let kind = settings["kind"] { options.kind = kind }
      if let text = settings["delimiter"] {
        guard text.utf8.count == 1 || text == "tab" else { throw EidolonError(.usage, "--delimiter takes one character (or tab)") }
        options.delimiter = text == "tab" ? 0x09 : text.utf8.first!
      }
      return try GenericCSVReader(input: input, diagnostics: diagnostics, options: options)
    },
  ]

  /// The `tz` setting as a zone (nil when not given); an unknown name is a usage error.
  static func zone(_ settings: [String: String]) throws -> ZoneConverter? {
    guard let tz = settings["tz"] else { return nil }
    guard let zone = ZoneConverter(identifier: tz) else { throw EidolonError(.usage, "unknown time zone \(tz)") }
    return zone
  }

  public static func reader(named name: String) -> ReaderFormat? {
    readers.first { $0.name == name }
  }
}
