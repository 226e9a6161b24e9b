#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pull tokenizer for JSON (RFC 8259) that holds one token at a time, so a
/// document of any size is read in constant memory.
///
/// It checks the whole grammar (what may follow what, matching brackets), UTF-8
/// (overlongs, surrogates, truncated sequences), escapes (lone surrogates), a
/// nesting limit, and a length limit on one string; every error carries line and
/// column. It reads either a stream (`init(reader:)`) or one line held in memory
/// (`reset(line:lineNumber:offset:)`, for NDJSON).
public final class JSONTokenizer {
  public static let defaultMaxDepth = 512
  public static let defaultMaxStringBytes = 8 << 20
  /// The most values one record read whole (`readValue`, `readObjectMembers`) may hold:
  /// each takes about 60 bytes in memory, so this bounds a record's memory near 15 MB
  /// (a 25-million-element array in one event took 1.5 GB before).
  public static let maxRecordValues = 250_000

  private enum State {
    case topValue, afterTopValue, keyOrEnd, key, colon, valueOrEnd, value, commaOrEnd
  }

  private let reader: ByteReader?
  private var ptr: UnsafePointer<UInt8>
  private var pos = 0
  private var end = 0
  /// Offset in the whole input of ptr[0].
  private var base: Int64 = 0
  private var line = 1
  private var lineStart: Int64 = 0

  private var state = State.topValue
  /// One entry per open container: true for an object, false for an array.
  private var stack: [Bool] = []
  public let maxDepth: Int
  public let maxStringBytes: Int
  /// Accepts a stream of values one after another (concatenated JSON), not just one.
  public let allowsMultipleValues: Bool
  public var fileName: String
  /// Values read so far into the record being read whole (JSONValue.swift).
  var recordValues = 0

  /// The text of the last key, string or number (strings unescaped, valid UTF-8).
  public let text = ByteBuffer(capacity: 1 << 12)
  /// Where the last token began.
  public private(set) var tokenPosition = SourcePosition(line: 1, column: 1, byteOffset: 0)

  /// A tokenizer over a stream.
  public init(reader: ByteReader, maxDepth: Int = defaultMaxDepth,
              maxStringBytes: Int = defaultMaxStringBytes, allowsMultipleValues: Bool = false) {
    self.reader = reader
    self.fileName = reader.name
    self.maxDepth = maxDepth
    self.maxStringBytes = maxStringBytes
    self.allowsMultipleValues = allowsMultipleValues
    ptr = UnsafePointer(reader.storage.assumingMemoryBound(to: UInt8.self))
    pos = reader.start
    end = reader.end
    base = reader.baseOffset
    stack.reserveCapacity(64)
  }

  /// A tokenizer for values held in memory; give it each with `reset(line:...)`.
  public init(fileName: String, maxDepth: Int = defaultMaxDepth, maxStringBytes: Int = defaultMaxStringBytes) {
    reader = nil
    self.fileName = fileName
    self.maxDepth = maxDepth
    self.maxStringBytes = maxStringBytes
    allowsMultipleValues = false
    ptr = UnsafePointer(bitPattern: 1)!
    stack.reserveCapacity(64)
  }

  /// Starts over on one JSON value in memory: `lineNumber`, `offset` and `column` place it
  /// in its file.
  public func reset(line bytes: UnsafeRawBufferPointer, lineNumber: Int, offset: Int64, column: Int = 1) {
    ptr = bytes.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? UnsafePointer(bitPattern: 1)!
    pos = 0
    end = bytes.count
    base = offset
    line = lineNumber
    lineStart = offset - Int64(column - 1)
    state = .topValue
    // (Emptying an empty array still costs a call: most lines leave none.)
    if !stack.isEmpty { stack.removeAll(keepingCapacity: true) }
  }

  /// How deep the tokenizer is: 0 outside any container.
  public var depth: Int { stack.count }

  /// Where the tokenizer is now.
  public var position: SourcePosition {
    let offset = base + Int64(pos)
    return SourcePosition(line: line, column: Int(offset - lineStart) + 1, byteOffset: offset)
  }

  // MARK: Input

  @inline(__always)
  private func hasByte() throws -> Bool {
    if pos < end { return true }
    return try refill()
  }

  private func refill() throws -> Bool {
    guard let reader else { return false }
    reader.start = pos
    _ = try reader.fill()
    ptr = UnsafePointer(reader.storage.assumingMemoryBound(to: UInt8.self))
    pos = reader.start
    end = reader.end
    base = reader.baseOffset
    return pos < end
  }

  /// True when `count` bytes are readable at `pos` (fewer only at the end of input).
  @inline(__always)
  private func ensure(_ count: Int) throws -> Bool {
    while end - pos < count {
      let before = end - pos
      if try !refill() || end - pos == before { return end - pos >= count }
    }
    return true
  }

  /// Marks the input consumed up to here, so the reader below knows.
  private func syncReader() {
    reader?.start = pos
  }

  // MARK: Errors

  private func fail(_ kind: EidolonError.Kind, _ message: String) -> EidolonError {
    EidolonError(kind, message, file: fileName, position: position)
  }

  private func expectedDescription() -> String {
    switch state {
    case .topValue, .value: return "a value"
    case .afterTopValue: return "the end of the input"
    case .keyOrEnd: return "a key in quotes or '}'"
    case .key: return "a key in quotes"
    case .colon: return "':'"
    case .valueOrEnd: return "a value or ']'"
    case .commaOrEnd: return stack.last == true ? "',' or '}'" : "',' or ']'"
    }
  }

  private func unexpected() -> EidolonError {
    guard pos < end else {
      let inside = stack.last.map { $0 ? " inside an object" : " inside an array" } ?? ""
      return fail(.truncated, "the input ends early\(inside): expected \(expectedDescription())")
    }
    let byte = ptr[pos]
    let shown = byte >= 0x20 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(hexByte(byte))"
    if state == .afterTopValue {
      return fail(.syntax, "unexpected \(shown) after the end of the JSON value")
    }
    return fail(.syntax, "unexpected \(shown): expected \(expectedDescription())")
  }

  // MARK: Tokens

  /// The next token. After `.end` it keeps returning `.end`.
  public func next() throws -> JSONToken {
    while true {
      try skipWhitespace()
      tokenPosition = position
      guard pos < end else {
        switch state {
        case .afterTopValue:
          syncReader()
          return .end
        case .topValue where allowsMultipleValues:
          syncReader()
          return .end
        default:
          throw unexpected()
        }
      }
      let c = ptr[pos]
      switch state {
      case .topValue, .value:
        return try value(c)
      case .valueOrEnd:
        if c == UInt8(ascii: "]") {
          pos += 1
          return closeContainer(object: false)
        }
        return try value(c)
      case .keyOrEnd, .key:
        if c == UInt8(ascii: "}") && state == .keyOrEnd {
          pos += 1
          return closeContainer(object: true)
        }
        guard c == UInt8(ascii: "\"") else { throw unexpected() }
        pos += 1
        try readString()
        state = .colon
        return .key
      case .colon:
        guard c == UInt8(ascii: ":") else { throw unexpected() }
        pos += 1
        state = .value
      case .commaOrEnd:
        let inObject = stack.last!
        if c == UInt8(ascii: ",") {
          pos += 1
          state = inObject ? .key : .value
        } else if c == UInt8(ascii: inObject ? "}" : "]") {
          pos += 1
          return closeContainer(object: inObject)
        } else {
          throw unexpected()
        }
      case .afterTopValue:
        guard allowsMultipleValues else { throw unexpected() }
        state = .topValue
      }
    }
  }

  /// What a raw scanner made of the bytes offered to it by `offerRawValue`.
  public enum RawScan {
    /// It read one whole value, this many bytes long, and checked it as JSON itself.
    case took(Int)
    /// The value runs past the bytes offered: offer more.
    case needMore
    /// Not a value it reads: the tokens are to read it.
    case declined
  }

  /// Offers the next element of the array being read, as raw bytes from its first byte
  /// on, to `scan` (a reader's fast path for the records of a big array). When `scan`
  /// takes a value, the tokenizer moves past it as if it had read its tokens; otherwise
  /// nothing is consumed and the element is read with `next()` as usual. At most
  /// `maxBytes` are offered, and never more than the input holds. Returns false at the
  /// end of the array or when `scan` declines. `tokenPosition` is the element's start.
  public func offerRawValue(maxBytes: Int, _ scan: (UnsafeRawBufferPointer) -> RawScan) throws -> Bool {
    guard try atArrayElement() else { return false }
    tokenPosition = position
    var offered = min(end - pos, maxBytes)
    while true {
      switch scan(UnsafeRawBufferPointer(start: ptr + pos, count: offered)) {
      case .took(let count):
        countLines(from: pos, to: pos + count)
        pos += count
        afterValue()
        return true
      case .declined:
        return false
      case .needMore:
        guard offered < maxBytes else { return false }
        let wanted = min(maxBytes, max(offered * 2, 4096))
        _ = try ensure(wanted)
        guard end - pos > offered else { return false }  // the input ends first
        offered = min(end - pos, maxBytes)
      }
    }
  }

  /// As `offerRawValue` with `JSONValueEnd.find`, for as many elements in a row as lie
  /// whole in the bytes read so far (none is read to make room): each one's start and end,
  /// from the run's first byte, into `starts` and `ends`, and its position into
  /// `positions`, up to `capacity` of them (`JSONValueEnd.run` says where a run stops;
  /// `maxDepth` is the elements' own nesting). Returns the run's bytes, valid until the
  /// tokenizer moves on, and how many elements it holds: none at the end of the array,
  /// or when the next element is not whole in the bytes read or not one `run` takes
  /// (then `offerRawValue` offers it, reading more).
  public func takeRawValueRun(maxBytes: Int, maxDepth: Int, limit: Int, starts: UnsafeMutablePointer<Int>,
                              ends: UnsafeMutablePointer<Int>, positions: UnsafeMutablePointer<SourcePosition>,
                              capacity: Int) throws -> (run: UnsafeRawBufferPointer, count: Int) {
    let none = (UnsafeRawBufferPointer(start: nil, count: 0), 0)
    guard try atArrayElement() else { return none }
    let runStart = pos
    let (count, _) = JSONValueEnd.run(UnsafeRawBufferPointer(start: ptr + pos, count: end - pos), maxDepth: maxDepth,
                                      maxBytes: maxBytes, limit: limit, starts: starts, ends: ends, capacity: capacity)
    guard count > 0 else { return none }
    let runEnd = runStart + ends[count - 1]
    if memchr(ptr + runStart, 0x0A, runEnd - runStart) == nil {
      // All on one line (an export written without line breaks): no line to count.
      for k in 0..<count {
        let offset = base + Int64(runStart + starts[k])
        positions[k] = SourcePosition(line: line, column: Int(offset - lineStart) + 1, byteOffset: offset)
      }
    } else {
      var at = runStart
      for k in 0..<count {
        countLines(from: at, to: runStart + starts[k])
        at = runStart + starts[k]
        let offset = base + Int64(at)
        positions[k] = SourcePosition(line: line, column: Int(offset - lineStart) + 1, byteOffset: offset)
      }
      countLines(from: at, to: runEnd)
    }
    pos = runEnd
    tokenPosition = positions[count - 1]
    afterValue()
    return (UnsafeRawBufferPointer(start: ptr + runStart, count: runEnd - runStart), count)
  }

  /// Moves past whitespace and the comma before the next element of the array being read;
  /// false when the next is not an element (the array's end, or not in an array).
  @inline(__always)
  private func atArrayElement() throws -> Bool {
    try skipWhitespace()
    if state == .commaOrEnd, stack.last == false, pos < end, ptr[pos] == UInt8(ascii: ",") {
      pos += 1
      state = .value
      try skipWhitespace()
    }
    return (state == .value || state == .valueOrEnd) && pos < end && ptr[pos] != UInt8(ascii: "]")
  }

  /// Counts the line breaks from `from` to `to`, bytes a raw scan took. (Only whitespace
  /// between tokens can hold one: strings cannot.)
  @inline(__always)
  private func countLines(from: Int, to stop: Int) {
    var i = from
    while let found = memchr(ptr + i, 0x0A, stop - i) {
      i = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - ptr + 1
      line += 1
      lineStart = base + Int64(i)
    }
  }

  /// Reads past the rest of the container whose begin token was just returned.
  public func skipContainer() throws {
    let target = stack.count - 1
    while stack.count > target {
      _ = try next()
    }
  }

  /// Reads past one whole value whose first token is `token`.
  public func skip(_ token: JSONToken) throws {
    if token == .beginObject || token == .beginArray { try skipContainer() }
  }

  @inline(__always)
  private func skipWhitespace() throws {
    while true {
      while pos < end {
        let c = ptr[pos]
        if c == 0x20 || c == 0x09 || c == 0x0D {
          pos += 1
        } else if c == 0x0A {
          pos += 1
          line += 1
          lineStart = base + Int64(pos)
        } else if c == 0xEF && base + Int64(pos) == 0 {
          // A byte-order mark at the very start: RFC 8259 lets parsers ignore it.
          guard try ensure(3), ptr[pos + 1] == 0xBB, ptr[pos + 2] == 0xBF else { return }
          pos += 3
          lineStart = 3
        } else {
          return
        }
      }
      if try !refill() { return }
    }
  }

  private func afterValue() {
    state = stack.isEmpty ? .afterTopValue : .commaOrEnd
  }

  private func closeContainer(object: Bool) -> JSONToken {
    stack.removeLast()
    afterValue()
    return object ? .endObject : .endArray
  }

  private func openContainer(object: Bool) throws -> JSONToken {
    guard stack.count < maxDepth else {
      throw fail(.limit, "JSON nested deeper than \(maxDepth) levels; refusing it")
    }
    pos += 1
    stack.append(object)
    state = object ? .keyOrEnd : .valueOrEnd
    return object ? .beginObject : .beginArray
  }

  private func value(_ c: UInt8) throws -> JSONToken {
    switch c {
    case UInt8(ascii: "{"): return try openContainer(object: true)
    case UInt8(ascii: "["): return try openContainer(object: false)
    case UInt8(ascii: "\""):
      pos += 1
      try readString()
      afterValue()
      return .string
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      try readNumber()
      afterValue()
      return .number
    case UInt8(ascii: "t"):
      try literal("true")
      afterValue()
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      afterValue()
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      afterValue()
      return .null
    default:
      throw unexpected()
    }
  }

  private func literal(_ word: StaticString) throws {
    let count = word.utf8CodeUnitCount
    let available = try ensure(count)
    let limit = available ? count : end - pos
    for i in 0..<limit where ptr[pos + i] != word.utf8Start[i] {
      pos += i
      throw fail(.syntax, "invalid literal: expected '\(word)'")
    }
    guard available else {
      pos = end
      throw fail(.truncated, "the input ends early inside '\(word)'")
    }
    pos += count
  }

  // MARK: Strings

  /// Reads a string's content after its opening quote into `text`.
  private func readString() throws {
    text.removeAll()
    while true {
      var i = pos
      while true {
        i = JSONTokenizer.plainRunEnd(ptr, from: i, to: end)
        guard i < end else { break }
        let c = ptr[i]
        if c >= 0x80 {
          // Whole UTF-8 characters stay in the run; a bad or cut one is looked at below.
          guard let after = UTF8Check.characterEnd(ptr, at: i, end: end) else { break }
          i = after
        } else if c >= 0x20 && c != 0x22 && c != 0x5C {
          i += 1  // the last bytes, fewer than eight
        } else {
          break
        }
      }
      if i > pos {
        text.append(UnsafeRawBufferPointer(start: ptr + pos, count: i - pos))
        pos = i
        if text.count > maxStringBytes {
          throw fail(.limit, "a JSON string longer than \(maxStringBytes >> 20) MiB; refusing it")
        }
      }
      if pos == end {
        guard try refill() else {
          throw fail(.truncated, "the input ends inside a string (a missing closing quote?)")
        }
        continue
      }
      let c = ptr[pos]
      if c == 0x22 {
        pos += 1
        return
      } else if c == 0x5C {
        try readEscape()
      } else if c < 0x20 {
        throw fail(.syntax, c == 0x0A
          ? "a line break inside a string (a missing closing quote, or an unescaped newline?)"
          : "control character \(hexByte(c)) inside a string: it must be escaped")
      } else {
        try readUTF8Sequence(lead: c)
      }
    }
  }

  /// The end of the run of bytes from `from` that need no look: printable ASCII
  /// other than '"' and '\\', sixteen bytes at a time (SSE2 compares; a control byte or
  /// one past ASCII is below 0x20 as a signed byte), then eight (SWAR, as simdjson's
  /// fallback does).
  @inline(__always)
  static func plainRunEnd(_ ptr: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int {
    var i = from
    let space = SIMD16<Int8>(repeating: 0x20), quote = SIMD16<Int8>(repeating: 0x22), backslash = SIMD16<Int8>(repeating: 0x5C)
    while end - i >= 16 {
      let chunk = UnsafeRawPointer(ptr + i).loadUnaligned(as: SIMD16<Int8>.self)
      let found = unsafeBitCast((chunk .< space) .| (chunk .== quote) .| (chunk .== backslash), to: SIMD2<UInt64>.self)
      if found[0] != 0 { return i + found[0].trailingZeroBitCount / 8 }
      if found[1] != 0 { return i + 8 + found[1].trailingZeroBitCount / 8 }
      i += 16
    }
    while end - i >= 8 {
      let word = UnsafeRawPointer(ptr + i).loadUnaligned(as: UInt64.self)
      let flagged = ByteBuffer.escapeFlags(word) | (word & 0x8080_8080_8080_8080)
      if flagged != 0 { return i + flagged.trailingZeroBitCount / 8 }
      i += 8
    }
    return i
  }

  private func readUTF8Sequence(lead: UInt8) throws {
    guard let (length, low, high) = UTF8Check.sequence(lead: lead) else {
      throw fail(.syntax, "invalid UTF-8: byte \(hexByte(lead)) cannot start a character")
    }
    let complete = try ensure(length)
    for i in 1..<length {
      guard pos + i < end else { break }
      let b = ptr[pos + i]
      let (lo, hi) = i == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
      if b < lo || b > hi {
        throw fail(.syntax, "invalid UTF-8 sequence inside a string")
      }
    }
    guard complete else {
      throw fail(.truncated, "the input ends inside a UTF-8 character")
    }
    text.append(UnsafeRawBufferPointer(start: ptr + pos, count: length))
    pos += length
  }

  private func readEscape() throws {
    guard try ensure(2) else { throw fail(.truncated, "the input ends inside an escape sequence") }
    let c = ptr[pos + 1]
    let simple: UInt8
    switch c {
    case UInt8(ascii: "\""): simple = 0x22
    case UInt8(ascii: "\\"): simple = 0x5C
    case UInt8(ascii: "/"): simple = 0x2F
    case UInt8(ascii: "b"): simple = 0x08
    case UInt8(ascii: "f"): simple = 0x0C
    case UInt8(ascii: "n"): simple = 0x0A
    case UInt8(ascii: "r"): simple = 0x0D
    case UInt8(ascii: "t"): simple = 0x09
    case UInt8(ascii: "u"):
      try readUnicodeEscape()
      return
    default:
      throw fail(.syntax, "invalid escape '\\\(Character(Unicode.Scalar(c)))' in a string")
    }
    text.append(simple)
    pos += 2
  }

  private func hexQuad(at offset: Int) -> UInt32? { JSONTokenizer.hexQuad(ptr, at: offset) }

  /// The four hex digits at `offset` as a number; nil when one is not a hex digit.
  static func hexQuad(_ ptr: UnsafePointer<UInt8>, at offset: Int) -> UInt32? {
    var value: UInt32 = 0
    for i in 0..<4 {
      let c = ptr[offset + i]
      let digit: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - 0x30
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - 0x57
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - 0x37
      default: return nil
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  private func readUnicodeEscape() throws {
    guard try ensure(6) else { throw fail(.truncated, "the input ends inside a \\u escape") }
    guard var scalar = hexQuad(at: pos + 2) else {
      throw fail(.syntax, "a \\u escape needs four hex digits")
    }
    if scalar >= 0xDC00 && scalar <= 0xDFFF {
      throw fail(.syntax, "a lone low surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string")
    }
    if scalar >= 0xD800 && scalar <= 0xDBFF {
      guard try ensure(12), ptr[pos + 6] == 0x5C, ptr[pos + 7] == UInt8(ascii: "u"),
        let low = hexQuad(at: pos + 8), low >= 0xDC00 && low <= 0xDFFF
      else {
        throw fail(.syntax, "a lone high surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string (not followed by a low surrogate)")
      }
      scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
      pos += 12
    } else {
      pos += 6
    }
    text.appendUTF8(scalar: scalar)
  }

  // MARK: Numbers

  @inline(__always)
  private func peekByte() throws -> UInt8? {
    try hasByte() ? ptr[pos] : nil
  }

  @inline(__always)
  private func isDigit(_ c: UInt8?) -> Bool {
    guard let c else { return false }
    return c >= 0x30 && c <= 0x39
  }

  private func takeDigits() throws {
    while let c = try peekByte(), c >= 0x30 && c <= 0x39 {
      text.append(c)
      pos += 1
      if text.count > 1024 { throw fail(.limit, "a number longer than 1024 characters; refusing it") }
    }
  }

  /// Reads a number into `text`, checking RFC 8259's grammar.
  private func readNumber() throws {
    text.removeAll()
    if ptr[pos] == UInt8(ascii: "-") {
      text.append(ptr[pos])
      pos += 1
    }
    guard let first = try peekByte(), isDigit(first) else {
      throw pos < end ? fail(.syntax, "a '-' must be followed by a digit") : fail(.truncated, "the input ends inside a number")
    }
    if first == UInt8(ascii: "0") {
      text.append(first)
      pos += 1
      if isDigit(try peekByte()) { throw fail(.syntax, "a number cannot start with 0 followed by more digits") }
    } else {
      try takeDigits()
    }
    if try peekByte() == UInt8(ascii: ".") {
      text.append(UInt8(ascii: "."))
      pos += 1
      guard isDigit(try peekByte()) else { throw fail(.syntax, "a '.' in a number must be followed by a digit") }
      try takeDigits()
    }
    if let c = try peekByte(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
      text.append(c)
      pos += 1
      if let sign = try peekByte(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
        text.append(sign)
        pos += 1
      }
      guard isDigit(try peekByte()) else { throw fail(.syntax, "an exponent in a number needs digits") }
      try takeDigits()
    }
  }

  // MARK: Values of the last token

  /// The last key or string as a Swift String.
  public func stringValue() -> String {
    String(decoding: text.bytes, as: UTF8.self)
  }

  /// True when the last key or string is exactly `literal`.
  @inline(__always)
  public func textEquals(_ literal: StaticString) -> Bool {
    text.count == literal.utf8CodeUnitCount && memcmp(text.base, literal.utf8Start, text.count) == 0
  }

  /// The last number as a Double (nil when it overflows to infinity).
  public func doubleValue() -> Double? {
    NumberText.double(text)
  }

  /// The last number as an Int64, when it is a whole number that fits.
  public func int64Value() -> Int64? {
    NumberText.int64(text.bytes)
  }
}
