/// Reads an Eidolon NDJSON line that is in the canonical form (what EidolonNDJSONWriter
/// writes: the spec's field order, no spaces, the writer's escapes and numbers) into an
/// `EventView`, on bytes and without allocating. It answers only "yes, here is the
/// event" or "not this way": any line that is not canonical, or is not valid, or is
/// unusual (deep or large attrs, a number written in a long form), goes to the reader's
/// full decoder, which gives the event or the error with its position. So the scanner
/// can stay strict and small; what it accepts, the full decoder accepts too, with the
/// same values (the `ndjson-view` fuzz target checks both).
struct CanonicalLineScanner {
  /// The optional fields in their canonical order after `duration`: the optional strings
  /// (0-12, indexes into `Event.optionalStringNames`), then these.
  private static let productivityField = 13, tagsField = 14, billableField = 15, offsetField = 16, attrsField = 17

  /// Nesting and size past which attrs go to the full decoder (which has the limits and
  /// their messages).
  static let maxAttrsDepth = 64
  static let maxAttrsValues = 100_000
  /// Objects with more members than this go to the full decoder, whose key index finds
  /// repeated keys; the scanner compares each key with the ones before it.
  static let maxObjectMembers = 32

  private let ptr: UnsafePointer<UInt8>
  private let end: Int
  private var pos = 0
  private let view: EventView
  /// Trusted: a line this process's writer just made. Numbers are then left to the
  /// caller and attrs are not walked (they are the rest of the line).
  private let trusted: Bool
  private var attrsValues = 0

  private init(_ line: UnsafeRawBufferPointer, _ view: EventView, trusted: Bool) {
    ptr = line.baseAddress!.assumingMemoryBound(to: UInt8.self)
    end = line.count
    self.view = view
    self.trusted = trusted
  }

  /// Fills `view` from `line` and returns true when the line is a canonical, valid event.
  /// With `trusted`, `line` is the writer's own output and `start`, `duration`,
  /// `productivity` and `billable` are left for the caller to set.
  static func scan(_ line: UnsafeRawBufferPointer, into view: EventView, trusted: Bool = false) -> Bool {
    guard line.count >= 2, line.baseAddress != nil else { return false }
    view.clear()
    view.scratch.removeAll()
    _ = view.scratch.reserve(line.count)
    var scanner = CanonicalLineScanner(line, view, trusted: trusted)
    guard scanner.scanEvent() else { return false }
    view.canonicalLine = line
    return true
  }

  private mutating func scanEvent() -> Bool {
    guard literal("{\"id\":"), let id = string(), !id.isEmpty else { return false }
    view.id = id
    guard literal(",\"source\":"), let source = string(), !source.isEmpty else { return false }
    view.source = source
    guard literal(",\"kind\":"), let kind = string(), !kind.isEmpty else { return false }
    view.kind = kind
    guard literal(",\"start\":\""), end - pos >= 25, ptr[pos + 24] == 0x22 else { return false }
    view.startText = UnsafeRawBufferPointer(start: ptr + pos, count: 24)
    if !trusted {
      guard let start = canonicalStart() else { return false }
      view.start = start
    }
    pos += 25
    guard literal(",\"duration\":") else { return false }
    if trusted {
      skipNumber()
    } else {
      guard let duration = canonicalDuration(), EventSpec.endMillis(start: view.start, seconds: duration) != nil else {
        return false
      }
      view.duration = duration
    }
    var next = 0  // the first field that may still come
    while pos < end && ptr[pos] == 0x2C {
      guard let field = fieldName(from: next) else { return false }
      next = field + 1
      switch field {
      case ..<CanonicalLineScanner.productivityField:
        guard let value = string() else { return false }
        view.strings[field] = value
      case CanonicalLineScanner.productivityField:
        if trusted {
          skipNumber()
        } else {
          guard let value = canonicalProductivity() else { return false }
          view.productivity = value
        }
      case CanonicalLineScanner.tagsField:
        guard tags() else { return false }
      case CanonicalLineScanner.billableField:
        if literal("true") {
          view.billable = true
        } else if literal("false") {
          view.billable = false
        } else {
          return false
        }
      case CanonicalLineScanner.offsetField:
        guard let value = string(), Timestamp.parseOffset(value) != nil else { return false }
        view.offset = value
      default:
        guard pos < end, ptr[pos] == 0x7B else { return false }
        let begin = pos
        if trusted {
          pos = end - 1
        } else {
          guard !(end - pos >= 2 && ptr[pos + 1] == 0x7D), attrsValue(depth: 0) else { return false }
        }
        view.attrsJSON = UnsafeRawBufferPointer(start: ptr + begin, count: pos - begin)
      }
    }
    return pos == end - 1 && ptr[pos] == 0x7D
  }

  // MARK: Pieces

  @inline(__always)
  private mutating func literal(_ text: StaticString) -> Bool {
    let count = text.utf8CodeUnitCount
    guard end - pos >= count, memcmp(ptr + pos, text.utf8Start, count) == 0 else { return false }
    pos += count
    return true
  }

  /// `,"name":` of an optional field at or after `from` in the canonical order.
  private mutating func fieldName(from: Int) -> Int? {
    guard end - pos >= 4, ptr[pos + 1] == 0x22 else { return nil }
    let name = ptr + pos + 2
    var length = 0
    while length < 13 && pos + 2 + length < end && name[length] != 0x22 { length += 1 }
    guard end - (pos + 2 + length) >= 2, name[length + 1] == 0x3A, let field = CanonicalLineScanner.field(name, length), field >= from
    else { return nil }
    pos += length + 4
    return field
  }

  /// The optional field (its index in the order above) whose name is the `length` bytes at `name`.
  private static func field(_ name: UnsafePointer<UInt8>, _ length: Int) -> Int? {
    @inline(__always) func equals(_ text: StaticString) -> Bool { memcmp(name, text.utf8Start, length) == 0 }
    switch (length, name[0]) {
    case (3, UInt8(ascii: "a")): return equals("app") ? 3 : nil
    case (3, UInt8(ascii: "u")): return equals("url") ? 5 : nil
    case (4, UInt8(ascii: "h")): return equals("host") ? 1 : nil
    case (4, UInt8(ascii: "u")): return equals("user") ? 2 : nil
    case (4, UInt8(ascii: "f")): return equals("file") ? 6 : nil
    case (4, UInt8(ascii: "t")): return equals("task") ? 9 : equals("tags") ? tagsField : nil
    case (5, UInt8(ascii: "t")): return equals("title") ? 4 : nil
    case (5, UInt8(ascii: "a")): return equals("attrs") ? attrsField : nil
    case (6, UInt8(ascii: "s")): return equals("stream") ? 0 : nil
    case (6, UInt8(ascii: "c")): return equals("client") ? 8 : nil
    case (6, UInt8(ascii: "o")): return equals("offset") ? offsetField : nil
    case (7, UInt8(ascii: "p")): return equals("project") ? 7 : nil
    case (8, UInt8(ascii: "c")): return equals("category") ? 11 : nil
    case (8, UInt8(ascii: "b")): return equals("billable") ? billableField : nil
    case (11, UInt8(ascii: "d")): return equals("description") ? 10 : nil
    case (11, UInt8(ascii: "s")): return equals("subcategory") ? 12 : nil
    case (12, UInt8(ascii: "p")): return equals("productivity") ? productivityField : nil
    default: return nil
    }
  }

  /// A string in the writer's form; its text as a range (into the line, or into the
  /// view's scratch when it held escapes).
  private mutating func string() -> UnsafeRawBufferPointer? {
    guard pos < end, ptr[pos] == 0x22 else { return nil }
    let begin = pos + 1
    guard let (close, escaped) = stringEnd(from: begin) else { return nil }
    pos = close + 1
    guard escaped else { return UnsafeRawBufferPointer(start: ptr + begin, count: close - begin) }
    return unescape(begin, close)
  }

  /// The closing quote of the string whose text starts at `from`, and whether it holds
  /// escapes; nil when it is not valid UTF-8 or holds an escape the writer would not write.
  private func stringEnd(from: Int) -> (Int, Bool)? {
    var i = from
    var escaped = false
    while true {
      i = JSONTokenizer.plainRunEnd(ptr, from: i, to: end)
      guard i < end else { return nil }
      let c = ptr[i]
      if c == 0x22 { return (i, escaped) }
      if c >= 0x80 {
        guard let after = UTF8Check.characterEnd(ptr, at: i, end: end) else { return nil }
        i = after
      } else if c == 0x5C {
        guard let length = canonicalEscapeLength(at: i) else { return nil }
        escaped = true
        i += length
      } else if c >= 0x20 {
        i += 1
      } else {
        return nil
      }
    }
  }

  /// The length of the escape at `i` when it is one the writer writes: `\"`, `\\`,
  /// `\n`, `\r`, `\t`, `\b`, `\f`, or `\u00xx` (lower-case hex) for another control.
  private func canonicalEscapeLength(at i: Int) -> Int? {
    guard end - i >= 2 else { return nil }
    switch ptr[i + 1] {
    case 0x22, 0x5C, UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"), UInt8(ascii: "b"), UInt8(ascii: "f"):
      return 2
    case UInt8(ascii: "u"):
      guard end - i >= 6, ptr[i + 2] == 0x30, ptr[i + 3] == 0x30, ptr[i + 4] == 0x30 || ptr[i + 4] == 0x31,
        let low = CanonicalLineScanner.lowerHex(ptr[i + 5])
      else { return nil }
      switch (ptr[i + 4] - 0x30) << 4 | low {
      case 0x08, 0x09, 0x0A, 0x0C, 0x0D: return nil  // written as \b, \t, \n, \f, \r
      default: return 6
      }
    default:
      return nil
    }
  }

  private static func lowerHex(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 0x57
    default: return nil
    }
  }

  /// Appends the text of a string the writer wrote, `raw` (between its quotes), with its
  /// escapes undone (written in place: the text is never longer than its escaped form).
  static func appendUnescaped(_ raw: UnsafeRawBufferPointer, to out: ByteBuffer) {
    let text = out.reserve(raw.count)
    guard let base = raw.baseAddress else { return }
    var n = 0
    var i = 0
    while i < raw.count {
      // The text up to the next backslash, copied at once.
      let backslash = memchr(base + i, 0x5C, raw.count - i).map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
      if backslash > i {
        UnsafeMutableRawPointer(text + n).copyMemory(from: base + i, byteCount: backslash - i)
        n += backslash - i
        i = backslash
      }
      guard i < raw.count else { break }
      let c: UInt8
      switch raw[i + 1] {
      case UInt8(ascii: "n"): c = 0x0A
      case UInt8(ascii: "r"): c = 0x0D
      case UInt8(ascii: "t"): c = 0x09
      case UInt8(ascii: "b"): c = 0x08
      case UInt8(ascii: "f"): c = 0x0C
      case UInt8(ascii: "u"):
        c = (raw[i + 4] - 0x30) << 4 | CanonicalLineScanner.lowerHex(raw[i + 5])!
        i += 4
      default: c = raw[i + 1]
      }
      i += 2
      text[n] = c
      n += 1
    }
    out.commit(n)
  }

  /// The text of the string between `begin` and `close` with its (canonical) escapes
  /// undone, in the view's scratch (reserved to the line's length: it never moves).
  private func unescape(_ begin: Int, _ close: Int) -> UnsafeRawBufferPointer {
    let scratch = view.scratch
    let start = scratch.count
    CanonicalLineScanner.appendUnescaped(UnsafeRawBufferPointer(start: ptr + begin, count: close - begin), to: scratch)
    return UnsafeRawBufferPointer(start: scratch.base + start, count: scratch.count - start)
  }

  /// `YYYY-MM-DDTHH:MM:SS.mmmZ` of a real instant in the years 0001-9999, as
  /// milliseconds; nil for anything else (the full decoder's to judge). The day of the
  /// line before is kept in `view` (events come in order: most share it).
  private func canonicalStart() -> Int64? {
    CanonicalLineScanner.canonicalMillis(ptr + pos, dateKey: &view.lastDateKey, days: &view.lastDays)
  }

  /// The 24 bytes at `p` as `canonicalStart` reads them; the day of the last call is kept
  /// in `dateKey` and `days`.
  static func canonicalMillis(_ p: UnsafePointer<UInt8>, dateKey lastDateKey: inout (UInt64, UInt16), days lastDays: inout Int64?) -> Int64? {
    guard p[4] == 0x2D, p[7] == 0x2D, p[10] == UInt8(ascii: "T"), p[13] == 0x3A, p[16] == 0x3A, p[19] == 0x2E,
      p[23] == UInt8(ascii: "Z")
    else { return nil }
    // Two digits as a number; 1000 (out of every range below) when either is not a digit.
    @inline(__always) func two(_ k: Int) -> Int {
      let high = p[k] &- 0x30, low = p[k + 1] &- 0x30
      return high <= 9 && low <= 9 ? Int(high) * 10 + Int(low) : 1000
    }
    let dateKey = (UnsafeRawPointer(p).loadUnaligned(as: UInt64.self), UnsafeRawPointer(p + 8).loadUnaligned(as: UInt16.self))
    var days = lastDays
    if dateKey != lastDateKey || days == nil {
      let century = two(0), year = two(2), month = two(5), day = two(8)
      guard century < 100, year < 100, century + year > 0, month >= 1, month <= 12, day >= 1,
        day <= 28 || day <= CivilTime.daysInMonth(year: century * 100 + year, month: month)
      else { return nil }
      days = CivilTime.daysFromCivil(year: century * 100 + year, month: month, day: day)
      lastDays = days
      lastDateKey = dateKey
    }
    let hour = two(11), minute = two(14), second = two(17), millis = two(20), lastDigit = Int(p[22] &- 0x30)
    guard hour < 24, minute < 60, second < 60, millis < 100, lastDigit <= 9 else { return nil }
    return days! * CivilTime.millisPerDay + Int64(((hour * 60 + minute) * 60 + second) * 1000 + millis * 10 + lastDigit)
  }

  /// A duration as the writer writes it (`NumberText.shortestValue`: text and value
  /// agree), decoded without strtod; anything else goes the long way.
  private mutating func canonicalDuration() -> Double? {
    guard let (value, length) = NumberText.shortestNumber(ptr + pos, end - pos), pos + length < end,
      ptr[pos + length] == 0x2C || ptr[pos + length] == 0x7D
    else { return nil }
    pos += length
    return value <= EventSpec.maxDurationSeconds ? value : nil
  }

  private mutating func canonicalProductivity() -> Int? {
    guard end - pos >= 2 else { return nil }
    let negative = ptr[pos] == 0x2D
    let digit = Int(ptr[pos + (negative ? 1 : 0)]) - 0x30
    guard (negative ? 1...2 : 0...2).contains(digit) else { return nil }
    pos += negative ? 2 : 1
    return negative ? -digit : digit
  }

  /// Digits, signs, dots and exponents: a number the writer wrote (trusted lines only).
  private mutating func skipNumber() {
    while pos < end, ptr[pos] != 0x2C && ptr[pos] != 0x7D { pos += 1 }
  }

  private mutating func tags() -> Bool {
    let begin = pos
    guard tagList() else { return false }
    view.hasTags = true
    view.tagsJSON = UnsafeRawBufferPointer(start: ptr + begin, count: pos - begin)
    return true
  }

  private mutating func tagList() -> Bool {
    guard pos < end, ptr[pos] == 0x5B else { return false }
    pos += 1
    if pos < end && ptr[pos] == 0x5D {
      pos += 1
      return true
    }
    while true {
      guard let tag = string() else { return false }
      view.tagList.append(tag)
      guard pos < end else { return false }
      if ptr[pos] == 0x5D {
        pos += 1
        return true
      }
      guard ptr[pos] == 0x2C else { return false }
      pos += 1
    }
  }

  // MARK: attrs

  /// One JSON value in compact form with the writer's escapes, numbers in JSON's
  /// grammar (kept as written, so any such number is canonical), keys not repeated.
  private mutating func attrsValue(depth: Int) -> Bool {
    attrsValues += 1
    guard pos < end, attrsValues <= CanonicalLineScanner.maxAttrsValues else { return false }
    switch ptr[pos] {
    case 0x22:
      guard let (close, _) = stringEnd(from: pos + 1) else { return false }
      pos = close + 1
      return true
    case 0x7B:
      guard depth < CanonicalLineScanner.maxAttrsDepth else { return false }
      pos += 1
      if pos < end && ptr[pos] == 0x7D {
        pos += 1
        return true
      }
      let firstKey = view.attrsKeys.count
      defer {
        let added = view.attrsKeys.count - firstKey
        if added > 0 { view.attrsKeys.removeLast(added) }
      }
      while true {
        guard pos < end, ptr[pos] == 0x22, let (close, _) = stringEnd(from: pos + 1) else { return false }
        let key = UnsafeRawBufferPointer(start: ptr + pos + 1, count: close - pos - 1)
        // Escapes are canonical, so equal text is equal bytes.
        guard view.attrsKeys.count - firstKey < CanonicalLineScanner.maxObjectMembers,
          !view.attrsKeys[firstKey...].contains(where: { $0.sameBytes(as: key) })
        else { return false }
        view.attrsKeys.append(key)
        pos = close + 1
        guard pos < end, ptr[pos] == 0x3A else { return false }
        pos += 1
        guard attrsValue(depth: depth + 1), pos < end else { return false }
        if ptr[pos] == 0x7D {
          pos += 1
          return true
        }
        guard ptr[pos] == 0x2C else { return false }
        pos += 1
      }
    case 0x5B:
      guard depth < CanonicalLineScanner.maxAttrsDepth else { return false }
      pos += 1
      if pos < end && ptr[pos] == 0x5D {
        pos += 1
        return true
      }
      while true {
        guard attrsValue(depth: depth + 1), pos < end else { return false }
        if ptr[pos] == 0x5D {
          pos += 1
          return true
        }
        guard ptr[pos] == 0x2C else { return false }
        pos += 1
      }
    case UInt8(ascii: "t"): return literal("true")
    case UInt8(ascii: "f"): return literal("false")
    case UInt8(ascii: "n"): return literal("null")
    default: return attrsNumber()
    }
  }

  /// A number in RFC 8259's grammar, up to 64 characters.
  private mutating func attrsNumber() -> Bool {
    let begin = pos
    func digits() -> Int {
      let first = pos
      while pos < end, ptr[pos] >= 0x30 && ptr[pos] <= 0x39 { pos += 1 }
      return pos - first
    }
    if pos < end && ptr[pos] == 0x2D { pos += 1 }
    guard pos < end, ptr[pos] >= 0x30 && ptr[pos] <= 0x39 else { return false }
    if ptr[pos] == 0x30 {
      pos += 1
      if pos < end, ptr[pos] >= 0x30 && ptr[pos] <= 0x39 { return false }
    } else {
      _ = digits()
    }
    if pos < end && ptr[pos] == 0x2E {
      pos += 1
      guard digits() > 0 else { return false }
    }
    if pos < end && (ptr[pos] == UInt8(ascii: "e") || ptr[pos] == UInt8(ascii: "E")) {
      pos += 1
      if pos < end && (ptr[pos] == 0x2B || ptr[pos] == 0x2D) { pos += 1 }
      guard digits() > 0 else { return false }
    }
    return pos - begin <= 64
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
