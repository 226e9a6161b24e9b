import ArgumentParser
import Eidolon
import EidolonCLI

struct EidValidate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eid-validate",
    abstract: "Check an Eidolon NDJSON stream against the spec and summarise it.",
    discussion: """
      Checks every line: required fields and their types, a canonical UTC start, a \
      duration of zero or more, productivity from -2 to 2, lower-case source and kind \
      names, and ids unique across all inputs (checked in bounded memory). Warns about \
      starts before 1990 or in the future and durations over 7 days.

      Prints a summary (events, time range, total time, counts per source and kind) \
      on stdout; errors go to stderr as file:line:column. Exit status 0 when all is \
      valid, 1 when anything was rejected or an id repeats, 2 on usage or I/O errors.

      Examples:
        eid-validate events.ndjson
        aw-read export.json | eid-validate --json
        eid-validate week1.ndjson.gz week2.ndjson.gz --rejects bad.ndjson
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions

  @Flag(help: "Print the summary as one JSON object.")
  var json = false

  @Flag(help: "Print no summary, only the errors (the exit status tells the verdict).")
  var quiet = false

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "eid-validate")
    var inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
    inputs.readerOptions.requireCanonicalStart = true
    let validator = EventValidator(diagnostics: diagnostics)
    // Blocks of lines checked on both cores, merged in input order.
    try NDJSONValidation(validator: validator, diagnostics: diagnostics, options: inputs.readerOptions,
                         progress: inputs.progress).run(paths: inputs.paths)
    let summary = try validator.finish()
    try diagnostics.finish()
    if !quiet {
      let output = try OutputSink.open(common.output)
      output.buffer.append(json ? summary.json() : summary.text())
      try output.finish()
    }
    if !summary.isClean { throw ExitCode(1) }
  }
}

ToolMain.run(EidValidate.self)
