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
          // Toggl's changes are asked for since the last fetch began (read before this fetch replaces its state).
          let previous = try LiveExportState.load(forOutput: spec.path)
          let fetched = try spec.fetch(sinceLast: true, overlapDays: overlapDays) { say("\(member.name): \($0)") }
          let store = team.stores.path(for: member.name)
          var line = "eidolon migrate sync: \(member.name): \(spec.tracker.rawValue): \(fetched.records) records fetched from \(fetched.first.map(\.description) ?? "the start") into \(spec.path)"
          let counts = try load(member, team: team, path: spec.path, strategy: .replaceRange)
          line += "; \(store): inserted \(counts.inserted), replaced \(counts.replaced), removed \(counts.removed)"
          var rejected = counts.rejected
          if spec.tracker == .toggl, previous?.finished == true, let since = previous?.startedAt {
            let changesPath = spec.path + ".changes.json"
            let changes = try spec.togglChanges(since: since, output: changesPath) { say("\(member.name): \($0)") }
            let changed = try load(member, team: team, path: changesPath, strategy: .replace)
            let prefix = team.stores.isShared ? member.name + "/" : ""
            let removed = try EventStores.open(store).removeEvents(ids: changes.deleted.map { prefix + TogglCSVReader.eventID(togglID: $0) })
            line += "; changed in Toggl since the last fetch: \(changes.changed) stored again, \(removed) deleted"
            rejected += changed.rejected
          }
          if spec.tracker == .manictime, previous?.finished == true, let links = previous?.changeLinks, !links.isEmpty {
            // Changed and deleted activities since the last fetch: their stored events go, the changes come in.
            let changesPath = spec.path + ".changes.json"
            let changes = try spec.manicTimeChanges(links: links, output: changesPath) { say("\(member.name): \($0)") }
            let owner = team.stores.isShared ? member.name : nil
            var removed = 0
            for (stream, ids) in changes.replacedIDs.sorted(by: { $0.key < $1.key }) {
              removed += try EventStores.open(store).removeEvents(stream: stream, user: owner, activityIDs: ids)
            }
            let loaded = try load(member, team: team, path: changesPath, strategy: .append)
            line += "; changed on the server since the last fetch: \(removed) stored activities replaced or deleted, \(loaded.inserted) stored"
            rejected += loaded.rejected
          }
          say(line + (rejected > 0 ? ", rejected \(rejected)" : ""))
          if rejected > 0 { failed += 1 }
        } catch {
          failed += 1
          FileHandle.standardError.write(Data("eidolon migrate sync: \(member.name): \(spec.tracker.rawValue): \((error as? EidolonError)?.description ?? "\(error)")\n".utf8))
        }
      }
    }
    if failed > 0 { throw ExitCode(1) }
  }

  /// One file of a user's into their store with `strategy` (the user's settings and rules).
  private func load(_ member: TeamConfig.User, team: TeamConfig, path: String, strategy: EventLoader.Strategy) throws -> EventLoader.Counts {
    var plan = team.plan(for: member)
    guard let input = member.inputs.first(where: { path.hasPrefix($0.path) }) else { return EventLoader.Counts() }
    plan.inputs = [MigrationPlan.Input(path: path, format: input.format, settings: input.settings)]
    var options = EventLoader.Options()
    options.strategy = strategy
    options.batchSize = team.batchSize
    let result = try MigrationImport.run(plan: plan, database: team.stores.path(for: member.name), options: options,
                                         diagnostics: Diagnostics(toolName: "eidolon migrate sync"), progress: Progress(enabled: false))
    return result.counts
  }
}
