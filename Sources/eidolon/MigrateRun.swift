import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateRun: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "A team's migration from a config file: every user imported and validated, stage by stage.",
    discussion: """
      The config (YAML, formats/migration.md) lists the users, their files and settings, \
      the stages (a pilot, then the rest) and the store: one shared (events carry the user) \
      or one per user. Users run --parallel-workers at a time; one that fails does not stop \
      the others, and a stage that does not end clean holds back the stages after it. What \
      each user reached is kept next to the config (CONFIG.state.json), so running the same \
      command again finishes only what is left: users done with unchanged files are not \
      touched, a stopped import resumes, a fixed file is imported again.

      Examples:
        eidolon migrate run --config migration.yaml --stage pilot
        eidolon migrate run --config migration.yaml \\
            --parallel-workers 4 --html report.html
        eidolon migrate run --config migration.yaml --users user_list.csv \\
            --pdf report.pdf
      """)

  @Option(help: ArgumentHelp("The migration config (YAML).", valueName: "file"))
  var config: String

  @Option(help: ArgumentHelp("A CSV of the users (name, files, tz, tracker, stage) instead of the config's users: (formats/migration.md).", valueName: "file"))
  var users: String?

  @Option(help: ArgumentHelp("Run only this stage's users.", valueName: "name"))
  var stage: String?

  @Option(help: ArgumentHelp("Users migrated at the same time (threads; default: the config's parallel_workers, else 1).", valueName: "n"))
  var parallelWorkers: Int?

  @OptionGroup var report: ReportOptions

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  var progress = false

  @Flag(name: [.short, .long], help: "Print nothing but errors (and what --json asks for).")
  var quiet = false

  func validate() throws {
    if let parallelWorkers, parallelWorkers < 1 { throw ValidationError("--parallel-workers takes 1 or more") }
  }

  func run() throws {
    let team = try TeamConfig.load(path: config, userList: users)
    let runner = try TeamRunner(config: team, stage: stage, workers: parallelWorkers,
                                showProgress: !quiet && (progress || isatty(STDERR_FILENO) == 1))
    let report = TeamReport(config: config, stage: stage, outcomes: runner.run())
    if let problem = runner.stateError { Diagnostics(toolName: "eidolon").note("eidolon: warning: \(problem)") }
    try self.report.emit(text: report.text, json: report.json, html: report.html, quiet: quiet)
    // As every tool: 1 when records were rejected, even if the rest is done and matches.
    if !report.isClean || report.outcomes.contains(where: { $0.rejected > 0 }) { throw ExitCode(1) }
  }
}

#if canImport(Glibc)
import Glibc
#endif
