import ArgumentParser
import Eidolon
import EidolonCLI

struct MigrateAssess: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "assess", abstract: "(placeholder)")
  func run() throws {}
}
