import ArgumentParser
import Eidolon
import EidolonCLI

extension TogglCSVReader.Running: ExpressibleByArgument {}

struct TogglRead: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "toggl-read",
    abstract: "Turn Toggl Track time-entry CSVs into Eidolon NDJSON.",
    discussion: """
      Reads the classic Detailed report CSV, the Admin > Data export CSV and the new
      Reports UI's detailed export (any choice of columns), found by their header, in
      constant memory. Each row becomes a "time_entry" event; every column without a
      canonical field is kept in attrs. Toggl writes wall-clock times in the user's Toggl
      time zone: give it with --tz, or the times are read as UTC. See formats/toggl.md.

      Examples:
        toggl-read Toggl_time_entries_2024.csv --tz Europe/Berlin > entries.ndjson
        toggl-read *.csv --tz America/New_York --running skip | eid-load events.db
      """,
    version: EidolonVersion.current)

  @OptionGroup var common: CommonOptions
  @OptionGroup var range: TimeRangeOptions

  @Option(help: ArgumentHelp("The time zone of the Toggl profile that exported the file (an IANA name: Europe/Berlin).", valueName: "zone"))
  var tz: String?

  @Option(help: ArgumentHelp("A running entry (no stop): error (reject it), skip, or now (keep it as lasting until now).", valueName: "rule"))
  var running: TogglCSVReader.Running = .error

  func validate() throws {
    if let tz, ZoneConverter(identifier: tz) == nil {
      throw ValidationError("--tz \(tz) is not a time zone this system knows (IANA names such as Europe/Berlin, America/New_York)")
    }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "toggl-read")
    let progress = common.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    var options = TogglCSVReader.Options()
    options.zone = tz.flatMap(ZoneConverter.init(identifier:))
    options.running = running
    options.now = Timestamp.nowMillis()
    if tz == nil {
      diagnostics.note("toggl-read: no --tz given: the file's times are read as UTC. Toggl writes them in the profile's time zone; give it with --tz (e.g. --tz Europe/Berlin)")
    }
    let writer = EidolonNDJSONWriter(sink: try OutputSink.open(common.output))
    var events = 0
    var bytesBefore: Int64 = 0
    for path in common.inputPaths {
      let reader = TogglCSVReader(input: try InputOpener.open(path), diagnostics: diagnostics, options: options)
      while let event = try reader.next() {
        progress.update(records: events, bytes: bytesBefore + reader.bytesRead)
        guard range.contains(event) else { continue }
        try writer.write(event)
        events += 1
      }
      bytesBefore += reader.bytesRead
    }
    progress.clear()
    try writer.finish()
    try diagnostics.finish()
    if diagnostics.rejectCount > 0 || diagnostics.warningCount > 0 {
      diagnostics.note("toggl-read: \(events) entries; \(diagnostics.rejectCount) rejected, \(diagnostics.warningCount) warnings")
    }
    if diagnostics.rejectCount > 0 { throw ExitCode(1) }
  }
}

ToolMain.run(TogglRead.self)
