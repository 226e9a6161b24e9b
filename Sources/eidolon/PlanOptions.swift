import ArgumentParser
import Eidolon
import EidolonCLI

/// What to read and how, for every `eidolon` command that reads a tracker's files:
/// the inputs, their format, the reader's settings, the rules and whose events they are.
struct PlanOptions: ParsableArguments {
  @Option(name: .customLong("input"), help: ArgumentHelp("An input file (repeatable; '-' for stdin). Inputs may also follow the options.", valueName: "file"))
  var inputOptions: [String] = []

  @Argument(help: ArgumentHelp("More input files.", valueName: "file"))
  var inputArguments: [String] = []

  @Option(help: ArgumentHelp("The inputs' format: activitywatch, rescuetime, toggl, manictime, eidolon or csv (else found from each file).", valueName: "format"))
  var from: String?

  @Option(help: ArgumentHelp("The zone of times written without an offset (Toggl, RescueTime and ManicTime CSVs, csv).", valueName: "zone"))
  var tz: String?

  @Option(name: .customLong("set"), help: ArgumentHelp("A reader setting, by the format's tool's long option name: --set variant=api-csv, --set timeline=documents, --set bucket='aw-watcher-window*' (repeatable; each input's reader takes those it knows; a name no reader knows is an error that lists them).", valueName: "name=value"))
  var settings: [String] = []

  @Option(help: .setting(ReaderSettings.CSV.columns, of: "csv"))
  var columns: String?

  @Option(help: .setting(ReaderSettings.CSV.columnMap, of: "csv"))
  var columnMap: String?

  @Option(help: .setting(ReaderSettings.CSV.sourceName, of: "csv"))
  var sourceName: String?

  @Option(help: ArgumentHelp("A SQLite file or postgresql:// URI whose rows (--query or --table) are the input, mapped by --columns or --column-map as a CSV's.", valueName: "database"))
  var database: String?

  @Option(help: ArgumentHelp("The SQL query whose rows are read from --database.", valueName: "sql"))
  var query: String?

  @Option(help: ArgumentHelp("The table (or view) of --database to read: every row of it.", valueName: "name"))
  var table: String?

  @Option(help: ArgumentHelp("A CSV of users (name, files, tz, tracker, stage; formats/migration.md): every listed file is an input, with its user's zone and tracker.", valueName: "file"))
  var users: String?

  @Option(help: ArgumentHelp("A rules file to file events into categories (formats/rules.md; repeatable).", valueName: "file"))
  var rules: [String] = []

  @Option(help: ArgumentHelp("Same as --rules (the migration guide's name).", valueName: "file"))
  var mapping: [String] = []

  @Option(help: ArgumentHelp("Whose events these are, in a store shared by a team: set as each event's user and put before its id.", valueName: "name"))
  var user: String?

  var inputs: [String] { inputOptions + inputArguments }

  func validate() throws {
    try ZoneOption.check(tz)
    if let from, FormatRegistry.reader(named: from) == nil {
      throw ValidationError("--from takes \(FormatRegistry.readers.map(\.name).joined(separator: ", ")), not \(from)")
    }
    for setting in settings where !setting.contains("=") { throw ValidationError("--set takes name=value, not \(setting)") }
    if (database == nil) != (query == nil && table == nil) || (query != nil && table != nil) {
      throw ValidationError("--database takes one of --query SQL or --table NAME (and they take --database)")
    }
  }

  /// The SQL that reads --database: the query, or every row of the table (its name quoted).
  var databaseQuery: String? {
    if let query { return query }
    return table.map { "SELECT * FROM \"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
  }

  /// The plan; a usage error when no input was named (checked here, not in validate(),
  /// because validate takes its inputs as --source too).
  func makePlan(extraInputs: [String] = []) throws -> MigrationPlan {
    let inputs = self.inputs + extraInputs
    let listed = try users.map(UserList.load) ?? []
    if inputs.isEmpty && database == nil && listed.isEmpty { throw ValidationError("give the files to read with --input FILE (or after the options)") }
    var shared: [String: String] = [:]
    for setting in settings {
      let parts = setting.split(separator: "=", maxSplits: 1)
      shared[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    try FormatRegistry.checkSettingNames(shared.keys)
    if let tz { shared["tz"] = tz }
    if let columns { shared[ReaderSettings.CSV.columns.name] = columns }
    if let columnMap { shared[ReaderSettings.CSV.columnMap.name] = columnMap }
    if let sourceName { shared[ReaderSettings.CSV.sourceName.name] = sourceName }
    var plan = MigrationPlan(inputs: inputs.map { MigrationPlan.Input(path: $0, format: from, settings: shared) })
    for entry in listed {
      var settings = shared
      if let tz = entry.tz { settings["tz"] = tz }
      plan.inputs += entry.files.map { MigrationPlan.Input(path: $0, format: entry.tracker ?? from, settings: settings) }
    }
    if let database, let query = databaseQuery {
      // A database's rows: the csv reader's column map, with the source named "database" unless given.
      var settings = shared
      if settings[ReaderSettings.CSV.sourceName.name] == nil { settings[ReaderSettings.CSV.sourceName.name] = "database" }
      plan.inputs.append(MigrationPlan.Input(path: database, format: "csv", settings: settings, query: query))
    }
    plan.rulesPaths = rules + mapping
    plan.user = user
    return plan
  }
}

/// --rejects, --strict, --max-messages, --progress and --quiet, for the commands that read input.
struct RunOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Write each rejected record, with its place and the reason, to this NDJSON file.", valueName: "file"))
  var rejects: String?

  @Flag(help: "Stop at the first bad record (exit status 1).")
  var strict = false

  @Option(help: ArgumentHelp("Print at most this many error messages (0: all).", valueName: "n"))
  var maxMessages = Diagnostics.defaultMessageLimit

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  var progress = false

  @Flag(name: [.short, .long], help: "Print nothing but errors (and what --json asks for).")
  var quiet = false

  func makeDiagnostics(_ tool: String) throws -> Diagnostics {
    Diagnostics(toolName: tool, strict: strict, rejects: try rejects.map { try RejectWriter.open($0) }, messageLimit: maxMessages)
  }

  func makeProgress() -> Progress { quiet ? Progress(enabled: false) : Progress.automatic(forced: progress) }
}

/// --json, --html and --pdf, for the commands that end in a report (validate, assess, run);
/// --report and --output are the migration guide's spellings (the file's name says which).
struct ReportOptions: ParsableArguments {
  @Flag(help: "Print the report as JSON on stdout.")
  var json = false

  @Option(help: ArgumentHelp("Also write the report as one self-contained HTML page (a name ending in .pdf: a PDF).", valueName: "file"))
  var html: String?

  @Option(help: ArgumentHelp("Also write the report as a PDF, printed by headless Chromium (page numbers; the verdict first).", valueName: "file"))
  var pdf: String?

  @Option(name: [.customLong("report"), .customLong("output")],
          help: ArgumentHelp("Also write the report to this file, as its name says: .pdf, .html, .json, else text.", valueName: "file"))
  var reportFile: String?

  /// The report to the files asked for, then JSON or (unless `quiet`) text on stdout.
  func emit(text: () -> String, json makeJSON: () -> JSONValue, html makeHTML: () -> String, quiet: Bool) throws {
    var pages: [(path: String, pdf: Bool)] = []
    if let html { pages.append((html, html.lowercased().hasSuffix(".pdf"))) }
    if let pdf { pages.append((pdf, true)) }
    if let reportFile {
      let name = reportFile.lowercased()
      if name.hasSuffix(".pdf") || name.hasSuffix(".html") || name.hasSuffix(".htm") {
        pages.append((reportFile, name.hasSuffix(".pdf")))
      } else {
        try ReportOutput.write(name.hasSuffix(".json") ? ReportText.json(makeJSON()) + "\n" : text(), to: reportFile)
      }
    }
    if !pages.isEmpty {
      let page = makeHTML()
      for (path, isPDF) in pages {
        if isPDF { try ReportPDF.write(html: page, to: path) } else { try ReportOutput.write(page, to: path) }
      }
    }
    if json {
      try ReportOutput.write(ReportText.json(makeJSON()) + "\n", to: nil)
    } else if !quiet {
      try ReportOutput.write(text(), to: nil)
    }
  }
}

/// Writes a report where it was asked for: a file, or stdout.
enum ReportOutput {
  static func write(_ text: String, to path: String?) throws {
    let sink = try OutputSink.open(path)
    sink.buffer.append(text)
    try sink.finish()
  }
}
