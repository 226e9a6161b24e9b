import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateValidateStage: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate-stage",
    abstract: "Validate every user of a stage against their files, in one report; nothing is imported.",
    discussion: """
      Reads the team config as 'migrate run' does and checks each user of the stage (all \
      stages without --stage) as its validation does: their files read again and reconciled \
      with their store. One report: text, --json, --html, --pdf (or --report NAME.pdf, the \
      guide's spelling). Exit status 1 when any user's store does not match.

      Examples:
        eidolon migrate validate-stage --config migration.yaml --stage pilot \\
            --report validation_report.pdf
      """)

  @Option(help: ArgumentHelp("The migration config (YAML).", valueName: "file"))
  var config: String

  @Option(help: ArgumentHelp("A CSV of the users (name, files, tz, tracker, stage) instead of the config's users: (formats/migration.md).", valueName: "file"))
  var users: String?

  @Option(help: ArgumentHelp("Validate only this stage's users.", valueName: "name"))
  var stage: String?

  @OptionGroup var report: ReportOptions

  @Flag(name: [.short, .long], help: "Print nothing but errors (and what --json asks for).")
  var quiet = false

  func run() throws {
    let team = try TeamConfig.load(path: config, userList: users)
    let outcomes = try StageValidation.run(config: team, stage: stage)
    let summary = TeamReport(config: config, stage: stage, outcomes: outcomes, validationOnly: true)
    try report.emit(text: summary.text, json: summary.json, html: summary.html, quiet: quiet)
    if !summary.isClean { throw ExitCode(1) }
  }
}
