/// Values in COPY's text format: fields split by tabs, rows ended by a newline, NULL as
/// \N, and a backslash, tab, newline or carriage return in a value escaped.
public enum PostgresCopyText {
  public static func appendField(_ value: String?, to out: ByteBuffer, first: Bool = false) {
    guard var value else { return appendNull(to: out, first: first) }
    value.withUTF8 { appendField(UnsafeRawBufferPointer($0), to: out, first: first) }
  }

  /// A field of bytes; an absent one (no base address, EventView.absent) is NULL, an
  /// empty one with an address is empty text.
  static func appendField(_ bytes: UnsafeRawBufferPointer, to out: ByteBuffer, first: Bool = false) {
    guard bytes.baseAddress != nil else { return appendNull(to: out, first: first) }
    if !first { out.append(0x09) }
    var clean = 0  // the start of the bytes not yet appended
    for (index, byte) in bytes.enumerated() where byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D {
      out.append(UnsafeRawBufferPointer(rebasing: bytes[clean..<index]))
      switch byte {
      case 0x5C: out.append("\\\\")
      case 0x09: out.append("\\t")
      case 0x0A: out.append("\\n")
      default: out.append("\\r")
      }
      clean = index + 1
    }
    out.append(UnsafeRawBufferPointer(rebasing: bytes[clean...]))
  }

  static func appendNull(to out: ByteBuffer, first: Bool = false) {
    if !first { out.append(0x09) }
    out.append("\\N")
  }

  public static func endRow(_ out: ByteBuffer) { out.append(0x0A) }
}
