import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

struct MigrateExportToggl: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-toggl",
    abstract: "Fetch a Toggl Track account's time entries into a file import-toggl and toggl-read read.",
    discussion: """
      Days older than --recent-days come from the Reports API v3 (detailed search, per \
      workspace, in windows under a year, page by page); the recent ones from API v9 \
      /me/time_entries. Project, client and tag names are looked up once per workspace and \
      written into the entries. Toggl's quota answers (402 and 429) wait as told, or stop \
      the export to be resumed with --resume; progress is saved after each page in \
      OUTPUT.state.json. The token comes from TOGGL_API_TOKEN or --token-file (--api-token \
      works, with a warning); it is never written anywhere. See formats/live-apis.md.

      Examples:
        TOGGL_API_TOKEN=... eidolon migrate export-toggl \\
            --date-range 2023-01-01:2025-07-20 -o toggl_data.json
        eidolon migrate export-toggl --token-file ~/.toggl-token --since 2024-01-01 \\
            -o toggl.json --max-requests-per-hour 30 --resume
        eidolon migrate import-toggl --input toggl.json --db events.db
      """)

  @OptionGroup var live: LiveExportOptions

  @Option(name: .customLong("api-token"), help: ArgumentHelp("The API token on the command line (others can see it there: prefer TOGGL_API_TOKEN).", valueName: "token"))
  var apiToken: String?

  @Option(name: .customLong("recent-days"), help: ArgumentHelp("Days before today fetched from /me/time_entries; older ones from the Reports API.", valueName: "n"))
  var recentDays = 90

  @Option(name: .customLong("page-size"), help: ArgumentHelp("Groups per Reports API page.", valueName: "n"))
  var pageSize = 50

  @Option(name: .customLong("api-url"), help: ArgumentHelp("The API's address (a replay server's for tests).", valueName: "url"))
  var apiURL = "https://api.track.toggl.com"

  func validate() throws {
    guard (0...3660).contains(recentDays) else { throw ValidationError("--recent-days takes 0 to 3660") }
    guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size takes 1 to 1000") }
  }

  func run() throws {
    let token = try LiveSecret.resolve(option: apiToken, file: live.tokenFile, variable: "TOGGL_API_TOKEN", what: "Toggl API token",
                                       optionName: "--api-token", environment: ProcessInfo.processInfo.environment, warn: live.note)
    let (first, last) = try live.days()
    var options = TogglExporter.Options(since: first, through: last, today: LiveDay.today(now: Date().timeIntervalSince1970))
    options.apiURL = apiURL
    options.recentDays = recentDays
    options.pageSize = pageSize
    options.policy = live.policy
    let summary = try TogglExporter(options: options, token: token, note: live.note).run(output: live.output, resume: live.resume)
    var line = "eidolon migrate export-toggl: \(summary.entries) entries from \(summary.workspaces) workspaces, \(first) to \(last), into \(live.output)"
    if let resumedAt = summary.resumedAt { line += " (resumed at \(resumedAt))" }
    line += "; \(summary.requests) requests, \(summary.retries) tried again"
    if summary.waitedSeconds > 0 { line += ", \(SecondsText.short(summary.waitedSeconds)) s waited" }
    live.note(line)
  }
}
