/// A CSV format reader whose rows, once its header is read, can be made into lines in
/// blocks on other threads: `BothCores` reads such a reader's rows on two cores. Rows
/// that depend on the rows before them say so (`mayEndBlock`, `CSVRowOutcome.needsRowsBefore`).
public protocol CSVRowBlockReading: EventViewReader {
  /// Reads the header where it is not read yet; the CSV reader at the first row the
  /// blocks may take, or nil when the rows are to be read by the reader itself (no
  /// header, a layout whose rows depend on each other, the fast way turned off).
  func csvForBlocks() throws -> CSVReader?
  /// What one thread turns rows into lines with; its messages go to `diagnostics`.
  func makeRowLines(diagnostics: Diagnostics) -> CSVRowLines
  /// Whether a block may end between two rows: where a run of rows that share state ends
  /// (rt-read: a bucket). Rows of one run stay in one block.
  func mayEndBlock(after last: CSVBlockRow, before next: CSVReader) -> Bool
  /// True when a block may end between any two rows (`mayEndBlock` is not asked).
  var blocksMayEndAnywhere: Bool { get }
  /// True when the blocks are cut from the input unparsed (`CSVReader.cutRecords`) and
  /// parsed by the threads that take them; false when the reading thread parses each record
  /// and copies it, with its fields' ranges, into the block. rt-read's short rows cost more
  /// to copy parsed than to cut; toggl-read's and mt-read's longer ones, with quotes in most
  /// windows, cost less (bench/README.md, "CSV blocks cut unparsed").
  var cutsBlocksUnparsed: Bool { get }
  /// True when the first rows given to blocks may continue a run the reader began itself:
  /// they are read on the reading thread up to the first place a block may end.
  var firstBlockContinuesRun: Bool { get }
}

extension CSVRowBlockReading {
  public func mayEndBlock(after last: CSVBlockRow, before next: CSVReader) -> Bool { true }
  public var blocksMayEndAnywhere: Bool { true }
  public var cutsBlocksUnparsed: Bool { false }
  public var firstBlockContinuesRun: Bool { false }
}

/// What became of a row on a block's thread.
public enum CSVRowOutcome {
  /// Its canonical line was appended; the event's start.
  case line(Int64)
  /// No event (rejected or left out, through the thread's diagnostics).
  case none
  /// It needs what the rows before the block left (`CSVRowLines.carry`): the block is
  /// read on from this row by the reading thread, after the blocks before it.
  case needsRowsBefore
}

/// One thread's way from a row to its canonical line: what the reader does with the row.
public protocol CSVRowLines: AnyObject {
  /// Appends the row's canonical line (LF included) to `output`. A throw stops the read,
  /// as it would the reader.
  func appendLine(_ row: CSVBlockRow, to output: ByteBuffer) throws -> CSVRowOutcome
  /// What a row may need of the rows before it (mt-read: the last start, for a time in a
  /// repeated DST hour); `knowsRowsBefore` false at the start of a block until a row of
  /// it sets `carry`.
  var carry: Int64? { get set }
  var knowsRowsBefore: Bool { get set }
  /// The next row begins a run (`CSVRowBlockReading.mayEndBlock`) after rows this one
  /// did not see: forget the run before (rt-read: the bucket and its repeat counts).
  func startRun()
}

extension CSVRowLines {
  public func startRun() {}
}

/// A way from rows to lines that also takes records straight from a cut block's bytes,
/// with no CSV reader: rt-read's rows whose tails it has seen (`eid_csv_plain_record`;
/// bench/README.md, "RescueTime rows' tails kept").
protocol CSVPlainRecordLines: CSVRowLines {
  /// Writes the lines of the records it takes at the start of `records` (whole records cut
  /// from the input) into `block` as `CSVRowBlockHandler` would, its output, kept count and
  /// messages' mark; the rest are the CSV reader's.
  func appendPlainRecords(_ records: UnsafeRawBufferPointer, to block: CSVRowBlock, keeps: (Int64) -> Bool) -> CSVRecordsTaken
}

/// The records `CSVPlainRecordLines.appendPlainRecords` took: their bytes and lines, and
/// whether the record after them is handed back (it needs the rows before the block, as
/// `CSVRowOutcome.needsRowsBefore`; nothing of it kept).
struct CSVRecordsTaken {
  var bytes = 0
  var lines = 0
  var handBack = false
}

/// A CSV reader's rows on both cores: the reading thread fills blocks with records, two
/// threads (`csvThreads`) turn each block's rows into canonical lines (the row scanner, or
/// the general way for any other row), and each block is merged back in input order, its
/// messages replayed and its lines written. A block holds either whole records cut from the
/// input unparsed (`CSVReader.cutRecords`, from the quotes and line ends alone), which its
/// thread parses where they lie, or records the reading thread parsed and copied, bytes and
/// field ranges, a record the CSV reader rejects as a reject in its place
/// (`CSVRowBlockReading.cutsBlocksUnparsed`; from a record the cutting does not place on,
/// always the second). So the output, the messages and the counts are the reader's on one
/// thread.
extension BothCores {
  /// Rows are gathered into a block until it holds this many bytes (a block's lines are
  /// 2.5 to 5.4 times its bytes; 128 KiB was as fast as 256 KiB, with 41 MB at peak for
  /// rt-read against 48).
  public static let csvBlockBytes = 128 << 10
  /// Threads making lines: two, beside the reading thread, on two cores, their priority
  /// below it (`BlockRing.helperNiceness`). Three at the reading thread's priority kept the
  /// cores busier than two, but left it half a core: two below it were 12-15% faster
  /// (bench/README.md, "Blocks taken by whichever thread is free"). Twice as many blocks
  /// may be out before the reading thread waits for the oldest (a block is about 1 MB with
  /// its lines; toggl-read took 7% less wall time than with as many as the threads).
  public static let csvThreads = 2

  /// Every event of `reader` that `keeps` takes, as a canonical line into `sink`; adds
  /// them to `events`. `bytesBefore` is what earlier inputs read, for the progress line.
  /// A reader whose rows cannot go to blocks is read here as views, in turn.
  public func copy(_ reader: CSVRowBlockReading, bytesRead: () -> Int64, to sink: OutputSink, events: inout Int,
                   bytesBefore: Int64) throws {
    // Rows the reader reads itself until its rows can go to blocks (mt-read: until the
    // date order is settled), or all of them.
    var csvReader = try reader.csvForBlocks()
    while csvReader == nil {
      guard let view = try reader.nextView() else { return }
      progress?.update(records: events, bytes: bytesBefore + bytesRead())
      if keeps(view.start) {
        sink.buffer.append(view.canonicalLine)
        sink.buffer.append(0x0A)
        try sink.flushIfFull()
        events += 1
      }
      csvReader = try reader.csvForBlocks()
    }
    let csv = csvReader!
    let (diagnostics, keeps, progress, toolName) = (self.diagnostics, self.keeps, self.progress, self.diagnostics.toolName)
    var written = events
    defer { events = written }
    // The reading thread's own way, for rows a block's thread hands back.
    let ownLines = reader.makeRowLines(diagnostics: diagnostics)
    let ownRow = CSVBlockRow()
    let ownOutput = ByteBuffer(capacity: 4096)
    let ring = try BlockRing<CSVRowBlock>(threads: threads ?? BothCores.csvThreads, blockBytes: blockBytes ?? BothCores.csvBlockBytes,
                                          inFlight: 2 * (threads ?? BothCores.csvThreads), doing: "read CSV rows on the second core", handler: {
      let threadDiagnostics = Diagnostics(toolName: toolName)
      let handler = CSVRowBlockHandler(lines: reader.makeRowLines(diagnostics: threadDiagnostics), diagnostics: threadDiagnostics,
                                       keeps: keeps)
      return { handler.handle($0) }
    }, merge: { block in
      try block.messages.replay(into: diagnostics, interleaving: block.output, to: sink)
      written += block.kept
      if let failure = block.failure { throw failure }
      if block.handedBackAt != Int.max {
        ownLines.startRun()  // (a row is handed back where a run begins)
        written += try block.read(from: block.handedBackAt, line: block.handedBackLine, with: ownLines, diagnostics: diagnostics,
                                  row: ownRow, output: ownOutput, keeps: keeps, to: sink)
      } else if block.knowsRowsBefore {
        ownLines.carry = block.carry
      }
      progress?.updateNow(records: written, bytes: block.progressBytes)
    })
    var block = ring.emptyBlock()
    block.fileName = csv.fileName
    // Rows of a run that began before the block (or a run longer than `runLimit`) are read
    // here, once every block before them is written, by the reading thread's own way.
    var readHere = reader.firstBlockContinuesRun
    let runLimit = 16 * ring.blockBytes
    let lastRow = CSVBlockRow()
    func nextBlock() {
      block = ring.emptyBlock()
      block.fileName = csv.fileName
    }
    func handOff() throws {
      block.progressBytes = bytesBefore + csv.bytesRead
      try ring.handOff(block)
      nextBlock()
    }
    /// `startingRun`: the block begins where a run does, after rows the reading thread's
    /// way did not see.
    func read(startingRun: Bool = false) throws {
      try ring.mergeOutstanding()
      if startingRun { ownLines.startRun() }
      // Taken out first: after a stop in its rows nothing reads them again.
      let rows = block
      nextBlock()
      defer { ring.giveBack(rows) }
      written += try rows.read(from: 0, line: rows.firstLine, with: ownLines, diagnostics: diagnostics, row: ownRow, output: ownOutput,
                               keeps: keeps, to: sink)
      progress?.updateNow(records: written, bytes: bytesBefore + csv.bytesRead)
    }
    /// At a place a block may end.
    func endBlock() throws {
      if readHere {
        try read()
        readHere = false
      } else {
        try handOff()
      }
    }
    // Blocks cut unparsed while the cutting places every record; from a record it does not,
    // rows parsed here.
    let probe = CSVCutProbe(for: csv)
    let mayEnd: ((CSVBlockRow, CSVReader) -> Bool)? =
      reader.blocksMayEndAnywhere ? nil : { reader.mayEndBlock(after: $0, before: $1) }
    var cutting = cutsBlocks ?? reader.cutsBlocksUnparsed, inputEnded = false
    do {
      while cutting {
        block.isCut = true
        (block.firstLine, block.offset) = (csv.line, csv.bytesRead)
        (block.dialect, block.minimumFieldCount) = (csv.dialect, csv.minimumFieldCount)
        switch try csv.cutRecords(into: block.input, size: ring.blockBytes, limit: runLimit, probe: probe, mayEnd: mayEnd) {
        case .block(allowed: true):
          try endBlock()
        case .block(allowed: false):
          try read(startingRun: !readHere)
          readHere = true
        case .endOfInput:
          (cutting, inputEnded) = (false, true)
        case .irregular:
          // The run goes on here, parsed row by row.
          if block.holdsWork {
            try read(startingRun: !readHere)
            readHere = true
          }
          cutting = false
        }
      }
      if !block.holdsWork { block.isCut = false }
      while try !inputEnded && csv.next(rejecting: { block.addReject($0, raw: $1) }) {
        if block.input.count >= ring.blockBytes {
          if block.pointAtLastRow(lastRow), reader.mayEndBlock(after: lastRow, before: csv) {
            try endBlock()
          } else if block.input.count >= runLimit {
            // The block began where a run did (or goes on with one read here); the run goes
            // on here.
            try read(startingRun: !readHere)
            readHere = true
          }
        }
        block.addRow(csv)
      }
      if block.holdsWork { try endBlock() }
      try ring.mergeOutstanding()
    } catch {
      // What was read before the failure (an input that cannot be read on) is written
      // first, as one thread would have; after a merge's own failure nothing is.
      if !ring.stopped && block.holdsWork {
        if readHere { try read() } else { try ring.handOff(block) }
      }
      try ring.mergeOutstanding()
      throw error
    }
    ring.giveBack(block)
  }
}

/// Records of one CSV input, and the canonical lines made of them: whole records cut from
/// the input (`isCut`), parsed by the thread that takes the block, or records the reading
/// thread parsed, copied with their fields' ranges (`rows`).
final class CSVRowBlock: HandedBlock {
  struct Row {
    var line: Int
    var rawOffset: Int
    var rawCount: Int
    /// Where its fields' offsets and lengths start in `spans` (a byte offset), and how many fields.
    var spansAt: Int
    var fieldCount: Int
    /// Not a row but the CSV reader's reject of a record: its index in `rejects`.
    var reject: Int
  }

  /// The block holds records cut from the input, unparsed: the first on `firstLine`, at
  /// `offset` in the file, read with `dialect` and `minimumFieldCount` as the CSV reader does.
  var isCut = false
  var firstLine = 1
  var offset: Int64 = 0
  var dialect = CSVDialect.standard
  var minimumFieldCount = 0
  private(set) var rows: [Row] = []
  /// Each row's fields' offsets and lengths, as Ints (not an Array: each append checked
  /// it was not shared).
  let spans = ByteBuffer(capacity: 1 << 16)
  private(set) var rejects: [EidolonError] = []
  var fileName = ""
  let output = ByteBuffer(capacity: 1 << 20)
  /// Lines written.
  var kept = 0
  /// The first row the thread handed back to the reading thread (`Int.max`: none): its index
  /// in `rows`, or for cut records its byte offset in `input` and the line it starts on.
  var handedBackAt = Int.max
  var handedBackLine = 0
  /// What the block's rows leave for the rows after them (`CSVRowLines.carry`).
  var carry: Int64?
  var knowsRowsBefore = false

  required init() {}

  override var holdsWork: Bool { isCut ? input.count > 0 : !rows.isEmpty }

  /// A reader of the cut records from byte `from` of `input` (where one starts, on `line`).
  func recordReader(from: Int, line: Int) -> CSVReader {
    CSVReader(records: UnsafeMutableRawBufferPointer(start: input.base + from, count: input.count - from), name: fileName,
              dialect: dialect, firstLine: line, offset: offset + Int64(from), minimumFieldCount: minimumFieldCount)
  }

  /// The byte offset in `input` of a cut record's bytes.
  func offset(of record: UnsafeRawBufferPointer) -> Int { UnsafeRawPointer(input.base).distance(to: record.baseAddress!) }

  // (Not inlined: inlined into the reading loop, the append to `rows` took Array's general
  // way, 1.7 M instructions more on toggl-read's 8 MB bench file.)
  @inline(never)
  func addRow(_ csv: CSVReader) {
    let spansAt = spans.count
    let raw = csv.appendRecord(to: input, spans: spans)
    rows.append(Row(line: csv.recordLine, rawOffset: raw.offset, rawCount: raw.count, spansAt: spansAt,
                    fieldCount: csv.fieldCount, reject: -1))
  }

  /// Points `row` at the block's last row (not a reject); false when it has none.
  func pointAtLastRow(_ row: CSVBlockRow) -> Bool {
    guard let entry = rows.last(where: { $0.reject < 0 }) else { return false }
    row.fileName = fileName
    let base = UnsafeRawPointer(input.base)
    row.point(base: base + entry.rawOffset, spans: UnsafeRawPointer(spans.base) + entry.spansAt, fieldCount: entry.fieldCount, line: entry.line,
              raw: UnsafeRawBufferPointer(start: base + entry.rawOffset, count: entry.rawCount))
    return true
  }

  func addReject(_ error: EidolonError, raw: UnsafeRawBufferPointer) {
    let offset = input.count
    input.append(raw)
    rows.append(Row(line: 0, rawOffset: offset, rawCount: raw.count, spansAt: 0, fieldCount: 0, reject: rejects.count))
    rejects.append(error)
  }

  override func recycle(blockBytes: Int) {
    super.recycle(blockBytes: blockBytes)
    // A block may hold a run of rows up to 16 blocks' bytes (`runLimit`), and its lines
    // are several times its rows (rt-read's about five).
    output.removeAll(releasingAbove: 16 * blockBytes + (64 << 10))
    rows.removeAll(keepingCapacity: true)
    spans.removeAll(releasingAbove: 8 * blockBytes + (64 << 10))
    rejects.removeAll()
    kept = 0
    handedBackAt = Int.max
    handedBackLine = 0
    isCut = false
    carry = nil
    knowsRowsBefore = false
  }

  /// Reads rows from `first` (a row's index, or a cut record's byte offset, on `line`) on the
  /// calling thread with `lines`, its messages straight to `diagnostics` and each kept line
  /// to `sink`; the lines written.
  func read(from first: Int, line: Int, with lines: CSVRowLines, diagnostics: Diagnostics, row: CSVBlockRow, output: ByteBuffer,
            keeps: (Int64) -> Bool, to sink: OutputSink) throws -> Int {
    var written = 0
    row.fileName = fileName
    @inline(__always) func take() throws {
      output.removeAll()
      guard case .line(let start) = try lines.appendLine(row, to: output), keeps(start) else { return }
      try sink.append(output.bytes)
      written += 1
    }
    if isCut {
      let csv = recordReader(from: first, line: line)
      // (The row may point into the copy: it lives until the last row is taken.)
      let copy = CSVRecordCopy()
      try withExtendedLifetime(copy) {
        while try csv.next(rejectingBadLinesTo: diagnostics) {
          csv.point(row, orCopyInto: copy)
          try take()
        }
      }
      return written
    }
    let base = UnsafeRawPointer(input.base)
    let spanBase = UnsafeRawPointer(spans.base)
    for entry in rows[first...] {
      let raw = UnsafeRawBufferPointer(start: base + entry.rawOffset, count: entry.rawCount)
      if entry.reject >= 0 {
        try diagnostics.reject(rejects[entry.reject], raw: raw)
        continue
      }
      row.point(base: base + entry.rawOffset, spans: spanBase + entry.spansAt, fieldCount: entry.fieldCount, line: entry.line, raw: raw)
      try take()
    }
    return written
  }
}

/// One thread's reading of blocks: each row through the reader's way to its line.
private final class CSVRowBlockHandler {
  let lines: CSVRowLines
  let diagnostics: Diagnostics
  let keeps: @Sendable (Int64) -> Bool
  let row = CSVBlockRow()
  /// `lines`, when it takes plain records itself.
  let plainLines: CSVPlainRecordLines?

  init(lines: CSVRowLines, diagnostics: Diagnostics, keeps: @escaping @Sendable (Int64) -> Bool) {
    self.lines = lines
    plainLines = lines as? CSVPlainRecordLines
    self.diagnostics = diagnostics
    self.keeps = keeps
  }

  /// Where a cut record whose doubled quotes were undone is copied for `row`.
  private let copy = CSVRecordCopy()

  func handle(_ block: CSVRowBlock) {
    diagnostics.recording = block.messages
    row.fileName = block.fileName
    lines.startRun()
    lines.knowsRowsBefore = false
    lines.carry = nil
    do {
      if block.isCut {
        let csv = block.recordReader(from: 0, line: block.firstLine)
        // After a try of the plain records that took none, the next 1, 2, 4 ... 64 records go
        // to the CSV reader before the next try (a file whose rows repeat too little).
        var plainWait = 0, plainSkip = 0
        while true {
          if let plainLines {
            if plainWait > 0 {
              plainWait -= 1
            } else {
              let taken = plainLines.appendPlainRecords(csv.unreadRecords, to: block, keeps: keeps)
              csv.skipRecords(bytes: taken.bytes, lines: taken.lines)
              if taken.handBack {
                (block.handedBackAt, block.handedBackLine) = (block.offset(of: csv.unreadRecords), csv.line)
                return
              }
              plainSkip = taken.lines == 0 ? min(max(1, 2 * plainSkip), 64) : 0
              plainWait = plainSkip
            }
          }
          block.messages.mark = block.output.count
          guard try csv.next(rejectingBadLinesTo: diagnostics) else { break }
          csv.point(row, orCopyInto: copy)
          guard try take(block) else {
            (block.handedBackAt, block.handedBackLine) = (block.offset(of: csv.rawRecord), csv.recordLine)
            return  // (what it carries matters no more)
          }
        }
      } else {
        let base = UnsafeRawPointer(block.input.base)
        let spanBase = UnsafeRawPointer(block.spans.base)
        for (index, entry) in block.rows.enumerated() {
          block.messages.mark = block.output.count
          let raw = UnsafeRawBufferPointer(start: base + entry.rawOffset, count: entry.rawCount)
          if entry.reject >= 0 {
            try diagnostics.reject(block.rejects[entry.reject], raw: raw)
            continue
          }
          row.point(base: base + entry.rawOffset, spans: spanBase + entry.spansAt, fieldCount: entry.fieldCount, line: entry.line, raw: raw)
          guard try take(block) else {
            block.handedBackAt = index
            return  // (what it carries matters no more)
          }
        }
      }
    } catch {
      block.failure = error
    }
    block.carry = lines.carry
    block.knowsRowsBefore = lines.knowsRowsBefore
  }

  /// The line of the row `row` points at, into the block; false when the row is handed back
  /// (it needs the rows before the block), with nothing of it kept.
  @inline(__always)
  private func take(_ block: CSVRowBlock) throws -> Bool {
    let before = block.output.count, messagesBefore = block.messages.count
    switch try lines.appendLine(row, to: block.output) {
    case .line(let start):
      if keeps(start) {
        block.kept += 1
      } else {
        block.output.commit(before - block.output.count)
      }
    case .none:
      break
    case .needsRowsBefore:
      block.output.commit(before - block.output.count)
      block.messages.removeMessages(after: messagesBefore)
      return false
    }
    return true
  }
}
