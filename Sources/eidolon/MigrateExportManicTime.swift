import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

struct MigrateExportManicTime: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-manictime",
    abstract: "Fetch every timeline of a ManicTime Server into a file import-manictime and mt-read read.",
    discussion: """
      Each timeline's activities in windows of --window-days days (halved when a window \\
      keeps failing), written as the API's v2 JSON ({"timelines": [...]}); an activity \\
      that overlaps two windows is written once. Signs in with MANICTIME_TOKEN (or \\
      --token-file), or with MANICTIME_USERNAME and MANICTIME_PASSWORD through the \\
      server's /api/token. Progress is saved after each window in OUTPUT.state.json, and \\
      --resume goes on from it. See formats/live-apis.md.

      Examples:
        MANICTIME_TOKEN=... eidolon migrate export-manictime --server http://mt:8080 \\
            --date-range 2024-01-01:2024-12-31 -o manictime.json
        eidolon migrate import-manictime --input manictime.json --db events.db
      """)

  @OptionGroup var live: LiveExportOptions

  @Option(help: ArgumentHelp("The ManicTime Server's address.", valueName: "url"))
  var server = "http://localhost:8080"

  @Option(name: .customLong("window-days"), help: ArgumentHelp("Days of activities per request (halved when a window keeps failing).", valueName: "n"))
  var windowDays = 7

  func validate() throws {
    guard (1...366).contains(windowDays) else { throw ValidationError("--window-days takes 1 to 366") }
  }

  func run() throws {
    let credentials = try ManicTimeExporter.Credentials.fromEnvironment(tokenFile: live.tokenFile)
    let (first, last) = try live.days()
    var options = ManicTimeExporter.Options(since: first, through: last)
    options.serverURL = server
    options.windowDays = windowDays
    options.policy = live.policy
    let summary = try ManicTimeExporter(options: options, credentials: credentials, note: live.note).run(output: live.output, resume: live.resume)
    var line = "eidolon migrate export-manictime: \(summary.activities) activities from \(summary.timelines) timelines, \(first) to \(last), into \(live.output)"
    if let resumedAt = summary.resumedAt { line += " (resumed at \(resumedAt))" }
    line += "; \(summary.requests) requests, \(summary.retries) tried again"
    if summary.repeated > 0 { line += ", \(summary.repeated) activities that overlapped two windows written once" }
    live.note(line)
  }
}
