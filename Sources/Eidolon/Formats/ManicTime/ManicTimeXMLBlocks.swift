/// What ManicTime's XML says, element by element, in the order ManicTimeActivities is
/// to hear it (`ManicTimeActivities.apply`).
enum ManicTimeXMLRecord {
  case startTimeline
  case timelineName(String)
  case timelineKey(String)
  case schemaName(String)
  case activity(ManicTimeActivities.Fields, line: Int)
  /// An activity whose XML cannot be read as fields.
  case rejectedActivity(String, line: Int)
  case group(ManicTimeActivities.Fields)
  /// A group whose XML cannot be read as fields.
  case groupLeftOut(String, line: Int)
  case groupsComplete
  case endTimeline
}

extension BothCores {
  /// A block holds the nodes libxml2 made of this much input (fewer hand-overs: each
  /// can wake a thread).
  public static let manicTimeXMLChunkBytes = 256 << 10
  /// The activities that waited for their groups are read in blocks of this many bytes.
  static let manicTimeWaitingBlockBytes = 256 << 10

  /// mt-read's XML on both cores, as a pipeline: the reading thread parses the XML
  /// (libxml2 and its callbacks) a chunk at a time into nodes; one thread reads them, the
  /// element loop, and turns the activities and groups into events in order (the
  /// activities, their groups, the file activities wait in for them) and is, while this
  /// runs, the only one to write lines and tell `diagnostics` anything. (A timeline's
  /// activities that waited for its groups come out all at once: one thread writing them
  /// as they come keeps memory flat.) The output, the messages and the counts are the
  /// reader's on one thread; `file` names the input in a rejected event's message.
  public func copy(_ reader: ManicTimeXMLReader, file: String, to sink: OutputSink, events: inout Int, bytesBefore: Int64) throws {
    let chunkBytes = blockBytes ?? BothCores.manicTimeXMLChunkBytes
    let handler = ManicTimeXMLBlockHandler(reader: reader.receivingReader(), diagnostics: diagnostics, keeps: keeps,
                                           writer: EidolonNDJSONWriter(sink: sink), file: file, progress: progress, written: events,
                                           waitingBlockBytes: blockBytes ?? BothCores.manicTimeWaitingBlockBytes)
    defer { handler.stopListening() }
    // One thread: the nodes are read in order, as each depends on those before.
    let ring = try BlockRing<ManicTimeXMLBlock>(threads: 1, blockBytes: chunkBytes, doing: "read ManicTime XML on the second core",
                                                handler: { { handler.handle($0) } },
                                                merge: { if let failure = $0.failure { throw failure } })
    defer { events = handler.written }
    var block = ring.emptyBlock()
    // What stops the parse is handed over after the nodes before it, in the last block.
    while reader.parseChunk(bytes: chunkBytes, into: block.nodes) {
      guard block.nodes.holdsWork else { continue }
      block.progressBytes = bytesBefore + reader.bytesRead
      try ring.handOff(block)
      block = ring.emptyBlock()
    }
    try ring.mergeOutstanding()
    ring.giveBack(block)
  }
}

/// The nodes libxml2 made of one chunk of a ManicTime XML file, for the thread that reads
/// them.
final class ManicTimeXMLBlock: HandedBlock {
  let nodes = XMLNodes()

  required init() {}

  override var holdsWork: Bool { nodes.holdsWork }

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    nodes.removeAll()
  }
}

/// The thread that reads the nodes and makes the events: the receiving reader's element
/// loop, whose activities hear every record in turn, and each event goes out as the
/// reader's loop would write it.
private final class ManicTimeXMLBlockHandler {
  let reader: ManicTimeXMLReader
  let activities: ManicTimeActivities
  let diagnostics: Diagnostics
  let keeps: @Sendable (Int64) -> Bool
  let writer: EidolonNDJSONWriter
  let file: String
  let progress: Progress?
  /// Events written, those before included.
  fileprivate(set) var written: Int
  /// Set once a record stopped the read: the blocks handed after it are not read (they
  /// were parsed on by the reading thread before it heard).
  private var stopped = false
  /// Where an activity's line is made before it goes to the temporary file.
  private let lineScratch = ByteBuffer(capacity: 1024)

  /// Blocks of the activities that waited for their groups (tests make them small).
  let waitingBlockBytes: Int

  init(reader: ManicTimeXMLReader, diagnostics: Diagnostics, keeps: @escaping @Sendable (Int64) -> Bool,
       writer: EidolonNDJSONWriter, file: String, progress: Progress?, written: Int, waitingBlockBytes: Int) {
    self.reader = reader
    self.waitingBlockBytes = waitingBlockBytes
    activities = reader.ownActivities
    self.diagnostics = diagnostics
    self.keeps = keeps
    self.writer = writer
    self.file = file
    self.progress = progress
    self.written = written
    // Held strongly (an unowned reference is checked at each call): `stopListening` ends
    // the cycle.
    reader.emit = { record in try self.apply(record) }
    reader.emitFields = { range, isActivity, line in
      // Most activities that wait for their groups go to the file on their bytes.
      if isActivity, try self.activities.spillOnBytes(self.reader.fields, range, scratch: self.lineScratch) { return }
      let fields = self.reader.fields.strings(range)
      try self.apply(isActivity ? .activity(fields, line: line) : .group(fields))
    }
  }

  /// The reader's hooks hold this handler: let go of them when the read is over.
  func stopListening() {
    reader.emit = nil
    reader.emitFields = nil
  }

  func handle(_ block: ManicTimeXMLBlock) {
    guard !stopped else { return }
    do {
      reader.receive(block.nodes)
      while try reader.step() {}
      progress?.updateNow(records: written, bytes: block.progressBytes)
    } catch {
      block.failure = error
      stopped = true
    }
  }

  private func apply(_ record: ManicTimeXMLRecord) throws {
    try activities.apply(record)
    // A timeline's end lets out what waited for its groups: read on both cores.
    if case .endTimeline = record, let (waiting, groups) = activities.takeWaiting() { try write(waiting, groups) }
    // What the record let out, as the reader hands it out before reading on.
    while let event = try activities.next() {
      guard keeps(event.start) else { continue }
      if try diagnostics.write(event, to: writer, file: file, position: nil) { written += 1 }
    }
  }

  /// The activities that waited for their groups (their NDJSON, in the order they came):
  /// two threads resolve their groups and make their lines, a block of lines each, and
  /// each block is written here in order with its messages, as `activities.next()` would
  /// have handed them out one by one.
  private func write(_ waiting: ByteReader, _ groups: ManicTimeGroups) throws {
    let (diagnostics, keeps, file, toolName) = (self.diagnostics, self.keeps, self.file, self.diagnostics.toolName)
    var written = self.written
    defer { self.written = written }
    let blocks = try LineBlocks<ManicTimeWaitingBlock>(threads: 2, blockBytes: waitingBlockBytes, handler: {
      let threadDiagnostics = Diagnostics(toolName: toolName)
      let writer = ByteBufferEventWriter()
      let idScratch = ByteBuffer(capacity: 256)
      var day = ManicTimeGroups.StartDay()
      return { block in
        let reader = block.reader(diagnostics: threadDiagnostics, options: EidolonNDJSONReader.Options())
        writer.output = block.output
        do {
          while true {
            block.messages.mark = block.output.count
            guard let line = try reader.nextLine() else { break }
            // Most lines are resolved on their bytes (ManicTimeWaitingLine.swift).
            if groups.appendResolvedLine(line, keeps: keeps, to: block.output, idInput: idScratch, day: &day) {
              block.kept += 1
              continue
            }
            guard let view = try reader.view(of: line) else { continue }
            var event = try view.makeEvent()
            groups.resolve(&event, diagnostics: threadDiagnostics, scratch: idScratch)
            block.messages.mark = block.output.count
            guard keeps(event.start) else { continue }
            if try threadDiagnostics.write(event, to: writer, file: file, position: nil) { block.kept += 1 }
          }
        } catch {
          block.failure = error
        }
      }
    }, merge: { [writer] block in
      try block.messages.replay(into: diagnostics, interleaving: block.output, to: writer.sink)
      written += block.kept
      if let failure = block.failure { throw failure }
    })
    try blocks.run([{ waiting }], begin: { _ in 0 })
  }
}

/// Lines of activities that waited for their groups, and the lines made of them.
final class ManicTimeWaitingBlock: LineBlock {
  let output = ByteBuffer(capacity: 1 << 18)
  var kept = 0

  required init() {}

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    output.removeAll(releasingAbove: 8 * blockBytes + (64 << 10))
    kept = 0
  }
}

/// Events checked against the spec and written as canonical lines to a buffer (a block's).
final class ByteBufferEventWriter: EventWriter {
  var output = ByteBuffer(capacity: 64)

  func write(_ event: Event) throws {
    try EventSpec.checkBeforeWriting(event)
    EidolonNDJSONWriter.append(event, to: output)
  }

  func finish() throws {}
}
