import ArgumentParser
import Eidolon
import EidolonCLI

/// Where a writer's output goes and what it is told: shared by export and convert.
struct WriteOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The format to write: eidolon, activitywatch, toggl, rescuetime or manictime.", valueName: "format"))
  var to: String

  @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file instead of stdout ('.gz' compresses).", valueName: "file"))
  var output: String?

  @Option(name: .customLong("write-tz"), help: ArgumentHelp("The zone to write wall-clock times in (Toggl, RescueTime, ManicTime).", valueName: "zone"))
  var writeTz: String?

  @Option(name: .customLong("write-set"), help: ArgumentHelp("A writer setting by its tool's long option name: --write-set variant=import, --write-set timeline=documents, --write-set report=category (repeatable).", valueName: "name=value"))
  var writeSettings: [String] = []

  func validate() throws {
    guard FormatRegistry.writer(named: to) != nil else {
      throw ValidationError("--to takes \(FormatRegistry.writers.map(\.name).joined(separator: ", ")), not \(to)")
    }
    try ZoneOption.check(writeTz, option: "--write-tz")
    for setting in writeSettings where !setting.contains("=") { throw ValidationError("--write-set takes name=value, not \(setting)") }
  }

  func makeWriter(fallbackZone: String? = nil) throws -> EventWriter {
    var settings: [String: String] = [:]
    for setting in writeSettings {
      let parts = setting.split(separator: "=", maxSplits: 1)
      settings[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    if let zone = writeTz ?? fallbackZone { settings["tz"] = zone }
    return try FormatRegistry.writer(named: to)!.make(try OutputSink.open(output), settings)
  }
}

struct MigrateExport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a store's events (or some of them) out in any tracker's format.",
    discussion: """
      The events go out in start order through the same writer as the format's small tool \
      (eid-dump, aw-write, toggl-write, rt-write, mt-write), with its settings given by \
      --write-set.

      Examples:
        eidolon migrate export --db events.db --to activitywatch \\
            -o for-activitywatch.json
        eidolon migrate export --db events.db --to toggl \\
            --write-tz Europe/Berlin --source manictime -o toggl.csv
        eidolon migrate export --db team.db --user ann --to eidolon -o ann.ndjson.gz
      """)

  @Option(help: ArgumentHelp("The SQLite store, or a postgresql:// URI.", valueName: "database"))
  var db = StorePath.defaultName

  @OptionGroup var write: WriteOptions

  @OptionGroup var filter: StoreFilterOptions

  @Option(help: ArgumentHelp("Only events of this user (repeatable; a team's shared store).", valueName: "name"))
  var user: [String] = []

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  var progress = false

  @Flag(name: [.short, .long], help: "Print nothing but errors.")
  var quiet = false

  @Flag(help: "Print the summary as JSON on stderr (stdout may hold the events).")
  var json = false

  func run() throws {
    let store = try EventStores.open(StorePath.resolve(db), readOnly: true)
    var filter = self.filter.filter
    filter.users = user
    let meter = quiet ? Progress(enabled: false) : Progress.automatic(forced: progress)
    let diagnostics = Diagnostics(toolName: "eidolon")
    let count = try StoreFilterOptions.copy(store, filter, to: try write.makeWriter(), progress: meter, diagnostics: diagnostics)
    if json {
      diagnostics.note(ReportText.json(ReportText.object([
        ("database", .string(store.displayName)), ("events", .number(count)), ("rejected", .number(diagnostics.rejectCount)), ("format", .string(write.to)),
        ("output", write.output.map { .string($0) } ?? .null),
      ])))
    } else if !quiet || diagnostics.rejectCount > 0 {
      diagnostics.note("eidolon: \(count) events from \(store.displayName) written as \(write.to)\(write.output.map { " to \($0)" } ?? ""); \(diagnostics.rejectCount) rejected")
    }
    if diagnostics.rejectCount > 0 { throw ExitCode(1) }
  }
}
