import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

struct MigrateExportRescueTime: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-rescuetime",
    abstract: "Fetch RescueTime's Analytic Data API into a file import-rescuetime and rt-read read.",
    discussion: """
      Interval data (perspective=interval) in windows of whole days, written as one \
      response-shaped JSON file ({"notes", "row_headers", "rows"}). A window that keeps \
      failing is fetched in halves. 429 and 5xx answers, dropped connections and answers \
      cut short are tried again (Retry-After honoured, else exponential back-off); \
      progress is saved after each window in OUTPUT.state.json, and --resume goes on from \
      it. The key comes from RESCUETIME_API_KEY or --token-file (--api-key works, with a \
      warning); it is never written anywhere. See formats/live-apis.md.

      Examples:
        RESCUETIME_API_KEY=... eidolon migrate export-rescuetime \\
            --date-range 2024-01-01:2025-07-20 --output rescuetime_data.json
        eidolon migrate export-rescuetime --token-file ~/.rescuetime-key \\
            --since 2024-01-01 -o rt.json --resume
        eidolon migrate import-rescuetime --input rt.json --tz Europe/Berlin --db events.db
      """)

  @OptionGroup var live: LiveExportOptions

  @Option(name: .customLong("api-key"), help: ArgumentHelp("The API key on the command line (others can see it there: prefer RESCUETIME_API_KEY).", valueName: "key"))
  var apiKey: String?

  @Option(help: ArgumentHelp("resolution_time: minute (5-minute buckets), hour, day, week or month.", valueName: "size"))
  var resolution = "minute"

  @Option(help: ArgumentHelp("restrict_kind: activity, category, overview, productivity or document.", valueName: "kind"))
  var kind = "activity"

  @Option(name: .customLong("window-days"), help: ArgumentHelp("Days per request (halved when a window keeps failing).", valueName: "n"))
  var windowDays = 30

  @Option(name: .customLong("api-url"), help: ArgumentHelp("The API's address (a replay server's for tests).", valueName: "url"))
  var apiURL = "https://www.rescuetime.com"

  func validate() throws {
    guard ["minute", "hour", "day", "week", "month"].contains(resolution) else { throw ValidationError("--resolution takes minute, hour, day, week or month") }
    guard ["activity", "category", "overview", "productivity", "document"].contains(kind) else {
      throw ValidationError("--kind takes activity, category, overview, productivity or document")
    }
    guard (1...366).contains(windowDays) else { throw ValidationError("--window-days takes 1 to 366") }
  }

  func run() throws {
    let key = try LiveSecret.resolve(option: apiKey, file: live.tokenFile, variable: "RESCUETIME_API_KEY", what: "RescueTime API key",
                                     optionName: "--api-key", environment: ProcessInfo.processInfo.environment, warn: live.note)
    let (first, last) = try live.days()
    var options = RescueTimeExporter.Options(since: first, through: last)
    options.apiURL = apiURL
    options.resolution = resolution
    options.kind = kind
    options.windowDays = windowDays
    options.policy = live.policy
    let summary = try RescueTimeExporter(options: options, key: key, note: live.note).run(output: live.output, resume: live.resume)
    var line = "eidolon migrate export-rescuetime: \(summary.rows) rows, \(first) to \(last), into \(live.output)"
    if let resumedAt = summary.resumedAt { line += " (resumed at \(resumedAt))" }
    line += "; \(summary.windows) windows, \(summary.requests) requests, \(summary.retries) tried again"
    if summary.waitedSeconds > 0 { line += ", \(SecondsText.short(summary.waitedSeconds)) s waited" }
    live.note(line)
  }
}
