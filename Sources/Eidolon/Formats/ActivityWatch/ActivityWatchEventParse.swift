import CByteMarks
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ActivityWatchEventScanner {
  /// One pass over an exported event's bytes, checking them as JSON the way the tokenizer
  /// does (grammar, UTF-8, escapes) and noting where each part lies. It fails on anything
  /// outside the shape `ActivityWatchEventScanner` takes; `ranOut` then says whether it
  /// only ran out of bytes (more are to be offered) rather than met something it does not take.
  struct EventParse {
    private let ptr: UnsafePointer<UInt8>
    private let end: Int
    /// The 16 bytes past `end` may be read: a string's last bytes are looked at in one
    /// load too (else a byte at a time, 12 instructions each: the last string of each of
    /// aw-read's events).
    private let padded: Bool
    /// Where the parse is: after a whole event, its length.
    private(set) var pos = 0
    private(set) var ranOut = false
    private(set) var timestamp: Span?
    private(set) var duration: Span?
    private(set) var eventID: Span?
    private(set) var dataCount = 0
    private(set) var extraCount = 0
    private var hasData = false
    private var hasDuration = false
    private let members: UnsafeMutablePointer<Member>
    // The scanner's own buffers, which outlive every parse: not retained and released
    // for each event (three retains and two releases an event before), nor for each string
    // with escapes (`unowned(unsafe)` still took a retain and a release a call: 4.4 M
    // instructions of aw-read's 352.5 on its 8 MB bench file).
    private let canonical: Unmanaged<ByteBuffer>
    private let unescaped: Unmanaged<ByteBuffer>

    init(_ bytes: UnsafeRawBufferPointer, padded: Bool = false, members: UnsafeMutablePointer<Member>, canonical: ByteBuffer,
         unescaped: ByteBuffer) {
      ptr = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(bitPattern: 1)!
      end = bytes.count
      self.padded = padded && bytes.baseAddress != nil
      self.members = members
      self.canonical = .passUnretained(canonical)
      self.unescaped = .passUnretained(unescaped)
    }

    /// The whole event object; true when it has the shape taken.
    mutating func event() -> Bool {
      guard byte(0x7B) else { return false }
      skipSpace()
      guard more(), ptr[pos] != 0x7D else { return false }  // no timestamp: the long way rejects it
      while true {
        guard let key = key(), colon() else { return false }
        switch keyName(key) {
        case .timestamp:
          guard timestamp == nil, more(), ptr[pos] == 0x22, let text = string(), !text.value.inScannerBuffer else { return false }
          timestamp = text.value
        case .duration:
          // A key twice is the tokenizer's error to give (even after a null).
          guard !hasDuration, more() else { return false }
          hasDuration = true
          if ptr[pos] == 0x6E {
            guard literal("null") else { return false }
            duration = nil
          } else {
            guard let number = number() else { return false }
            duration = number
          }
        case .data:
          guard !hasData, more() else { return false }
          hasData = true
          if ptr[pos] == 0x6E {
            guard literal("null") else { return false }
          } else {
            guard dataObject() else { return false }
          }
        case .id:
          guard eventID == nil, let value = scalar() else { return false }
          eventID = value.value
        case .other:
          guard extraCount < ActivityWatchEventScanner.maxMembers, let value = scalar() else { return false }
          let first = ActivityWatchEventScanner.maxMembers
          guard isNew(key, among: first..<first + extraCount) else { return false }
          members[first + extraCount] = Member(key: key, value: value.value, isString: value.isString, text: value.text)
          extraCount += 1
        }
        skipSpace()
        guard more() else { return false }
        if ptr[pos] == 0x7D {
          pos += 1
          return timestamp != nil
        }
        guard ptr[pos] == 0x2C else { return false }
        pos += 1
        skipSpace()
      }
    }

    private enum KeyName { case timestamp, duration, data, id, other }

    private func keyName(_ key: Span) -> KeyName {
      let p = ptr + Int(key.start) + 1
      @inline(__always) func equals(_ name: StaticString) -> Bool { memcmp(p, name.utf8Start, name.utf8CodeUnitCount) == 0 }
      switch key.count - 2 {
      case 9 where equals("timestamp"): return .timestamp
      case 8 where equals("duration"): return .duration
      case 4 where equals("data"): return .data
      case 2 where equals("id"): return .id
      default: return .other
      }
    }

    /// The data object: members whose values are scalars.
    private mutating func dataObject() -> Bool {
      guard byte(0x7B) else { return false }
      skipSpace()
      guard more() else { return false }
      if ptr[pos] == 0x7D {
        pos += 1
        return true
      }
      while true {
        guard dataCount < ActivityWatchEventScanner.maxMembers, let key = key(), isNew(key, among: 0..<dataCount), colon(),
          let value = scalar()
        else { return false }
        members[dataCount] = Member(key: key, value: value.value, isString: value.isString, text: value.text)
        dataCount += 1
        skipSpace()
        guard more() else { return false }
        if ptr[pos] == 0x7D {
          pos += 1
          return true
        }
        guard ptr[pos] == 0x2C else { return false }
        pos += 1
        skipSpace()
      }
    }

    private func isNew(_ key: Span, among indexes: Range<Int>) -> Bool {
      let text = UnsafeRawBufferPointer(start: ptr + Int(key.start), count: Int(key.count))
      for index in indexes {
        let other = members[index].key
        if UnsafeRawBufferPointer(start: ptr + Int(other.start), count: Int(other.count)).sameBytes(as: text) { return false }
      }
      return true
    }

    // MARK: Tokens

    @inline(__always)
    private mutating func more() -> Bool {
      if pos < end { return true }
      ranOut = true
      return false
    }

    @inline(__always)
    private mutating func byte(_ c: UInt8) -> Bool {
      guard more(), ptr[pos] == c else { return false }
      pos += 1
      return true
    }

    @inline(__always)
    private mutating func skipSpace() {
      while pos < end {
        let c = ptr[pos]
        guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
        pos += 1
      }
    }

    @inline(__always)
    private mutating func colon() -> Bool {
      skipSpace()
      guard byte(0x3A) else { return false }
      skipSpace()
      return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
      let count = word.utf8CodeUnitCount
      guard end - pos >= count else {
        ranOut = true
        return false
      }
      guard memcmp(ptr + pos, word.utf8Start, count) == 0 else { return false }
      pos += count
      return true
    }

    /// A key with its quotes; keys with escapes go the long way.
    private mutating func key() -> Span? {
      guard more(), ptr[pos] == 0x22 else { return nil }
      let open = pos
      guard let (close, escaped) = stringEnd(from: pos + 1), !escaped else { return nil }
      pos = close + 1
      return Span(from: open, to: close + 1, inScannerBuffer: false)
    }

    /// A string, number, boolean or null, as its canonical text (and a string's text).
    private mutating func scalar() -> (value: Span, isString: Bool, text: Span)? {
      guard more() else { return nil }
      let begin = pos
      switch ptr[pos] {
      case 0x22:
        guard let text = string() else { return nil }
        return (text.value, true, text.text)
      case UInt8(ascii: "t"): guard literal("true") else { return nil }
      case UInt8(ascii: "f"): guard literal("false") else { return nil }
      case UInt8(ascii: "n"): guard literal("null") else { return nil }
      default:
        guard let number = number() else { return nil }
        return (number, false, number)
      }
      let value = Span(from: begin, to: pos, inScannerBuffer: false)
      return (value, false, value)
    }

    /// A number in JSON's grammar, as written (the tree keeps numbers' text too).
    private mutating func number() -> Span? {
      let begin = pos
      @inline(__always) func digits() -> Bool {
        let first = pos
        // Eight bytes a look (a byte at a time was 7 instructions a digit).
        while true {
          let left = end &- pos
          guard left >= 8 || (padded && left > 0) else {
            while pos < end && ptr[pos] &- 0x30 <= 9 { pos &+= 1 }
            break
          }
          let run = min(EventParse.leadingDigitCount(UnsafeRawPointer(ptr + pos).loadUnaligned(as: UInt64.self)), left)
          pos &+= run
          if run < 8 { break }
        }
        return pos > first
      }
      if ptr[pos] == UInt8(ascii: "-") { pos += 1 }
      guard more() else { return nil }
      if ptr[pos] == 0x30 {
        pos += 1
      } else {
        guard ptr[pos] &- 0x31 <= 8, digits() else { return nil }
      }
      if pos < end && ptr[pos] == UInt8(ascii: ".") {
        pos += 1
        guard digits() else { return nil }
      }
      if pos < end && (ptr[pos] | 0x20) == UInt8(ascii: "e") {
        pos += 1
        if pos < end && (ptr[pos] == UInt8(ascii: "+") || ptr[pos] == UInt8(ascii: "-")) { pos += 1 }
        guard digits() else { return nil }
      }
      // The number may go on past the bytes offered; a digit straight after "0" is an error.
      guard more(), ptr[pos] &- 0x30 > 9, pos - begin <= ActivityWatchEventScanner.maxNumberLength else { return nil }
      return Span(from: begin, to: pos, inScannerBuffer: false)
    }

    /// How many of a word's bytes (the first in memory first) are ASCII digits before the
    /// first that is not; 8 for all. (A byte that carries into the next one's test is
    /// itself not a digit, so the first that is not is found right.)
    @inline(__always)
    static func leadingDigitCount(_ word: UInt64) -> Int {
      let value = word ^ 0x3030_3030_3030_3030
      let notDigits = ((value &+ 0x7676_7676_7676_7676) | value) & 0x8080_8080_8080_8080
      return notDigits.trailingZeroBitCount >> 3
    }

    /// A string value as its canonical text: where it lies when it has no escapes (then
    /// it is already what the writer writes), else unescaped and written again; and its
    /// text: in the input, or in `unescaped`.
    private mutating func string() -> (value: Span, text: Span)? {
      let open = pos
      guard let (close, escaped) = stringEnd(from: pos + 1) else { return nil }
      pos = close + 1
      guard escaped else {
        return (Span(from: open, to: close + 1, inScannerBuffer: false),
                Span(from: open + 1, to: close, inScannerBuffer: false))
      }
      return unescaped._withUnsafeGuaranteedRef { unescaped in
        canonical._withUnsafeGuaranteedRef { canonical in
          let textStart = unescaped.count
          guard unescape(open + 1, close, into: unescaped) else { return nil }
          let text = UnsafeRawBufferPointer(rebasing: unescaped.bytes[textStart...])
          let at = canonical.count
          canonical.appendJSONString(text)
          return (Span(from: at, to: canonical.count, inScannerBuffer: true),
                  Span(from: textStart, to: textStart + text.count, inScannerBuffer: true))
        }
      }
    }

    /// The closing quote of the string whose text starts at `from`, and whether it has
    /// escapes (checked later); nil for bad UTF-8, a control character, or the end of
    /// the bytes (then `ranOut`).
    private mutating func stringEnd(from: Int) -> (Int, Bool)? {
      var i = from
      var escaped = false
      while true {
        // To the next byte that is not printable ASCII or is a quote or backslash: 16 bytes
        // a compare and a mask (with the plain run's two halves and checked sums, this
        // function took 86 instructions a string on aw-read's bench file; now 74).
        let left = end &- i
        if left >= 16 || (padded && left > 0) {
          var stops = eid_string_stops16(ptr + i)
          if left < 16 { stops |= 1 << UInt32(left) }  // the end stops the look (bytes past it do not count)
          if stops == 0 {
            i &+= 16
            continue
          }
          i &+= Int(stops.trailingZeroBitCount)
        }  // (in the last 15 bytes when not `padded`, a byte at a time below)
        guard i < end else {
          ranOut = true
          return nil
        }
        let c = ptr[i]
        if c == 0x22 { return (i, escaped) }
        if c >= 0x80 {
          guard let after = UTF8Check.characterEnd(ptr, at: i, end: end) else {
            if end - i < 4 { ranOut = true }  // maybe a character cut by the end
            return nil
          }
          i = after
        } else if c == 0x5C {
          escaped = true
          i &+= 2  // past an escaped quote too; the escape itself is checked in `unescape`
        } else if c >= 0x20 {
          i += 1
        } else {
          return nil
        }
      }
    }

    /// The text between `begin` and `close` with its escapes undone, appended to `unescaped`;
    /// false for an escape JSON does not have or a lone surrogate.
    private func unescape(_ begin: Int, _ close: Int, into unescaped: ByteBuffer) -> Bool {
      var i = begin
      while i < close {
        // The text up to the next backslash, copied at once (a byte at a time was 15
        // instructions a byte).
        let backslash = memchr(ptr + i, 0x5C, close - i).map { UnsafeRawPointer(ptr).distance(to: $0) } ?? close
        if backslash > i { unescaped.append(UnsafeRawBufferPointer(start: ptr + i, count: backslash - i)) }
        i = backslash
        guard i < close else { break }
        switch ptr[i + 1] {
        case 0x22, 0x5C, 0x2F: unescaped.append(ptr[i + 1])
        case UInt8(ascii: "n"): unescaped.append(0x0A)
        case UInt8(ascii: "r"): unescaped.append(0x0D)
        case UInt8(ascii: "t"): unescaped.append(0x09)
        case UInt8(ascii: "b"): unescaped.append(0x08)
        case UInt8(ascii: "f"): unescaped.append(0x0C)
        case UInt8(ascii: "u"):
          guard close - i >= 6, var scalar = JSONTokenizer.hexQuad(ptr, at: i + 2), !(0xDC00...0xDFFF).contains(scalar) else { return false }
          if (0xD800...0xDBFF).contains(scalar) {
            guard close - i >= 12, ptr[i + 6] == 0x5C, ptr[i + 7] == UInt8(ascii: "u"), let low = JSONTokenizer.hexQuad(ptr, at: i + 8),
              (0xDC00...0xDFFF).contains(low)
            else { return false }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            i += 6
          }
          unescaped.appendUTF8(scalar: scalar)
          i += 4
        default:
          return false
        }
        i += 2
      }
      return true
    }
  }
}
