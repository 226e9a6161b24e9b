import CByteMarks

/// The fast way from one Toggl CSV row to its canonical line: the row's cells are read
/// as bytes where the CSV reader left them and the line is written from them, with no
/// String per cell and no Event in between (bench/README.md, "toggl-read on bytes").
///
/// It takes the rows Toggl writes: dates as YYYY-MM-DD and times as HH:MM:SS, a start
/// that exists once in the zone, an end and a Duration (HH:MM:SS) that agree exactly, or
/// either alone, tags and Billable that need no Unicode rules. For any other row it
/// answers "not this way" and `TogglCSVReader` reads the row the general way, which
/// gives the event, the warning or the error. Both give the same line byte for byte
/// (the tests and the `toggl-view` fuzz target compare them).
final class TogglCSVRowScanner {
  /// The last row's canonical line, without the LF, and its start and duration.
  let line = ByteBuffer(capacity: 1024)
  private(set) var start: Int64 = 0
  private(set) var duration: Double = 0

  private let columns: TogglColumns
  private let zone: ZoneConverter?
  private let idInput = ByteBuffer(capacity: 512)
  private let tags = ByteBuffer(capacity: 256)
  /// The tags joined by "," (the id's input).
  private let joinedTags = ByteBuffer(capacity: 256)
  /// The tags cells seen (a person's handful of tags, in entry after entry), by their bytes:
  /// the JSON array and the tags joined by ",", as `splitTags` wrote them.
  private let tagsSeen = SeenRowParts()
  /// Each other column's name as a JSON string with its colon: `"Name":`.
  private let otherKeys: [[UInt8]]
  /// The currency an "Amount (EUR)" header names, for the attrs.
  private let amountCurrency: ByteBuffer?
  /// Each role's column by its raw value, `Int.max` for none: read once per row and role
  /// with no bounds or Optional to check (`ColumnIndex`'s array checks both, for 16 cells a row).
  private let columnOf: UnsafeMutablePointer<Int>
  /// The last offset written, as text.
  private let offsetText = RepeatedOffsetText()
  /// The days of the last date read.
  private var wallClock = WallClockSeconds()
  /// The start's canonical text, the last date kept.
  private var canonicalTime = CanonicalTimeWriter()
  /// What the heads of rows seen came to (User, Email, Client, Project and Task: the first
  /// five columns of every Toggl export, and the same few people and projects in entry after
  /// entry), by their raw bytes (`CSVFields.rawRecordHead`); kept only when those are the
  /// first five columns and there is no id column (`keepsHeads`), so that those bytes settle
  /// the head's part of the line and of the id. The pieces: the line's members from `user`
  /// to `task`, the email, the id input's head and MurmurHash3's state after its blocks.
  private let heads = SeenRowParts()
  private let keepsHeads: Bool
  private static let headColumns = 5

  /// What a view of the last row points at: its text fields and its tags cell (where the
  /// CSV reader keeps them until its next row), and where the line holds the start, the
  /// tags array, the offset and the attrs; set only by a scan `forView`. Plain
  /// properties, not arrays: an array's stores cost 4% of toggl-read.
  private var user: UnsafeRawBufferPointer?, project: UnsafeRawBufferPointer?, client: UnsafeRawBufferPointer?
  private var task: UnsafeRawBufferPointer?, description: UnsafeRawBufferPointer?
  private var tagsCell: UnsafeRawBufferPointer?
  private var billable: Bool?
  private var startOffset = 0, tagsRange = 0..<0, offsetRange = 0..<0, attrsRange = 0..<0

  /// TogglColumns gives the other columns attrs keys of their own (none is a reader's).
  init(columns: TogglColumns, zone: ZoneConverter?) {
    let names = columns.others.map(\.name)
    self.columns = columns
    self.zone = zone
    otherKeys = names.map { name in
      let out = ByteBuffer()
      out.appendJSONString(name)
      out.append(UInt8(ascii: ":"))
      return out.array
    }
    amountCurrency = columns.amountCurrency.map { name in
      let out = ByteBuffer()
      out.append(name)
      return out
    }
    columnOf = .allocate(capacity: TogglColumns.Role.allCases.count)
    for role in TogglColumns.Role.allCases { columnOf[role.rawValue] = columns.index[role] ?? Int.max }
    let head: [TogglColumns.Role] = [.user, .email, .client, .project, .task]
    keepsHeads = head.map { columns.index[$0] } == Array(0..<TogglCSVRowScanner.headColumns) && columns.index[.id] == nil
  }

  deinit {
    columnOf.deallocate()
  }

  /// Writes the canonical line of the row `csv` holds; false when the row is not one the
  /// scanner takes (nothing else is changed then).
  func scan<Row: CSVFields>(_ csv: Row) -> Bool {
    line.removeAll()
    return scan(csv, appendingTo: line, forView: true)
  }

  /// As `scan(_:)`, the line (without its LF) written at the end of `target` (a block's
  /// output, not copied there from `line`); `fill(_:)` needs the line in `line` and
  /// `forView` (what a view points at is kept only then: a block's rows need none of it,
  /// and its stores cost 28 instructions a row on toggl-read's bench file).
  func scan<Row: CSVFields>(_ csv: Row, appendingTo target: ByteBuffer, forView: Bool = false) -> Bool {
    @inline(__always) func cell(_ role: TogglColumns.Role) -> UnsafeRawBufferPointer? {
      let index = columnOf[role.rawValue]
      guard index < csv.fieldCount else { return nil }
      return TogglCSVRowScanner.normalized(csv.field(index))
    }
    guard let startDate = cell(.startDate), let startTime = cell(.startTime),
      let start = instant(startDate, startTime)
    else { return false }
    let zoneOffset = zone?.offset(atMillis: start) ?? 0
    var listed: Double?
    if let text = cell(.duration) {
      guard let seconds = TogglDuration.clock(text), EventSpec.takesDuration(seconds) else { return false }
      listed = seconds
    }
    if let endDate = cell(.endDate), let endTime = cell(.endTime) {
      guard let end = instant(endDate, endTime), end >= start else { return false }
      duration = Double(end - start) / 1000
      // One that differs takes the Duration and keeps the end in attrs: the general way.
      if let listed, listed != duration { return false }
    } else if let listed {
      duration = listed
    } else {
      return false  // a running entry
    }
    guard EventSpec.takesStart(start), EventSpec.endMillis(start: start, seconds: duration) != nil else { return false }
    self.start = start

    // The head from what a row with the same head bytes came to (a block's rows only: a
    // view points at the cells), or from its cells.
    var headKey = UnsafeRawBufferPointer(start: nil, count: 0), headHash: UInt64 = 0
    var head: SeenRowParts.Entry?
    if !forView, keepsHeads, heads.inUse(), let key = csv.rawRecordHead(before: TogglCSVRowScanner.headColumns) {
      (headKey, headHash) = (key, SeenRowParts.hash(key))
      head = heads.find(key, hash: headHash)
    }
    var user: UnsafeRawBufferPointer?, client: UnsafeRawBufferPointer?, project: UnsafeRawBufferPointer?
    var task: UnsafeRawBufferPointer?, email: UnsafeRawBufferPointer?
    if let head {
      if head.counts.1 > 0 { email = head.piece(1) }  // (a cell read is never empty: `normalized`)
    } else {
      (user, client, project, task, email) = (cell(.user), cell(.client), cell(.project), cell(.task), cell(.email))
    }
    let description = cell(.description), amount = cell(.amount), togglID = cell(.id)
    let tagsCell = cell(.tags)
    // The tags as a JSON array and joined by "," (empty for no tags cell).
    var tagsJSON = UnsafeRawBufferPointer(start: nil, count: 0), tagsJoined = UnsafeRawBufferPointer(start: nil, count: 0)
    if let text = tagsCell {
      guard let taken = takeTags(text, seen: !forView) else { return false }
      (tagsJSON, tagsJoined) = taken
    }
    var billable: Bool?
    var oddBillable: UnsafeRawBufferPointer?
    if let text = cell(.billable) {
      guard let word = TogglCSVRowScanner.billableWord(text) else { return false }
      switch word {
      case .yes: billable = true
      case .no: billable = false
      case .other: oddBillable = text
      }
    }

    // Written through a cursor: room made before each run of pieces, none checked after.
    let lineStart = target.count
    var out = target.cursor(room: 160)  // up to the duration
    out.put(literal: "{\"id\":\"toggl:")
    let hexOffset = out.at - target.base - lineStart
    out.at += 32  // the id's digits, written once its input is
    out.put(literal: "\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"")
    let startOffset = out.at - target.base - lineStart
    canonicalTime.write(start, to: out.at)
    out.at += Timestamp.canonicalLength
    out.put(literal: "\",\"duration\":")
    let durationOffset = out.at - target.base - lineStart
    out.putJSONNumber(duration, in: target)
    target.commit(out)
    let startText = UnsafeRawBufferPointer(start: target.base + lineStart + startOffset, count: Timestamp.canonicalLength)
    // The id's input takes the duration as the line has it (written once).
    let durationText = UnsafeRawBufferPointer(start: target.base + lineStart + durationOffset, count: target.count &- lineStart &- durationOffset)
    let hash: (UInt64, UInt64)
    var idHeadCount = 0
    if let togglID {
      writeIDInput(togglID: togglID)
      hash = MurmurHash3.x64_128(idInput.bytes)
    } else if let head {
      let idHead = head.piece(2)
      idInput.removeAll()
      idInput.append(idHead)
      writeIDInputRest(description: description, start: startText, duration: durationText, tags: tagsJoined)
      let state = head.piece(3).baseAddress!
      hash = MurmurHash3.x64_128(idInput.bytes, after: idHead.count,
                                 state: (state.loadUnaligned(as: UInt64.self), state.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    } else {
      writeIDInputHead(user: user, email: email, client: client, project: project, task: task)
      idHeadCount = idInput.count
      writeIDInputRest(description: description, start: startText, duration: durationText, tags: tagsJoined)
      hash = MurmurHash3.x64_128(idInput.bytes)
    }
    EventID.writeHex(hash, to: UnsafeMutableRawPointer(target.base + lineStart + hexOffset))
    // The canonical order: user, project, client, task, description.
    let membersStart = out.at - target.base
    if let head {
      let members = head.piece(0)
      out.ensure(members.count &+ 16, in: target)
      out.put(members)
    } else {
      out.putJSONMember(",\"user\":", user, in: target)
      out.putJSONMember(",\"project\":", project, in: target)
      out.putJSONMember(",\"client\":", client, in: target)
      out.putJSONMember(",\"task\":", task, in: target)
      if headKey.count > 0 {
        // Kept for the rows with the same head bytes to come.
        let idHead = UnsafeRawBufferPointer(rebasing: idInput.bytes[..<idHeadCount])
        var state = MurmurHash3.state(after: idHead)
        withUnsafeBytes(of: &state) { state in
          heads.keep(headKey, hash: headHash, UnsafeRawBufferPointer(start: target.base + membersStart, count: out.at - target.base &- membersStart),
                     email ?? UnsafeRawBufferPointer(start: nil, count: 0), idHead, state)
        }
      }
    }
    out.putJSONMember(",\"description\":", description, in: target)
    var tagsRange = 0..<0
    out.ensure(tagsJSON.count &+ 96, in: target)  // the tags, billable and the offset
    if tagsCell != nil {
      out.put(literal: ",\"tags\":")
      let at = out.at - target.base - lineStart
      out.put(tagsJSON)
      tagsRange = at..<(out.at - target.base - lineStart)
    }
    if let billable {
      if billable { out.put(literal: ",\"billable\":true") } else { out.put(literal: ",\"billable\":false") }
    }
    var offsetRange = 0..<0
    if zone != nil {
      out.put(literal: ",\"offset\":\"")
      let at = out.at - target.base - lineStart
      out.put(offsetText.bytes(zoneOffset))
      offsetRange = at..<(out.at - target.base - lineStart)
      out.put(UInt8(ascii: "\""))
    }

    // attrs, in the general way's order.
    let attrsStart = out.at - target.base - lineStart
    var first = true
    @inline(__always) func member(_ key: StaticString, _ value: UnsafeRawBufferPointer?) {
      guard let value else { return }
      out.putAttr(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount), value, first: &first, in: target)
    }
    member("\"billable\":", oddBillable)
    member("\"email\":", email)
    member("\"amount\":", amount)
    if let currency = cell(.currency) {
      member("\"currency\":", currency)
    } else if amount != nil, amountCurrency != nil {
      // (The property itself: bound to a name, it was retained and released for each row
      // with an amount.)
      member("\"currency\":", amountCurrency!.bytes)
    }
    member("\"toggl_id\":", togglID)
    if !otherKeys.isEmpty {  // (most exports: none, and no iterator made)
      for (k, other) in columns.others.enumerated() where other.index < csv.fieldCount {
        guard let text = TogglCSVRowScanner.normalized(csv.field(other.index)) else { continue }
        otherKeys[k].withUnsafeBytes { out.putAttr($0, text, first: &first, in: target) }
      }
    }
    out.ensure(2, in: target)
    var attrsRange = 0..<0
    if !first {
      out.put(UInt8(ascii: "}"))
      attrsRange = attrsStart + 9..<(out.at - target.base - lineStart)  // after ,"attrs":
    }
    out.put(UInt8(ascii: "}"))
    target.commit(out)
    if forView {
      (self.user, self.project, self.client, self.task, self.description) = (user, project, client, task, description)
      (self.tagsCell, self.billable, self.startOffset) = (tagsCell, billable, startOffset)
      (self.tagsRange, self.offsetRange, self.attrsRange) = (tagsRange, offsetRange, attrsRange)
    }
    return true
  }

  /// Makes `view` the view of the last row scanned: over `line` and the CSV reader's
  /// cells, valid until either moves on.
  func fill(_ view: EventView) {
    let range = view.startFilling(from: line)
    let base = range.base
    view.id = UnsafeRawBufferPointer(start: base + 7, count: 38)  // after {"id":"
    // {"id":"toggl:<32 hex digits>","source":"toggl","kind":"time_entry",...
    view.source = UnsafeRawBufferPointer(start: base + 57, count: 5)
    view.kind = UnsafeRawBufferPointer(start: base + 72, count: 10)
    view.start = start
    view.startText = UnsafeRawBufferPointer(start: base + startOffset, count: 24)
    view.duration = duration
    if let user { view.strings[Event.OptionalString.user] = user }
    if let project { view.strings[Event.OptionalString.project] = project }
    if let client { view.strings[Event.OptionalString.client] = client }
    if let task { view.strings[Event.OptionalString.task] = task }
    if let description { view.strings[Event.OptionalString.description] = description }
    view.hasTags = tagsCell != nil
    view.tagsJSON = range(tagsRange)
    if let tagsCell { _ = TogglCSVRowScanner.forEachTag(in: tagsCell) { view.tagList.append($0) } }
    view.billable = billable
    view.offset = range(offsetRange)
    view.attrsJSON = range(attrsRange)
  }

  // MARK: Pieces

  /// A cell as the general way reads it: nil when empty or "-", else without the quote
  /// that guarded a formula (TogglCSVWriter.unescapeFormula).
  @inline(__always)
  static func normalized(_ text: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    if text.isEmpty || (text.count == 1 && text[0] == UInt8(ascii: "-")) { return nil }
    guard text.count >= 2, text[0] == UInt8(ascii: "'"), TogglCSVWriter.needsFormulaGuard(text[1]) else { return text }
    return UnsafeRawBufferPointer(rebasing: text.dropFirst())
  }

  /// "YYYY-MM-DD" and "HH:MM:SS" as UTC milliseconds; nil for
  /// another layout, a time that is not valid, or one the zone skips or repeats.
  private func instant(_ date: UnsafeRawBufferPointer, _ time: UnsafeRawBufferPointer) -> Int64? {
    // (`TogglCSVReader.usualLocalDateTime`'s layout, and `isValid`.)
    guard date.count == 10, time.count == 8, let wall = wallClock.seconds(date: date.baseAddress!, time: time.baseAddress!) else {
      return nil
    }
    guard let zone else { return wall &* 1000 }
    let (millis, resolution) = zone.toUTCMillis(wall: wall, subsecondMillis: 0)
    return resolution == .exact ? millis : nil
  }

  private enum BillableWord { case yes, no, other }

  /// yes/true/1 or no/false/0 in any case; nil for text past ASCII (whose lower case
  /// the general way takes by Unicode's rules).
  private static func billableWord(_ text: UnsafeRawBufferPointer) -> BillableWord? {
    // The usual two first, by their bytes.
    if text.count == 2 && text[0] | 0x20 == UInt8(ascii: "n") && text[1] | 0x20 == UInt8(ascii: "o") { return .no }
    if text.count == 3 && text[0] | 0x20 == UInt8(ascii: "y") && text[1] | 0x20 == UInt8(ascii: "e") && text[2] | 0x20 == UInt8(ascii: "s") {
      return .yes
    }
    guard text.allSatisfy({ $0 < 0x80 }) else { return nil }
    @inline(__always) func equals(_ word: StaticString) -> Bool {
      guard text.count == word.utf8CodeUnitCount else { return false }
      for k in 0..<text.count where text[k] | (text[k] &- 0x41 < 26 ? 0x20 : 0) != word.utf8Start[k] { return false }
      return true
    }
    if equals("yes") || equals("true") || equals("1") { return .yes }
    if equals("no") || equals("false") || equals("0") { return .no }
    return .other
  }

  /// A tags cell as a JSON array and its tags joined by ",": from `tagsSeen` where the
  /// cell's bytes were seen, else from `splitTags` (and kept); good until the next call.
  /// nil as `splitTags` says. `seen` false (a view's row): split each time, so that the
  /// rows read in turn are the check on the blocks' (CSVRowBlockTests).
  private func takeTags(_ text: UnsafeRawBufferPointer, seen: Bool) -> (json: UnsafeRawBufferPointer, joined: UnsafeRawBufferPointer)? {
    guard seen, tagsSeen.inUse() else {
      guard splitTags(text) else { return nil }
      return (tags.bytes, joinedTags.bytes)
    }
    let hash = SeenRowParts.hash(text)
    if let kept = tagsSeen.find(text, hash: hash) { return (kept.piece(0), kept.piece(1)) }
    guard splitTags(text) else { return nil }
    tagsSeen.keep(text, hash: hash, tags.bytes, joinedTags.bytes)
    return (tags.bytes, joinedTags.bytes)
  }

  /// The tags cell split at commas, each tag without the spaces and tabs around it, the
  /// empty ones left out: as a JSON array into `tags`, joined by "," into `joinedTags`.
  /// False when a byte past ASCII follows a comma, space or tab (a combining mark there
  /// would join it in one Character, which the general way's split does not cut).
  private func splitTags(_ text: UnsafeRawBufferPointer) -> Bool {
    tags.removeAll()
    joinedTags.removeAll()
    // Room for all the tags at once: they and their commas are no longer than the cell, so
    // the room for the cell as one JSON string, and the brackets, holds them escaped.
    var out = tags.cursor(room: ByteCursor.jsonStringRoom(text.count) &+ 2)
    var joined = joinedTags.cursor(room: text.count &+ 16)
    out.put(UInt8(ascii: "["))
    var count = 0
    let split = TogglCSVRowScanner.forEachTag(in: text) { tag in
      if count > 0 {
        out.put(UInt8(ascii: ","))
        joined.put(UInt8(ascii: ","))
      }
      out.putJSONString(tag)
      joined.put(tag)
      count += 1
    }
    out.put(UInt8(ascii: "]"))
    tags.commit(out)
    joinedTags.commit(joined)
    return split
  }

  /// Calls `body` with each tag of the tags cell, as `splitTags` takes them; false (and
  /// `body` not called for the rest) at a byte past ASCII after a comma, space or tab.
  @inline(__always)
  private static func forEachTag(in text: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
    let n = text.count
    if n <= 32, let p = text.baseAddress {
      // Most cells: one or two loads, the commas, blanks and bytes past ASCII as bits (a
      // byte at a time was 18 instructions a byte). A tag is what lies between two commas
      // (or an end) less the blanks around it.
      let bytes = p.assumingMemoryBound(to: UInt8.self)
      var commas: UInt32 = 0, blanks: UInt32 = 0, high: UInt32 = 0
      eid_tag_bytes16(bytes, UInt32(truncatingIfNeeded: min(n, 16)), &commas, &blanks, &high)
      var commaBits = UInt64(commas), blankBits = UInt64(blanks), highBits = UInt64(high)
      if n > 16 {
        eid_tag_bytes16(bytes + 16, UInt32(truncatingIfNeeded: n &- 16), &commas, &blanks, &high)
        commaBits |= UInt64(commas) << 16
        blankBits |= UInt64(blanks) << 16
        highBits |= UInt64(high) << 16
      }
      guard (commaBits | blankBits) << 1 & highBits == 0 else { return false }
      var from = 0
      var stops = commaBits | 1 << UInt64(truncatingIfNeeded: n)
      while stops != 0 {
        let to = stops.trailingZeroBitCount
        stops &= stops &- 1
        let solid = (UInt64(1) << UInt64(truncatingIfNeeded: to) &- 1) & ~(UInt64(1) << UInt64(truncatingIfNeeded: from) &- 1) & ~blankBits
        if solid != 0 {
          let first = solid.trailingZeroBitCount, last = 63 &- solid.leadingZeroBitCount
          body(UnsafeRawBufferPointer(start: p + first, count: last &+ 1 &- first))
        }
        from = to &+ 1
      }
      return true
    }
    var pieceStart = 0
    for k in 0...text.count {
      if k < text.count {
        let c = text[k]
        if c >= 0x80, k > 0, text[k - 1] == 0x2C || text[k - 1] == 0x20 || text[k - 1] == 0x09 { return false }
        guard c == 0x2C else { continue }
      }
      var from = pieceStart, to = k
      while from < to && (text[from] == 0x20 || text[from] == 0x09) { from += 1 }
      while to > from && (text[to - 1] == 0x20 || text[to - 1] == 0x09) { to -= 1 }
      pieceStart = k + 1
      guard to > from else { continue }
      body(UnsafeRawBufferPointer(rebasing: text[from..<to]))
    }
    return true
  }

  // The id's input as `TogglCSVReader.id(for:togglID:scratch:)` joins it: `entry` and the
  // Toggl id, or `row` and the row's fields, the head's (`writeIDInputHead`) then the rest's.

  private func writeIDInput(togglID: UnsafeRawBufferPointer) {
    idInput.removeAll()
    var out = idInput.cursor(room: togglID.count &+ 32)
    out.put(literal: "entry")
    out.put(0x1F)
    out.put(togglID)
    idInput.commit(out)
  }

  @inline(__always)  // (a call passed its texts on the stack)
  private func writeIDInputHead(user: UnsafeRawBufferPointer?, email: UnsafeRawBufferPointer?, client: UnsafeRawBufferPointer?,
                                project: UnsafeRawBufferPointer?, task: UnsafeRawBufferPointer?) {
    idInput.removeAll()
    // Room for all of it at once: each part, its separator, and 16 for the last part's store.
    @inline(__always) func size(_ text: UnsafeRawBufferPointer?) -> Int { text?.count ?? 0 }
    var out = idInput.cursor(room: size(user) &+ size(email) &+ size(client) &+ size(project) &+ size(task) &+ 32)
    out.put(literal: "row")
    @inline(__always) func part(_ text: UnsafeRawBufferPointer?) {
      out.put(0x1F)
      if let text { out.put(text) }
    }
    part(user)
    part(email)
    part(nil)  // an empty field between email and client, as the general way joins them
    part(client)
    part(project)
    part(task)
    idInput.commit(out)
  }

  @inline(__always)
  private func writeIDInputRest(description: UnsafeRawBufferPointer?, start: UnsafeRawBufferPointer, duration: UnsafeRawBufferPointer,
                                tags: UnsafeRawBufferPointer) {
    // Room for all of it at once: each part, its separator, and 16 for the last part's store.
    var out = idInput.cursor(room: (description?.count ?? 0) &+ start.count &+ duration.count &+ tags.count &+ 4 &+ 16)
    @inline(__always) func part(_ text: UnsafeRawBufferPointer?) {
      out.put(0x1F)
      if let text { out.put(text) }
    }
    part(description)
    part(start)
    part(duration)
    part(tags)
    idInput.commit(out)
  }

}
