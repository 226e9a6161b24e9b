/// aw-read on both cores: the reading thread only finds where each event of a streaming
/// bucket ends (`JSONValueEnd`) and copies it into a block; two threads turn a block each
/// into canonical lines (the scanner, or the JSON tree and the mapping for any other
/// shape, as the reader itself does); each block is merged back in input order, its
/// messages replayed and its lines written. Anything else (bucket fields, a bucket whose
/// events come before its fields, an event too long or deep to cut, the end) is read on
/// the reading thread once every block before it is merged. So the output, the messages
/// and the counts are the reader's on one thread.
extension BothCores {
  /// Events are gathered into a block until it holds this many bytes (a block's lines are
  /// 2.6 times its bytes; 256 KiB was as fast as 1 MiB, with 39 MB at peak against 64).
  public static let activityWatchBlockBytes = 256 << 10

  /// Every event of `reader` that `keeps` takes, as a canonical line into `sink`; adds
  /// them to `events`. `bytesBefore` is what earlier inputs read, for the progress line.
  public func copy(_ reader: ActivityWatchReader, to sink: OutputSink, events: inout Int, bytesBefore: Int64) throws {
    let (diagnostics, keeps, progress, toolName) = (self.diagnostics, self.keeps, self.progress, self.diagnostics.toolName)
    var written = events
    let ring = try BlockRing<ActivityWatchEventBlock>(threads: threads ?? 2, blockBytes: blockBytes ?? BothCores.activityWatchBlockBytes, doing: "read ActivityWatch events on the second core", handler: {
      let handler = ActivityWatchBlockHandler(diagnostics: Diagnostics(toolName: toolName), keeps: keeps)
      return { handler.handle($0) }
    }, merge: { block in
      try block.messages.replay(into: diagnostics, interleaving: block.output, to: sink)
      written += block.kept
      reader.countCutEvents(streamed: block.streamed, scanned: block.scanned)
      if let failure = block.failure { throw failure }
      progress?.updateNow(records: written, bytes: block.progressBytes)
    })
    defer { events = written }
    var block = ring.emptyBlock()
    do {
      while true {
        if reader.cutsEvents {
          if block.cuts.isEmpty, let cutting = reader.cuttingBucket { block.start(cutting.bucket, cutting.text, file: reader.fileName) }
          // Events cut into this block until it is full, or until one is not to be cut. (A
          // loop of its own, the block a constant: the variable, captured by the closure,
          // was retained and released for each event.)
          let current = block
          var full = false
          while reader.cutsEvents {
            // A run of events whole in the bytes read; else one, reading more (or none).
            if try !reader.cutEvents(into: current, blockBytes: ring.blockBytes) {
              guard try reader.cutEvent({ current.add($0, at: $1, depthLeft: $2) }) else { break }
            }
            if current.input.count >= ring.blockBytes {
              full = true
              break
            }
          }
          if full {
            current.progressBytes = bytesBefore + reader.bytesRead
            try ring.handOff(current)
            block = ring.emptyBlock()
            continue
          }
        }
        // Not an event to cut: read here, after every block before it.
        if !block.cuts.isEmpty {
          block.progressBytes = bytesBefore + reader.bytesRead
          try ring.handOff(block)
          block = ring.emptyBlock()
        }
        try ring.mergeOutstanding()
        guard let view = try reader.nextView() else { break }
        progress?.update(records: written, bytes: bytesBefore + reader.bytesRead)
        guard keeps(view.start) else { continue }
        sink.buffer.append(view.canonicalLine)
        sink.buffer.append(0x0A)
        try sink.flushIfFull()
        written += 1
      }
    } catch {
      // What was cut before the failure (an input that cannot be read on) is written
      // first, as one thread would have; after a merge's own failure nothing is.
      if !ring.stopped && !block.cuts.isEmpty { try ring.handOff(block) }
      try ring.mergeOutstanding()
      throw error
    }
    ring.giveBack(block)
  }
}

/// Events of one bucket, cut whole, and the canonical lines made of them.
final class ActivityWatchEventBlock: HandedBlock {
  struct Cut {
    var offset: Int
    var count: Int
    var position: SourcePosition
    var depthLeft: Int
  }

  private(set) var cuts: [Cut] = []
  private(set) var bucket = ActivityWatchBucket(id: "")
  private(set) var bucketText: ActivityWatchEventScanner.BucketText?
  private(set) var fileName = ""
  let output = ByteBuffer(capacity: 1 << 20)
  /// Events taken (the scanner's or the tree's), of which the scanner's; lines written.
  var streamed = 0
  var scanned = 0
  var kept = 0

  required init() {}

  func start(_ bucket: ActivityWatchBucket, _ text: ActivityWatchEventScanner.BucketText, file: String) {
    self.bucket = bucket
    bucketText = text
    fileName = file
  }

  func add(_ bytes: UnsafeRawBufferPointer, at position: SourcePosition, depthLeft: Int) {
    cuts.append(Cut(offset: input.count, count: bytes.count, position: position, depthLeft: depthLeft))
    input.append(bytes)
    _ = input.reserve(16)  // the scanner reads up to 16 bytes past an event (`padded`)
  }

  /// The events of a run (`ActivityWatchReader.cutEvents`): the run's bytes copied at
  /// once, each event's place in them from `starts` and `ends`.
  func add(run: UnsafeRawBufferPointer, count: Int, starts: UnsafeMutablePointer<Int>, ends: UnsafeMutablePointer<Int>,
           positions: UnsafeMutablePointer<SourcePosition>, depthLeft: Int) {
    let at = input.count
    for k in 0..<count {
      cuts.append(Cut(offset: at + starts[k], count: ends[k] - starts[k], position: positions[k], depthLeft: depthLeft))
    }
    input.appendInPieces(run)
    _ = input.reserve(16)  // the scanner reads up to 16 bytes past an event (`padded`)
  }

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    output.removeAll(releasingAbove: 8 * blockBytes + (64 << 10))
    cuts.removeAll(keepingCapacity: true)
    bucketText = nil
    streamed = 0
    scanned = 0
    kept = 0
  }
}

/// One thread's reading of blocks: what the reader does with an event of a streaming
/// bucket, the scanner first, the JSON tree for any other shape.
private final class ActivityWatchBlockHandler {
  let diagnostics: Diagnostics
  let keeps: @Sendable (Int64) -> Bool
  let scanner = ActivityWatchEventScanner()
  let scratch = ByteBuffer(capacity: 1024)
  private var tokenizer = JSONTokenizer(fileName: "")

  init(diagnostics: Diagnostics, keeps: @escaping @Sendable (Int64) -> Bool) {
    self.diagnostics = diagnostics
    self.keeps = keeps
  }

  func handle(_ block: ActivityWatchEventBlock) {
    guard let text = block.bucketText else { return }
    diagnostics.recording = block.messages
    let base = UnsafeRawPointer(block.input.base)
    let output = block.output
    for cut in block.cuts {
      block.messages.mark = output.count
      let bytes = UnsafeRawBufferPointer(start: base + cut.offset, count: cut.count)
      // The line is written straight into the block's output, and taken back when the event
      // is not the scanner's or not kept.
      let before = output.count
      if case .took(let count) = scanner.scan(bytes, bucket: text, appendingTo: output, padded: true), count == cut.count {
        block.streamed += 1
        block.scanned += 1
        guard keeps(scanner.start) else {
          output.commit(before - output.count)
          continue
        }
        output.append(0x0A)
        block.kept += 1
        continue
      }
      output.commit(before - output.count)
      do {
        guard let event = try convert(bytes, cut, block) else { continue }
        block.streamed += 1
        guard keeps(event.start) else { continue }
        EidolonNDJSONWriter.append(event, to: block.output)
        block.kept += 1
      } catch {
        block.failure = error
        break
      }
    }
  }

  /// The event through its tokens and the mapping (a syntax error throws: it stops the read).
  private func convert(_ bytes: UnsafeRawBufferPointer, _ cut: ActivityWatchEventBlock.Cut,
                       _ block: ActivityWatchEventBlock) throws -> Event? {
    if tokenizer.maxDepth != cut.depthLeft { tokenizer = JSONTokenizer(fileName: block.fileName, maxDepth: cut.depthLeft) }
    tokenizer.fileName = block.fileName
    tokenizer.reset(line: bytes, lineNumber: cut.position.line, offset: cut.position.byteOffset, column: cut.position.column)
    let value = try tokenizer.readValue(startingWith: try tokenizer.next())
    return try ActivityWatchReader.convert(value, at: cut.position, bucket: block.bucket, file: block.fileName,
                                           scratch: scratch, diagnostics: diagnostics)
  }
}
