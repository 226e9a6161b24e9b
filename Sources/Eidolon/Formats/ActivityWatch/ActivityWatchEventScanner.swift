#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast way from one exported ActivityWatch event to its canonical line: the event's
/// bytes are scanned where they lie and the line is written from them, with no JSON tree
/// and no Event in between (bench/README.md, "aw-read on bytes").
///
/// It takes only the shape real exports have: an object of "timestamp" (a string without
/// escapes), "duration" (a number or null), "data" (an object of strings, numbers,
/// booleans and nulls, or null), "id" and other fields whose values are such scalars, no
/// key written twice and no escapes in keys, at most `maxMembers` members each. For
/// anything else, and for any event the mapping would reject, it answers "not this way"
/// and the reader reads the event through its tokens and `ActivityWatchMapping`, which
/// gives the event or the error. What it writes is byte for byte that path's line (the
/// tests and the `aw-view` fuzz target compare the two).
final class ActivityWatchEventScanner {
  /// What every event of one bucket writes the same, made once per bucket.
  final class BucketText {
    /// From the id's closing quote to the start's opening one: source and kind.
    private(set) var afterID = EventView.absent
    /// `,"stream":...` and `,"host":...`.
    private(set) var streamAndHost = EventView.absent
    /// The members the bucket gives every event's attrs, without the braces.
    private(set) var attrsHead = EventView.absent
    let isStopwatch: Bool
    /// The texts views point at: the bucket id (also the first field of each event id's
    /// input), source, kind and host.
    private(set) var id = EventView.absent
    private(set) var source = EventView.absent
    private(set) var kind = EventView.absent
    private(set) var host = EventView.absent
    /// Where all of the above lie (as ranges, not arrays: reading an array field of a
    /// class retains it, and these are read for every event).
    private let texts = ByteBuffer(capacity: 1024)

    init(_ bucket: ActivityWatchBucket) {
      isStopwatch = bucket.type == "general.stopwatch"
      let kindText = ActivityWatchMapping.kind(forType: bucket.type)
      var offsets: [Int] = []
      func part(_ write: (ByteBuffer) -> Void) {
        offsets.append(texts.count)
        write(texts)
      }
      part { out in
        out.append("\",\"source\":")
        out.appendJSONString(ActivityWatchMapping.source)
        out.append(",\"kind\":")
        out.appendJSONString(kindText)
        out.append(",\"start\":\"")
      }
      part { out in
        out.append(",\"stream\":")
        out.appendJSONString(bucket.id)
        if let host = bucket.hostname {
          out.append(",\"host\":")
          out.appendJSONString(host)
        }
      }
      part { out in
        let attrs = ByteBuffer()
        attrs.appendJSON(ActivityWatchMapping.attrs(bucket: bucket, data: JSONObject(), eventID: nil, extra: JSONObject(),
                                                    timestamp: nil))
        out.append(UnsafeRawBufferPointer(rebasing: attrs.bytes.dropFirst().dropLast()))
      }
      part { $0.append(bucket.id) }
      part { $0.append(ActivityWatchMapping.source) }
      part { $0.append(kindText) }
      part { $0.append(bucket.hostname ?? "") }
      offsets.append(texts.count)
      // Filled in full before any range is taken, so the buffer no longer moves.
      func range(_ k: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: texts.base + offsets[k], count: offsets[k + 1] - offsets[k])
      }
      afterID = range(0)
      streamAndHost = range(1)
      attrsHead = range(2)
      id = range(3)
      source = range(4)
      kind = range(5)
      if bucket.hostname != nil { host = range(6) }
    }
  }

  /// Members past which an object goes the long way (the scanner compares each key with
  /// the ones before it).
  static let maxMembers = 32
  /// Numbers longer than this go the long way.
  static let maxNumberLength = 64

  /// The last event's canonical line, without the LF.
  let line = ByteBuffer(capacity: 4096)
  /// Its start (UTC milliseconds) and duration (seconds).
  private(set) var start: Int64 = 0
  private(set) var duration: Double = 0

  /// The canonical text of strings that held escapes, and their text unescaped.
  private let canonical = ByteBuffer(capacity: 1024)
  private let unescaped = ByteBuffer(capacity: 1024)
  private let idInput = ByteBuffer(capacity: 1024)
  private let numberText = ByteBuffer(capacity: 80)
  /// The data members, then the other fields (from `maxMembers` on).
  private let members = UnsafeMutablePointer<Member>.allocate(capacity: 2 * ActivityWatchEventScanner.maxMembers)
  /// The data members in key order (for the id).
  private let sortedData = UnsafeMutablePointer<Int>.allocate(capacity: ActivityWatchEventScanner.maxMembers)
  /// The data member of each canonical field the data fills (app, title, url, file,
  /// project, then the stopwatch's label), -1 for none.
  private let slots = UnsafeMutablePointer<Int>.allocate(capacity: ActivityWatchEventScanner.slotCount)
  /// The slots the last event filled, as bits (the others of `slots` hold what an event
  /// before left).
  private var filledSlots: UInt32 = 0
  /// Where the last line holds what a view points at: the start's text, the attrs, and
  /// each slot's text (offsets into `line`, or into `unescaped` for text that had escapes).
  private var startOffset = 0
  private var attrsRange = 0..<0
  private let slotTexts = UnsafeMutablePointer<Span>.allocate(capacity: ActivityWatchEventScanner.slotCount)
  private var bucket: BucketText?
  /// Each slot's `,"name":` in the line, and the view's string index it fills.
  private let slotPrefixes = UnsafeMutablePointer<UnsafeRawBufferPointer>.allocate(capacity: ActivityWatchEventScanner.slotCount)
  private let slotIndexes = UnsafeMutablePointer<Int>.allocate(capacity: ActivityWatchEventScanner.slotCount)
  private let slotPrefixText = ByteBuffer(capacity: 128)

  init() {
    precondition(ActivityWatchEventScanner.slotFields.count == ActivityWatchEventScanner.slotCount)
    var offsets: [Int] = []
    for field in ActivityWatchEventScanner.slotFields {
      offsets.append(slotPrefixText.count)
      slotPrefixText.append(",\"\(Event.optionalStringNames[field])\":")
    }
    offsets.append(slotPrefixText.count)
    for slot in 0..<ActivityWatchEventScanner.slotCount {
      slotPrefixes[slot] = UnsafeRawBufferPointer(start: slotPrefixText.base + offsets[slot], count: offsets[slot + 1] - offsets[slot])
      slotIndexes[slot] = ActivityWatchEventScanner.slotFields[slot]
    }
  }

  deinit {
    slotPrefixes.deallocate()
    slotIndexes.deallocate()
    members.deallocate()
    sortedData.deallocate()
    slots.deallocate()
    slotTexts.deallocate()
  }

  /// Reads the event at the start of `bytes` (its first byte is the element's first) and,
  /// when it takes it, writes its canonical line into `line`.
  func scan(_ bytes: UnsafeRawBufferPointer, bucket: BucketText) -> JSONTokenizer.RawScan {
    line.removeAll()
    return scan(bytes, bucket: bucket, appendingTo: line)
  }

  /// As `scan(_:bucket:)`, the line (without its LF) written at the end of `target` (a
  /// block's output, not copied there from `line`); `fill(_:)` needs the line in `line`.
  /// A line is written only for `.took`, which the caller may still take back. `padded`:
  /// the 16 bytes past `bytes` may be read (what they hold does not matter).
  func scan(_ bytes: UnsafeRawBufferPointer, bucket: BucketText, appendingTo target: ByteBuffer,
            padded: Bool = false) -> JSONTokenizer.RawScan {
    guard bytes.count <= ActivityWatchEventScanner.maxEventBytes else { return .declined }
    canonical.removeAll()
    unescaped.removeAll()
    var parse = EventParse(bytes, padded: padded, members: members, canonical: canonical, unescaped: unescaped)
    guard parse.event() else { return parse.ranOut ? .needMore : .declined }
    guard write(parse, bytes, bucket, into: target) else { return .declined }
    // (Stored only when it changes: a block's events share one, and each store took a retain
    // and a release.)
    if self.bucket !== bucket { self.bucket = bucket }
    return .took(parse.pos)
  }

  /// Makes `view` the view of the last event scanned: over `line`, valid until the next scan.
  func fill(_ view: EventView) {
    guard let bucket else { return }
    let base = view.startFilling(from: line).base
    view.id = UnsafeRawBufferPointer(start: base + 7, count: 35)  // after {"id":"
    view.source = bucket.source
    view.kind = bucket.kind
    view.start = start
    view.startText = UnsafeRawBufferPointer(start: base + startOffset, count: 24)
    view.duration = duration
    view.strings[0] = bucket.id
    view.strings[1] = bucket.host
    for slot in 0..<ActivityWatchEventScanner.slotCount where filledSlots & 1 << UInt32(slot) != 0 {
      let text = slotTexts[slot]
      let from = text.inScannerBuffer ? UnsafeRawPointer(unescaped.base) : base
      view.strings[slotIndexes[slot]] = UnsafeRawBufferPointer(start: from + Int(text.start), count: Int(text.count))
    }
    if !attrsRange.isEmpty { view.attrsJSON = UnsafeRawBufferPointer(start: base + attrsRange.lowerBound, count: attrsRange.count) }
  }

  // MARK: Writing

  /// Writes the line at the end of `target`; the offsets a view needs are kept from the line's start.
  private func write(_ parse: EventParse, _ bytes: UnsafeRawBufferPointer, _ bucket: BucketText, into target: ByteBuffer) -> Bool {
    guard let timestamp = parse.timestamp else { return false }
    // The span holds the quotes. (Taken off by pointer: dropFirst and dropLast are generic
    // calls here, 130 instructions an event.)
    let timestampText = UnsafeRawBufferPointer(start: bytes.baseAddress! + Int(timestamp.start) + 1, count: Int(timestamp.count) - 2)
    let epochMillis: Int64, subMillisecondNanos: Int
    if let (millis, nanos) = usualTimestamp(timestampText) {
      (epochMillis, subMillisecondNanos) = (millis, nanos)
    } else {
      var error = ""
      guard let parsed = Timestamp.parse(timestampText, error: &error) else { return false }
      (epochMillis, subMillisecondNanos) = (parsed.epochMillis, parsed.subMillisecondNanos)
    }
    numberText.removeAll()
    if let text = parse.duration.map({ span($0, bytes) }) {
      if let value = NumberText.shortestValue(text) {
        duration = value
        numberText.append(text)
      } else {
        guard text[0] != UInt8(ascii: "-") else { return false }
        numberText.append(text)
        guard let value = NumberText.double(numberText) else { return false }
        duration = value
        numberText.removeAll()
        numberText.appendJSONNumber(value)
      }
    } else {
      duration = 0
      numberText.append(UInt8(ascii: "0"))
    }
    guard EventSpec.takesDuration(duration) else { return false }
    start = epochMillis
    guard start >= Timestamp.minMillis, Double(start) + duration * 1000 <= Double(Timestamp.maxMillis),
      EventSpec.endMillis(start: start, seconds: duration) != nil
    else { return false }

    // Written through a cursor (room made before each run of pieces, none checked after),
    // as the CSV readers' lines are.
    let lineStart = target.count
    var out = target.cursor(room: 96 &+ bucket.afterID.count &+ numberText.count &+ bucket.streamAndHost.count)
    out.put(literal: "{\"id\":\"aw:")
    let hexOffset = out.at - target.base
    out.at += 32  // the id's digits, written once its input is
    out.put(bucket.afterID)
    startOffset = out.at - target.base - lineStart
    canonicalTime.write(start, to: out.at)
    out.at += Timestamp.canonicalLength
    let startText = UnsafeRawBufferPointer(start: target.base + lineStart + startOffset, count: 24)
    writeIDInput(parse, bytes, bucket, start: startText, subMillisecondNanos: subMillisecondNanos)
    EventID.writeHex(of: idInput.bytes, to: UnsafeMutableRawPointer(target.base + hexOffset))
    out.put(literal: "\",\"duration\":")
    out.put(numberText.bytes)
    out.put(bucket.streamAndHost)

    // Data keys with a canonical field (a string value only), in the writer's order.
    var filled: UInt32 = 0
    var restCount = 0
    var mapped: UInt64 = 0  // the data members that fill a slot, as bits
    for index in 0..<parse.dataCount {
      let member = members[index]
      if member.isString, let slot = ActivityWatchEventScanner.slot(span(member.key, bytes), stopwatch: bucket.isStopwatch) {
        slots[slot] = index
        filled |= 1 << UInt32(slot)
        mapped |= 1 << UInt64(index)
      } else {
        restCount += 1
      }
    }
    filledSlots = filled
    // The filled slots in order, a bit each (not all six looked at).
    while filled != 0 {
      let slot = filled.trailingZeroBitCount
      filled &= filled &- 1
      let member = members[slots[slot]]
      let prefix = slotPrefixes[slot], text = value(member.value, bytes)
      out.ensure(prefix.count &+ text.count &+ 16, in: target)
      out.put(prefix)
      let at = out.at - target.base - lineStart
      out.put(text)
      // Text without escapes is the canonical text less its quotes.
      slotTexts[slot] = member.text.inScannerBuffer ? member.text
        : Span(from: at + 1, to: at + text.count - 1, inScannerBuffer: false)
    }

    attrsRange = 0..<0
    let hasAttrs = !bucket.attrsHead.isEmpty || parse.eventID != nil || subMillisecondNanos != 0
      || parse.extraCount > 0 || restCount > 0
    guard hasAttrs else {
      out.ensure(1, in: target)
      out.put(UInt8(ascii: "}"))
      target.commit(out)
      return true
    }
    // The members most events have through the cursor; the rare rest appended after it.
    out.ensure(26 &+ bucket.attrsHead.count, in: target)  // `,"attrs":{`, the head, 16 for its store
    out.put(literal: ",\"attrs\":")
    let attrsStart = out.at - target.base - lineStart
    out.put(UInt8(ascii: "{"))
    var first = true
    if !bucket.attrsHead.isEmpty {
      out.put(bucket.attrsHead)
      first = false
    }
    if let eventID = parse.eventID {
      let text = value(eventID, bytes)
      out.ensure(text.count &+ 30, in: target)  // a comma, the name, 16 for the store
      if !first { out.put(UInt8(ascii: ",")) }
      first = false
      out.put(literal: "\"event_id\":")
      out.put(text)
    }
    if subMillisecondNanos != 0 {
      let text = span(timestamp, bytes)
      out.ensure(text.count &+ 30, in: target)
      if !first { out.put(UInt8(ascii: ",")) }
      first = false
      out.put(literal: "\"timestamp\":")
      out.put(text)
    }
    target.commit(out)
    @inline(__always) func member(_ name: StaticString) {
      if !first { target.append(UInt8(ascii: ",")) }
      first = false
      target.append(literal: name)
    }
    if parse.extraCount > 0 {
      member("\"event_fields\":{")
      let first = ActivityWatchEventScanner.maxMembers
      for index in first..<first + parse.extraCount {
        if index > first { target.append(UInt8(ascii: ",")) }
        appendMember(members[index], bytes, to: target)
      }
      target.append(UInt8(ascii: "}"))
    }
    if restCount > 0 {
      member("\"data\":{")
      var firstRest = true
      for index in 0..<parse.dataCount where mapped & 1 << UInt64(index) == 0 {
        if !firstRest { target.append(UInt8(ascii: ",")) }
        firstRest = false
        appendMember(members[index], bytes, to: target)
      }
      target.append(UInt8(ascii: "}"))
    }
    target.append(UInt8(ascii: "}"))
    attrsRange = attrsStart..<(target.count - lineStart)
    target.append(UInt8(ascii: "}"))
    return true
  }

  /// The start's canonical text, the last date kept.
  private var canonicalTime = CanonicalTimeWriter()

  /// The days of the last timestamp's date.
  private var wallClock = WallClockSeconds()

  /// `YYYY-MM-DDTHH:MM:SS[.fraction]` and `Z` or `±HH:MM`, the form both servers write, as
  /// `Timestamp.parse` reads it: UTC milliseconds and the nanoseconds below them. nil for
  /// anything else, which `Timestamp.parse` then reads (or refuses). Most events share the
  /// date of the one before: its day number is kept (`WallClockSeconds`).
  private func usualTimestamp(_ t: UnsafeRawBufferPointer) -> (Int64, Int)? {
    let n = t.count
    guard n >= 20, t[10] == UInt8(ascii: "T"), let p = t.baseAddress, let wall = wallClock.seconds(date: p, time: p + 11) else {
      return nil
    }
    // Two digits as a number; 1000 (out of every range below) when either is not a digit.
    @inline(__always) func two(_ k: Int) -> Int {
      let high = t[k] &- 0x30, low = t[k + 1] &- 0x30
      return high <= 9 && low <= 9 ? Int(high) * 10 + Int(low) : 1000
    }
    var i = 19
    var nanos = 0
    if t[i] == UInt8(ascii: ".") {
      i += 1
      let first = i
      if n - i >= 8, let (digits, value) = ActivityWatchEventScanner.leadingDigits(t.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
        // One to seven digits, read at once.
        i += digits
        nanos = value * Timestamp.nanosPerUnit[digits]
      } else {
        while i < n, t[i] &- 0x30 <= 9, i - first < 9 {
          nanos = nanos * 10 + Int(t[i] &- 0x30)
          i += 1
        }
        guard i > first, i < n, t[i] &- 0x30 > 9 else { return nil }
        for _ in (i - first)..<9 { nanos *= 10 }
      }
    }
    var offset = 0
    if t[i] == UInt8(ascii: "Z") && i + 1 == n {
      offset = 0
    } else if i + 6 == n && t.loadUnaligned(fromByteOffset: i, as: UInt32.self) == ActivityWatchEventScanner.utcOffsetHead
      && t.loadUnaligned(fromByteOffset: i + 4, as: UInt16.self) == 0x3030 {
      offset = 0  // "+00:00", as ActivityWatch writes every time
    } else {
      guard i + 6 == n, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-"), t[i + 3] == 0x3A else { return nil }
      let hours = two(i + 1), minutes = two(i + 4)
      guard hours <= 23, minutes <= 59 else { return nil }
      offset = (hours * 3600 + minutes * 60) * (t[i] == UInt8(ascii: "-") ? -1 : 1)
    }
    let seconds = wall - Int64(offset)
    return (seconds * 1000 + Int64(nanos / 1_000_000), nanos % 1_000_000)
  }

  /// "+00:" as it lies in memory.
  private static let utcOffsetHead = UInt32(0x2B) | UInt32(0x30) << 8 | UInt32(0x30) << 16 | UInt32(0x3A) << 24

  /// How many digits the word's bytes start with (one to seven, the byte after them not a
  /// digit), and their number; nil for none, or eight (maybe more: read a digit at a time).
  @inline(__always)
  static func leadingDigits(_ word: UInt64) -> (Int, Int)? {
    let value = word ^ 0x3030_3030_3030_3030
    let notDigits = ((value &+ 0x7676_7676_7676_7676) | value) & 0x8080_8080_8080_8080
    let count = notDigits.trailingZeroBitCount >> 3
    guard count > 0, count < 8 else { return nil }
    // The digits moved to the top of the word, zeros ('0') below them, read as eight.
    let shift = UInt64(8 &* (8 &- count))
    let padded = word << shift | (0x3030_3030_3030_3030 & ((1 << shift) &- 1))
    guard let number = LocalDateTime.eightDigits(padded) else { return nil }
    return (count, number)
  }

  /// The id's input, as `ActivityWatchMapping` joins it: bucket id, start, the part finer
  /// than a millisecond, the duration in its shortest form, and the data with its keys
  /// sorted (the same data in another key order gives the same id).
  private func writeIDInput(_ parse: EventParse, _ bytes: UnsafeRawBufferPointer, _ bucket: BucketText,
                            start: UnsafeRawBufferPointer, subMillisecondNanos: Int) {
    idInput.removeAll()
    var out = idInput.cursor(room: bucket.id.count &+ numberText.count &+ 72)
    out.put(bucket.id)
    out.put(0x1F)
    out.put(start)
    out.put(0x1F)
    out.put(integer: Int64(subMillisecondNanos))
    out.put(0x1F)
    out.put(numberText.bytes)
    out.put(0x1F)
    // Insertion sort: a handful of keys, most already in order.
    let count = parse.dataCount
    for i in 0..<count {
      var j = i
      while j > 0 && keyPrecedes(members[i].key, members[sortedData[j - 1]].key, bytes) {
        sortedData[j] = sortedData[j - 1]
        j -= 1
      }
      sortedData[j] = i
    }
    out.put(UInt8(ascii: "{"))
    for k in 0..<count {
      let member = members[sortedData[k]]
      let key = span(member.key, bytes), text = value(member.value, bytes)
      out.ensure(key.count &+ text.count &+ 18, in: idInput)
      if k > 0 { out.put(UInt8(ascii: ",")) }
      out.put(key)
      out.put(UInt8(ascii: ":"))
      out.put(text)
    }
    out.ensure(1, in: idInput)
    out.put(UInt8(ascii: "}"))
    idInput.commit(out)
  }

  /// True when key `a` sorts before key `b` by the bytes of their text (quotes left out:
  /// "a" comes before "a!", though the quote is a higher byte than "!").
  @inline(__always)
  private func keyPrecedes(_ a: Span, _ b: Span, _ bytes: UnsafeRawBufferPointer) -> Bool {
    let p = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
    let x = p + Int(a.start) + 1, y = p + Int(b.start) + 1
    let m = Int(a.count) - 2, n = Int(b.count) - 2
    for k in 0..<min(m, n) where x[k] != y[k] { return x[k] < y[k] }
    return m < n
  }

  /// `"key":value` (a key is its quoted bytes: keys with escapes went the long way).
  @inline(__always)
  private func appendMember(_ member: Member, _ bytes: UnsafeRawBufferPointer, to target: ByteBuffer) {
    target.append(span(member.key, bytes))
    target.append(UInt8(ascii: ":"))
    target.append(value(member.value, bytes))
  }

  /// A value's canonical text: where it lies in the input, or in `canonical`.
  @inline(__always)
  private func value(_ value: Span, _ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    value.inScannerBuffer ? UnsafeRawBufferPointer(rebasing: canonical.bytes[value.range]) : span(value, bytes)
  }

  @inline(__always)
  private func span(_ span: Span, _ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[span.range])
  }

  /// The canonical fields data keys fill (indexes into `Event.optionalStringNames`): the
  /// `ActivityWatchMapping.dataFields` in their order, then the stopwatch's label as the
  /// description; and their prefixes in the line.
  private static let slotFields = ActivityWatchMapping.dataFields.map(\.field) + [Event.OptionalString.description]
  private static let slotCount = 6

  /// The slot of a data key (with its quotes) whose string value fills a canonical field:
  /// app, title, url, file, project (`ActivityWatchMapping.dataFields`), and a stopwatch's label.
  @inline(__always)
  private static func slot(_ key: UnsafeRawBufferPointer, stopwatch: Bool) -> Int? {
    let p = key.baseAddress!.assumingMemoryBound(to: UInt8.self) + 1
    @inline(__always) func equals(_ name: StaticString) -> Bool { memcmp(p, name.utf8Start, name.utf8CodeUnitCount) == 0 }
    switch (key.count - 2, p[0]) {
    case (3, UInt8(ascii: "a")): return equals("app") ? 0 : nil
    case (5, UInt8(ascii: "t")): return equals("title") ? 1 : nil
    case (3, UInt8(ascii: "u")): return equals("url") ? 2 : nil
    case (4, UInt8(ascii: "f")): return equals("file") ? 3 : nil
    case (7, UInt8(ascii: "p")): return equals("project") ? 4 : nil
    case (5, UInt8(ascii: "l")): return stopwatch && equals("label") ? 5 : nil
    default: return nil
    }
  }

  /// A range of bytes: of the input, or of the scanner's own buffer (`canonical` for a
  /// value's canonical text, `unescaped` for a string's text).
  struct Span {
    var start: Int32
    var count: Int32
    var inScannerBuffer: Bool
    var range: Range<Int> { Int(start)..<Int(start + count) }

    /// Offsets in an event (at most `maxEventBytes`) or in the scanner's buffers (a few
    /// times that), so they fit without a check.
    @inline(__always)
    init(from: Int, to: Int, inScannerBuffer: Bool) {
      start = Int32(truncatingIfNeeded: from)
      count = Int32(truncatingIfNeeded: to &- from)
      self.inScannerBuffer = inScannerBuffer
    }
  }

  /// The longest event taken: its spans, and those of its strings written again with
  /// their escapes (at most six bytes for one), fit in an Int32.
  static let maxEventBytes = 64 << 20

  /// One member of an object: its key (with its quotes), its value's canonical text, and
  /// for a string its text (in the input, or in `unescaped` when it had escapes).
  struct Member {
    var key: Span
    var value: Span
    var isString: Bool
    var text: Span
  }
}
