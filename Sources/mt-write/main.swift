import ArgumentParser
import Eidolon
import EidolonCLI

struct MtWrite: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mt-write",
    abstract: "Write Eidolon NDJSON as a ManicTime CSV export of one timeline, or as a custom timeline (XML).",
    discussion: """
      Writes the CSV that `mtc export` writes for a timeline: --timeline applications \
      (window events: Name is the title, Process the app), documents (web and document
      events: Name is the URL or title, Domain the site), computer-usage (afk events:
      Active or Away) or tags (tag events: Name is the tag hierarchy, Notes the \
      description). Events of other kinds are left out and counted on stderr. Times are \
      the wall clock of --tz (required), as ManicTime writes them; attrs without a column \
      of their own get one, so mt-read reads back the same events.

      --format xml writes a custom timeline, the XML ManicTime imports, so that history \
      from any tracker shows up inside ManicTime: one activity per event (its title, \
      else description, URL, app, project or kind), grouped by --group-by (app by \
      default; project, client, category ...), times with the event's offset (else \
      --tz's, else UTC). See formats/manictime.md.

      Examples:
        aw-read export.json --type currentwindow | mt-write --tz Europe/Berlin > applications.csv
        mt-read applications.csv --tz Europe/Berlin | mt-write --tz Europe/Berlin -o again.csv
        toggl-read entries.csv --tz Europe/Berlin | mt-write --format xml --group-by project -o toggl.xml
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("The time zone to write wall-clock times in (an IANA name: Europe/Berlin). Required for CSV; for XML, times without an offset of their own get this zone's.", valueName: "zone"))
  var tz: String?

  @Option(help: ArgumentHelp("The timeline to write: applications, documents, computer-usage or tags.", valueName: "name"))
  var timeline: ManicTimeCSVReader.Timeline = .applications

  @Option(help: ArgumentHelp("csv (the mtc export of --timeline) or xml (a custom timeline ManicTime imports).", valueName: "format"))
  var format = "csv"

  @Option(help: ArgumentHelp("With --format xml: the field that names the groups (\(ManicTimeXMLWriter.groupFields.joined(separator: ", "))).", valueName: "field"))
  var groupBy = "app"

  @Option(help: ArgumentHelp("With --format xml: the custom timeline's name (default: the events' stream, or Eidolon).", valueName: "name"))
  var timelineName: String?

  func validate() throws {
    guard ["csv", "xml"].contains(format) else { throw ValidationError("--format takes csv or xml") }
    guard ManicTimeXMLWriter.groupFields.contains(groupBy) else {
      throw ValidationError("--group-by takes one of \(ManicTimeXMLWriter.groupFields.joined(separator: ", "))")
    }
    try ZoneOption.check(tz)
    if format == "csv" && tz == nil {
      throw ValidationError("--tz is required: ManicTime's CSV holds local times without an offset; give the zone to write them in, e.g. --tz Europe/Berlin")
    }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "mt-write")
    let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
    if format == "xml" {
      let writer = ManicTimeXMLWriter(sink: try OutputSink.open(common.output), groupBy: groupBy,
                                      zone: tz.flatMap(ZoneConverter.init(identifier:)), timelineName: timelineName)
      try inputs.forEach { event, _ in try writer.write(event) }
      try writer.finish()
      try diagnostics.finish()
      if diagnostics.rejectCount > 0 { throw ExitCode(1) }
      return
    }
    let writer = try ManicTimeCSVWriter(sink: try OutputSink.open(common.output), timeline: timeline,
                                        zone: ZoneConverter(identifier: tz!)!)
    try inputs.forEach { event, _ in try writer.write(event) }
    try writer.finish()
    try diagnostics.finish()
    if !writer.skippedByKind.isEmpty {
      let kinds = writer.skippedByKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      diagnostics.note("mt-write: \(writer.eventCount) activities written; left out, not of the \(timeline.rawValue) timeline's kinds: \(kinds)")
    }
    if diagnostics.rejectCount > 0 { throw ExitCode(1) }
  }
}

ToolMain.run(MtWrite.self)
