extension EventTransformer {
  /// `pass` for every event of `inputs` (opened at their turn), on both cores
  /// (`LineBlocks`): two threads read a block of lines each and keep the canonical lines
  /// the filters keep in the block's output; each block is merged back in input order,
  /// its messages replayed into `diagnostics`, its lines written to `sink`, its counts
  /// added. The output, the messages and the counts are `pass`'s on one thread.
  public func passAll(_ inputs: [() throws -> ByteReader], to sink: OutputSink, diagnostics: Diagnostics,
                      options: EidolonNDJSONReader.Options = EidolonNDJSONReader.Options(), progress: Progress? = nil,
                      blockBytes: Int = NDJSONValidation.blockBytes, threads: Int = 2) throws {
    let toolName = diagnostics.toolName
    let strict = diagnostics.strict
    var records = 0
    let blocks = try LineBlocks<PassBlock>(threads: threads, blockBytes: blockBytes, handler: {
      let threadDiagnostics = Diagnostics(toolName: toolName)
      return { [self] block in passLines(of: block, diagnostics: threadDiagnostics, options: options, strict: strict) }
    }, merge: { [self] block in
      // The lines kept before a reject go out before it (a --strict stop leaves just those,
      // and the counts of the events before it: the thread stopped there).
      let replayed = Result { try block.messages.replay(into: diagnostics, interleaving: block.output, to: sink) }
      addPassed(eventsIn: block.eventsIn, dropped: block.dropped, kept: block.kept)
      try replayed.get()
      if let failure = block.failure { throw failure }
      records += block.records
      progress?.updateNow(records: records, bytes: block.progressBytes)
    })
    try blocks.run(inputs) { _ in 0 }
    progress?.clear()
  }

  /// One block on a thread: each view the filters keep, its canonical line. In a strict
  /// run it stops at the block's first reject, where one thread would stop.
  private func passLines(of block: PassBlock, diagnostics: Diagnostics, options: EidolonNDJSONReader.Options, strict: Bool) {
    let reader = block.reader(diagnostics: diagnostics, options: options)
    // Room for about as many bytes as came in, made while the output is empty (the sink
    // may have traded it for a smaller buffer): doubling as lines come in copies them.
    _ = block.output.reserve(block.input.count)
    do {
      while true {
        block.messages.mark = block.output.count
        let messagesBefore = block.messages.count
        guard let view = try reader.nextView() else { break }
        // (The view is of a line after the reject.)
        if strict && block.messages.holdsReject(after: messagesBefore) { break }
        block.eventsIn += 1
        guard keeps(view) else {
          block.dropped += 1
          continue
        }
        block.kept += 1
        block.output.append(view.canonicalLine)
        block.output.append(0x0A)
      }
    } catch {
      block.failure = error
    }
    block.records = reader.recordCount
  }
}

/// A block of lines and the canonical lines kept of it.
final class PassBlock: LineBlock {
  let output = ByteBuffer(capacity: LineBlock.defaultBytes + (64 << 10))
  var eventsIn = 0
  var dropped = 0
  var kept = 0

  required init() {}

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    output.removeAll(releasingAbove: 2 * blockBytes + (64 << 10))
    eventsIn = 0
    dropped = 0
    kept = 0
  }
}
