/// An offset's text ("+02:00", `Timestamp.formatOffset`) kept while the offset repeats, for
/// the row scanners: rows in order mostly share one, so the String `formatOffset` makes is
/// made once per change, not per row. One per scanner, so per thread.
final class RepeatedOffsetText {
  private var seconds: Int?
  private let text = ByteBuffer(capacity: 16)  // (not an Array: appended per row)

  /// Appends the text of the offset `seconds` to `out`.
  @inline(__always)
  func append(_ seconds: Int, to out: ByteBuffer) {
    out.append(bytes(seconds))
  }

  /// The text of the offset `seconds`, valid until it is asked for another.
  @inline(__always)
  func bytes(_ seconds: Int) -> UnsafeRawBufferPointer {
    if seconds != self.seconds {
      self.seconds = seconds
      text.removeAll()
      text.append(Timestamp.formatOffset(seconds))
    }
    return text.bytes
  }
}
