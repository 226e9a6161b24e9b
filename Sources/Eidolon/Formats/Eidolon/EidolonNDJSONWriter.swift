/// Writes events as Eidolon NDJSON v1: the canonical field order, no spaces,
/// raw UTF-8, optional fields left out when absent, one LF after each event.
public final class EidolonNDJSONWriter: EventWriter {
  private let sink: OutputSink

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
    out.append("{\"id\":")
    out.appendJSONString(event.id)
    out.append(",\"source\":")
    out.appendJSONString(event.source)
    out.append(",\"kind\":")
    out.appendJSONString(event.kind)
    out.append(",\"start\":\"")
    Timestamp.appendCanonical(event.start, to: out)
    out.append("\",\"duration\":")
    out.appendJSONNumber(event.duration)
    for (index, name) in Event.optionalStringNames.enumerated() {
      guard let value = event.optionalString(index) else { continue }
      out.append(UInt8(ascii: ","))
      out.append(UInt8(ascii: "\""))
      out.append(name)
      out.append("\":")
      out.appendJSONString(value)
    }
    if let productivity = event.productivity {
      out.append(",\"productivity\":")
      out.append(integer: Int64(productivity))
    }
    if let tags = event.tags {
      out.append(",\"tags\":[")
      for (i, tag) in tags.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out.appendJSONString(tag)
      }
      out.append(UInt8(ascii: "]"))
    }
    if let billable = event.billable {
      out.append(billable ? ",\"billable\":true" : ",\"billable\":false")
    }
    if let offset = event.offset {
      out.append(",\"offset\":")
      out.appendJSONString(offset)
    }
    if !event.attrs.isEmpty {
      out.append(",\"attrs\":")
      out.appendJSON(event.attrs)
    }
    out.append("}\n")
  }
}
