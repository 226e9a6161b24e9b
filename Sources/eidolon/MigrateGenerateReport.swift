import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateGenerateReport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate-report",
    abstract: "Show a report saved with --json again: as text, HTML or PDF.",
    discussion: """
      Reads the JSON that validate, assess, run or validate-stage wrote with --json and \
      shows it as that command would have: text on stdout, --html, --pdf (or --report \
      NAME.pdf / NAME.html). The report is not made again: nothing is read but the JSON.

      Examples:
        eidolon migrate validate --source export.json --target events.db --json > check.json
        eidolon migrate generate-report --input check.json --report validation_report.pdf
      """)

  @Option(help: ArgumentHelp("The saved report (JSON).", valueName: "file"))
  var input: String

  @OptionGroup var report: ReportOptions

  @Flag(name: [.short, .long], help: "Print nothing on stdout (only write the files asked for).")
  var quiet = false

  func run() throws {
    let saved = try SavedReport.load(input)
    try report.emit(text: saved.text, json: saved.json, html: saved.html, quiet: quiet)
  }
}
