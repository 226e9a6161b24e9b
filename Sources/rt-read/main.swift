import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

extension RescueTimeReadOptions.Variant: ExpressibleByArgument {}
extension RescueTimeColumns.Report: ExpressibleByArgument {}
extension RescueTimeResolution: ExpressibleByArgument {}

struct RtRead: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rt-read",
    abstract: "Turn RescueTime files into Eidolon NDJSON.",
    discussion: """
      Reads Analytic Data API responses saved as JSON or CSV (any perspective and \
      restrict_kind, columns found by name), the account export \
      (rescuetime-activity-history.csv) and the daily summary feed, found by their first \
      bytes, in constant memory. Rows are aggregates ("N seconds of X in the bucket \
      starting at Date"): each becomes a "summary" event at the bucket's start lasting \
      N seconds; --layout lays a bucket's rows end to end inside it instead. API dates \
      are wall-clock times in the account's time zone: give it with --tz, or they are \
      read as UTC. --since and --until keep the events that start in that range (a date \
      is midnight in --tz); rank and member reports carry no dates, and the two give the \
      range they cover. See formats/rescuetime.md.

      Examples:
        rt-read rescuetime-2024.json --tz Europe/Berlin > rescuetime.ndjson
        rt-read rescuetime-activity-history.csv | eid-load events.db
        rt-read top-apps.csv --since 2024-01-01 --until 2024-02-01 --tz America/Chicago
        RESCUETIME_API_KEY=... rt-read --api --since 2024-01-01 --tz Europe/Berlin | eid-load events.db
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions
  @OptionGroup var range: TimeRangeOptions

  @Option(help: .setting(ReaderSettings.RescueTime.tz))
  var tz: String?

  @Option(help: .setting(ReaderSettings.RescueTime.variant))
  var variant: RescueTimeReadOptions.Variant?

  @Option(help: .setting(ReaderSettings.RescueTime.resolution))
  var resolution: RescueTimeResolution?

  @Option(help: .setting(ReaderSettings.RescueTime.kind))
  var kind: RescueTimeColumns.Report?

  @Flag(help: .setting(ReaderSettings.RescueTime.layout))
  var layout = false

  @Flag(help: "Read from the tracker's web API instead of files: the days from --since (a date) to --until (formats/live-apis.md).")
  var api = false

  @OptionGroup var live: LiveReadOptions

  func validate() throws {
    try ZoneOption.check(tz)
    if api && !common.inputs.isEmpty { throw ValidationError("give input files or --api, not both") }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "rt-read")
    let progress = common.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    var options = RescueTimeReadOptions()
    options.variant = variant
    options.zoneIdentifier = tz
    options.resolution = resolution
    options.kind = kind
    options.layout = layout
    let zone = tz.flatMap(ZoneConverter.init(identifier:))
    options.rangeStart = range.since.flatMap { RescueTimeReadOptions.rangeMillis($0, zone: zone) }
    options.rangeEnd = range.until.flatMap { RescueTimeReadOptions.rangeMillis($0, zone: zone) }
    let writer = EidolonNDJSONWriter(sink: try OutputSink.open(common.output))
    var events = 0
    var clampedRows = 0
    var clampedSeconds = 0.0
    var bytesBefore: Int64 = 0
    var notedZone = false
    var paths = common.inputPaths
    if api {
      // The Analytic API's interval data for the days of --since and --until, as export-rescuetime fetches it.
      let (first, last) = try live.days(range)
      let key = try live.secret(variable: "RESCUETIME_API_KEY", what: "RescueTime API key")
      var export = RescueTimeExporter.Options(since: first, through: last)
      if let url = live.apiURL { export.apiURL = url }
      if let resolution { export.resolution = resolution.rawValue }
      export.policy = live.policy
      paths = [try live.fetch("rt-read") { _ = try RescueTimeExporter(options: export, key: key, note: diagnostics.note).run(output: $0, resume: false) }]
    }
    for path in paths {
      let input = try InputOpener.open(path)
      let reader = try RescueTimeReader.make(input: input, diagnostics: diagnostics, options: options)
      if tz == nil, !notedZone, reader is RescueTimeAPIReader {
        notedZone = true
        diagnostics.note("rt-read: no --tz given: the API's dates are read as UTC. RescueTime writes them in the account's time zone; give it with --tz (e.g. --tz Europe/Berlin)")
      }
      // --since and --until as the rank range reads them (a date is midnight in --tz).
      let (rangeStart, rangeEnd) = (options.rangeStart, options.rangeEnd)
      try ReaderToolLoop.copy(reader, bytesRead: { reader.bytesRead }, to: writer, keeping: { start in
        if let since = rangeStart, start < since { return false }
        if let until = rangeEnd, start >= until { return false }
        return true
      }, file: input.name, diagnostics: diagnostics, progress: progress, events: &events, bytesBefore: bytesBefore)
      bytesBefore += reader.bytesRead
      clampedRows += reader.clampedRows
      clampedSeconds += reader.clampedSeconds
    }
    var summary = "\(events) events"
    if clampedRows > 0 {
      summary += ", rows cut at their bucket's end by --layout: \(clampedRows) (\(seconds(clampedSeconds)) s, kept in attrs.seconds)"
      diagnostics.note("rt-read: rows cut at their bucket's end by --layout: \(clampedRows), \(seconds(clampedSeconds)) s in all (each row's full seconds are in attrs.seconds)")
    }
    try ReaderToolEnd.finish("rt-read", writer: writer, diagnostics: diagnostics, progress: progress, summary: summary)
  }

  private func seconds(_ value: Double) -> String {
    value == value.rounded() ? String(Int64(value)) : String(format: "%.1f", value)
  }
}

ToolMain.run(RtRead.self)
