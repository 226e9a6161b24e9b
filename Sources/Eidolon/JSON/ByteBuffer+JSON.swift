import CByteMarks

/// Writing JSON text into a ByteBuffer.
extension ByteBuffer {
  /// Appends a Unicode scalar (checked by the caller: not a surrogate, at most 0x10FFFF) as UTF-8.
  func appendUTF8(scalar: UInt32) {
    switch scalar {
    case 0..<0x80:
      append(UInt8(scalar))
    case 0x80..<0x800:
      append(UInt8(0xC0 | scalar >> 6))
      append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
      append(UInt8(0xE0 | scalar >> 12))
      append(UInt8(0x80 | scalar >> 6 & 0x3F))
      append(UInt8(0x80 | scalar & 0x3F))
    default:
      append(UInt8(0xF0 | scalar >> 18))
      append(UInt8(0x80 | scalar >> 12 & 0x3F))
      append(UInt8(0x80 | scalar >> 6 & 0x3F))
      append(UInt8(0x80 | scalar & 0x3F))
    }
  }

  /// Appends `bytes` (valid UTF-8) as a quoted JSON string: quote, backslash and
  /// control characters escaped, everything else as it is (raw UTF-8, like jq -c).
  public func appendJSONString(_ bytes: UnsafeRawBufferPointer) {
    let count = bytes.count
    guard let source = bytes.baseAddress else {
      append(literal: "\"\"")
      return
    }
    // Room for the text, its quotes and a word's slack, so that sixteen or eight bytes at a
    // time are stored before they are checked; each escape makes room again for what is left.
    var out = reserve(count + 10)
    out[0] = 0x22
    var written = 1
    var i = 0
    while i < count {
      if count &- i >= 16 {
        // Sixteen bytes stored, then checked (SSE2, `eid_escapes16`).
        let chunk = source.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        UnsafeMutableRawPointer(out + written).storeBytes(of: chunk, as: SIMD16<UInt8>.self)
        let flags = eid_escapes16(source.assumingMemoryBound(to: UInt8.self) + i)
        if flags == 0 {
          i &+= 16
          written &+= 16
          continue
        }
        let clean = flags.trailingZeroBitCount
        i &+= clean
        written &+= clean
      } else if count - i >= 8 {
        let word = (source + i).loadUnaligned(as: UInt64.self)
        UnsafeMutableRawPointer(out + written).storeBytes(of: word, as: UInt64.self)
        let flags = ByteBuffer.escapeFlags(word)
        if flags == 0 {
          i += 8
          written += 8
          continue
        }
        // Keep the bytes before the first one flagged (the lowest flag is a true one).
        let clean = flags.trailingZeroBitCount / 8
        i += clean
        written += clean
      } else {
        // The last one to seven bytes as one word, spaces above them (never flagged); all
        // eight stored, within the room reserved, the ones past the text written over later.
        let left = count - i
        let word = ByteBuffer.loadShort(source + i, count: left)
        UnsafeMutableRawPointer(out + written).storeBytes(of: word, as: UInt64.self)
        let flags = ByteBuffer.escapeFlags(word | (0x2020_2020_2020_2020 << UInt64(left &* 8)))
        if flags == 0 {
          i += left
          written += left
          continue
        }
        let clean = flags.trailingZeroBitCount / 8
        i += clean
        written += clean
      }
      // The byte at `i` needs an escape.
      commit(written)
      appendEscaped(source.load(fromByteOffset: i, as: UInt8.self))
      i += 1
      out = reserve(count - i + 10)
      written = 0
    }
    out[written] = 0x22
    commit(written + 1)
  }

  /// `count` bytes (1 to 7) as the low bytes of a word, zeros above: a load of four, two
  /// and one bytes as the count's bits say, never past the last byte.
  @inline(__always)
  static func loadShort(_ source: UnsafeRawPointer, count: Int) -> UInt64 {
    var word: UInt64 = 0
    var at = 0
    if count & 4 != 0 {
      word = UInt64(source.loadUnaligned(as: UInt32.self))
      at = 4
    }
    if count & 2 != 0 {
      word |= UInt64(source.loadUnaligned(fromByteOffset: at, as: UInt16.self)) << UInt64(at &* 8)
      at &+= 2
    }
    if count & 1 != 0 { word |= UInt64(source.load(fromByteOffset: at, as: UInt8.self)) << UInt64(at &* 8) }
    return word
  }

  /// A byte that needs an escape, escaped.
  private func appendEscaped(_ c: UInt8) {
    switch c {
    case 0x22: append(0x5C); append(0x22)
    case 0x5C: append(0x5C); append(0x5C)
    case 0x0A: append(0x5C); append(UInt8(ascii: "n"))
    case 0x0D: append(0x5C); append(UInt8(ascii: "r"))
    case 0x09: append(0x5C); append(UInt8(ascii: "t"))
    case 0x08: append(0x5C); append(UInt8(ascii: "b"))
    case 0x0C: append(0x5C); append(UInt8(ascii: "f"))
    default:
      let hex: StaticString = "0123456789abcdef"
      append(0x5C); append(UInt8(ascii: "u")); append(0x30); append(0x30)
      append(hex.utf8Start[Int(c >> 4)]); append(hex.utf8Start[Int(c & 0xF)])
    }
  }

  /// The high bit of each of the eight bytes (little-endian) that is below 0x20, a quote
  /// or a backslash. The zero-byte tests of "Bit Twiddling Hacks": a borrow can flag a
  /// byte above a flagged one, never below, so the lowest flag is always a true one.
  @inline(__always)
  static func escapeFlags(_ x: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let control = (x &- ones &* 0x20) & ~x & high
    let q = x ^ (ones &* 0x22)
    let quote = (q &- ones) & ~q & high
    let b = x ^ (ones &* 0x5C)
    let backslash = (b &- ones) & ~b & high
    return control | quote | backslash
  }

  public func appendJSONString(_ text: String) {
    // A native or small String lends its bytes as they are; copying it into a var to
    // call withUTF8 cost a retain and a release per call.
    if text.utf8.withContiguousStorageIfAvailable({ appendJSONString(UnsafeRawBufferPointer($0)) }) != nil { return }
    var text = text
    text.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0)) }
  }

  /// Appends a Double as JSON: whole numbers without ".0", others in the shortest
  /// form that reads back to the same Double.
  public func appendJSONNumber(_ value: Double) {
    if value == value.rounded(.towardZero) && value.magnitude < 1e15 {
      append(integer: Int64(value))  // -0.0 comes out as 0
      return
    }
    // Whole milliseconds (most durations) are written without the shortest-digits search.
    let millis = (value * 1000).rounded()
    if value > 0, millis < 1e12, millis / 1000 == value {
      appendJSONSeconds(millis: Int64(millis))
      return
    }
    // Swift prints the shortest round-tripping digits; "1e-05" is valid JSON.
    append(value.description)
  }

  /// Appends a member's name as given (`,"app":`) and `value` as a JSON string; nothing
  /// for a nil value. What the readers' row scanners write for each optional text field.
  @inline(__always)
  public func appendJSONMember(_ name: StaticString, _ value: UnsafeRawBufferPointer?) {
    guard let value else { return }
    append(literal: name)
    appendJSONString(value)
  }

  /// Appends whole milliseconds as seconds, byte for byte what
  /// `appendJSONNumber(Double(millis) / 1000)` writes, without the Double's shortest-digits
  /// search: for 0 to 10^12 ms the decimal with at most three places is that shortest
  /// form (two such decimals never read back to one Double there).
  public func appendJSONSeconds(millis: Int64) {
    guard millis >= 0, millis < 1_000_000_000_000 else {
      appendJSONNumber(Double(millis) / 1000)
      return
    }
    append(integer: millis / 1000)
    var fraction = Int(millis % 1000)
    guard fraction != 0 else { return }
    append(UInt8(ascii: "."))
    var divisor = 100
    while fraction != 0 {
      append(UInt8(truncatingIfNeeded: fraction / divisor) + 0x30)
      fraction %= divisor
      divisor /= 10
    }
  }
}
