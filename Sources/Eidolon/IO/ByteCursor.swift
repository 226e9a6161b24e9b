import CByteMarks

/// Writes into room a `ByteBuffer` has made, with no check per write: a row scanner makes
/// room for a run of pieces at once (`ensure`) and writes them, and the buffer's count is set
/// once at the end (`ByteBuffer.commit(_:)`). Nothing else may write to the buffer in between.
/// (Each `ByteBuffer.append` loads and checks the buffer's count and room again: about ten
/// instructions a piece, and a canonical line is 25 or more pieces. bench/README.md, "Lines
/// written through a cursor".)
struct ByteCursor {
  /// Where the next byte goes.
  var at: UnsafeMutablePointer<UInt8>
  /// The end of the room made.
  var end: UnsafeMutablePointer<UInt8>

  /// Makes sure `room` more bytes can be written; `buffer` is the one the cursor came from.
  @inline(__always)
  mutating func ensure(_ room: Int, in buffer: ByteBuffer) {
    if end - at < room { buffer.makeRoom(room, for: &self) }
  }

  /// Debug and fuzzing builds check each piece against the room made for it, and their
  /// cursors have no more room than was asked for (`ByteBuffer.cursor(room:)`), so a piece
  /// whose room was not counted stops every test and fuzz run that writes it. Unchecked,
  /// it writes past the buffer only when the buffer happens to be that full: rt-read
  /// corrupted its heap in about one run in 40 so.
  @inline(__always)
  func checkRoom(_ needed: Int) {
    #if DEBUG || EIDOLON_LIBFUZZER
    precondition(end - at >= needed, "a cursor wrote \(needed) bytes with \(end - at) of room made")
    #endif
  }

  @inline(__always)
  mutating func put(_ byte: UInt8) {
    checkRoom(1)
    at.pointee = byte
    at += 1
  }

  /// A literal's bytes (the compiler stores most as immediate words).
  @inline(__always)
  mutating func put(literal text: StaticString) {
    checkRoom(text.utf8CodeUnitCount)
    UnsafeMutableRawPointer(at).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
    at += text.utf8CodeUnitCount
  }

  /// `bytes` as they are; room for `max(16, bytes.count)`.
  @inline(__always)
  mutating func put(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress else { return }
    let n = bytes.count
    checkRoom(max(16, n))
    if n <= 16 {
      eid_copy_short16(source.assumingMemoryBound(to: UInt8.self), UInt32(truncatingIfNeeded: n), at)
    } else if n <= 64 {
      // Overlapping 16-byte loads and stores from both ends (memcpy's call costs more).
      let to = UnsafeMutableRawPointer(at)
      let v = SIMD16<UInt8>.self
      to.storeBytes(of: source.loadUnaligned(as: v), as: v)
      to.storeBytes(of: source.loadUnaligned(fromByteOffset: n &- 16, as: v), toByteOffset: n &- 16, as: v)
      if n > 32 {
        to.storeBytes(of: source.loadUnaligned(fromByteOffset: 16, as: v), toByteOffset: 16, as: v)
        to.storeBytes(of: source.loadUnaligned(fromByteOffset: n &- 32, as: v), toByteOffset: n &- 32, as: v)
      }
    } else {
      UnsafeMutableRawPointer(at).copyMemory(from: source, byteCount: n)
    }
    at += n
  }

  /// `bytes` (valid UTF-8) as a quoted JSON string; room for `ByteCursor.jsonStringRoom`.
  @inline(__always)
  mutating func putJSONString(_ bytes: UnsafeRawBufferPointer) {
    checkRoom(ByteCursor.jsonStringRoom(bytes.count))
    at.pointee = 0x22
    let count = bytes.count
    if let source = bytes.baseAddress {
      // A short text with nothing to escape (most) is stored and checked in one step.
      if count > 16 || eid_short_escapes16(source.assumingMemoryBound(to: UInt8.self), UInt32(truncatingIfNeeded: count), at + 1) != 0 {
        at += ByteCursor.writeJSONText(source, count: count, to: at + 1)
      } else {
        at += count
      }
    }
    at[1] = 0x22
    at += 2
  }

  /// A member's name as given (`,"app":`) and `value` as a JSON string, room made in
  /// `buffer`; nothing for a nil value. What the row scanners write for each optional text.
  @inline(__always)
  mutating func putJSONMember(_ name: StaticString, _ value: UnsafeRawBufferPointer?, in buffer: ByteBuffer) {
    guard let value else { return }
    ensure(name.utf8CodeUnitCount &+ ByteCursor.jsonStringRoom(value.count), in: buffer)
    put(literal: name)
    putJSONString(value)
  }

  /// A member of attrs (`key` as given, `"name":`, and `value` as a JSON string), room made
  /// in `buffer`: `,"attrs":{` before the first (`first`, false after) and a comma before
  /// the others.
  @inline(__always)
  mutating func putAttr(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, first: inout Bool, in buffer: ByteBuffer) {
    ensure(key.count &+ ByteCursor.jsonStringRoom(value.count) &+ 32, in: buffer)
    if first { put(literal: ",\"attrs\":{") } else { put(UInt8(ascii: ",")) }
    first = false
    put(key)
    putJSONString(value)
  }

  /// A number as `ByteBuffer.appendJSONNumber` writes it; room for 20. Whole numbers (most)
  /// are written in place, others through `buffer`, the one the cursor came from.
  @inline(__always)
  mutating func putJSONNumber(_ value: Double, in buffer: ByteBuffer) {
    if value == value.rounded(.towardZero) && value.magnitude < 1e15 {
      put(integer: Int64(value))  // -0.0 comes out as 0
    } else {
      let room = end - at  // kept: the caller may count on it
      buffer.commit(self)
      buffer.appendJSONNumber(value)
      self = buffer.cursor(room: room)
    }
  }

  /// Whole milliseconds as seconds, as `ByteBuffer.appendJSONSeconds` writes them; room
  /// for 24.
  @inline(__always)
  mutating func putJSONSeconds(millis: Int64, in buffer: ByteBuffer) {
    checkRoom(24)
    guard millis >= 0, millis < 1_000_000_000_000 else {
      putJSONNumber(Double(millis) / 1000, in: buffer)
      return
    }
    put(integer: millis / 1000)
    let fraction = UInt32(truncatingIfNeeded: millis % 1000)
    guard fraction != 0 else { return }
    // Up to three places, no zeros at the end.
    let tenths = UInt8(truncatingIfNeeded: fraction / 100), hundredths = UInt8(truncatingIfNeeded: fraction / 10 % 10)
    let thousandths = UInt8(truncatingIfNeeded: fraction % 10)
    put(UInt8(ascii: "."))
    put(tenths &+ 0x30)
    if hundredths != 0 || thousandths != 0 { put(hundredths &+ 0x30) }
    if thousandths != 0 { put(thousandths &+ 0x30) }
  }

  /// The room `putJSONString` needs for a text of `count` bytes: each byte may take six
  /// (`\u001f`), and the quotes and 16 bytes of slack for the last store.
  @inline(__always)
  static func jsonStringRoom(_ count: Int) -> Int { 6 &* count &+ 18 }

  /// A decimal integer; room for 20.
  @inline(__always)
  mutating func put(integer value: Int64) {
    checkRoom(20)
    at += ByteCursor.writeInteger(value, to: at)
  }

  /// A decimal integer that is most often a millisecond count of this era (13 digits,
  /// `writeMillisecondCount`); room for 20.
  @inline(__always)
  mutating func put(millisecondCount value: Int64) {
    checkRoom(20)
    if value >= 1_000_000_000_000 && value < 10_000_000_000_000 {
      at += ByteCursor.writeMillisecondCount(value, to: at)
    } else {
      at += ByteCursor.writeInteger(value, to: at)
    }
  }

  /// A JSON string's text without its quotes, escaped: quote, backslash and control
  /// characters, everything else as it is (raw UTF-8, like jq -c). Writes at most
  /// `6 * count` bytes, and stores up to 16 past what it writes; returns how many it wrote.
  static func writeJSONText(_ source: UnsafeRawPointer, count: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
    let text = source.assumingMemoryBound(to: UInt8.self)
    var i = 0, written = 0
    while i < count {
      let left = count &- i
      let flags: UInt32
      if left >= 16 {
        // Sixteen bytes stored, then checked (SSE2, `eid_escapes16`).
        UnsafeMutableRawPointer(out + written).storeBytes(of: source.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        flags = eid_escapes16(text + i)
        if flags == 0 {
          i &+= 16
          written &+= 16
          continue
        }
      } else {
        flags = eid_short_escapes16(text + i, UInt32(truncatingIfNeeded: left), out + written)
        if flags == 0 { return written &+ left }
      }
      // The bytes before the first flagged one are kept; that one is escaped.
      let clean = flags.trailingZeroBitCount
      i &+= clean
      written &+= clean
      written &+= writeEscaped(text[i], to: out + written)
      i &+= 1
    }
    return written
  }

  /// A byte that needs an escape, escaped; how many bytes that took.
  private static func writeEscaped(_ c: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
    out[0] = 0x5C
    switch c {
    case 0x22: out[1] = 0x22
    case 0x5C: out[1] = 0x5C
    case 0x0A: out[1] = UInt8(ascii: "n")
    case 0x0D: out[1] = UInt8(ascii: "r")
    case 0x09: out[1] = UInt8(ascii: "t")
    case 0x08: out[1] = UInt8(ascii: "b")
    case 0x0C: out[1] = UInt8(ascii: "f")
    default:
      let hex: StaticString = "0123456789abcdef"
      out[1] = UInt8(ascii: "u")
      out[2] = 0x30
      out[3] = 0x30
      out[4] = hex.utf8Start[Int(c >> 4)]
      out[5] = hex.utf8Start[Int(c & 0xF)]
      return 6
    }
    return 2
  }

  /// A decimal integer written at `out` (room for 20); its length. The length is found
  /// first, then the digits written from the last two at a time. (Digit by digit and then
  /// reversed, a 13-digit millisecond count took 260 instructions: 8% of mt-read's CSV.
  /// Eight digits at a time in a word took more than this: bench/README.md, "Lines written
  /// through a cursor".)
  static func writeInteger(_ value: Int64, to at: UnsafeMutablePointer<UInt8>) -> Int {
    var magnitude = value.magnitude
    let sign = value < 0 ? 1 : 0
    if sign == 1 { at[0] = 0x2D }
    let length = sign + ByteBuffer.decimalLength(magnitude)
    var end = length
    let pairs = ByteBuffer.digitPairs
    let out = UnsafeMutableRawPointer(at)
    while magnitude >= 100 {
      let pair = Int(truncatingIfNeeded: magnitude % 100) &* 2
      magnitude /= 100
      end &-= 2
      out.storeBytes(of: pairs.loadUnaligned(fromByteOffset: pair, as: UInt16.self), toByteOffset: end, as: UInt16.self)
    }
    if magnitude >= 10 {
      let pair = Int(truncatingIfNeeded: magnitude) &* 2
      out.storeBytes(of: pairs.loadUnaligned(fromByteOffset: pair, as: UInt16.self), toByteOffset: end &- 2, as: UInt16.self)
    } else {
      at[end &- 1] = UInt8(truncatingIfNeeded: magnitude) &+ 0x30
    }
    return length
  }

  /// A 13-digit integer (10^12 up to 10^13: a millisecond count from 2001 to 2286, two of
  /// which go into each of mt-read's ids) in a fixed pattern, its length: its high five
  /// digits and low eight, each in 32-bit arithmetic, two at a time (on mt-read's 8 MB file
  /// 57 instructions a call, the general way 85: bench/README.md, "UTF-8 32 bytes at a time").
  static func writeMillisecondCount(_ value: Int64, to at: UnsafeMutablePointer<UInt8>) -> Int {
    let high = UInt32(truncatingIfNeeded: value / 100_000_000), low = UInt32(truncatingIfNeeded: value % 100_000_000)
    let pairs = ByteBuffer.digitPairs
    let out = UnsafeMutableRawPointer(at)
    @inline(__always) func putPair(_ pair: UInt32, at offset: Int) {
      out.storeBytes(of: pairs.loadUnaligned(fromByteOffset: Int(pair) &* 2, as: UInt16.self), toByteOffset: offset, as: UInt16.self)
    }
    at[0] = UInt8(truncatingIfNeeded: high / 10_000) &+ 0x30
    let highFour = high % 10_000, lowHigh = low / 10_000, lowLow = low % 10_000
    putPair(highFour / 100, at: 1)
    putPair(highFour % 100, at: 3)
    putPair(lowHigh / 100, at: 5)
    putPair(lowHigh % 100, at: 7)
    putPair(lowLow / 100, at: 9)
    putPair(lowLow % 100, at: 11)
    return 13
  }
}
