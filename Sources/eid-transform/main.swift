import ArgumentParser
import Eidolon
import EidolonCLI

struct EidTransform: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eid-transform",
    abstract: "Reshape an Eidolon NDJSON stream: rules, filters, time fixes, clean-up and privacy.",
    version: EidolonVersion.description,
    subcommands: [Apply.self, Learn.self],
    defaultSubcommand: Apply.self)
}

// The subcommands: Apply.swift (the default) and Learn.swift.
ToolMain.run(EidTransform.self)
