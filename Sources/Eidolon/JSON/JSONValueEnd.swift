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
/// Sixteen bytes without a backslash are compared at once by SIMD (the word masks
/// above took 9 instructions per byte of aw-read's input).
enum JSONValueEnd {
  private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
  private static let high: UInt64 = 0x8080_8080_8080_8080
  private static let ones: UInt64 = 0x0101_0101_0101_0101

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
    let (quoteBytes, backslashBytes) = (SIMD16<UInt8>(repeating: 0x22), SIMD16<UInt8>(repeating: 0x5C))
    let (spaces, openBytes, closeBytes) = (SIMD16<UInt8>(repeating: 0x20), SIMD16<UInt8>(repeating: 0x7B), SIMD16<UInt8>(repeating: 0x7D))
    while i + 8 <= n {
      // Sixteen bytes at a time while there are no escapes: SIMD compares (a byte of ones
      // per match), then each half as below, or, in a half without brackets, the string
      // state flipped by an odd count of quotes.
      while skip == 0 && n - i >= 16 {
        let chunk = start.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        let backslashes = unsafeBitCast(chunk .== backslashBytes, to: SIMD2<UInt64>.self)
        guard backslashes[0] | backslashes[1] == 0 else { break }
        let folded = chunk | spaces  // [ and ] become { and }
        let quotes = unsafeBitCast(chunk .== quoteBytes, to: SIMD2<UInt64>.self)
        let brackets = unsafeBitCast((folded .== openBytes) .| (folded .== closeBytes), to: SIMD2<UInt64>.self)
        for half in 0..<2 {
          let halfQuotes = quotes[half] & high
          var outside = brackets[half] & high
          guard outside != 0 else {
            if ((halfQuotes >> 7) &* ones) >> 56 & 1 != 0 { inString.toggle() }  // the count in the top byte
            continue
          }
          outside &= ~stringBytes(halfQuotes, &inString)
          while outside != 0 {
            let k = half &* 8 &+ outside.trailingZeroBitCount >> 3
            if let end = bracket(p[i + k], depth: &depth, maxDepth: maxDepth, after: i + k + 1) { return end }
            outside &= outside &- 1
          }
        }
        i += 16
      }
      guard i + 8 <= n else { break }
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
        var outside = brackets & ~stringBytes(~quotes & high, &inString)
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

  /// The high bits of a word's bytes inside a string (its opening quote counted in, its
  /// closing one not), from the high bits of its quotes (none escaped) and whether the
  /// word starts in a string, which becomes whether the next one does: the quotes'
  /// prefix xor.
  @inline(__always)
  private static func stringBytes(_ quotes: UInt64, _ inString: inout Bool) -> UInt64 {
    var inside = quotes
    inside ^= inside << 8
    inside ^= inside << 16
    inside ^= inside << 32
    if inString { inside ^= high }
    inString = inside >> 63 != 0
    return inside
  }

  /// Each byte's high bit set where the byte is not zero (no carries between bytes).
  @inline(__always)
  private static func notZero(_ x: UInt64) -> UInt64 {
    ((x & low7) &+ low7) | x
  }
}
