import ArgumentParser
import Eidolon
import EidolonCLI

extension ActivityWatchImporter.ExistingBuckets: ExpressibleByArgument {}

struct AwWrite: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "aw-write",
    abstract: "Turn Eidolon NDJSON into an ActivityWatch import file, or import it into a running server.",
    discussion: """
      Writes {"buckets": {...}} that ActivityWatch's import (Settings > Import, or \
      POST /api/0/import) accepts, on the Python and the Rust server. Events read from \
      ActivityWatch go back to their own bucket with their data; events from other trackers \
      go to one bucket per source, kind and host (eidolon-toggl-time_entry_laptop), typed so \
      the web UI shows them. Memory stays flat however the input interleaves buckets.

      With --server, the buckets go straight into a running server, in batches of \
      --batch-size events. A bucket that is already there stops the import before anything \
      is sent, unless --existing says what to do: split (a new bucket <id>-eidolon-1 beside \
      it) or append (add the events to it; events already in it are not looked for). \
      See formats/activitywatch.md.

      Examples:
        aw-read export.json | aw-write > again.json
        toggl-read entries.csv | aw-write -o for-activitywatch.json
        eid-dump events.db --source rescuetime | aw-write > rescuetime-in-aw.json
        toggl-read entries.csv | aw-write --server http://localhost:5600 --existing split
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("Import into this running ActivityWatch server (http://localhost:5600) instead of writing a file.", valueName: "url"))
  var server: String?

  @Option(help: ArgumentHelp("With --server, what to do with a bucket the server already has: fail, split, append.", valueName: "mode"))
  var existing: ActivityWatchImporter.ExistingBuckets = .fail

  @Option(help: ArgumentHelp("With --server, events per request.", valueName: "n"))
  var batchSize = 5000

  func validate() throws {
    if server != nil && common.output != nil { throw ValidationError("give -o or --server, not both") }
    if server == nil && existing != .fail { throw ValidationError("--existing goes with --server") }
    if batchSize < 1 { throw ValidationError("--batch-size takes 1 or more") }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "aw-write")
    let progress = common.makeProgress()
    let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: progress)
    // Connect first, so a wrong URL fails before the input is read.
    let client = try server.map { try ActivityWatchServerClient(url: $0) }
    if let client { _ = try client.buckets() }
    let writer = try ActivityWatchWriter(sink: client == nil ? try OutputSink.open(common.output) : nil)
    try inputs.forEach { event, _ in try writer.write(event) }
    try writer.finish()
    if let client {
      let importer = ActivityWatchImporter(client: client, existing: existing, batchSize: batchSize)
      let summary = try importer.run(writer) { done in progress.update(records: done.events, bytes: 0) }
      progress.clear()
      for (from, to) in summary.renamed {
        diagnostics.note("aw-write: bucket \(from) is already on the server; its events went to \(to)")
      }
      diagnostics.note(
        "aw-write: \(summary.events) events imported into \(client.displayURL): \(summary.bucketsCreated) buckets created, \(summary.bucketsAppended) appended to")
    }
    try diagnostics.finish()
    if diagnostics.rejectCount > 0 {
      diagnostics.note("aw-write: \(writer.eventCount) events written; \(diagnostics.rejectCount) input lines rejected")
      throw ExitCode(1)
    }
  }
}

ToolMain.run(AwWrite.self)
