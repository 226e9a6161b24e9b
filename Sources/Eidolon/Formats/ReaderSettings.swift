/// One setting a reader takes, described once. Its name is the small tool's long option,
/// `eidolon --set NAME=VALUE`'s name and a team config's `set:` key; the tools' --help,
/// the error for an unknown name and the table in formats/migration.md are made from it
/// (ReaderSettingsTests checks the tools and the table against it).
public struct ReaderSetting: Sendable, Equatable {
  public let name: String
  /// What the value is, for help (`zone`, `glob`); nil for a flag, which `--set` takes as `true`.
  public let valueName: String?
  public let help: String
  /// What the reader does without the setting, when that is not simply "nothing".
  public let defaultText: String?
  /// False where the small tool has no option of this name (the setting is for eidolon
  /// and the corpus), or takes it from an option group of its own (--since, --until).
  public let inTool: Bool

  init(_ name: String, value valueName: String?, _ help: String, default defaultText: String? = nil, inTool: Bool = true) {
    self.name = name
    self.valueName = valueName
    self.help = help
    self.defaultText = defaultText
    self.inTool = inTool
  }

  /// `help` with the default said, as the tools show it.
  public var helpWithDefault: String {
    guard let defaultText else { return help }
    return "\(help) (default: \(defaultText))"
  }
}

/// Every reader's settings, by format, in one place.
public enum ReaderSettings {
  public enum ActivityWatch {
    public static let bucket = ReaderSetting("bucket", value: "glob", "Only buckets whose id matches this glob.")
    public static let type = ReaderSetting(
      "type", value: "type", "Only buckets of this type (currentwindow, afkstatus, web.tab.current, ...).")
    static let all = [bucket, type]
  }

  public enum Toggl {
    public static let tz = ReaderSetting(
      "tz", value: "zone", "The time zone of the Toggl profile that exported a CSV (an IANA name: Europe/Berlin).",
      default: "UTC, with a note")
    public static let running = ReaderSetting(
      "running", value: "rule", "A running entry (no stop): error (reject it), skip, or now (keep it as lasting until now).",
      default: "error")
    public static let now = ReaderSetting(
      "now", value: "time", "The time a running entry lasts until under --running now (RFC 3339).",
      default: "the time of the run", inTool: false)
    public static let includeDeleted = ReaderSetting(
      "include-deleted", value: nil, "Keep entries the server marks deleted (server_deleted_at), with attrs.deleted_at.")
    public static let workspaceExport = ReaderSetting(
      "workspace-export", value: "dir",
      "Names for the ids in API JSON, from an unpacked Toggl workspace export (projects.json, clients.json, tags.json, ...).")
    static let all = [tz, running, now, includeDeleted, workspaceExport]
  }

  public enum RescueTime {
    public static let tz = ReaderSetting(
      "tz", value: "zone", "The account's time zone, in which RescueTime writes dates (an IANA name: Europe/Berlin).",
      default: "UTC, with a note")
    public static let variant = ReaderSetting(
      "variant", value: "variant", "What the input is: api-json, api-csv, account-export or daily-summary.",
      default: "found from its first bytes")
    public static let resolution = ReaderSetting(
      "resolution", value: "size",
      "The API's bucket size (resolution_time): minute (5-minute buckets), hour, day, week or month.",
      default: "inferred from the dates")
    public static let kind = ReaderSetting(
      "kind", value: "kind",
      "The restrict_kind the API was asked for, where the header cannot tell: overview or category (both have only Category).")
    public static let layout = ReaderSetting(
      "layout", value: nil, "Lay the rows of one bucket end to end inside it (cut at the bucket's end), not all at its start.")
    public static let since = ReaderSetting(
      "since", value: "date", "The range a rank or member report covers, from this date (midnight in tz); other reports: events from then.",
      inTool: false)
    public static let until = ReaderSetting(
      "until", value: "date", "The range a rank or member report covers, up to this date; other reports: events before it.",
      inTool: false)
    static let all = [tz, variant, resolution, kind, layout, since, until]
  }

  public enum ManicTime {
    public static let tz = ReaderSetting(
      "tz", value: "zone", "The time zone the ManicTime computer was in (an IANA name: Europe/Berlin). Required for CSV.")
    public static let timeline = ReaderSetting(
      "timeline", value: "name", "The timeline the file holds: applications, documents, computer-usage or tags.",
      default: "found from its columns")
    public static let dateOrder = ReaderSetting(
      "date-order", value: "order", "For dates such as 3/4/2019: mdy (month first, en-US) or dmy (day first).",
      default: "found from the dates")
    public static let pendingLimit = ReaderSetting(
      "pending-limit", value: "n",
      "How many CSV rows may wait in memory for a date that settles month or day first (13/4/2019); a file that never settles it is refused.",
      default: "100000", inTool: false)
    public static let variant = ReaderSetting(
      "variant", value: "variant", "What the input is: csv, timesheet, xml, json or database.", default: "found from its first bytes")
    static let all = [tz, timeline, dateOrder, pendingLimit, variant]
  }

  public enum CSV {
    public static let columnMap = ReaderSetting("column-map", value: "file", "The column map in a YAML or JSON file of field: Header.")
    public static let columns = ReaderSetting(
      "columns", value: "map", "The column map, FIELD=HEADER pairs (start=When,duration=Seconds,app=Program); over column-map's.")
    public static let tz = ReaderSetting(
      "tz", value: "zone", "The zone of times written without an offset (an IANA name: Europe/Berlin); without it such a row is rejected.")
    public static let sourceName = ReaderSetting("source-name", value: "name", "The events' source name.", default: "csv")
    public static let kind = ReaderSetting("kind", value: "kind", "The events' kind.", default: "activity")
    public static let delimiter = ReaderSetting(
      "delimiter", value: "char", "The field separator: one character, or tab.", default: "a comma")
    static let all = [columnMap, columns, tz, sourceName, kind, delimiter]
  }

  /// The settings as a Markdown table, one row per format and setting: what
  /// formats/migration.md shows between its `reader-settings` markers.
  public static func markdownTable() -> String {
    var lines = ["| format | setting | value | what it does | default |", "|---|---|---|---|---|"]
    for format in FormatRegistry.readers {
      for setting in format.settings {
        let value = setting.valueName.map { "`\($0)`" } ?? "flag (`true`)"
        lines.append("| \(format.name) | `\(setting.name)` | \(value) | \(setting.help) | \(setting.defaultText ?? "") |")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
