/// Writes events as Eidolon NDJSON v1: the canonical field order, no spaces,
/// raw UTF-8, optional fields left out when absent, one LF after each event.
public final class EidolonNDJSONWriter: EventWriter {
  public let sink: OutputSink

  public init(sink: OutputSink) { self.sink = sink }

  public func write(_ event: Event) throws {
    try EventSpec.checkBeforeWriting(event)
    EidolonNDJSONWriter.append(event, to: sink.buffer)
    try sink.flushIfFull()
  }

  /// Writes a view's canonical line as it stands: a view holds an event that keeps the
  /// spec (its reader checked it), and its line is what `write(_: Event)` writes for it.
  public func write(_ view: EventView) throws {
    sink.buffer.append(view.canonicalLine)
    sink.buffer.append(0x0A)
    try sink.flushIfFull()
  }

  public func finish() throws { try sink.finish() }

  /// The event's canonical line, LF included.
  public static func append(_ event: Event, to out: ByteBuffer) {
    // Literals and field names as static bytes: a String append per piece (its UTF-8
    // view, a retain of the names array) was a fifth of writing a line.
    out.append(literal: "{\"id\":")
    out.appendJSONString(event.id)
    out.append(literal: ",\"source\":")
    out.appendJSONString(event.source)
    out.append(literal: ",\"kind\":")
    out.appendJSONString(event.kind)
    out.append(literal: ",\"start\":\"")
    Timestamp.appendCanonical(event.start, to: out)
    out.append(literal: "\",\"duration\":")
    out.appendJSONNumber(event.duration)
    for index in 0..<EidolonNDJSONWriter.fieldPrefixes.count {
      guard let value = event.optionalString(index) else { continue }
      out.append(EidolonNDJSONWriter.fieldPrefixes[index])
      out.appendJSONString(value)
    }
    if let productivity = event.productivity {
      out.append(literal: ",\"productivity\":")
      out.append(integer: Int64(productivity))
    }
    if let tags = event.tags {
      out.append(literal: ",\"tags\":[")
      for (i, tag) in tags.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out.appendJSONString(tag)
      }
      out.append(UInt8(ascii: "]"))
    }
    if let billable = event.billable {
      out.append(literal: billable ? ",\"billable\":true" : ",\"billable\":false")
    }
    if let offset = event.offset {
      out.append(literal: ",\"offset\":")
      out.appendJSONString(offset)
    }
    if !event.attrs.isEmpty {
      out.append(literal: ",\"attrs\":")
      out.appendJSON(event.attrs)
    }
    out.append(literal: "}\n")
  }

  /// `,"stream":` and the like, for each of `Event.optionalStringNames`.
  // Made once, never changed: safe to read from any thread.
  nonisolated(unsafe) private static let fieldPrefixes: [UnsafeRawBufferPointer] = Event.optionalStringNames.map { name in
    let bytes = Array(",\"\(name)\":".utf8)
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)  // for the process's life
    copy.copyBytes(from: bytes)
    return UnsafeRawBufferPointer(copy)
  }
}
