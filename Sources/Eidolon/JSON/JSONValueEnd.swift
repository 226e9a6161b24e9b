import CByteMarks

/// Where a JSON object or array ends, found from its strings and brackets alone, with no
/// check of its grammar: the reading thread cuts values out whole this way for other
/// threads to read (ActivityWatchBlocks.swift). For valid JSON the cut is the value's
/// end; for any other it lies at or past the first error a tokenizer meets (strings end
/// where a tokenizer ends them, a bracket outside them is a bracket to both), so a
/// tokenizer over just the cut bytes meets the same error at the same place.
///
/// 64 bytes at a time: their quotes, backslashes and brackets as bit masks (SSE2 compares
/// and movemask, `eid_json_marks64`); in a window without backslashes the bytes inside
/// strings follow from the quotes alone (their prefix xor), and only brackets outside
/// strings are looked at. In a window with a backslash (one in six of aw-read's bench
/// file), each quote, backslash and bracket is taken in turn. (A byte at a time was 12
/// instructions per byte of an ActivityWatch export; eight bytes at a time by word
/// masks, 9; sixteen by Swift's SIMD compares, 4.7; these windows, 2.9.)
enum JSONValueEnd {
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
    /// Bytes at `i` already dealt with (an escaped byte that starts the window).
    var skip = 0
    while n - i >= 64 {
      var quotes: UInt64 = 0, backslashes: UInt64 = 0
      let brackets = eid_json_marks64(p + i, &quotes, &backslashes)
      guard backslashes == 0 && skip == 0 else {
        // Escapes: each quote, backslash and bracket in turn.
        var marks = (quotes | backslashes | brackets) & ~UInt64(skip)
        skip = 0
        while marks != 0 {
          let k = marks.trailingZeroBitCount
          marks &= marks &- 1
          let c = p[i &+ k]
          if inString {
            if c == UInt8(ascii: "\"") {
              inString = false
            } else if c == UInt8(ascii: "\\") {
              if k == 63 { skip = 1 } else { marks &= ~(2 << UInt64(k)) }  // the escaped byte
            }
          } else if c == UInt8(ascii: "\"") {
            inString = true
          } else if c != UInt8(ascii: "\\"), let end = bracket(c, depth: &depth, maxDepth: maxDepth, after: i &+ k &+ 1) {
            return end  // (a backslash outside strings is no bracket: the tokenizer refuses it)
          }
        }
        i &+= 64
        continue
      }
      // No escapes: the bytes inside strings are those after an odd number of quotes (the
      // quotes' prefix xor), and only brackets outside them are looked at.
      var inside = quotes
      inside ^= inside << 1
      inside ^= inside << 2
      inside ^= inside << 4
      inside ^= inside << 8
      inside ^= inside << 16
      inside ^= inside << 32
      if inString { inside = ~inside }
      inString = inside >> 63 != 0
      var outside = brackets & ~inside
      while outside != 0 {
        let k = outside.trailingZeroBitCount
        if let end = bracket(p[i &+ k], depth: &depth, maxDepth: maxDepth, after: i &+ k &+ 1) { return end }
        outside &= outside &- 1
      }
      i &+= 64
    }
    // The last few bytes, one at a time.
    return walk(p, from: i &+ skip, to: n, depth: &depth, maxDepth: maxDepth, inString: &inString) ?? .needMore
  }

  /// The bytes from `from` to `to` a byte at a time; the answer when the walk ends there.
  @inline(__always)
  private static func walk(_ p: UnsafePointer<UInt8>, from: Int, to: Int, depth: inout Int, maxDepth: Int,
                           inString: inout Bool) -> JSONTokenizer.RawScan? {
    var i = from
    while i < to {
      let c = p[i]
      i &+= 1
      if inString {
        if c == UInt8(ascii: "\"") {
          inString = false
        } else if c == UInt8(ascii: "\\") {
          i &+= 1
        }
      } else if c == UInt8(ascii: "\"") {
        inString = true
      } else if c | 0x20 == UInt8(ascii: "{") || c | 0x20 == UInt8(ascii: "}"),
        let end = bracket(c, depth: &depth, maxDepth: maxDepth, after: i) {
        return end  // (a backslash outside strings is no bracket: the tokenizer refuses it)
      }
    }
    return nil
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
}
