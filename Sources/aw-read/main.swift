import ArgumentParser
import Eidolon
import EidolonCLI

struct AwRead: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "aw-read",
    abstract: "Turn ActivityWatch exports into Eidolon NDJSON.",
    discussion: """
      Reads whole exports (Export all buckets), per-bucket exports and web-UI downloads from \
      the Python and the Rust server, plain or gzip, in constant memory. Each bucket type maps \
      to a canonical kind (currentwindow: window, afkstatus: afk, web.tab.current: web, \
      app.editor.activity: editor, ...); every field without a canonical slot is kept in attrs. \
      See formats/activitywatch.md.

      Examples:
        aw-read aw-buckets-export.json > events.ndjson
        aw-read export.json.gz --type currentwindow --since 2024-01-01 | eid-validate
        aw-read export.json --bucket 'aw-watcher-web-*' -o web.ndjson.gz
        aw-read --server http://localhost:5600 --since 2024-01-01 > events.ndjson
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions
  @OptionGroup var range: TimeRangeOptions

  @Option(help: .setting(ReaderSettings.ActivityWatch.bucket))
  var bucket: String?

  @Option(help: .setting(ReaderSettings.ActivityWatch.type))
  var type: String?

  @Option(help: ArgumentHelp(
    "Read from a running ActivityWatch server (http://localhost:5600) instead of files: each bucket's events, streamed.",
    valueName: "url"))
  var server: String?

  func validate() throws {
    if server != nil && !common.inputs.isEmpty { throw ValidationError("give input files or --server, not both") }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "aw-read")
    let bounds = range.bounds
    let progress = common.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    let output = try OutputSink.open(common.output)
    let writer = EidolonNDJSONWriter(sink: output)
    var options = ActivityWatchReader.Options()
    options.bucketGlob = bucket
    options.type = type
    var events = 0
    var buckets = 0
    var bytesBefore: Int64 = 0
    // Events are turned into lines on both cores (BothCores, ActivityWatchBlocks.swift).
    let blocks = BothCores(diagnostics: diagnostics, keeping: { bounds.contains(start: $0) }, progress: progress)
    func read(_ input: ByteReader) throws {
      let reader = ActivityWatchReader(input: input, diagnostics: diagnostics, options: options)
      try blocks.copy(reader, to: output, events: &events, bytesBefore: bytesBefore)
      bytesBefore += reader.bytesRead
      buckets += reader.bucketCount
    }
    if let server {
      let client = try ActivityWatchServerClient(url: server)
      // The list says each bucket's type, so unwanted buckets are never downloaded.
      for bucket in try client.buckets().sorted(by: { $0.id < $1.id }) where options.wants(bucket) {
        try read(try client.openExport(bucketID: bucket.id))
      }
    } else {
      for path in common.inputPaths { try read(try InputOpener.open(path)) }
    }
    try ReaderToolEnd.finish("aw-read", writer: writer, diagnostics: diagnostics, progress: progress,
                             summary: "\(events) events from \(buckets) buckets")
  }
}

ToolMain.run(AwRead.self)
