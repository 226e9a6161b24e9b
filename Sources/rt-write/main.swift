import ArgumentParser
import Eidolon
import EidolonCLI

extension RescueTimeWriter.Variant: ExpressibleByArgument {}
extension RescueTimeColumns.Report: ExpressibleByArgument {}
extension RescueTimeResolution: ExpressibleByArgument {}

struct RtWrite: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rt-write",
    abstract: "Turn Eidolon NDJSON into RescueTime API-shaped JSON or CSV.",
    discussion: """
      Sums the events into rows, as the Analytic Data API reports them (interval \
      perspective): seconds per bucket of --resolution on the account's wall clock, per \
      the names of --report (activity: Activity, Category, Productivity). An event that \
      spans buckets is split between them; seconds are rounded to whole seconds per row. \
      --variant api-json (the default) or api-csv writes an API response; account-export \
      writes rescuetime-activity-history.csv (hourly). Events from rt-read bring their \
      report and resolution along, so rt-read | rt-write | rt-read gives the same events. \
      Input in start order streams in constant memory; other input is summed in batches \
      spilled to temporary files (and said so). See formats/rescuetime.md.

      Examples:
        aw-read export.json | eid-sort | rt-write --tz Europe/Berlin --resolution minute > rescuetime.json
        rt-read rescuetime.csv --tz Europe/Berlin | rt-write --variant api-csv --tz Europe/Berlin
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("api-json, api-csv or account-export.", valueName: "variant"))
  var variant: RescueTimeWriter.Variant = .apiJSON

  @Option(help: ArgumentHelp("The columns (restrict_kind): activity, document, overview, category, productivity or efficiency (default: the events' own, else activity).", valueName: "report"))
  var report: RescueTimeColumns.Report?

  @Option(help: ArgumentHelp("The bucket size: minute (5-minute buckets), hour, day, week or month (default: the events' own, else hour).", valueName: "size"))
  var resolution: RescueTimeResolution?

  @Option(help: ArgumentHelp("The account's time zone, whose wall clock the buckets follow (default: each event's own offset, else UTC).", valueName: "zone"))
  var tz: String?

  func validate() throws {
    try ZoneOption.check(tz)
    if variant == .accountExport, let resolution, resolution != .hour {
      throw ValidationError("the account export is hourly: --resolution \(resolution.rawValue) does not apply to it")
    }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "rt-write")
    let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
    var options = RescueTimeWriter.Options()
    options.variant = variant
    options.report = report
    options.resolution = resolution
    options.zone = tz.flatMap(ZoneConverter.init(identifier:))
    let writer = try RescueTimeWriter(sink: try OutputSink.open(common.output), options: options)
    try inputs.forEach { event, _ in try writer.write(event) }
    try writer.finish()
    if !writer.inOrder {
      diagnostics.note("rt-write: the input was not in start order: rows were summed in \(writer.spilledRuns) batches on disk and merged (eid-sort first keeps it streaming)")
    }
    try diagnostics.finish()
    if diagnostics.rejectCount > 0 {
      diagnostics.note("rt-write: \(writer.eventCount) events written as \(writer.rowCount) rows; \(diagnostics.rejectCount) input lines rejected")
      throw ExitCode(1)
    }
  }
}

ToolMain.run(RtWrite.self)
