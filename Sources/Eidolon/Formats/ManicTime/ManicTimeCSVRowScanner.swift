/// The fast way from one row of a ManicTime Applications or Documents CSV to its
/// canonical line: the cells are read as bytes where the CSV reader left them and the
/// line is written from them, with no String per cell and no Event in between
/// (bench/README.md, "rt-read and mt-read on bytes").
///
/// It takes the rows ManicTime writes: a Name, a Start and an End that exist once in the
/// zone, the End not before the Start, a Duration in H:MM:SS that agrees with them. For
/// any other row it answers "not this way" and `ManicTimeCSVReader` reads the row the
/// general way, which gives the event, the warning or the error. Both give the same line
/// byte for byte (the tests and the `mt-view` fuzz target compare them).
final class ManicTimeCSVRowScanner {
  /// The last row's canonical line, without the LF.
  let line = ByteBuffer(capacity: 1024)
  private(set) var start: Int64 = 0
  private(set) var duration: Double = 0

  private let timeline: ManicTimeCSVReader.Timeline
  private let zone: ZoneConverter
  private let name: Int, startColumn: Int, end: Int, listed: Int
  /// Process (Applications) or Domain (Documents).
  private let group: Int
  /// The other columns and their names as JSON strings with a colon: `"Name":`.
  private let extras: [(index: Int, key: [UInt8])]
  private let streamName = ByteBuffer(capacity: 64)  // (not an Array: appended per row)
  private let idInput = ByteBuffer(capacity: 512)
  /// The last offset written, as text.
  private let offsetText = RepeatedOffsetText()
  /// The days of the last date read.
  private var wallClock = WallClockSeconds()
  /// The start's canonical text, the last date kept.
  private var canonicalTime = CanonicalTimeWriter()

  /// What a view of the last row points at: the text fields (cells, where the CSV reader
  /// keeps them until its next row, or the stream's name) and where the line holds the rest.
  /// Set only by a scan `forView`. (Plain properties, not an array, as in the other row
  /// scanners.)
  private var app: UnsafeRawBufferPointer?, title: UnsafeRawBufferPointer?, url: UnsafeRawBufferPointer?
  private var kindRange = 0..<0, streamRange = 0..<0, startRange = 0..<0, offsetRange = 0..<0, attrsRange = 0..<0

  /// nil when the timeline or the header rule the scanner out: only Applications and
  /// Documents, whose other columns' names are each used once (and not "domain" or
  /// "listed_duration", which the reader sets itself).
  init?(timeline: ManicTimeCSVReader.Timeline?, zone: ZoneConverter, roles: [String: Int], header: [String], extraColumns: [Int]) {
    guard let timeline, timeline == .applications || timeline == .documents,
      let name = roles["name"], let start = roles["start"], let end = roles["end"]
    else { return nil }
    let extraNames = extraColumns.map { header[$0] }
    guard Set(extraNames).count == extraNames.count, !extraNames.contains("domain"), !extraNames.contains("listed_duration") else { return nil }
    self.timeline = timeline
    self.zone = zone
    self.name = name
    startColumn = start
    self.end = end
    listed = roles["duration"] ?? -1
    group = roles[timeline == .applications ? "process" : "domain"] ?? -1
    extras = extraColumns.map { index in
      let out = ByteBuffer()
      out.appendJSONString(header[index])
      out.append(UInt8(ascii: ":"))
      return (index, out.array)
    }
    streamName.append(timeline.schemaName)
  }

  /// Writes the canonical line of the row `csv` holds, its dates read in `order`; false
  /// when the row is not one the scanner takes (nothing is changed then).
  func scan<Row: CSVFields>(_ csv: Row, order: ManicTimeDateTime.DateOrder?) -> Bool {
    line.removeAll()
    return scan(csv, order: order, appendingTo: line, forView: true)
  }

  /// As `scan(_:order:)`, the line (without its LF) written at the end of `target` (a
  /// block's output, not copied there from `line`); `fill(_:)` needs the line in `line`
  /// and `forView` (what a view points at is kept only then: a block's rows need none of it).
  func scan<Row: CSVFields>(_ csv: Row, order: ManicTimeDateTime.DateOrder?, appendingTo target: ByteBuffer,
                            forView: Bool = false) -> Bool {
    let fieldCount = csv.fieldCount
    @inline(__always) func cell(_ index: Int) -> UnsafeRawBufferPointer? {
      guard index >= 0, index < fieldCount else { return nil }
      let text = csv.field(index)
      return ManicTimeCSVRowScanner.isBlank(text) ? nil : text
    }
    guard let name = cell(name), let startText = cell(startColumn), let endText = cell(end),
      let start = instant(startText, order), let end = instant(endText, order), end >= start
    else { return false }
    let duration = Double(end - start) / 1000
    if let text = cell(listed) {
      guard let seconds = ManicTimeCSVRowScanner.clock(text), EventSpec.takesDuration(seconds),
        abs(seconds - duration) <= 1
      else { return false }
    }
    guard let endMillis = EventSpec.endMillis(start: start, seconds: duration),
      let isWeb = timeline == .documents ? ManicTimeCSVRowScanner.containsScheme(name) : false
    else { return false }
    self.start = start
    self.duration = duration
    let groupText = cell(group)

    // Written through a cursor: room made before each run of pieces, none checked after.
    let lineStart = target.count
    var out = target.cursor(room: 192 &+ streamName.count)  // up to the stream
    out.put(literal: "{\"id\":\"manictime:")
    let hexOffset = out.at - target.base - lineStart
    out.at += 32  // the id's digits, written once its input is
    out.put(literal: "\",\"source\":\"manictime\",\"kind\":\"")
    let kindAt = out.at - target.base - lineStart
    var title: UnsafeRawBufferPointer? = name, url: UnsafeRawBufferPointer?
    if timeline == .applications {
      out.put(literal: "window")
    } else if isWeb {
      out.put(literal: "web")
      (title, url) = (nil, name)
    } else {
      out.put(literal: "document")
    }
    let kindRange = kindAt..<(out.at - target.base - lineStart)
    out.put(literal: "\",\"start\":\"")
    let startAt = out.at - target.base - lineStart
    canonicalTime.write(start, to: out.at)
    out.at += Timestamp.canonicalLength
    let startRange = startAt..<(out.at - target.base - lineStart)
    out.put(literal: "\",\"duration\":")
    out.putJSONSeconds(millis: end - start, in: target)
    out.put(literal: ",\"stream\":\"")
    let streamAt = out.at - target.base - lineStart
    let streamRange = streamAt..<(streamAt + streamName.count)
    out.put(streamName.bytes)  // a schema name: nothing to escape
    out.put(UInt8(ascii: "\""))
    let app = timeline == .applications ? groupText : nil
    out.putJSONMember(",\"app\":", app, in: target)
    out.putJSONMember(",\"title\":", title, in: target)
    out.putJSONMember(",\"url\":", url, in: target)
    out.ensure(48, in: target)
    out.put(literal: ",\"offset\":\"")
    let offsetAt = out.at - target.base - lineStart
    out.put(offsetText.bytes(zone.offset(atMillis: start)))
    let offsetRange = offsetAt..<(out.at - target.base - lineStart)
    out.put(UInt8(ascii: "\""))

    // attrs, in the general way's order: the domain, then every other non-empty column.
    let attrsStart = out.at - target.base - lineStart
    var first = true
    if timeline == .documents, let groupText { out.putAttr(ManicTimeCSVRowScanner.domainKey, groupText, first: &first, in: target) }
    for extra in extras where extra.index < fieldCount {
      let text = csv.field(extra.index)
      if !text.isEmpty { extra.key.withUnsafeBytes { out.putAttr($0, text, first: &first, in: target) } }
    }
    out.ensure(2, in: target)
    var attrsRange = 0..<0
    if !first {
      out.put(UInt8(ascii: "}"))
      attrsRange = attrsStart + 9..<(out.at - target.base - lineStart)  // after ,"attrs":
    }
    out.put(UInt8(ascii: "}"))
    target.commit(out)

    // The id: stream, name, start, end, group (ManicTimeMapping.id).
    idInput.removeAll()
    var id = idInput.cursor(room: streamName.count &+ name.count &+ (groupText?.count ?? 0) &+ 80)
    id.put(streamName.bytes)
    id.put(0x1F)
    id.put(name)
    id.put(0x1F)
    id.put(millisecondCount: start)
    id.put(0x1F)
    id.put(millisecondCount: endMillis)
    id.put(0x1F)
    if let groupText { id.put(groupText) }
    idInput.commit(id)
    EventID.writeHex(of: idInput.bytes, to: UnsafeMutableRawPointer(target.base + lineStart + hexOffset))
    if forView {
      (self.app, self.title, self.url) = (app, title, url)
      (self.kindRange, self.streamRange, self.startRange, self.offsetRange, self.attrsRange) = (kindRange, streamRange, startRange, offsetRange, attrsRange)
    }
    return true
  }

  /// Makes `view` the view of the last row scanned: over `line`, the CSV reader's cells
  /// and the stream's name, valid until the next row.
  func fill(_ view: EventView) {
    let range = view.startFilling(from: line)
    let base = range.base
    // {"id":"manictime:<32 hex digits>","source":"manictime","kind":"...
    view.id = UnsafeRawBufferPointer(start: base + 7, count: 42)
    view.source = UnsafeRawBufferPointer(start: base + 61, count: 9)
    view.kind = range(kindRange)
    view.start = start
    view.startText = range(startRange)
    view.duration = duration
    view.strings[Event.OptionalString.stream] = range(streamRange)
    if let app { view.strings[Event.OptionalString.app] = app }
    if let title { view.strings[Event.OptionalString.title] = title }
    if let url { view.strings[Event.OptionalString.url] = url }
    view.offset = range(offsetRange)
    view.attrsJSON = range(attrsRange)
  }

  // MARK: Pieces

  private static var domainKey: UnsafeRawBufferPointer {
    let key: StaticString = "\"domain\":"
    return UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
  }

  /// Blank as the general way's `cell` says: empty, or only spaces and tabs.
  @inline(__always)
  private static func isBlank(_ text: UnsafeRawBufferPointer) -> Bool {
    for byte in text where byte != 0x20 && byte != 0x09 { return false }
    return true
  }

  /// Whether the name holds "://"; nil when only the general way can tell.
  private static func containsScheme(_ text: UnsafeRawBufferPointer) -> Bool? {
    guard text.count >= 3 else { return false }
    for i in 0..<(text.count - 2) where text[i] == UInt8(ascii: ":") && text[i + 1] == UInt8(ascii: "/") && text[i + 2] == UInt8(ascii: "/") {
      // A mark after the second slash would join it in one Character, which the general
      // way's search by Characters does not match: leave such a name to it.
      return i + 3 == text.count || text[i + 3] < 0x80 ? true : nil
    }
    return false
  }

  /// A date and time as UTC milliseconds: nil for one the reader cannot read, whose date
  /// order is open, or that the zone skips or repeats.
  private func instant(_ text: UnsafeRawBufferPointer, _ order: ManicTimeDateTime.DateOrder?) -> Int64? {
    // mtc's own form, `2024-03-04T09:00:05.1234567`, as `ManicTimeDateTime.usual` reads it.
    if text.count == 27, let p = text.baseAddress, text[10] == 0x54, text[19] == 0x2E,
      let wall = wallClock.seconds(date: p, time: p + 11),
      let fraction = LocalDateTime.eightDigits((p + 19).loadUnaligned(as: UInt64.self) & ~0xFF | 0x30)
    {
      // Seven digits of fraction (the dot read as a leading zero): ten-thousandths of a millisecond.
      let (millis, resolution) = zone.toUTCMillis(wall: wall, subsecondMillis: Int64(fraction / 10_000))
      return resolution == .exact ? millis : nil
    }
    let local: LocalDateTime
    if let usual = ManicTimeDateTime.usual(text) {
      local = usual
    } else {
      guard let parsed = ManicTimeDateTime.parse(bytes: text.assumingMemoryBound(to: UInt8.self), order: order), !parsed.isAmbiguous else {
        return nil
      }
      local = parsed.local
    }
    let (millis, resolution) = zone.toUTCMillis(local)
    return resolution == .exact ? millis : nil
  }

  /// "H:MM:SS" (hours of one to six digits) as seconds; nil for other forms.
  private static func clock(_ text: UnsafeRawBufferPointer) -> Double? {
    let n = text.count
    guard n >= 7, n <= 12, text[n - 3] == UInt8(ascii: ":"), text[n - 6] == UInt8(ascii: ":") else { return nil }
    @inline(__always) func digits(_ from: Int, _ to: Int) -> Int? {
      var value = 0
      for i in from..<to {
        let digit = text[i] &- 0x30
        guard digit <= 9 else { return nil }
        value = value * 10 + Int(digit)
      }
      return value
    }
    guard let hours = digits(0, n - 6), let minutes = digits(n - 5, n - 3), let seconds = digits(n - 2, n), minutes < 60, seconds < 60 else {
      return nil
    }
    return Double(hours * 3600 + minutes * 60 + seconds)
  }

}
