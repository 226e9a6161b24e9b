import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

struct MigrateSync: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sync",
    abstract: "Fetch what is new from each user's tracker APIs (a team config's export: inputs) and store it.",
    discussion: """
      For a gradual cutover: for every user with export: inputs in the config, fetches from \\
      --overlap-days before the last fetch's last day through today (the whole range when \\
      nothing was fetched yet), then loads the file with --merge-strategy replace-range, so \\
      rows the tracker changed or deleted in those days are changed or gone in the store and \\
      nothing is stored twice. Run it as often as you like (a cron job). See \\
      formats/migration.md, "Exports in a team config", and formats/live-apis.md.

      Examples:
        eidolon migrate sync --config migration.yaml
        eidolon migrate sync --config migration.yaml --user ann --overlap-days 7
      """)

  @Option(help: ArgumentHelp("The team config (formats/migration.md).", valueName: "file"))
  var config: String

  @Option(help: ArgumentHelp("Only this user (repeatable).", valueName: "name"))
  var user: [String] = []

  @Option(name: .customLong("overlap-days"), help: ArgumentHelp("Days before the last fetch's last day fetched again.", valueName: "n"))
  var overlapDays = 3

  @Flag(name: [.short, .long], help: "Print nothing but errors.")
  var quiet = false

  func run() throws {
    let team = try TeamConfig.load(path: config)
    for name in user where !team.users.contains(where: { $0.name == name }) { throw ValidationError("--user \(name) is not in \(config)") }
    let chosen = team.users.filter { !$0.exports.isEmpty && (user.isEmpty || user.contains($0.name)) }
    if chosen.isEmpty { throw ValidationError("no user in \(config) has an export: input to sync") }
    var failed = 0
    func say(_ line: String) { if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } }
    for member in chosen {
      for spec in member.exports {
        do {
          let fetched = try spec.fetch(sinceLast: true, overlapDays: overlapDays) { say("\(member.name): \($0)") }
          var plan = team.plan(for: member)
          plan.inputs = member.inputs.filter { $0.path == spec.path }
          var options = EventLoader.Options()
          options.strategy = .replaceRange
          options.batchSize = team.batchSize
          let diagnostics = Diagnostics(toolName: "eidolon migrate sync")
          let store = team.stores.path(for: member.name)
          let result = try MigrationImport.run(plan: plan, database: store, options: options, diagnostics: diagnostics,
                                               progress: Progress(enabled: false))
          let counts = result.counts
          say("eidolon migrate sync: \(member.name): \(spec.tracker.rawValue): \(fetched.records) records fetched from \(fetched.first.map(\.description) ?? "the start") into \(spec.path); \(store): inserted \(counts.inserted), replaced \(counts.replaced), removed \(counts.removed), rejected \(counts.rejected)")
          if counts.rejected > 0 { failed += 1 }
        } catch {
          failed += 1
          FileHandle.standardError.write(Data("eidolon migrate sync: \(member.name): \(spec.tracker.rawValue): \((error as? EidolonError)?.description ?? "\(error)")\n".utf8))
        }
      }
    }
    if failed > 0 { throw ExitCode(1) }
  }
}
