import ArgumentParser
import Eidolon
import EidolonCLI

struct EidSort: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eid-sort",
    abstract: "Put an Eidolon NDJSON stream in start order, in bounded memory.",
    discussion: """
      Sorts by start, then id; events with the same start and id keep their input order \
      (the sort is stable). All inputs are merged into one stream. Inputs larger than \
      --memory are sorted in chunks written to temporary files in $TMPDIR (or /tmp) and \
      merged, as sort(1) does, so a file many times the size of memory sorts with memory \
      near --memory. Output lines are canonical Eidolon NDJSON.

      With --check, nothing is written: the exit status is 0 when the input is already in \
      order and 1 when not, with the first event out of order named as file:line.

      Examples:
        aw-read export.json | eid-sort | eid-load events.db
        eid-sort --memory 256M laptop.ndjson desktop.ndjson -o all.ndjson
        eid-sort --check all.ndjson
      """,
    version: EidolonVersion.description)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("Memory for events held at once (K, M, G); more spills to temporary files.", valueName: "size"))
  var memory = ByteSize(bytes: EventSorter.defaultMemoryBytes)

  @Flag(help: "Only check that the input is in order (start, then id); write nothing.")
  var check = false

  func validate() throws {
    if check && common.output != nil { throw ValidationError("--check writes nothing; leave out -o") }
  }

  func run() throws {
    let diagnostics = try common.makeDiagnostics(toolName: "eid-sort")
    let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
    if check { return try checkOrder(inputs, diagnostics) }
    let sorter = EventSorter(memoryBytes: memory.bytes)
    try inputs.forEachView { event, _ in try sorter.add(event) }
    let output = try OutputSink.open(common.output)
    try sorter.finish { line in
      output.buffer.append(line)
      try output.flushIfFull()
    }
    try output.finish()
    try diagnostics.finish()
    if diagnostics.rejectCount > 0 {
      diagnostics.note("eid-sort: \(sorter.count) events sorted; \(diagnostics.rejectCount) input lines rejected")
      throw ExitCode(1)
    }
  }

  private func checkOrder(_ inputs: EventInputs, _ diagnostics: Diagnostics) throws {
    var previous: (start: Int64, id: String, place: String)?
    var disorder = 0
    try inputs.forEach { event, reader in
      let place = "\(reader.fileName):\(reader.lastPosition.line)"
      // Ids compare byte-wise, as the sort orders them.
      if let previous, event.start < previous.start
        || (event.start == previous.start && ByteOrder.precedes(event.id, previous.id))
      {
        disorder += 1
        if disorder == 1 {
          diagnostics.note(
            "\(place): out of order: \(Timestamp.canonical(event.start)) (id \(event.id)) comes after \(Timestamp.canonical(previous.start)) (id \(previous.id)) at \(previous.place)")
        }
      }
      previous = (event.start, event.id, place)
    }
    try diagnostics.finish()
    if disorder > 1 { diagnostics.note("eid-sort: \(disorder) events out of order") }
    if disorder > 0 || diagnostics.rejectCount > 0 { throw ExitCode(1) }
  }
}

ToolMain.run(EidSort.self)
