/// UTF-8 well-formedness on bytes (RFC 3629: no overlongs, no surrogates, nothing past
/// U+10FFFF), for the readers' hot paths: String(validating:) is generic and goes
/// through type metadata on every call.
enum UTF8Check {
  /// The end of the well-formed character that starts at `i` (a byte >= 0x80), or nil
  /// when it is not one or runs past `end`.
  @inline(__always)
  static func characterEnd(_ ptr: UnsafePointer<UInt8>, at i: Int, end: Int) -> Int? {
    let lead = ptr[i]
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    let length: Int
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0: length = 3; low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED: length = 3; high = 0x9F
    case 0xF0: length = 4; low = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4: length = 4; high = 0x8F
    default: return nil
    }
    guard end - i >= length else { return nil }
    let second = ptr[i + 1]
    guard second >= low && second <= high else { return nil }
    for k in 2..<max(2, length) where ptr[i + k] & 0xC0 != 0x80 { return nil }
    return i + length
  }

  /// The bytes as a String when they are well-formed UTF-8, else nil.
  static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return "" }
    var i = 0
    let end = bytes.count
    while end - i >= 8 {
      if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
      i += 8
    }
    while i < end {
      if base[i] < 0x80 {
        i += 1
      } else {
        guard let next = characterEnd(base, at: i, end: end) else { return nil }
        i = next
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
