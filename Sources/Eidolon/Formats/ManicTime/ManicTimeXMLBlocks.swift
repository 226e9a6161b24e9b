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
                                           writer: EidolonNDJSONWriter(sink: sink), file: file, progress: progress, written: events)
    // One thread: the activities are read in order, as they depend on those before.
    let ring = try BlockRing<ManicTimeXMLBlock>(threads: 1, blockBytes: records, doing: "make ManicTime XML events on the second core",
                                                handler: { { handler.handle($0) } },
                                                merge: { if let failure = $0.failure { throw failure } })
    defer { events = handler.written }
    var block = ring.emptyBlock()
    reader.emit = { record in
      block.add(record)
      guard block.records.count >= records else { return }
      block.progressBytes = bytesBefore + reader.bytesRead
      try ring.handOff(block)
      block = ring.emptyBlock()
    }
    defer { reader.emit = nil }
    do {
      while try reader.step() {}
      if !block.records.isEmpty {
        block.progressBytes = bytesBefore + reader.bytesRead
        try ring.handOff(block)
        block = ring.emptyBlock()
      }
      try ring.mergeOutstanding()
    } catch {
      // What was read before the failure is written first, as one thread would have;
      // after the events' own failure nothing is.
      if !ring.stopped && !block.records.isEmpty { try ring.handOff(block) }
      try ring.mergeOutstanding()
      throw error
    }
    ring.giveBack(block)
  }
}

/// Records of a ManicTime XML file, in turn.
final class ManicTimeXMLBlock: HandedBlock {
  private(set) var records: [ManicTimeXMLRecord] = []

  required init() {}

  func add(_ record: ManicTimeXMLRecord) {
    records.append(record)
    input.append(0x0A)  // (a block's thread skips a block with no bytes)
  }

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    records.removeAll(keepingCapacity: true)
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
  private(set) var written: Int
  /// Set once a record stopped the read: the blocks handed after it are not read (they
  /// were read on by the reading thread before it heard).
  private var stopped = false

  init(activities: ManicTimeActivities, diagnostics: Diagnostics, keeps: @escaping @Sendable (Int64) -> Bool,
       writer: EidolonNDJSONWriter, file: String, progress: Progress?, written: Int) {
    self.activities = activities
    self.diagnostics = diagnostics
    self.keeps = keeps
    self.writer = writer
    self.file = file
    self.progress = progress
    self.written = written
  }

  func handle(_ block: ManicTimeXMLBlock) {
    guard !stopped else { return }
    do {
      for record in block.records {
        try activities.apply(record)
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
}
