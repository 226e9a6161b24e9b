import ArgumentParser
import Eidolon
import EidolonCLI

extension MigrationValidator.Scope: ExpressibleByArgument {}

struct MigrateValidate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Read the sources again and check that the store holds exactly their events.",
    discussion: """
      Reconciles the source files (read as import read them: give the same --from, --tz, \
      --rules and --user) with the store: event counts, ids missing or extra, events stored \
      with another time, category or app, seconds per day, category, app and source, and \
      the first and last event. Exit status 0 only when everything matches (totals within \
      --tolerance), 1 when not.

      Examples:
        eidolon migrate validate --source aw-export.json.gz --target events.db
        eidolon migrate validate --source rescuetime_data.json \\
            --tz Europe/Berlin --target eidolon --html check.html
        eidolon migrate validate --source toggl.csv --tz UTC \\
            --target events.db --json --tolerance 1
        eidolon migrate validate --source aw-export.json.gz --target events.db \\
            --report validation_report.pdf
        eidolon migrate compare-data --source events.db \\
            --target postgresql://eidolon@db.example/team     (a store as the source)
      """)

  @OptionGroup var plan: PlanOptions
  @OptionGroup var io: RunOptions

  @Option(help: ArgumentHelp("A source file (the same as --input).", valueName: "file"))
  var source: [String] = []

  @Option(help: ArgumentHelp("The store to check.", valueName: "database"))
  var target = StorePath.defaultName

  @Option(help: ArgumentHelp("How far totals may differ: seconds (2), or a percentage (0.5%).", valueName: "amount"))
  var tolerance: String = "0"

  @Option(help: ArgumentHelp("range: the store's events of the source's streams within its span (finds added rows too); ids: only the source's ids.", valueName: "scope"))
  var scope: MigrationValidator.Scope = .range

  @OptionGroup var report: ReportOptions

  func validate() throws {
    if MigrationValidator.Tolerance(argument: tolerance) == nil { throw ValidationError("--tolerance takes seconds (2) or a percentage (0.5%), not \(tolerance)") }
  }

  func run() throws {
    let diagnostics = try io.makeDiagnostics("eidolon migrate validate")
    // The import already said what it rejected; here the count is enough.
    if io.rejects == nil { diagnostics.messageHandler = { _ in } }
    var options = MigrationValidator.Options()
    options.tolerance = MigrationValidator.Tolerance(argument: tolerance)!
    options.scope = scope
    let report = try MigrationValidator.run(plan: plan.makePlan(extraInputs: source), database: StorePath.resolve(target), options: options,
                                            diagnostics: diagnostics, progress: io.makeProgress())
    try diagnostics.finish()
    try self.report.emit(text: report.text, json: report.json, html: report.html, quiet: io.quiet)
    if !report.matches { throw ExitCode(1) }
  }
}
