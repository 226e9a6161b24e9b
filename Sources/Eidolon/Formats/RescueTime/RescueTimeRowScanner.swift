import CByteMarks

/// The fast way from one row of an Analytic Data API response to its canonical line: the
/// cells are read as bytes where they lie (a CSV record's fields, a JSON row's scalars) and
/// the line is written from them, with no String per cell and no Event in between
/// (bench/README.md, "rt-read and mt-read on bytes").
///
/// It takes the rows the API writes in an interval report without --layout: a Date that
/// `Timestamp.parse` reads (YYYY-MM-DDTHH:MM:SS) with no space around it, whole seconds,
/// counts and efficiencies as JSON numbers, a productivity of -2 to 2 (formats/rescuetime.md). For any other row it answers "not this way" and
/// `RescueTimeAPIReader` reads the row the general way, which gives the event, the
/// warning or the error. Both place rows through the reader's one `RescueTimeBuckets` and
/// give the same line byte for byte (the tests and the `rt-view` and `rt-json-view` fuzz
/// targets compare).
final class RescueTimeRowScanner {
  /// The last row's canonical line, without the LF.
  let line = ByteBuffer(capacity: 1024)
  private(set) var start: Int64 = 0
  private(set) var duration: Double = 0

  private let columns: RescueTimeColumns
  /// Each role's column, -1 for none (read per cell: not an Array, whose every read from
  /// here retained it).
  private let roleColumns: UnsafeMutableBufferPointer<Int>
  private let buckets: RescueTimeBuckets
  private let idInput = ByteBuffer(capacity: 512)
  /// `,"attrs":{"report":"activity"` and its resolution, made for the resolution in force.
  private let attrsHeadBytes = ByteBuffer(capacity: 128)
  private var attrsHeadResolution: RescueTimeResolution?
  private var attrsHeadMade = false
  /// Each other column's name as a JSON string with its colon: `"Name":`.
  private let otherKeys: [[UInt8]]
  /// The last Date parsed, as written, and what it gave.
  private let lastDate = ByteBuffer(capacity: 64)
  private var lastParsed: ParsedTimestamp?
  /// The bucket label of `lastParsed`.
  private var lastLabel: Int64 = 0
  /// The last start written and its text.
  private var lastStart: Int64?
  private let lastStartText = ByteBuffer(capacity: 32)
  /// The report's name (the id's first part).
  /// (A ByteBuffer, not an Array: Arrays appended per row cost 2% of rt-read.)
  private let reportName = ByteBuffer(capacity: 64)
  /// The last offset written, as text.
  private let offsetText = RepeatedOffsetText()
  /// The tails of rows seen, by their bytes from the third field on; kept only when the Date
  /// and the seconds are the first two columns and every other column the scanner reads
  /// comes after them (`keepsTails`: the API's interval reports), so that those bytes
  /// settle the rest of the row.
  private let tails = SeenRowParts()
  private let keepsTails: Bool

  /// What a view of the last row points at: the text fields (the cells, where the CSV
  /// reader or the JSON tokenizer keeps them until the next row) and where the line holds
  /// the rest.
  /// Set only by a scan `forView`. (Plain properties, not an array: an array's stores cost
  /// 2% of rt-read.)
  private var person: UnsafeRawBufferPointer?, activity: UnsafeRawBufferPointer?, document: UnsafeRawBufferPointer?
  private var url: UnsafeRawBufferPointer?, category: UnsafeRawBufferPointer?
  private var productivity: Int?
  private var idRange = 0..<0, sourceRange = 0..<0, kindRange = 0..<0, startRange = 0..<0
  private var offsetRange = 0..<0, attrsRange = 0..<0

  /// Attrs keys the reader itself sets; an other column of one of these names (or two
  /// of one name) would be stored over, which only the general way does.
  private static let readerKeys: Set<String> = ["report", "resolution", "rank", "people", "efficiency", "efficiency_percent", "seconds", "until"]

  /// nil when the header or the options rule the scanner out (reports without dates,
  /// --layout).
  init?(columns: RescueTimeColumns, buckets: RescueTimeBuckets, layout: Bool) {
    let names = columns.others.map(\.name)
    guard columns.perspective == .interval, !layout, Set(names).count == names.count,
      names.allSatisfy({ !RescueTimeRowScanner.readerKeys.contains($0) })
    else { return nil }
    self.columns = columns
    self.buckets = buckets
    roleColumns = .allocate(capacity: RescueTimeColumns.Role.allCases.count)
    for role in RescueTimeColumns.Role.allCases { roleColumns[role.rawValue] = columns.index[role] ?? -1 }
    reportName.append(columns.report.rawValue)
    let dateAndSeconds: Set<Int?> = [columns.index[.date], columns.index[.seconds]]
    let after = RescueTimeColumns.Role.allCases.filter { $0 != .date && $0 != .seconds }.compactMap { columns.index[$0] }
      + columns.others.map(\.index)
    keepsTails = dateAndSeconds == [0, 1] && after.allSatisfy { $0 >= RescueTimeRowScanner.tailFrom }
    otherKeys = names.map { name in
      let out = ByteBuffer()
      out.appendJSONString(name)
      out.append(UInt8(ascii: ":"))
      return out.array
    }
  }

  deinit { roleColumns.deallocate() }

  /// Writes the canonical line of the row `cells` holds; false when the row is not one the
  /// scanner takes (nothing is changed then but the Date last parsed and the bucket).
  func scan<Cells: RescueTimeByteCells>(_ cells: Cells) -> Bool {
    line.removeAll()
    return scan(cells, appendingTo: line, forView: true)
  }

  /// As `scan(_:)`, the line (without its LF) written at the end of `target` (a block's
  /// output, not copied there from `line`); `fill(_:)` needs the line in `line` and
  /// `forView` (what a view points at is kept only then: a block's rows need none of it).
  func scan<Cells: RescueTimeByteCells>(_ cells: Cells, appendingTo target: ByteBuffer, forView: Bool = false) -> Bool {
    let cellCount = cells.cellCount
    @inline(__always) func cell(_ role: RescueTimeColumns.Role) -> UnsafeRawBufferPointer? {
      let at = roleColumns[role.rawValue]
      guard at >= 0, at < cellCount else { return nil }
      return cells.cell(at)
    }
    guard let date = cell(.date), parse(date), let seconds = cell(.seconds).flatMap(RescueTimeRowScanner.wholeSeconds)
    else { return false }
    // A row whose tail was seen is written from it (a block's rows only: a view points at cells).
    var tailKey = UnsafeRawBufferPointer(start: nil, count: 0), tailHash: UInt64 = 0
    if !forView, keepsTails, tails.inUse(), let key = cells.rawTail(from: RescueTimeRowScanner.tailFrom) {
      (tailKey, tailHash) = (key, SeenRowParts.hash(key))
      if let entry = tails.find(key, hash: tailHash) {
        // The row's cells are those of a row taken before: it is taken.
        if buckets.label != lastLabel { buckets.enter(lastParsed!, label: lastLabel) }
        if tails.use(generation: buckets.writing) {
          return scan(date: date, seconds: seconds, tail: entry, appendingTo: target)
        }
      }
    }
    let rank = cell(.rank), people = cell(.people)
    let efficiency = cell(.efficiency), efficiencyPercent = cell(.efficiencyPercent)
    if let rank, !RescueTimeRowScanner.isWholeJSONNumber(rank) { return false }
    if let people, !RescueTimeRowScanner.isWholeJSONNumber(people) { return false }
    if let efficiency, !InputNumber.isJSONNumber(efficiency) { return false }
    if let efficiencyPercent, !InputNumber.isJSONNumber(efficiencyPercent) { return false }
    var productivity: Int?
    let productivityText = cell(.productivity)
    if let productivityText {
      guard let value = RescueTimeRowScanner.productivity(productivityText) else { return false }
      productivity = value
    }
    // Past this point the row is taken: the bucket may change.
    if buckets.label != lastLabel { buckets.enter(lastParsed!, label: lastLabel) }
    guard ends(start: buckets.start, seconds: seconds) else {
      return false  // the general way says what is wrong
    }
    start = buckets.start
    duration = seconds

    let person = cell(.person), activity = cell(.activity), category = cell(.category)
    let documentCell = cell(.document)
    var document = documentCell
    if let text = document, text.sameBytes(as: RescueTimeRowScanner.noDetails) { document = nil }
    let url = activity.flatMap { WebDomain.looksLikeDomain(bytes: $0) ? $0 : nil }

    // Written through a cursor: room made before each run of pieces, none checked after.
    let lineStart = target.count
    var out = target.cursor(room: 256)  // up to the duration (a start's text is at most 30 bytes)
    out.put(literal: "{\"id\":\"")
    let idStart = out.at - target.base - lineStart
    out.put(literal: "rescuetime:")
    let hexOffset = out.at - target.base - lineStart
    out.at += 32  // the id's digits, written once its input is
    let idRange = idStart..<(hexOffset + 32)
    out.put(literal: "\",\"source\":\"")
    let sourceAt = out.at - target.base - lineStart
    let sourceRange = sourceAt..<(sourceAt + 10)
    out.put(literal: "rescuetime\",\"kind\":\"")
    let kindRange = (sourceAt + 20)..<(sourceAt + 27)
    out.put(literal: "summary\",\"start\":\"")
    let startAt = out.at - target.base - lineStart
    out.put(startText())
    let startRange = startAt..<(out.at - target.base - lineStart)
    out.put(literal: "\",\"duration\":")
    out.put(integer: Int64(duration))  // whole seconds, as appendJSONNumber writes them
    let tailStart = out.at - target.base
    // The canonical order: user, app, title, url, category.
    out.putJSONMember(",\"user\":", person, in: target)
    out.putJSONMember(",\"app\":", activity, in: target)
    out.putJSONMember(",\"title\":", document, in: target)
    out.putJSONMember(",\"url\":", url, in: target)
    out.putJSONMember(",\"category\":", category, in: target)
    let attrsHead = attrsHead()
    out.ensure(128 &+ attrsHead.count, in: target)  // productivity, offset and the attrs' head
    if let productivity {
      out.put(literal: ",\"productivity\":")
      out.put(integer: Int64(productivity))
    }
    var offsetRange = 0..<0
    if let offset = buckets.offsetSeconds {
      out.put(literal: ",\"offset\":\"")
      let at = out.at - target.base - lineStart
      out.put(offsetText.bytes(offset))
      offsetRange = at..<(out.at - target.base - lineStart)
      out.put(UInt8(ascii: "\""))
    }

    // attrs, in the general way's order.
    let attrsStart = out.at - target.base - lineStart
    out.put(attrsHead)
    @inline(__always) func number(_ key: StaticString, _ value: UnsafeRawBufferPointer?) {
      guard let value else { return }
      out.ensure(value.count &+ 48, in: target)
      out.put(literal: key)
      out.put(value)
    }
    number(",\"rank\":", rank)
    number(",\"people\":", people)
    number(",\"efficiency\":", efficiency)
    number(",\"efficiency_percent\":", efficiencyPercent)
    for (k, other) in columns.others.enumerated() where other.index < cellCount {
      guard let text = cells.cell(other.index) else { continue }
      let key = otherKeys[k]
      out.ensure(key.count &+ ByteCursor.jsonStringRoom(text.count) &+ 16, in: target)
      out.put(UInt8(ascii: ","))
      key.withUnsafeBytes { out.put($0) }
      out.putJSONString(text)
    }
    out.ensure(2, in: target)
    out.put(UInt8(ascii: "}"))
    let attrsRange = attrsStart + 9..<(out.at - target.base - lineStart)  // after ,"attrs":
    out.put(UInt8(ascii: "}"))
    target.commit(out)

    writeIDInput(date: date, person, activity, documentCell, category, productivityText, efficiency)
    if tailKey.count > 0 {
      _ = tails.use(generation: buckets.writing)
      let idHead = reportName.count &+ 1 &+ date.count
      // The pieces: the line's end and the id input's end.
      tails.keep(tailKey, hash: tailHash, UnsafeRawBufferPointer(start: target.base + tailStart, count: target.count &- tailStart),
                 UnsafeRawBufferPointer(rebasing: idInput.bytes[idHead...]))
    }
    let hash = buckets.repeats.mark(idInput, bucket: date)
    EventID.writeHex(hash, to: UnsafeMutableRawPointer(target.base + lineStart + hexOffset))
    if forView {
      (self.person, self.activity, self.document, self.url, self.category) = (person, activity, document, url, category)
      (self.productivity, self.idRange, self.sourceRange, self.kindRange) = (productivity, idRange, sourceRange, kindRange)
      (self.startRange, self.offsetRange, self.attrsRange) = (startRange, offsetRange, attrsRange)
    }
    return true
  }

  /// Makes `view` the view of the last row scanned: over `line` and the row's cells (where
  /// the CSV reader or the JSON tokenizer keeps them), valid until either moves on.
  func fill(_ view: EventView) {
    let range = view.startFilling(from: line)
    view.id = range(idRange)
    view.source = range(sourceRange)
    view.kind = range(kindRange)
    view.start = start
    view.startText = range(startRange)
    view.duration = duration
    @inline(__always) func set(_ index: Int, _ text: UnsafeRawBufferPointer?) {
      // An empty cell is an empty text, not an absent one.
      if let text { view.strings[index] = text.baseAddress == nil ? RescueTimeRowScanner.empty : text }
    }
    set(Event.OptionalString.user, person)
    set(Event.OptionalString.app, activity)
    set(Event.OptionalString.title, document)
    set(Event.OptionalString.url, url)
    set(Event.OptionalString.category, category)
    view.productivity = productivity
    view.offset = range(offsetRange)
    view.attrsJSON = range(attrsRange)
  }

  // MARK: Pieces

  private static var noDetails: UnsafeRawBufferPointer { bytes("No Details") }
  private static var empty: UnsafeRawBufferPointer { bytes("") }
  @inline(__always) private static func bytes(_ text: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
  }

  /// Reads a Date as the general way reads it, kept while the Dates repeat (most buckets
  /// hold several rows): into `lastParsed` and `lastLabel`; false, with those as they
  /// were, for spaces around it or a text that is not a date and time. (Not handed back:
  /// only a new bucket needs it, and the copy out for each row, with the attrs head's test
  /// of a double Optional, took 36 instructions a row.)
  private func parse(_ date: UnsafeRawBufferPointer) -> Bool {
    if lastParsed != nil, lastDate.bytes.sameBytes(as: date) { return true }
    guard let first = date.first, let last = date.last, first != 0x20, first != 0x09, last != 0x20, last != 0x09 else { return false }
    var error = ""
    guard let parsed = Timestamp.parse(date, error: &error) else { return false }
    lastDate.removeAll()
    lastDate.append(date)
    lastParsed = parsed
    lastLabel = parsed.local.secondsAsIfUTC
    return true
  }

  /// Seconds written as whole digits (up to nine, so no overflow) within the spec's longest
  /// event; nil for anything else.
  private static func wholeSeconds(_ text: UnsafeRawBufferPointer) -> Double? {
    guard !text.isEmpty, text.count <= 9 else { return nil }
    var value = 0
    for byte in text {
      let digit = byte &- 0x30
      guard digit <= 9 else { return nil }
      value = value * 10 + Int(digit)
    }
    return EventSpec.takesDuration(Double(value)) ? Double(value) : nil
  }

  /// `EventSpec.endMillis(start:seconds:) != nil` for `wholeSeconds`' seconds (whole and
  /// within the longest event: nothing to round, no overflow).
  /// (Its bounds held here: read through their globals, each row checked they were made.)
  @inline(__always)
  private func ends(start: Int64, seconds: Double) -> Bool {
    start >= minMillis && start <= maxMillis && start &+ Int64(seconds) &* 1000 <= maxMillis
  }
  private let minMillis = Timestamp.minMillis, maxMillis = Timestamp.maxMillis

  /// A whole number as the general way keeps it as written: JSON's grammar and Int64's range.
  private static func isWholeJSONNumber(_ text: UnsafeRawBufferPointer) -> Bool {
    InputNumber.isJSONNumber(text) && NumberText.int64(text) != nil
  }

  /// "-2" to "2".
  private static func productivity(_ text: UnsafeRawBufferPointer) -> Int? {
    if text.count == 1, text[0] &- 0x30 <= 2 { return Int(text[0] &- 0x30) }
    if text.count == 2, text[0] == UInt8(ascii: "-"), text[1] &- 0x30 <= 2 { return -Int(text[1] &- 0x30) }
    return nil
  }

  private func attrsHead() -> UnsafeRawBufferPointer {
    let resolution = buckets.resolution
    if !attrsHeadMade || attrsHeadResolution != resolution {
      (attrsHeadMade, attrsHeadResolution) = (true, resolution)
      let out = attrsHeadBytes
      out.removeAll()
      out.append(literal: ",\"attrs\":{\"report\":")
      out.appendJSONString(columns.report.rawValue)
      if let resolution {
        out.append(literal: ",\"resolution\":")
        out.appendJSONString(resolution.rawValue)
      }
    }
    return attrsHeadBytes.bytes
  }

  /// The id's input as `RescueTimeAPIReader.id(_:columns:date:row:)` joins it, and its hash:
  /// the cells are those of `identityRoles`, in its order. (Given the cells, not a way to
  /// find them: a closure called per role through the static array cost a third of this,
  /// and kept the scan's own cell lookups from being inlined.)
  private func writeIDInput(date: UnsafeRawBufferPointer, _ person: UnsafeRawBufferPointer?, _ activity: UnsafeRawBufferPointer?,
                            _ document: UnsafeRawBufferPointer?, _ category: UnsafeRawBufferPointer?,
                            _ productivity: UnsafeRawBufferPointer?, _ efficiency: UnsafeRawBufferPointer?) {
    idInput.removeAll()
    var out = idInput.cursor(room: reportName.count &+ date.count &+ 32)
    out.put(reportName.bytes)
    out.put(0x1F)
    out.put(date)
    @inline(__always) func part(_ cell: UnsafeRawBufferPointer?) {
      out.ensure((cell?.count ?? 0) &+ 17, in: idInput)
      out.put(0x1F)
      if let cell { out.put(cell) }
    }
    part(person)
    part(activity)
    part(document)
    part(category)
    part(productivity)
    part(efficiency)
    idInput.commit(out)
  }

  /// Writes the lines of the records at the start of `records` that `eid_csv_plain_record`
  /// finds and whose tails were seen, as `scan` would from the CSV reader's fields, into
  /// `output`, each kept by `keeps` counted in `kept`, `messages` marked before each as a
  /// block's thread marks it; stops at the first record of any other kind (or one that needs
  /// the rows before the block: `handBack`), which the CSV reader reads. What it took.
  func scanPlainRecords(_ records: UnsafeRawBufferPointer, dialect: CSVDialect, to output: ByteBuffer, messages: DiagnosticsRecording,
                        keeps: (Int64) -> Bool, kept: inout Int) -> CSVRecordsTaken {
    var taken = CSVRecordsTaken()
    guard keepsTails, tails.count > 0, var p = records.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return taken }
    let end = p + records.count
    let (delimiter, quote) = (dialect.delimiter, dialect.quote)
    while true {
      var first = 0, second = 0, lines = 0
      let length = eid_csv_plain_record(p, end, delimiter, quote, &first, &second, &lines)
      guard length > 0 else { break }
      let date = UnsafeRawBufferPointer(start: p, count: first)
      guard parse(date), let seconds = RescueTimeRowScanner.wholeSeconds(UnsafeRawBufferPointer(start: p + first + 1, count: second &- first &- 1))
      else { break }
      let key = UnsafeRawBufferPointer(start: p + second, count: length &- second)
      guard let entry = tails.find(key, hash: SeenRowParts.hash(key)) else { break }
      messages.mark = output.count
      buckets.clearNeededRowsBefore()
      if buckets.label != lastLabel {
        buckets.enter(lastParsed!, label: lastLabel)
        if buckets.neededRowsBefore {
          taken.handBack = true
          break
        }
      }
      guard tails.use(generation: buckets.writing) else { break }
      let before = output.count
      guard scan(date: date, seconds: seconds, tail: entry, appendingTo: output) else { break }  // the general way says why
      output.append(0x0A)
      if keeps(start) { kept += 1 } else { output.commit(before &- output.count) }
      taken.bytes &+= length
      taken.lines &+= lines
      p += length
    }
    return taken
  }

  /// Cells from the third on settle a row's tail (`tails`).
  private static let tailFrom = 2

  /// The line of a row whose tail was seen (`tails`): the head written here, the tail
  /// copied, and the id's input made of the Date and the tail's.
  private func scan(date: UnsafeRawBufferPointer, seconds: Double, tail: SeenRowParts.Entry, appendingTo target: ByteBuffer) -> Bool {
    guard ends(start: buckets.start, seconds: seconds) else { return false }
    start = buckets.start
    duration = seconds
    let (lineEnd, idEnd) = (tail.piece(0), tail.piece(1))
    // 18 + 32 (the id) + 50 + 30 (the start) + 13 + 20 (the seconds), and the tail with
    // the 16 bytes a short copy stores (`ByteCursor.put`). (It was 128 and the tail: a
    // line written at the very end of a block's buffer went past it, and rt-read's heap
    // was corrupted in about one run in 40 of the 100 MB bench file.)
    var out = target.cursor(room: 163 &+ max(16, lineEnd.count))
    out.put(literal: "{\"id\":\"rescuetime:")
    let hexAt = out.at - target.base
    out.at += 32
    out.put(literal: "\",\"source\":\"rescuetime\",\"kind\":\"summary\",\"start\":\"")
    out.put(startText())
    out.put(literal: "\",\"duration\":")
    out.put(integer: Int64(duration))
    out.put(lineEnd)
    target.commit(out)

    idInput.removeAll()
    var id = idInput.cursor(room: reportName.count &+ date.count &+ idEnd.count &+ 32)
    id.put(reportName.bytes)
    id.put(0x1F)
    id.put(date)
    id.put(idEnd)
    idInput.commit(id)
    EventID.writeHex(buckets.repeats.mark(idInput, bucket: date), to: UnsafeMutableRawPointer(target.base + hexAt))
    return true
  }

  /// The start's canonical text, kept while it repeats (a bucket's rows share it); a new
  /// one with the last day's date copied (`CanonicalTimeWriter`: written whole, a new
  /// bucket's start took about 50 instructions more).
  private func startText() -> UnsafeRawBufferPointer {
    if start != lastStart {
      lastStart = start
      lastStartText.removeAll()
      canonicalTime.write(start, to: lastStartText.reserve(Timestamp.canonicalLength))
      lastStartText.commit(Timestamp.canonicalLength)
    }
    return lastStartText.bytes
  }

  private var canonicalTime = CanonicalTimeWriter()

}

/// A row's cells as bytes, for `RescueTimeRowScanner`.
protocol RescueTimeByteCells {
  var cellCount: Int { get }
  /// Cell `index`'s text (a JSON number's or literal's as written); nil for a JSON null.
  func cell(_ index: Int) -> UnsafeRawBufferPointer?
  /// The row's bytes as written from cell `index` on, which settle every cell from there
  /// (`CSVFields.rawRecordTail`); nil where there are none such (a JSON row).
  func rawTail(from index: Int) -> UnsafeRawBufferPointer?
}

extension RescueTimeByteCells {
  func rawTail(from index: Int) -> UnsafeRawBufferPointer? { nil }
}

extension CSVReader: RescueTimeByteCells {
  var cellCount: Int { fieldCount }
  @inline(__always) func cell(_ index: Int) -> UnsafeRawBufferPointer? { field(index) }
  @inline(__always) func rawTail(from index: Int) -> UnsafeRawBufferPointer? { rawRecordTail(from: index) }
}

extension CSVBlockRow: RescueTimeByteCells {
  var cellCount: Int { fieldCount }
  @inline(__always) func cell(_ index: Int) -> UnsafeRawBufferPointer? { field(index) }
  @inline(__always) func rawTail(from index: Int) -> UnsafeRawBufferPointer? { rawRecordTail(from: index) }
}
