import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

/// `migrate bulk-export --config`: every user's export: inputs fetched, nothing loaded
/// (without --config, bulk-export is the guide's name for `export`).
struct MigrateBulkExport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bulk-export",
    abstract: "Fetch every user's export: inputs of a team config from the trackers' APIs, without loading them.",
    discussion: """
      Each user's files are fetched as `migrate run` would fetch them before importing: a \\
      stopped fetch goes on, a finished one is left as it is (--since-last fetches the new \\
      days instead). Users one after another; a user whose fetch fails is reported and the \\
      others still run (exit status 1). Without --config, bulk-export is `migrate export`.

      Examples:
        eidolon migrate bulk-export --config migration.yaml
        eidolon migrate bulk-export --config migration.yaml --user ann --since-last
      """)

  @Option(help: ArgumentHelp("The team config (formats/migration.md, \"Exports in a team config\").", valueName: "file"))
  var config: String

  @Option(help: ArgumentHelp("Only this user (repeatable).", valueName: "name"))
  var user: [String] = []

  @Flag(name: .customLong("since-last"), help: "Fetch only the days since each finished fetch (from --overlap-days before its last day).")
  var sinceLast = false

  @Option(name: .customLong("overlap-days"), help: ArgumentHelp("With --since-last: days before the last fetch's last day fetched again.", valueName: "n"))
  var overlapDays = 3

  @Flag(name: [.short, .long], help: "Print nothing but errors.")
  var quiet = false

  func run() throws {
    let team = try TeamConfig.load(path: config)
    for name in user where !team.users.contains(where: { $0.name == name }) { throw ValidationError("--user \(name) is not in \(config)") }
    let chosen = team.users.filter { !$0.exports.isEmpty && (user.isEmpty || user.contains($0.name)) }
    if chosen.isEmpty { throw ValidationError("no user in \(config) has an export: input") }
    var failed = 0
    func say(_ line: String) { if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } }
    for member in chosen {
      for spec in member.exports {
        do {
          let fetched = try spec.fetch(sinceLast: sinceLast, overlapDays: overlapDays) { say("\(member.name): \($0)") }
          say(fetched.skipped
            ? "eidolon migrate bulk-export: \(member.name): \(spec.tracker.rawValue): \(spec.path) is already fetched (--since-last fetches the new days)"
            : "eidolon migrate bulk-export: \(member.name): \(spec.tracker.rawValue): \(fetched.records) records into \(spec.path)")
        } catch {
          failed += 1
          FileHandle.standardError.write(Data("eidolon migrate bulk-export: \(member.name): \(spec.tracker.rawValue): \((error as? EidolonError)?.description ?? "\(error)")\n".utf8))
        }
      }
    }
    if failed > 0 { throw ExitCode(1) }
  }
}
