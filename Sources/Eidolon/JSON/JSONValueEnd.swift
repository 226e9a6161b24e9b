/// Where a JSON object or array ends, found from its strings and brackets alone, with no
/// check of its grammar: the reading thread cuts values out whole this way for other
/// threads to read (ActivityWatchBlocks.swift). For valid JSON the cut is the value's
/// end; for any other it lies at or past the first error a tokenizer meets (strings end
/// where a tokenizer ends them, a bracket outside them is a bracket to both), so a
/// tokenizer over just the cut bytes meets the same error at the same place.
///
/// Eight bytes at a time: a word's quotes, backslashes and brackets are found as bit
/// masks (the exact zero-byte test on the word xor each); in a word without backslashes
/// the string's bytes follow from the quotes alone, and only brackets outside strings are
/// looked at (a byte at a time was 12 instructions per byte of an ActivityWatch export).
enum JSONValueEnd {
  private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
  private static let high: UInt64 = 0x8080_8080_8080_8080

  /// `.took(count)` for the value at the start of `bytes`; `.needMore` when its end is
  /// not in them; `.declined` when it is not an object or array, or nests deeper than
  /// `maxDepth`.
  static func find(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) -> JSONTokenizer.RawScan {
    guard let start = bytes.baseAddress, bytes.count > 0 else { return .needMore }
    let p = start.assumingMemoryBound(to: UInt8.self)
    let n = bytes.count
    guard p[0] == UInt8(ascii: "{") || p[0] == UInt8(ascii: "[") else { return .declined }
    var depth = 0
    var inString = false
    var i = 0
    /// Bytes of the word at `i` already dealt with (an escaped byte that starts it).
    var skip = 0
    while i + 8 <= n {
      let word = start.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      let quotes = notZero(word ^ 0x2222_2222_2222_2222)
      let backslashes = notZero(word ^ 0x5C5C_5C5C_5C5C_5C5C)
      let folded = word | 0x2020_2020_2020_2020  // [ and ] become { and }
      let opens = notZero(folded ^ 0x7B7B_7B7B_7B7B_7B7B)
      let closes = notZero(folded ^ 0x7D7D_7D7D_7D7D_7D7D)
      let brackets = ~(opens & closes) & high
      if skip == 0 && backslashes & high == high {
        // No escapes: the bytes inside strings are those after an odd number of quotes
        // (a prefix xor of the quote marks), and only brackets outside them are looked at.
        var inside = ~quotes & high
        inside ^= inside << 8
        inside ^= inside << 16
        inside ^= inside << 32
        if inString { inside ^= high }
        inString = inside >> 63 != 0
        var outside = brackets & ~inside
        while outside != 0 {
          let k = outside.trailingZeroBitCount >> 3
          if let end = bracket(p[i + k], depth: &depth, maxDepth: maxDepth, after: i + k + 1) { return end }
          outside &= outside &- 1
        }
        i += 8
        continue
      }
      // Escapes: each quote, backslash and bracket in turn.
      let inStringMarks = ~(quotes & backslashes) & high
      let outsideMarks = inStringMarks | brackets
      var done: UInt64 = skip == 0 ? 0 : 0xFF
      skip = 0
      while true {
        let marks = (inString ? inStringMarks : outsideMarks) & ~done
        if marks == 0 { break }
        let k = marks.trailingZeroBitCount >> 3
        let c = p[i + k]
        var through = k  // the last byte dealt with
        if inString {
          if c == UInt8(ascii: "\"") {
            inString = false
          } else if k == 7 {
            skip = 1  // the escaped byte is the next word's first
          } else {
            through = k + 1
          }
        } else if c == UInt8(ascii: "\"") {
          inString = true
        } else if c != UInt8(ascii: "\\"), let end = bracket(c, depth: &depth, maxDepth: maxDepth, after: i + k + 1) {
          return end  // (a backslash outside strings is no bracket: the tokenizer refuses it)
        }
        done = through == 7 ? ~0 : (1 << UInt64(8 * (through + 1))) - 1
      }
      i += 8
    }
    // The last few bytes, one at a time.
    i += skip
    while i < n {
      let c = p[i]
      i += 1
      if inString {
        if c == UInt8(ascii: "\"") {
          inString = false
        } else if c == UInt8(ascii: "\\") {
          i += 1
        }
      } else if c == UInt8(ascii: "\"") {
        inString = true
      } else if c | 0x20 == UInt8(ascii: "{") || c | 0x20 == UInt8(ascii: "}"),
        let end = bracket(c, depth: &depth, maxDepth: maxDepth, after: i) {
        return end
      }
    }
    return .needMore
  }

  /// A bracket outside strings (`{`, `[`, `}` or `]`) moves the depth; the answer when it
  /// ends the walk: the value's end (`after` is the offset past the bracket), or too deep.
  @inline(__always)
  private static func bracket(_ c: UInt8, depth: inout Int, maxDepth: Int, after: Int) -> JSONTokenizer.RawScan? {
    if c | 0x20 == UInt8(ascii: "{") {
      depth += 1
      return depth > maxDepth ? .declined : nil
    }
    depth -= 1
    return depth == 0 ? .took(after) : nil
  }

  /// Each byte's high bit set where the byte is not zero (no carries between bytes).
  @inline(__always)
  private static func notZero(_ x: UInt64) -> UInt64 {
    ((x & low7) &+ low7) | x
  }
}
