import ArgumentParser
import Eidolon
import EidolonCLI

struct AwWrite: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "aw-write",
    abstract: "Turn Eidolon NDJSON into an ActivityWatch import file.",
    discussion: """
      Writes {"buckets": {...}} that ActivityWatch's import (Settings > Import, or
      POST /api/0/import) accepts, on the Python and the Rust server. Events read from
      ActivityWatch go back to their own bucket with their data; events from other trackers
      go to one bucket per source, kind and host (eidolon-toggl-time_entry_laptop), typed so
      the web UI shows them. Memory stays flat however the input interleaves buckets.
      See formats/activitywatch.md.

      Examples:
        aw-read export.json | aw-write > again.json
        toggl-read entries.csv | aw-write -o for-activitywatch.json
        eid-dump events.db --source rescuetime | aw-write > rescuetime-in-aw.json
      """,
    version: EidolonVersion.current)

  @OptionGroup var common: CommonOptions

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "aw-write")
    let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
    let writer = try ActivityWatchWriter(sink: try OutputSink.open(common.output))
    try inputs.forEach { event, _ in try writer.write(event) }
    try writer.finish()
    try diagnostics.finish()
    if diagnostics.rejectCount > 0 {
      diagnostics.note("aw-write: \(writer.eventCount) events written; \(diagnostics.rejectCount) input lines rejected")
      throw ExitCode(1)
    }
  }
}

ToolMain.run(AwWrite.self)
