import ArgumentParser
import EidolonCLI

struct EidTransform: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eid-transform",
    abstract: "Reshape an Eidolon NDJSON stream: rules, filters, time fixes, clean-up and privacy.",
    subcommands: [Apply.self, Learn.self],
    defaultSubcommand: Apply.self)
}

// The subcommands: Apply.swift (the default) and Learn.swift.
ToolMain.run(EidTransform.self)
