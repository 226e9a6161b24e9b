import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateAssess: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "assess",
    abstract: "Look at files before importing them: format, size, events, time range, what will need care.",
    discussion: """
      Reads each input through as an import would (nothing is stored) and reports its format \
      and variant, size, events, time range, hosts, streams and kinds, rejected records with \
      the first messages, zone hints (times without an offset, offsets that disagree), \
      overlaps between inputs (the span both cover, ids in both) and an estimate of the \
      import's time from the speed measured here and now. Exit status 1 when an input is \
      unreadable or has rejected records.

      Examples:
        eidolon migrate assess --input aw-export.json.gz toggl-2024.csv rescuetime.json \\
        eidolon migrate assess --input export.json --json > assessment.json
        eidolon migrate assess --input export.json --html assessment.html
        eidolon migrate analyze-data --users user_list.csv --output assessment_report.pdf
      """)

  @OptionGroup var plan: PlanOptions

  @OptionGroup var report: ReportOptions

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  var progress = false

  @Flag(name: [.short, .long], help: "Print nothing but errors (and what --json asks for).")
  var quiet = false

  func run() throws {
    let meter = quiet ? Progress(enabled: false) : Progress.automatic(forced: progress)
    let report = try MigrationAssessor.run(plan: try plan.makePlan(), progress: meter)
    try self.report.emit(text: report.text, json: report.json, html: report.html, quiet: quiet)
    if report.unreadable > 0 || report.totalRejected > 0 { throw ExitCode(1) }
  }
}
