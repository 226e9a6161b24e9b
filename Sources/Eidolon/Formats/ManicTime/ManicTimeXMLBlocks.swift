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
  /// Records (activities, groups, the timeline's names) gathered into a block before it
  /// is handed over.
  public static let manicTimeXMLBlockRecords = 1024
  /// The activities that waited for their groups are read in blocks of this many bytes.
  static let manicTimeWaitingBlockBytes = 256 << 10

  /// mt-read's XML on both cores, as a pipeline: the reading thread parses the XML
  /// (libxml2 and the element loop) into records; one thread turns them into events in
  /// order (the activities, their groups, the file activities wait in for them) and is,
  /// while this runs, the only one to write lines and tell `diagnostics` anything. (A
  /// timeline's activities that waited for its groups come out all at once: one thread
  /// writing them as they come keeps memory flat.) The output, the messages and the
  /// counts are the reader's on one thread; `file` names the input in a rejected event's
  /// message.
  public func copy(_ reader: ManicTimeXMLReader, file: String, to sink: OutputSink, events: inout Int, bytesBefore: Int64) throws {
    let records = blockBytes ?? BothCores.manicTimeXMLBlockRecords
    let handler = ManicTimeXMLBlockHandler(activities: reader.ownActivities, diagnostics: diagnostics, keeps: keeps,
                                           writer: EidolonNDJSONWriter(sink: sink), file: file, progress: progress, written: events,
                                           waitingBlockBytes: blockBytes ?? BothCores.manicTimeWaitingBlockBytes)
    // One thread: the activities are read in order, as they depend on those before.
    let ring = try BlockRing<ManicTimeXMLBlock>(threads: 1, blockBytes: records, doing: "make ManicTime XML events on the second core",
                                                handler: { { handler.handle($0) } },
                                                merge: { if let failure = $0.failure { throw failure } })
    defer { events = handler.written }
    var block = ring.emptyBlock()
    // The reader keeps an activity's fields in the block's, not in its own.
    let ownFields = reader.fields
    reader.fields = block.fields
    func handOffWhenFull() throws {
      // Not inside an activity (a field named Timeline says the timeline starts): its
      // fields so far are in this block's.
      guard block.entries.count >= records, !reader.inRecord else { return }
      block.progressBytes = bytesBefore + reader.bytesRead
      try ring.handOff(block)
      block = ring.emptyBlock()
      reader.fields = block.fields
    }
    reader.emit = { record in
      block.add(record)
      try handOffWhenFull()
    }
    reader.emitFields = { fields, isActivity, line in
      block.add(fields: fields, isActivity: isActivity, line: line)
      try handOffWhenFull()
    }
    defer {
      reader.emit = nil
      reader.emitFields = nil
      reader.fields = ownFields
    }
    do {
      while try reader.step() {}
      if !block.entries.isEmpty {
        block.progressBytes = bytesBefore + reader.bytesRead
        try ring.handOff(block)
        block = ring.emptyBlock()
      }
      try ring.mergeOutstanding()
    } catch {
      // What was read before the failure is written first, as one thread would have;
      // after the events' own failure nothing is.
      if !ring.stopped && !block.entries.isEmpty { try ring.handOff(block) }
      try ring.mergeOutstanding()
      throw error
    }
    ring.giveBack(block)
  }
}

/// Records of a ManicTime XML file, in turn. An activity's or group's fields are held as
/// bytes and made Strings by the thread that reads the block: making them, and freeing
/// them when the block came back, was a sixth of the reading thread's work.
final class ManicTimeXMLBlock: HandedBlock {
  enum Entry {
    case record(ManicTimeXMLRecord)
    /// An activity or a group, its fields those of `fields` in the range.
    case activity(Range<Int>, line: Int)
    case group(Range<Int>)
  }

  private(set) var entries: [Entry] = []
  let fields = ManicTimeXMLFields()

  required init() {}

  override var holdsWork: Bool { !entries.isEmpty }

  func add(_ record: ManicTimeXMLRecord) { entries.append(.record(record)) }

  /// An activity or group whose fields the reader kept in this block's `fields`.
  func add(fields range: Range<Int>, isActivity: Bool, line: Int) {
    entries.append(isActivity ? .activity(range, line: line) : .group(range))
  }

  /// The record an entry holds, its fields made Strings.
  func record(_ entry: Entry) -> ManicTimeXMLRecord {
    switch entry {
    case .record(let record): return record
    case .activity(let range, let line): return .activity(fields.strings(range), line: line)
    case .group(let range): return .group(fields.strings(range))
    }
  }

  /// Lets the entries go on the thread that read them, not on the reading thread.
  func releaseEntries() {
    entries.removeAll(keepingCapacity: true)
    fields.removeAll()
  }

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    releaseEntries()
  }
}

/// The thread that makes the events: the reader's activities hear every record in turn,
/// and each event goes out as the reader's loop would write it.
private final class ManicTimeXMLBlockHandler {
  let activities: ManicTimeActivities
  let diagnostics: Diagnostics
  let keeps: @Sendable (Int64) -> Bool
  let writer: EidolonNDJSONWriter
  let file: String
  let progress: Progress?
  /// Events written, those before included.
  fileprivate(set) var written: Int
  /// Set once a record stopped the read: the blocks handed after it are not read (they
  /// were read on by the reading thread before it heard).
  private var stopped = false
  /// Where an activity's line is made before it goes to the temporary file.
  private let lineScratch = ByteBuffer(capacity: 1024)

  /// Blocks of the activities that waited for their groups (tests make them small).
  let waitingBlockBytes: Int

  init(activities: ManicTimeActivities, diagnostics: Diagnostics, keeps: @escaping @Sendable (Int64) -> Bool,
       writer: EidolonNDJSONWriter, file: String, progress: Progress?, written: Int, waitingBlockBytes: Int) {
    self.waitingBlockBytes = waitingBlockBytes
    self.activities = activities
    self.diagnostics = diagnostics
    self.keeps = keeps
    self.writer = writer
    self.file = file
    self.progress = progress
    self.written = written
  }

  func handle(_ block: ManicTimeXMLBlock) {
    defer { block.releaseEntries() }
    guard !stopped else { return }
    do {
      for entry in block.entries {
        // Most activities that wait for their groups go to the file on their bytes.
        if case .activity(let range, _) = entry, try activities.spillOnBytes(block.fields, range, scratch: lineScratch) { continue }
        let record = block.record(entry)
        try activities.apply(record)
        // A timeline's end lets out what waited for its groups: read on both cores.
        if case .endTimeline = record, let (waiting, groups) = activities.takeWaiting() { try write(waiting, groups) }
        // What the record let out, as the reader hands it out before reading on.
        while let event = try activities.next() {
          guard keeps(event.start) else { continue }
          if try diagnostics.write(event, to: writer, file: file, position: nil) { written += 1 }
        }
      }
      progress?.updateNow(records: written, bytes: block.progressBytes)
    } catch {
      block.failure = error
      stopped = true
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
      return { block in
        let reader = block.reader(diagnostics: threadDiagnostics, options: EidolonNDJSONReader.Options())
        writer.output = block.output
        do {
          while true {
            block.messages.mark = block.output.count
            guard let view = try reader.nextView() else { break }
            // Most lines are resolved on their bytes (ManicTimeWaitingLine.swift).
            if keeps(view.start) && groups.appendResolvedLine(view, to: block.output, idInput: idScratch) {
              block.kept += 1
              continue
            }
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
    if output.capacity > 8 * blockBytes + (64 << 10) { output.releaseMemory() }
    output.removeAll()
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
