import CByteMarks

/// UTF-8 well-formedness on bytes (RFC 3629: no overlongs, no surrogates, nothing past
/// U+10FFFF), for the readers' hot paths: String(validating:) is generic and goes
/// through type metadata on every call.
enum UTF8Check {
  /// For a lead byte >= 0x80: the character's length and the range its second byte
  /// must fall in (the later ones are 0x80...0xBF); nil for a byte no character starts with.
  @inline(__always)
  static func sequence(lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
    switch lead {
    case 0xC2...0xDF: return (2, 0x80, 0xBF)
    case 0xE0: return (3, 0xA0, 0xBF)
    case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80, 0xBF)
    case 0xED: return (3, 0x80, 0x9F)  // no UTF-16 surrogates
    case 0xF0: return (4, 0x90, 0xBF)
    case 0xF1...0xF3: return (4, 0x80, 0xBF)
    case 0xF4: return (4, 0x80, 0x8F)  // nothing past U+10FFFF
    default: return nil
    }
  }

  /// The end of the well-formed character that starts at `i` (a byte >= 0x80), or nil
  /// when it is not one or runs past `end`.
  @inline(__always)
  static func characterEnd(_ ptr: UnsafePointer<UInt8>, at i: Int, end: Int) -> Int? {
    guard let (length, low, high) = sequence(lead: ptr[i]), end - i >= length else { return nil }
    let second = ptr[i + 1]
    guard second >= low && second <= high else { return nil }
    for k in 2..<max(2, length) where ptr[i + k] & 0xC0 != 0x80 { return nil }
    return i + length
  }

  /// The bytes as a String when they are well-formed UTF-8, else nil.
  static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
    isValid(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
  }

  /// True when the bytes are well-formed UTF-8: from each byte of 0x80 or more to the next,
  /// sixteen bytes at a time (the ASCII between two characters that are not went a byte at
  /// a time before: mt-read's check of its rows took 27.1 M instructions on 8 MB, then 19.3),
  /// the last few too where 16 bytes end with them.
  static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
    let end = bytes.count
    // 32 bytes at a time where the processor has AVX2 (a record of mt-read's bench file,
    // mostly Japanese, took 234 instructions the way below; bench/README.md, "UTF-8 32
    // bytes at a time"). Shorter texts cost less below.
    if end >= 32 {
      let valid = eid_utf8_valid(base, end)
      if valid >= 0 { return valid != 0 }
    }
    var i = 0
    while true {
      if end &- i >= 16 {
        let high = eid_high16(base + i)
        if high == 0 {
          i &+= 16
          continue
        }
        i &+= high.trailingZeroBitCount
      } else if end >= 16 {
        // The last 16 bytes, read again, those before `i` shifted out (not a byte at a time).
        let high = eid_high16(base + (end &- 16)) >> UInt32(truncatingIfNeeded: 16 &- (end &- i))
        if high == 0 { return true }
        i &+= high.trailingZeroBitCount
      } else {
        while i < end && base[i] < 0x80 { i &+= 1 }
        if i == end { return true }
      }
      guard let next = characterEnd(base, at: i, end: end) else { return false }
      i = next
    }
  }
}
