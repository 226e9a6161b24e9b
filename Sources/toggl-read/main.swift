import ArgumentParser
import Eidolon
import EidolonCLI

extension TogglCSVReader.Running: ExpressibleByArgument {}

struct TogglRead: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "toggl-read",
    abstract: "Turn Toggl Track time-entry CSVs into Eidolon NDJSON.",
    discussion: """
      Reads the classic Detailed report CSV, the Admin > Data export CSV and the new \
      Reports UI's detailed export (any choice of columns), found by their header, and \
      the APIs' JSON (v9 time entries, Reports API v3 detailed, Reports API v2 details), \
      found by its shape, in constant memory. Each row becomes a "time_entry" event; every column without a \
      canonical field is kept in attrs. Toggl writes wall-clock times in the user's Toggl \
      time zone in CSVs: give it with --tz, or the times are read as UTC (JSON times \
      carry their offset). See formats/toggl.md.

      Examples:
        toggl-read Toggl_time_entries_2024.csv --tz Europe/Berlin > entries.ndjson
        toggl-read *.csv --tz America/New_York --running skip | eid-load events.db
        TOGGL_API_TOKEN=... toggl-read --api --since 2024-01-01 | eid-load events.db
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions
  @OptionGroup var range: TimeRangeOptions

  @Option(help: .setting(ReaderSettings.Toggl.tz))
  var tz: String?

  @Option(help: .setting(ReaderSettings.Toggl.running))
  var running: TogglCSVReader.Running?

  @Option(help: .setting(ReaderSettings.Toggl.workspaceExport))
  var workspaceExport: String?

  @Flag(help: .setting(ReaderSettings.Toggl.includeDeleted))
  var includeDeleted = false

  @Flag(help: "Read from the tracker's web API instead of files: the days from --since (a date) to --until (formats/live-apis.md).")
  var api = false

  @OptionGroup var live: LiveReadOptions

  func validate() throws {
    try ZoneOption.check(tz)
    if api && !common.inputs.isEmpty { throw ValidationError("give input files or --api, not both") }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "toggl-read")
    let bounds = range.bounds
    let progress = common.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    var options = TogglReader.Options()
    options.csv.zone = tz.flatMap(ZoneConverter.init(identifier:))
    if let running {
      options.csv.running = running
      options.json.running = running
    }
    options.csv.now = Timestamp.nowMillis()
    options.json.now = options.csv.now
    options.json.includeDeleted = includeDeleted
    options.json.names = try workspaceExport.map { try TogglWorkspaceNames(directory: $0) }
    var deleted = 0
    var notedZone = false
    let writer = EidolonNDJSONWriter(sink: try OutputSink.open(common.output))
    var events = 0
    var bytesBefore: Int64 = 0
    var paths = common.inputPaths
    if api {
      // Reports API pages and recent time entries, as export-toggl fetches them.
      let (first, last) = try live.days(range)
      let token = try live.secret(variable: "TOGGL_API_TOKEN", what: "Toggl API token")
      var export = TogglExporter.Options(since: first, through: last, today: LiveDay.today(now: Double(options.csv.now) / 1000))
      if let url = live.apiURL { export.apiURL = url }
      export.policy = live.policy
      paths = [try live.fetch("toggl-read") { _ = try TogglExporter(options: export, token: token, note: diagnostics.note).run(output: $0, resume: false) }]
    }
    for path in paths {
      let reader = try TogglReader.make(input: try InputOpener.open(path), diagnostics: diagnostics, options: options)
      if tz == nil, reader is TogglCSVReader, !notedZone {
        notedZone = true
        diagnostics.note("toggl-read: no --tz given: the file's times are read as UTC. Toggl writes them in the profile's time zone; give it with --tz (e.g. --tz Europe/Berlin)")
      }
      try ReaderToolLoop.copy(reader, bytesRead: { reader.bytesRead }, to: writer, keeping: { bounds.contains(start: $0) }, file: path,
                              diagnostics: diagnostics, progress: progress, events: &events, bytesBefore: bytesBefore)
      bytesBefore += reader.bytesRead
      deleted += reader.skippedDeleted
    }
    if deleted > 0 {
      diagnostics.note("toggl-read: \(deleted) entries the server marked deleted were left out (--include-deleted keeps them)")
    }
    try ReaderToolEnd.finish("toggl-read", writer: writer, diagnostics: diagnostics, progress: progress,
                             summary: "\(events) entries")
  }
}

ToolMain.run(TogglRead.self)
