/// Values in COPY's text format: fields split by tabs, rows ended by a newline, NULL as
/// \N, and a backslash, tab, newline or carriage return in a value escaped.
public enum PostgresCopyText {
  public static func appendField(_ value: String?, to out: ByteBuffer, first: Bool = false) {
    if !first { out.append(0x09) }
    guard let value else {
      out.append("\\N")
      return
    }
    for byte in value.utf8 {
      switch byte {
      case 0x5C: out.append("\\\\")
      case 0x09: out.append("\\t")
      case 0x0A: out.append("\\n")
      case 0x0D: out.append("\\r")
      default: out.append(byte)
      }
    }
  }

  public static func endRow(_ out: ByteBuffer) { out.append(0x0A) }
}
