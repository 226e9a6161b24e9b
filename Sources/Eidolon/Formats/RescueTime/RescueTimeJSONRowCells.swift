/// One row of an Analytic Data API JSON response read straight from its bytes:
/// `["2024-03-04T09:00:00", 25, 1, "Figma", "Design", 2]`, checked as JSON on the way, its
/// cells left where they lie (`RescueTimeRowScanner` reads them). It takes rows of strings
/// without escapes, numbers, null, true and false; anything else (an escape, a nested
/// value, more than `maxCells` cells, bytes that are not JSON) it declines, and the
/// tokenizer reads that row the general way, which says what is wrong.
final class RescueTimeJSONRowCells: RescueTimeByteCells {
  static let maxCells = 64

  private let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: RescueTimeJSONRowCells.maxCells)
  private let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: RescueTimeJSONRowCells.maxCells)
  private var base: UnsafeRawPointer?
  private(set) var cellCount = 0

  deinit {
    starts.deallocate()
    lengths.deallocate()
  }

  @inline(__always)
  func cell(_ index: Int) -> UnsafeRawBufferPointer? {
    let length = lengths[index]
    return length < 0 ? nil : UnsafeRawBufferPointer(start: base! + starts[index], count: length)
  }

  /// Reads the row at the start of `bytes`: how many bytes it takes, that it needs more
  /// than are there, or that it is not one to read here. Its cells point into `bytes`.
  func read(_ bytes: UnsafeRawBufferPointer) -> JSONTokenizer.RawScan {
    guard let pointer = bytes.baseAddress, bytes.count > 0, bytes[0] == UInt8(ascii: "[") else { return .declined }
    base = pointer
    cellCount = 0
    let end = bytes.count
    var i = 1
    @inline(__always) func skipSpace() {
      while i < end, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }
    skipSpace()
    if i < end, bytes[i] == UInt8(ascii: "]") { return .took(i + 1) }
    while true {
      skipSpace()
      guard i < end else { return .needMore }
      guard cellCount < RescueTimeJSONRowCells.maxCells else { return .declined }
      let c = bytes[i]
      if c == UInt8(ascii: "\"") {
        let from = i + 1
        var k = from
        // A plain string: no escape, no control character (which JSON refuses).
        while k < end, bytes[k] != UInt8(ascii: "\"") {
          guard bytes[k] >= 0x20, bytes[k] != UInt8(ascii: "\\") else { return .declined }
          k += 1
        }
        guard k < end else { return .needMore }
        let text = UnsafeRawBufferPointer(rebasing: bytes[from..<k])
        guard UTF8Check.isValid(text) else { return .declined }
        add(from, k - from)
        i = k + 1
      } else if c == UInt8(ascii: "-") || c &- 0x30 <= 9 {
        let from = i
        while i < end, bytes[i] &- 0x30 <= 9 || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")
          || bytes[i] == UInt8(ascii: ".") || bytes[i] | 0x20 == UInt8(ascii: "e") { i += 1 }
        guard i < end else { return .needMore }
        // The tokenizer refuses a number past 1,024 characters: so does this.
        guard i - from <= 1024, InputNumber.isJSONNumber(UnsafeRawBufferPointer(rebasing: bytes[from..<i])) else { return .declined }
        add(from, i - from)
      } else if let length = literal(bytes, at: i) {
        guard i + length <= end else { return .needMore }
        if c == UInt8(ascii: "n") { add(i, -1) } else { add(i, length) }
        i += length
      } else {
        return .declined
      }
      skipSpace()
      guard i < end else { return .needMore }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      guard bytes[i] == UInt8(ascii: "]") else { return .declined }
      return .took(i + 1)
    }
  }

  @inline(__always)
  private func add(_ start: Int, _ length: Int) {
    starts[cellCount] = start
    lengths[cellCount] = length
    cellCount += 1
  }

  /// The length of `null`, `true` or `false` at `i` (as much of it as the bytes hold
  /// matching), nil for anything else.
  private func literal(_ bytes: UnsafeRawBufferPointer, at i: Int) -> Int? {
    for word: StaticString in ["null", "true", "false"] where bytes[i] == word.utf8Start[0] {
      let length = word.utf8CodeUnitCount
      for k in 1..<length where i + k < bytes.count && bytes[i + k] != word.utf8Start[k] { return nil }
      return length
    }
    return nil
  }
}
