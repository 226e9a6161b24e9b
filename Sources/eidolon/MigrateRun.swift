import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateRun: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run", abstract: "(placeholder)")
  func run() throws {}
}
