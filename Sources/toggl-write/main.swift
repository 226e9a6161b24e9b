import ArgumentParser
import Eidolon
import EidolonCLI

extension TogglCSVWriter.Variant: ExpressibleByArgument {}

struct TogglWrite: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "toggl-write",
    abstract: "Turn Eidolon NDJSON into a Toggl Track CSV.",
    discussion: """
      --variant classic (the default) writes the classic Detailed report CSV (BOM, the \
      classic header), with columns added for what the events carry beyond it (Id, \
      Currency, other attrs), so toggl-read reads back the same events. --variant import \
      writes the columns Toggl's CSV import takes. Times are wall-clock times in --tz \
      (UTC without it). Text that a spreadsheet could run as a formula gets a leading \
      apostrophe. See formats/toggl.md.

      Examples:
        toggl-read entries.csv --tz Europe/Berlin | toggl-write --tz Europe/Berlin > again.csv
        eid-dump events.db --kind time_entry | toggl-write --variant import --tz Europe/Berlin -o for-toggl.csv
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("classic or import.", valueName: "variant"))
  var variant: TogglCSVWriter.Variant = .classic

  @Option(help: ArgumentHelp("Write wall-clock times in this time zone (an IANA name).", valueName: "zone"))
  var tz: String?

  func validate() throws {
    try ZoneOption.check(tz)
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "toggl-write")
    let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
    var options = TogglCSVWriter.Options()
    options.variant = variant
    options.zone = tz.flatMap(ZoneConverter.init(identifier:))
    if tz == nil { diagnostics.note("toggl-write: no --tz given: times are written in UTC (Toggl reads them in the profile's zone)") }
    let writer = try TogglCSVWriter(sink: try OutputSink.open(common.output), options: options)
    try inputs.forEach { event, _ in try writer.write(event) }
    try writer.finish()
    try diagnostics.finish()
    if diagnostics.rejectCount > 0 {
      diagnostics.note("toggl-write: \(writer.eventCount) entries written; \(diagnostics.rejectCount) input lines rejected")
      throw ExitCode(1)
    }
  }
}

ToolMain.run(TogglWrite.self)
