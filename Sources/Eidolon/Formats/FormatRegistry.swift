/// Every format Eidolon reads, by name: how tools and the corpus test find a
/// reader. A new format is a Reader (and Writer) pair plus one entry here.
public enum FormatRegistry {
  public struct ReaderFormat: Sendable {
    /// The name used on command lines and as the folder under corpus/.
    public let name: String
    public let summary: String
    /// The settings it takes (ReaderSettings): by name, its tool's long options,
    /// `eidolon --set name=value`, a team config's `set:`, corpus/<format>/NAME.options lines.
    public let settings: [ReaderSetting]
    private let makeReader: @Sendable (ByteReader, Diagnostics, [String: String]) throws -> EventReader

    init(name: String, summary: String, settings: [ReaderSetting] = [],
         make: @escaping @Sendable (ByteReader, Diagnostics, [String: String]) throws -> EventReader) {
      self.name = name
      self.summary = summary
      self.settings = settings
      makeReader = make
    }

    /// Makes a reader with the `settings` it takes. Settings are shared by all of a run's
    /// inputs (`eidolon --tz`, `--set`), so one that another reader takes is left to
    /// that reader; a name no reader takes is a usage error that lists the names there
    /// are (a mistyped setting never silently does nothing).
    public func make(_ input: ByteReader, _ diagnostics: Diagnostics, _ settings: [String: String]) throws -> EventReader {
      try FormatRegistry.checkSettingNames(settings.keys)
      return try makeReader(input, diagnostics, settings.filter { takes($0.key) })
    }

    /// Whether it takes a setting of this name.
    public func takes(_ name: String) -> Bool { settings.contains { $0.name == name } }
  }

  public static let readers: [ReaderFormat] = [
    ReaderFormat(name: "eidolon", summary: "Eidolon NDJSON v1 (formats/eidolon-ndjson.md)") { input, diagnostics, _ in
      EidolonNDJSONReader(input: input, diagnostics: diagnostics)
    },
    ReaderFormat(name: "activitywatch", summary: "ActivityWatch exports (formats/activitywatch.md)", settings: ReaderSettings.ActivityWatch.all) {
      input, diagnostics, settings in
      var options = ActivityWatchReader.Options()
      options.bucketGlob = settings["bucket"]
      options.type = settings["type"]
      return ActivityWatchReader(input: input, diagnostics: diagnostics, options: options)
    },
    ReaderFormat(name: "toggl", summary: "Toggl Track CSVs and API JSON (formats/toggl.md)",
                 settings: ReaderSettings.Toggl.all) { input, diagnostics, settings in
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
      options.json.names = try settings["workspace-export"].map { try TogglWorkspaceNames(directory: $0) }
      return try TogglReader.make(input: input, diagnostics: diagnostics, options: options)
    },
    ReaderFormat(name: "rescuetime", summary: "RescueTime API responses, account export, daily summary feed (formats/rescuetime.md)",
                 settings: ReaderSettings.RescueTime.all) { input, diagnostics, settings in
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
    ReaderFormat(name: "manictime", summary: "ManicTime CSV exports and XML (formats/manictime.md)",
                 settings: ReaderSettings.ManicTime.all) { input, diagnostics, settings in
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
    ReaderFormat(name: "csv", summary: "any CSV, by a column map (formats/generic-csv.md)",
                 settings: ReaderSettings.CSV.all) { input, diagnostics, settings in
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

  /// A usage error for the first name no reader takes, listing each reader's names.
  public static func checkSettingNames<Names: Sequence<String>>(_ names: Names) throws {
    guard let unknown = names.sorted().first(where: { name in !readers.contains { $0.takes(name) } }) else { return }
    let known = readers.filter { !$0.settings.isEmpty }.map { "\($0.name): \($0.settings.map(\.name).joined(separator: ", "))" }
    throw EidolonError(.usage, "no reader takes a setting \"\(unknown)\" (\(known.joined(separator: "; ")))")
  }

  public static func reader(named name: String) -> ReaderFormat? {
    readers.first { $0.name == name }
  }
}
