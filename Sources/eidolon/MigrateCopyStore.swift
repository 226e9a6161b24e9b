import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateCopyStore: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "copy-store",
    abstract: "Copy every event of one store into another: SQLite to PostgreSQL, and back.",
    discussion: """
      The source is read in start order and loaded like any input, in batches with \
      checkpoints: a stopped copy continues with --resume. A copy into a store that held \
      nothing is checked afterwards: both stores read back give the same events, line for \
      line. The events keep their ids and fields; the target's imports table records the \
      copy as one load of "store:SOURCE".

      Examples:
        eidolon migrate copy-store --from events.db --to postgresql://eidolon@db.example/team
        eidolon migrate copy-store --from postgresql:///team --to team-backup.db --resume
      """)

  @Option(help: ArgumentHelp("The store to copy (a SQLite file or a postgresql:// URI).", valueName: "database"))
  var from: String

  @Option(help: ArgumentHelp("The store to copy into (created when missing).", valueName: "database"))
  var to: String

  @OptionGroup var load: LoadOptions

  @Flag(help: "Print the summary as JSON on stdout.")
  var json = false

  @Flag(name: [.short, .long], help: "Print nothing but errors.")
  var quiet = false

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  var progress = false

  func run() throws {
    let diagnostics = Diagnostics(toolName: "eidolon migrate copy-store")
    let meter = quiet ? Progress(enabled: false) : Progress.automatic(forced: progress)
    diagnostics.beforeMessage = { meter.clear() }
    let result: StoreCopy.Result
    do {
      result = try StoreCopy.run(from: StorePath.resolve(from), to: StorePath.resolve(to), options: load.loaderOptions,
                                 diagnostics: diagnostics, progress: meter)
    } catch let error as EidolonError where error.kind != .usage {
      diagnostics.note("eidolon: the copy stopped; the batches before the error are stored (the same command with --resume continues it)")
      throw error
    }
    try diagnostics.finish()
    if json {
      guard case .object(var summary) = ImportSummary.json(result.load) else { return }
      summary.members.append(JSONObject.Member("source", .string(EventStores.displayName(from))))
      summary.members.append(JSONObject.Member("verified", result.verified.map { .number($0) } ?? .null))
      try ReportOutput.write(ReportText.json(.object(summary)) + "\n", to: nil)
    }
    if !quiet {
      let check = result.verified.map { "; checked: the \($0) events read back from both stores are the same" }
        ?? " (the target held other events: 'eidolon migrate validate' or eid-dump compares)"
      diagnostics.note(ImportSummary.line(result.load) + check)
    }
    if result.load.counts.rejected > 0 { throw ExitCode(1) }
  }
}
