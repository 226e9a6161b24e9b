import ArgumentParser
import Eidolon
import EidolonCLI

/// The store a command works on: --db, with the guide's bare names ("eidolon") meaning NAME.db.
enum StorePath {
  static let defaultName = "eidolon.db"

  static func resolve(_ name: String) -> String {
    if access(name, F_OK) != 0, !name.hasSuffix(".db"), access(name + ".db", F_OK) == 0 { return name + ".db" }
    return name
  }
}

struct MigrateImport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Read a tracker's files and load them into a store, in one process, resumably.",
    discussion: """
      Each input is read by its format's reader (found from the file, or --from), filed by \
      --rules, and loaded in batches of --batch-size, each one transaction with a checkpoint: \
      a killed or failed import continues with --resume (same inputs), and importing the same \
      file again stores nothing twice (--merge-strategy append). --dry-run does everything but \
      the commit and prints what a real run would store.

      Examples:
        eidolon migrate import --input aw-export.json.gz --db events.db
        eidolon migrate import-rescuetime --input rescuetime_data.json \\
            --tz Europe/Berlin --merge-strategy append
        eidolon migrate import-toggl --input toggl-2024.csv --tz Europe/Berlin \\
            --rules rules.yaml --dry-run
        eidolon migrate import-csv --input tracker.csv --tz UTC \\
            --columns start=When,duration=Seconds,app=Program
      """)

  @OptionGroup var plan: PlanOptions
  @OptionGroup var io: RunOptions

  @Option(help: ArgumentHelp("The SQLite store (created when missing), or a postgresql:// URI.", valueName: "database"))
  var db = StorePath.defaultName

  @OptionGroup var load: LoadOptions

  @Flag(help: "Read, file and load everything, then roll back: the summary says what would be stored.")
  var dryRun = false

  @Flag(help: "Print the summary as JSON on stdout.")
  var json = false

  func validate() throws {
    if dryRun && load.resume { throw ValidationError("--dry-run and --resume do not go together") }
  }

  func run() throws {
    let diagnostics = try io.makeDiagnostics("eidolon migrate import")
    let progress = io.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    var options = load.loaderOptions
    options.dryRun = dryRun
    let database = StorePath.resolve(db)
    let result: MigrationImport.Result
    let migration = try plan.makePlan()
    do {
      result = try MigrationImport.run(plan: migration, database: database, options: options, diagnostics: diagnostics, progress: progress)
    } catch {
      // Said only when a load had begun (not for a file that could not be opened first).
      if !dryRun, EventStores.hasUnfinishedLoad(database, inputs: migration.inputs.map(\.displayName)) {
        diagnostics.note("eidolon: the import stopped; the batches before the error are stored (the same command with --resume continues it)")
      }
      throw error
    }
    try diagnostics.finish()
    if json { try ReportOutput.write(ReportText.json(ImportSummary.json(result)) + "\n", to: nil) }
    if !io.quiet { diagnostics.note(ImportSummary.line(result)) }
    if result.counts.rejected > 0 { throw ExitCode(1) }
  }
}

/// The import's summary: one line for people, an object for scripts.
enum ImportSummary {
  static func line(_ result: MigrationImport.Result) -> String {
    let counts = result.counts
    var line = result.dryRun ? "eidolon: dry run, nothing stored: \(result.database) would get: " : "eidolon: \(result.database) import \(result.importID): "
    if let resumed = result.resumedFrom { line += "resumed at input \(resumed.inputIndex + 1) after event \(resumed.events); " }
    line += "read \(counts.read + result.dropped), inserted \(counts.inserted), skipped \(counts.skipped) (already stored)"
    if counts.replaced > 0 || counts.removed > 0 { line += ", replaced \(counts.replaced), removed \(counts.removed)" }
    if result.dropped > 0 { line += ", dropped by the rules \(result.dropped)" }
    line += ", rejected \(counts.rejected); \(ReportText.number((result.seconds * 10).rounded() / 10)) s"
    return line
  }

  static func json(_ result: MigrationImport.Result) -> JSONValue {
    let counts = result.counts
    return ReportText.object([
      ("database", .string(result.database)), ("import", result.dryRun ? .null : .number(Int(result.importID))),
      ("dry_run", .bool(result.dryRun)), ("formats", .array(result.formats.map { .string($0) })),
      ("read", .number(counts.read + result.dropped)), ("inserted", .number(counts.inserted)), ("skipped", .number(counts.skipped)),
      ("replaced", .number(counts.replaced)), ("removed", .number(counts.removed)), ("dropped", .number(result.dropped)),
      ("rejected", .number(counts.rejected)), ("seconds", .number(ReportText.number(result.seconds))),
    ])
  }
}

#if canImport(Glibc)
import Glibc
#endif
