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
    var start = 0, end = 0
    let (count, stop) = run(bytes, maxDepth: maxDepth, maxBytes: .max, limit: .max, starts: &start, ends: &end, capacity: 1)
    if count == 1 { return .took(end) }
    return stop == .declined ? .declined : .needMore
  }

  /// Why `run` stopped.
  enum RunStop: Equatable {
    /// It holds `capacity` values, or one ended at or past `limit`.
    case full
    /// The next value's end (or what follows the last value) is not in the bytes.
    case needMore
    /// The next value is not an object or array, nests deeper than `maxDepth`, or is
    /// longer than `maxBytes`.
    case declined
    /// Something other than whitespace and one comma follows a value (the array's end,
    /// or an error for the tokenizer to find).
    case notAComma
  }

  /// The elements of an array one after another, from the value at the start of `bytes`:
  /// each one's start and end (offsets into `bytes`) into `starts` and `ends`, up to
  /// `capacity` of them, with whitespace and one comma between each and the next. The
  /// run stops after a value that ends at or past `limit`, and before one that is not
  /// whole in `bytes`, is declined, or follows anything but whitespace and a comma.
  /// (The reading thread cuts a block's events in one run: a call a value, each starting
  /// its windows over, cost aw-read about 300 instructions an event more.)
  static func run(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, maxBytes: Int, limit: Int,
                  starts: UnsafeMutablePointer<Int>, ends: UnsafeMutablePointer<Int>, capacity: Int) -> (count: Int, stop: RunStop) {
    guard let start = bytes.baseAddress, bytes.count > 0 else { return (0, .needMore) }
    let p = start.assumingMemoryBound(to: UInt8.self)
    let n = bytes.count
    guard p[0] == UInt8(ascii: "{") || p[0] == UInt8(ascii: "[") else { return (0, .declined) }
    var depth = 0
    var inString = false
    var i = 0
    /// Bytes at `i` already dealt with (an escaped byte that starts the window).
    var skip = 0
    var count = 0
    var valueStart = 0

    /// The value that ended at `after`: nil to go on to the next (its bracket is the next
    /// one outside strings), or why the run stops.
    @inline(__always) func ended(at after: Int) -> RunStop? {
      guard after &- valueStart <= maxBytes else { return .declined }
      starts[count] = valueStart
      ends[count] = after
      count &+= 1
      if count == capacity || after >= limit { return .full }
      var j = after
      @inline(__always) func skipSpace() {
        while j < n, p[j] == 0x20 || p[j] == 0x0A || p[j] == 0x0D || p[j] == 0x09 { j &+= 1 }
      }
      skipSpace()
      guard j < n else { return .needMore }
      guard p[j] == UInt8(ascii: ",") else { return .notAComma }
      j &+= 1
      skipSpace()
      guard j < n else { return .needMore }
      guard p[j] | 0x20 == UInt8(ascii: "{") else { return .notAComma }
      valueStart = j
      return nil
    }
    /// A bracket outside strings at `k`: nil to go on, or why the run stops.
    @inline(__always) func bracketAt(_ k: Int) -> RunStop? {
      let c = p[k]
      if c | 0x20 == UInt8(ascii: "{") {
        depth &+= 1
        return depth > maxDepth ? .declined : nil
      }
      depth &-= 1
      return depth == 0 ? ended(at: k &+ 1) : nil
    }

    while n &- i >= 64 {
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
          } else if c != UInt8(ascii: "\\"), let stop = bracketAt(i &+ k) {
            return (count, stop)  // (a backslash outside strings is no bracket: the tokenizer refuses it)
          }
        }
        i &+= 64
        continue
      }
      // No escapes: the bytes inside strings are those after an odd number of quotes (the
      // quotes' prefix xor), and only brackets outside them are looked at. (Between two
      // values of a run lie only whitespace and a comma: no quote or bracket.)
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
        if let stop = bracketAt(i &+ k) { return (count, stop) }
        outside &= outside &- 1
      }
      i &+= 64
    }
    // The last few bytes, one at a time.
    i &+= skip
    while i < n {
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
      } else if c | 0x20 == UInt8(ascii: "{") || c | 0x20 == UInt8(ascii: "}"), let stop = bracketAt(i &- 1) {
        return (count, stop)  // (a backslash outside strings is no bracket: the tokenizer refuses it)
      }
    }
    return (count, .needMore)
  }
}
