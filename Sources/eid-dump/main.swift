import ArgumentParser
import Eidolon
import EidolonCLI

struct EidDump: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eid-dump",
    abstract: "Read a SQLite store back out as Eidolon NDJSON, in start order.",
    discussion: """
      Streams the events of a store made by eid-load, ordered by start (ties in the order \
      they were loaded), so any writer can take them. On canonical input sorted by start, \
      eid-load then eid-dump gives back the same bytes.

      Examples:
        eid-dump events.db --source toggl | aw-write > toggl-in-activitywatch.json
        eid-dump events.db --kind window --since 2024-01-01 --until 2024-02-01 -o january.ndjson.gz
      """,
    version: EidolonVersion.description)

  @Argument(help: ArgumentHelp("The SQLite store, or a postgresql:// URI.", valueName: "database"))
  var database: String

  @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file instead of stdout ('.gz' compresses).", valueName: "file"))
  var output: String?

  @OptionGroup var filter: StoreFilterOptions

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  var progress = false

  func run() throws {
    let store = try EventStores.open(database, readOnly: true)
    let diagnostics = Diagnostics(toolName: "eid-dump")
    _ = try StoreFilterOptions.copyLines(store, filter.filter, to: try OutputSink.open(output),
                                         progress: Progress.automatic(forced: progress), diagnostics: diagnostics)
    if diagnostics.rejectCount > 0 { throw ExitCode(1) }
  }
}

ToolMain.run(EidDump.self)
