import Eidolon
import Testing

/// eid-transform's view path on two threads (`EventTransformer.passAll`) against `pass`
/// on one thread reading the lines in turn: the same output bytes, messages, rejects,
/// counts and stop.
@Suite struct BlockPassingTests {
  struct Outcome: Equatable {
    var output: [UInt8]
    var messages: [String]
    var rejects: [UInt8]
    var counts: [Int]
    var stop: String?
  }

  private func run(_ options: TransformOptions, strict: Bool, _ body: (EventTransformer, OutputSink, Diagnostics) throws -> Void) throws -> Outcome {
    let dir = temporaryDirectory()
    let diagnostics = Diagnostics(toolName: "eid-transform", strict: strict, rejects: try RejectWriter.open(dir + "/rejects.ndjson"),
                                  messageLimit: 0)
    var messages: [String] = []
    diagnostics.messageHandler = { messages.append($0) }
    let sink = try OutputSink.open(dir + "/out.ndjson")
    let transformer = EventTransformer(options: options, writer: EidolonNDJSONWriter(sink: sink))
    #expect(transformer.takesViews)
    var stop: String?
    do {
      try body(transformer, sink, diagnostics)
    } catch {
      stop = (error as? EidolonError)?.description ?? ((error as? Diagnostics.StrictStop).map { "strict: \($0.error)" } ?? "\(error)")
    }
    try sink.finish()
    try diagnostics.finish()
    return Outcome(output: readFile(dir + "/out.ndjson") ?? [], messages: messages, rejects: readFile(dir + "/rejects.ndjson") ?? [],
                   counts: [transformer.eventsIn, transformer.eventsOut], stop: stop)
  }

  private func inTurn(_ paths: [String], _ options: TransformOptions, strict: Bool = false) throws -> Outcome {
    try run(options, strict: strict) { transformer, sink, diagnostics in
      for path in paths {
        let reader = EidolonNDJSONReader(input: try InputOpener.open(path), diagnostics: diagnostics)
        while let view = try reader.nextView() { try transformer.pass(view, to: sink) }
      }
    }
  }

  private func inBlocks(_ paths: [String], _ options: TransformOptions, strict: Bool = false, blockBytes: Int) throws -> Outcome {
    try run(options, strict: strict) { transformer, sink, diagnostics in
      try transformer.passAll(paths.map { path in { try InputOpener.open(path) } }, to: sink, diagnostics: diagnostics,
                              blockBytes: blockBytes)
    }
  }

  private var filters: [TransformOptions] {
    var bySource = TransformOptions()
    bySource.sources = ["toggl", "activitywatch"]
    var byTime = TransformOptions()
    byTime.since = CivilTime.daysFromCivil(year: 2024, month: 2, day: 10) * CivilTime.millisPerDay
    byTime.kinds = ["window"]
    return [TransformOptions(), bySource, byTime]
  }

  @Test func blocksOnTwoThreadsPassWhatOneThreadPasses() throws {
    let paths = BlockValidationTests.files([BlockValidationTests.sampleLines(seed: 11, count: 900),
                                            BlockValidationTests.sampleLines(seed: 12, count: 600)])
    for options in filters {
      let expected = try inTurn(paths, options)
      #expect(expected.output.count > 10_000 && expected.messages.count > 50 && expected.stop == nil)
      for blockBytes in [1, 150, 4096, 1 << 20] {
        #expect(try inBlocks(paths, options, blockBytes: blockBytes) == expected, "blocks of \(blockBytes) bytes")
      }
    }
  }

  @Test func aStopLeavesTheOutputOneThreadLeaves() throws {
    var text = BlockValidationTests.sampleLines(seed: 13, count: 300)
    text += "\n{\"v\":2,\"id\":\"x\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"2024-02-01T08:00:00.000Z\",\"duration\":1}\n"
    text += BlockValidationTests.sampleLines(seed: 14, count: 300)
    let paths = BlockValidationTests.files([text])
    for options in filters {
      let stopped = try inTurn(paths, options)
      #expect(stopped.stop != nil)
      let strict = try inTurn(paths, options, strict: true)
      #expect(strict.stop?.hasPrefix("strict: ") == true)
      for blockBytes in [1, 700, 1 << 20] {
        #expect(try inBlocks(paths, options, blockBytes: blockBytes) == stopped)
        let got = try inBlocks(paths, options, strict: true, blockBytes: blockBytes)
        #expect(got.output == strict.output)
        #expect(got.messages == strict.messages)
        #expect(got.rejects == strict.rejects)
        #expect(got.stop == strict.stop)
        // The events before the stop, counted where one thread stopped (the CLI does not
        // tell them after a strict stop; the library's caller may).
        #expect(got.counts == strict.counts, "blocks of \(blockBytes) bytes")
      }
    }
  }
}
