import ArgumentParser
import Eidolon
import EidolonCLI

struct Convert: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Any tracker's format to any other, in one process (no store).",
    discussion: """
      Reads with the --from format's reader (found from the file when not given), files \
      events by --rules, and writes with the --to format's writer. --tz is the zone of the \
      input's naive times, and also the zone to write in unless --write-tz says otherwise.

      Examples:
        eidolon convert --from toggl --to activitywatch toggl.csv \\
            --tz Europe/Berlin -o for-aw.json
        eidolon convert --to rescuetime aw-export.json.gz \\
            --write-set report=category -o rt.json
        eidolon convert --to manictime --write-set variant=xml \\
            --write-set group-by=project toggl.json -o projects.xml
      """)

  @OptionGroup var plan: PlanOptions
  @OptionGroup var write: WriteOptions
  @OptionGroup var io: RunOptions

  @Flag(help: "Print the summary as JSON on stderr (stdout may hold the events).")
  var json = false

  func run() throws {
    let diagnostics = try io.makeDiagnostics("eidolon convert")
    let progress = io.makeProgress()
    diagnostics.beforeMessage = { progress.clear() }
    let plan = try plan.makePlan()
    let writer = try write.makeWriter(fallbackZone: self.plan.tz)
    var count = 0
    try plan.forEachEvent(diagnostics: diagnostics, progress: progress) { event in
      try writer.write(event)
      count += 1
    }
    try writer.finish()
    try diagnostics.finish()
    if json {
      diagnostics.note(ReportText.json(ReportText.object([
        ("events", .number(count)), ("rejected", .number(diagnostics.rejectCount)), ("warnings", .number(diagnostics.warningCount)),
        ("format", .string(write.to)), ("output", write.output.map { .string($0) } ?? .null),
      ])))
    } else if !io.quiet || diagnostics.rejectCount > 0 {
      diagnostics.note("eidolon: \(count) events converted to \(write.to); \(diagnostics.rejectCount) input records rejected")
    }
    if diagnostics.rejectCount > 0 { throw ExitCode(1) }
  }
}
