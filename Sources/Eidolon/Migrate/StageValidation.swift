/// `eidolon migrate validate-stage`: every user of a stage (or of every stage) validated
/// against their sources as `migrate run` validates them, nothing imported: one report
/// for whoever signs the stage off (formats/migration.md, "validate-stage").
public enum StageValidation {
  public static func run(config: TeamConfig, stage: String?) throws -> [TeamRunner.Outcome] {
    if let stage, !config.stages.contains(where: { $0.name == stage }) {
      throw EidolonError(.usage, "no stage \(stage) in the config (stages: \(config.stages.map(\.name).joined(separator: ", ")))", file: config.path)
    }
    var outcomes: [TeamRunner.Outcome] = []
    for each in config.stages where stage == nil || each.name == stage {
      for name in each.users {
        guard let user = config.user(named: name) else { continue }
        let store = config.stores.path(for: name)
        var outcome = TeamRunner.Outcome(user: name, stage: each.name, store: EventStores.displayName(store), status: .done)
        var options = MigrationValidator.Options()
        options.tolerance = config.tolerance
        let quiet = Diagnostics(toolName: "eidolon migrate validate-stage")
        quiet.messageHandler = { _ in }
        do {
          guard EventStores.exists(store) else { throw EidolonError(.io, "no such store: import this user first ('migrate run --stage \(each.name)')", file: outcome.store) }
          let started = Progress.now()
          let report = try MigrationValidator.run(plan: config.plan(for: user), database: store, options: options, diagnostics: quiet)
          outcome.verdict = report.matches ? "match" : "mismatch"
          outcome.problems = report.problems
          outcome.read = report.sourceEvents
          outcome.stored = report.targetEvents
          outcome.rejected = report.sourceRejected
          outcome.seconds = Progress.now() - started
        } catch {
          outcome.status = .failed
          outcome.error = (error as? EidolonError)?.description ?? "\(error)"
        }
        outcomes.append(outcome)
      }
    }
    return outcomes
  }
}
