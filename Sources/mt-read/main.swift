import ArgumentParser
import Eidolon
import EidolonCLI

struct MtRead: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mt-read",
    abstract: "Turn ManicTime's exports, server responses and database into Eidolon NDJSON.",
    discussion: """
      Reads the CSV that `mtc export` writes for a timeline (ManicTime/Applications, \
      Documents, ComputerUsage, Tags) and the GUI's details export of the same columns, \
      whose dates are in the Windows locale (3/4/2019 11:33:52 AM, 04.03.2019 11:33:52). \
      The timeline is found from the columns (--timeline sets it). ManicTime writes \
      local wall-clock times with no offset, so --tz is required for CSV: give the zone the \
      computer was in (--tz UTC only if it really was UTC). Dates such as 3/4/2019 are \
      read in the order the file settles (a date like 13/4/2019), said on stderr; \
      --date-order sets it. It also reads ManicTime's XML: the custom-timeline file \
      ManicTime imports and the Server API v1's timelines (times with offsets; --tz only \
      for any without), the Server API's JSON (v2, v3 entities), and ManicTime's own \
      database, ManicTimeReports.db (opened read-only; --timeline picks one timeline). \
      See formats/manictime.md.

      Examples:
        mt-read applications.csv --tz Europe/Berlin > applications.ndjson
        MANICTIME_TOKEN=... mt-read --server http://mt:8080 --since 2024-01-01 | eid-load events.db
        mt-read details.csv --tz America/New_York --date-order mdy -o details.ndjson
        mt-read ManicTimeReports.db --timeline applications | eid-load events.db
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions
  @OptionGroup var range: TimeRangeOptions

  @Option(help: .setting(ReaderSettings.ManicTime.tz))
  var tz: String?

  @Option(help: .setting(ReaderSettings.ManicTime.timeline))
  var timeline: ManicTimeCSVReader.Timeline?

  @Option(help: .setting(ReaderSettings.ManicTime.dateOrder))
  var dateOrder: ManicTimeDateTime.DateOrder?

  @Option(help: .setting(ReaderSettings.ManicTime.variant))
  var variant: ManicTimeReader.Variant?

  @Option(help: ArgumentHelp("Read every timeline of a ManicTime Server (http://host:8080) instead of files: the days from --since (a date) to --until; MANICTIME_TOKEN, or MANICTIME_USERNAME and MANICTIME_PASSWORD.", valueName: "url"))
  var server: String?

  @OptionGroup var live: LiveReadOptions

  func validate() throws {
    try ZoneOption.check(tz)
    if server != nil && !common.inputs.isEmpty { throw ValidationError("give input files or --server, not both") }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "mt-read")
    let bounds = range.bounds
    let progress = common.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    var options = ManicTimeReader.Options()
    options.zone = tz.flatMap(ZoneConverter.init(identifier:))
    options.timeline = timeline
    options.dateOrder = dateOrder
    options.variant = variant
    let writer = EidolonNDJSONWriter(sink: try OutputSink.open(common.output))
    var events = 0
    var bytesBefore: Int64 = 0
    var paths = common.inputPaths
    if let server {
      // Every timeline, as export-manictime fetches it.
      let (first, last) = try live.days(range)
      var export = ManicTimeExporter.Options(since: first, through: last)
      export.serverURL = server
      export.policy = live.policy
      let credentials = try ManicTimeExporter.Credentials.fromEnvironment(tokenFile: live.tokenFile)
      paths = [try live.fetch("mt-read") { _ = try ManicTimeExporter(options: export, credentials: credentials, note: diagnostics.note).run(output: $0, resume: false) }]
    }
    for path in paths {
      let reader: EventReader & InputCounting = (variant == .database && path != "-") || (variant == nil && ManicTimeDatabaseReader.isDatabase(path: path))
        ? try ManicTimeDatabaseReader(path: path, diagnostics: diagnostics, timeline: timeline)
        : try ManicTimeReader.make(input: try InputOpener.open(path), diagnostics: diagnostics, options: options)
      try ReaderToolLoop.copy(reader, bytesRead: { reader.bytesRead }, to: writer, keeping: { bounds.contains(start: $0) }, file: path,
                              diagnostics: diagnostics, progress: progress, events: &events, bytesBefore: bytesBefore)
      bytesBefore += reader.bytesRead
    }
    try ReaderToolEnd.finish("mt-read", writer: writer, diagnostics: diagnostics, progress: progress, summary: "\(events) activities")
  }
}

ToolMain.run(MtRead.self)
