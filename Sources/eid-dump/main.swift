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
    version: EidolonVersion.current)

  @Argument(help: ArgumentHelp("The SQLite store.", valueName: "database"))
  var database: String

  @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file instead of stdout ('.gz' compresses).", valueName: "file"))
  var output: String?

  @Option(help: ArgumentHelp("Only events from this source (repeatable).", valueName: "source"))
  var source: [String] = []

  @Option(help: ArgumentHelp("Only events of this stream (repeatable).", valueName: "stream"))
  var stream: [String] = []

  @Option(help: ArgumentHelp("Only events of this kind (repeatable).", valueName: "kind"))
  var kind: [String] = []

  @OptionGroup var range: TimeRangeOptions

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  var progress = false

  func run() throws {
    let store = try EventStore(path: database, readOnly: true)
    var filter = EventDumper.Filter()
    filter.sources = source
    filter.streams = stream
    filter.kinds = kind
    filter.since = range.sinceMillis
    filter.until = range.untilMillis
    let dumper = try EventDumper(store: store, filter: filter)
    let writer = EidolonNDJSONWriter(sink: try OutputSink.open(output))
    let meter = Progress.automatic(forced: progress)
    while let event = try dumper.next() {
      try writer.write(event)
      meter.update(records: dumper.count, bytes: 0)
    }
    meter.clear()
    try writer.finish()
  }
}

ToolMain.run(EidDump.self)
