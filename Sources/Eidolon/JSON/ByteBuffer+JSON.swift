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
    guard count > ByteBuffer.jsonStringPiece, let source = bytes.baseAddress else {
      var cursor = cursor(room: ByteCursor.jsonStringRoom(count))
      cursor.putJSONString(bytes)
      commit(cursor)
      return
    }
    // A long text a piece at a time, so that the room made is never more than six pieces
    // (escaping is byte by byte: a piece may end inside a character).
    append(0x22)
    var i = 0
    while i < count {
      let piece = min(ByteBuffer.jsonStringPiece, count &- i)
      let out = reserve(6 &* piece &+ 16)
      commit(ByteCursor.writeJSONText(source + i, count: piece, to: out))
      i &+= piece
    }
    append(0x22)
  }

  /// The longest text `appendJSONString` escapes in one step.
  static var jsonStringPiece: Int { 1 << 14 }

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
    var cursor = cursor(room: 24)
    cursor.putJSONSeconds(millis: millis, in: self)
    commit(cursor)
  }
}
