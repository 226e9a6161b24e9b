/// Writes rejected records as NDJSON, one object a line:
/// `{"file":"in.ndjson","line":3,"column":7,"error":"...","raw":"<the record's text>"}`.
/// A record that is not valid UTF-8 gets "raw_base64" instead of "raw", so no byte is lost.
public final class RejectWriter {
  private let sink: OutputSink

  public init(sink: OutputSink) { self.sink = sink }

  public static func open(_ path: String) throws -> RejectWriter {
    RejectWriter(sink: try OutputSink.open(path))
  }

  public func write(_ error: EidolonError, raw: UnsafeRawBufferPointer?) throws {
    let out = sink.buffer
    out.append("{\"file\":")
    out.appendJSONString(error.file ?? "")
    if let position = error.position {
      out.append(",\"line\":")
      out.append(integer: Int64(position.line))
      out.append(",\"column\":")
      out.append(integer: Int64(position.column))
    }
    out.append(",\"error\":")
    out.appendJSONString(error.message)
    if let raw {
      if String(validating: raw, as: UTF8.self) != nil {
        out.append(",\"raw\":")
        out.appendJSONString(raw)
      } else {
        out.append(",\"raw_base64\":\"")
        Base64.append(raw, to: out)
        out.append(0x22)
      }
    }
    out.append("}\n")
    try sink.flushIfFull()
  }

  public func finish() throws { try sink.finish() }
}

/// Standard base64 (RFC 4648) with padding.
enum Base64 {
  static func append(_ bytes: UnsafeRawBufferPointer, to out: ByteBuffer) {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var i = 0
    while i + 3 <= bytes.count {
      let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      for shift in [18, 12, 6, 0] { out.append(alphabet[Int(v >> UInt32(shift) & 63)]) }
      i += 3
    }
    let rest = bytes.count - i
    if rest > 0 {
      let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
      out.append(alphabet[Int(v >> 18 & 63)])
      out.append(alphabet[Int(v >> 12 & 63)])
      out.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
      out.append(UInt8(ascii: "="))
    }
  }
}
