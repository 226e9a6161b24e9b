import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateImportFiles: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import-files",
    abstract: "Import every tracker file under a folder, each found by its format.",
    discussion: """
      Walks --data-dir (sub-folders too, .gz files too; names starting with '.' skipped), \
      finds each file's format as 'import' does, and imports each as a load of its own into \
      --db. A file that is not a tracker's, or that stops with an error, is listed with why \
      and the others go on. Exit status 1 when any file was not read or any record was \
      rejected.

      Examples:
        eidolon migrate import-files --data-dir exports/ --db events.db --tz Europe/Berlin
        eidolon migrate import-files --data-dir /srv/ann --db postgresql:///team --user ann --json
      """)

  @Option(help: ArgumentHelp("The folder to read.", valueName: "dir"))
  var dataDir: String

  @OptionGroup var plan: PlanOptions
  @OptionGroup var io: RunOptions

  @Option(help: ArgumentHelp("The SQLite store (created when missing), or a postgresql:// URI.", valueName: "database"))
  var db = StorePath.defaultName

  @OptionGroup var load: LoadOptions

  @Flag(help: "Print the outcome of every file as JSON on stdout.")
  var json = false

  func validate() throws {
    if !plan.inputs.isEmpty || plan.database != nil { throw ValidationError("import-files reads --data-dir; give files to 'migrate import'") }
  }

  func run() throws {
    let diagnostics = try io.makeDiagnostics("eidolon migrate import-files")
    // The folder stands in for the inputs: each file found gets the settings, rules and user given.
    let template = try plan.makePlan(extraInputs: [dataDir])
    let outcomes = try DataFolder.importAll(
      folder: dataDir, template: template, database: StorePath.resolve(db), options: load.loaderOptions, diagnostics: diagnostics
    ) { outcome in
      guard !io.quiet else { return }
      if let result = outcome.result {
        diagnostics.note("eidolon: \(outcome.path) (\(outcome.format ?? "?")): read \(result.counts.read + result.dropped), inserted \(result.counts.inserted), skipped \(result.counts.skipped), rejected \(result.counts.rejected)")
      } else {
        diagnostics.note("eidolon: \(outcome.path): not read: \(outcome.problem ?? "?")")
      }
    }
    try diagnostics.finish()
    let unread = outcomes.filter { $0.result == nil }
    if json {
      let files: [JSONValue] = outcomes.map { outcome in
        var members: [(String, JSONValue)] = [("path", .string(outcome.path)), ("format", outcome.format.map { .string($0) } ?? .null)]
        if let result = outcome.result {
          members += [("import", .number(Int(result.importID))), ("read", .number(result.counts.read + result.dropped)),
                      ("inserted", .number(result.counts.inserted)), ("skipped", .number(result.counts.skipped)),
                      ("rejected", .number(result.counts.rejected))]
        }
        members.append(("problem", outcome.problem.map { .string($0) } ?? .null))
        return ReportText.object(members)
      }
      try ReportOutput.write(ReportText.json(ReportText.object([
        ("database", .string(EventStores.displayName(StorePath.resolve(db)))), ("files", .array(files)),
        ("imported", .number(outcomes.count - unread.count)), ("not_read", .number(unread.count)),
      ])) + "\n", to: nil)
    }
    if !io.quiet {
      diagnostics.note("eidolon: \(outcomes.count) files under \(dataDir): \(outcomes.count - unread.count) imported, \(unread.count) not read")
    }
    if !unread.isEmpty || outcomes.contains(where: { ($0.result?.counts.rejected ?? 0) > 0 }) { throw ExitCode(1) }
  }
}
