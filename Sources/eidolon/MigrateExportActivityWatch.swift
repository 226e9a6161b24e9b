import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

struct MigrateExportActivityWatch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-activitywatch",
    abstract: "Fetch every bucket of a running ActivityWatch server into an export file aw-read and import-activitywatch read.",
    discussion: """
      Each bucket is streamed from its export endpoint, one event in memory at a time, \
      and written whole; --since/--until (or --date-range) keep the events that start in \
      that range (default: all). A bucket that fails part-way is fetched again; each \
      finished bucket is saved in OUTPUT.state.json, and --resume goes on from the next. \
      An [auth] api_key comes from AW_API_KEY or --token-file. See formats/live-apis.md.

      Examples:
        eidolon migrate export-activitywatch -o aw-export.json
        eidolon migrate export-activitywatch --server http://10.0.0.5:5600 \\
            --date-range 2024-01-01:2024-12-31 -o laptop.json --resume
        eidolon migrate import-activitywatch --input aw-export.json --db events.db
      """)

  @OptionGroup var live: LiveExportOptions

  @Option(help: ArgumentHelp("The server's address.", valueName: "url"))
  var server = "http://localhost:5600"

  func run() throws {
    let environment = ProcessInfo.processInfo.environment
    let key = live.tokenFile != nil || environment["AW_API_KEY"] != nil
      ? try LiveSecret.resolve(option: nil, file: live.tokenFile, variable: "AW_API_KEY", what: "ActivityWatch API key", optionName: "",
                               environment: environment, warn: live.note)
      : nil
    var options = ActivityWatchExporter.Options()
    var range = "all days"
    if live.since != nil || live.until != nil || live.dateRange != nil || live.sinceLast {
      let (first, last) = try live.days()
      options.sinceMillis = first.number * CivilTime.millisPerDay
      options.untilMillis = last.adding(1).number * CivilTime.millisPerDay
      range = "\(first) to \(last)"
    }
    options.serverURL = server
    options.policy = live.policy
    let summary = try ActivityWatchExporter(options: options, apiKey: key, note: live.note).run(output: live.output, resume: live.resume)
    var line = "eidolon migrate export-activitywatch: \(summary.events) events from \(summary.buckets) buckets, \(range), into \(live.output)"
    if let resumedAt = summary.resumedAt { line += " (resumed at \(resumedAt))" }
    if summary.outOfRange > 0 { line += "; \(summary.outOfRange) events outside the range left out" }
    if summary.retries > 0 { line += "; \(summary.retries) buckets fetched again" }
    live.note(line)
  }
}
