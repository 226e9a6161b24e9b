import ArgumentParser
import Eidolon
import EidolonCLI

struct EidLoad: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eid-load",
    abstract: "Load Eidolon NDJSON into a SQLite or PostgreSQL store, idempotently, in resumable batches.",
    discussion: """
      Each batch is one transaction with a checkpoint, so a load that was killed, ran out of \
      disk or stopped at an error continues with --resume (same inputs, same strategy) and \
      ends with exactly the rows an uninterrupted load gives. Every load is recorded in the \
      imports table with its counts and a checksum of its input. The schema, the views and \
      the strategies are in formats/sqlite-schema.md; a postgresql:// URI loads into \
      PostgreSQL instead, any number of loaders at once (formats/postgresql.md).

      --merge-strategy:
        append         insert; an id already stored is skipped (the default: loading the
                       same file twice, or overlapping exports, gives one copy)
        replace        an incoming event replaces the stored one with its id
        replace-range  replace, then remove stored events of the same source and stream
                       that start inside the span the input covers (a re-export that
                       changed its past)
        fail           stop at the first id already stored; that batch is not written

      Examples:
        aw-read export.json.gz | eid-load events.db
        eid-load events.db toggl-2023.ndjson toggl-2024.ndjson --merge-strategy replace
        eid-load events.db big.ndjson --resume
        eid-load events.db --upgrade
        eid-load events.db --rollback events.db.backup-v1
        eid-load postgresql://eidolon@db.example/team ann.ndjson
      """,
    version: EidolonVersion.description)

  @Argument(help: ArgumentHelp("The SQLite store (created when missing), or a postgresql:// URI (formats/postgresql.md).", valueName: "database"))
  var database: String

  @OptionGroup var common: CommonOptions

  @OptionGroup var load: LoadOptions

  @Flag(help: "Upgrade a store made by an older Eidolon to this schema version (a backup is made first).")
  var upgrade = false

  @Option(help: ArgumentHelp("Put the store back as it was in this backup (made by --upgrade).", valueName: "backup"))
  var rollback: String?

  @Flag(help: "Print the summary as JSON on stdout (or to -o).")
  var json = false

  func validate() throws {
    if rollback != nil && (upgrade || load.resume || !common.inputs.isEmpty) {
      throw ValidationError("--rollback takes only the database")
    }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "eid-load")
    if let rollback {
      try EventStores.rollback(database, backup: rollback)
      diagnostics.note("eid-load: \(EventStores.displayName(database)) is back as it was in \(rollback)")
      return
    }
    let store = try EventStores.open(database, upgrade: upgrade)
    if upgrade {
      let (from, backup) = try store.upgrade(backup: nil)
      if from < store.currentSchemaVersion {
        let kept = backup.map { "; the old one is in \($0) ('eid-load \(database) --rollback \($0)' puts it back)" } ?? ""
        diagnostics.note("eid-load: upgraded \(store.displayName) from schema version \(from) to \(store.currentSchemaVersion)\(kept)")
      } else {
        diagnostics.note("eid-load: \(store.displayName) is already at schema version \(from)")
      }
      if common.inputs.isEmpty { return }
    }

    let options = load.loaderOptions
    let mergeStrategy = load.mergeStrategy
    let names = common.inputPaths.map(InputOpener.displayName)
    let loader = try EventLoader(store: store, inputs: names, options: options, diagnostics: diagnostics)
    if let resumed = loader.resumedFrom {
      diagnostics.note("eid-load: resuming load \(resumed.importID) at input \(resumed.inputIndex + 1), after line \(resumed.lines)")
    }
    let progress = common.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    let clock = ContinuousClock()
    let started = clock.now
    let counts: EventLoader.Counts
    do {
      try loader.load(paths: common.inputPaths, progress: progress)
      counts = try loader.finish()
    } catch {
      loader.abandon()
      diagnostics.note("eid-load: load \(loader.importID) stopped; the batches before the error are stored ('eid-load \(store.displayName) --resume' with the same inputs continues it)")
      throw error
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = seconds > 0 ? Double(counts.read) / seconds : 0
    if json {
      let out = try OutputSink.open(common.output)
      let summary: [(String, JSONValue)] = [
        ("database", .string(store.displayName)), ("import", .number(Int(loader.importID))), ("strategy", .string(mergeStrategy.rawValue)),
        ("read", .number(counts.read)), ("inserted", .number(counts.inserted)), ("skipped", .number(counts.skipped)),
        ("replaced", .number(counts.replaced)), ("removed", .number(counts.removed)), ("rejected", .number(counts.rejected)),
        ("seconds", .number((seconds * 1000).rounded() / 1000)), ("events_per_second", .number(rate.rounded())),
      ]
      out.buffer.appendJSON(JSONObject(summary.map { JSONObject.Member($0.0, $0.1) }))
      out.buffer.append("\n")
      try out.finish()
    }
    diagnostics.note(
      "eid-load: \(store.displayName) load \(loader.importID) (\(mergeStrategy.rawValue)): read \(counts.read), inserted \(counts.inserted), skipped \(counts.skipped), replaced \(counts.replaced), removed \(counts.removed), rejected \(counts.rejected); \(String(format3(seconds))) s, \(Int(rate.rounded())) events/s")
    try diagnostics.finish()
    if counts.rejected > 0 { throw ExitCode(1) }
  }

  private func format3(_ value: Double) -> String {
    let millis = Int((value * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
  }
}

#if canImport(Glibc)
import Glibc
#endif

ToolMain.run(EidLoad.self)
