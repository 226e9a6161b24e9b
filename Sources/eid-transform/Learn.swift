import ArgumentParser
import Eidolon
import EidolonCLI

extension EidTransform {
  struct Learn: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "learn",
      abstract: "Write a rules file that files activities the way the input's categories did.",
      discussion: """
        Reads events that carry categories (RescueTime's carry its category, subcategory and \
        productivity for each activity) and writes rules that give each site (by domain) and \
        each app (by name, case ignored) the same, so years of RescueTime's filing apply to \
        ActivityWatch or ManicTime data. An activity filed under more than one category \
        takes the one with the most time; the file notes each such choice. See formats/rules.md.

        Examples:
          rt-read rescuetime.json | eid-transform learn -o rules.yaml
          aw-read export.json | eid-transform --rules rules.yaml | eid-load events.db
        """)

    @OptionGroup var common: CommonOptions

    func run() throws {
      let diagnostics = try common.makeDiagnostics(toolName: "eid-transform learn")
      let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
      let learner = RuleLearner()
      try inputs.forEach { event, _ in learner.add(event) }
      let output = try OutputSink.open(common.output)
      output.buffer.append(learner.rulesText(from: common.inputPaths))
      try output.finish()
      try diagnostics.finish()
      diagnostics.note(
        "eid-transform learn: \(learner.activityCount) activities from \(learner.eventsUsed) events (\(learner.eventsSkipped) without a category skipped); filed in more than one way: \(learner.conflictCount), each given the filing with the most time")
      if diagnostics.rejectCount > 0 { throw ExitCode(1) }
    }
  }
}
