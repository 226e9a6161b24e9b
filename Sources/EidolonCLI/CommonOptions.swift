import ArgumentParser
import Eidolon

/// The options every Eidolon tool takes, in one place (README, "Conventions").
public struct CommonOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("Input files; '-' or none for stdin. Gzip is recognised by its content.", valueName: "file"))
  public var inputs: [String] = []

  @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file instead of stdout ('.gz' compresses).", valueName: "file"))
  public var output: String?

  @Option(help: ArgumentHelp("Write each rejected record, with its place and the reason, to this NDJSON file.", valueName: "file"))
  public var rejects: String?

  @Flag(help: "Stop at the first bad record (exit status 1).")
  public var strict = false

  @Flag(help: "Show progress on stderr even when it is not a terminal.")
  public var progress = false

  @Option(help: ArgumentHelp("Print at most this many error messages (0: all); the count and --rejects keep the rest.", valueName: "n"))
  public var maxMessages = Diagnostics.defaultMessageLimit

  public init() {}

  /// The inputs to read: stdin when none were named.
  public var inputPaths: [String] { inputs.isEmpty ? [InputOpener.stdinName] : inputs }

  /// The Diagnostics these options ask for.
  public func makeDiagnostics(toolName: String) throws -> Diagnostics {
    let rejectWriter = try rejects.map { try RejectWriter.open($0) }
    return Diagnostics(toolName: toolName, strict: strict, rejects: rejectWriter, messageLimit: maxMessages)
  }

  public func makeProgress() -> Progress {
    Progress.automatic(forced: progress)
  }

  public func validate() throws {
    if inputPaths.filter({ $0 == InputOpener.stdinName }).count > 1 {
      throw ValidationError("stdin ('-') can be named only once")
    }
    if maxMessages < 0 { throw ValidationError("--max-messages takes 0 or more") }
  }
}
