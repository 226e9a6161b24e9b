/// Writes CSV records: fields quoted only when they hold the delimiter, a quote,
/// CR or LF (or all of them with `quoteAll`), quotes doubled, the dialect's line end.
public final class CSVWriter {
  public let dialect: CSVDialect
  private let sink: OutputSink
  private var atRecordStart = true
  private var startedFile = false

  public init(sink: OutputSink, dialect: CSVDialect = .standard) {
    self.sink = sink
    self.dialect = dialect
  }

  public func writeField(_ bytes: UnsafeRawBufferPointer) {
    let out = sink.buffer
    if !startedFile {
      startedFile = true
      if dialect.writesBOM { out.append([0xEF, 0xBB, 0xBF]) }
    }
    if !atRecordStart { out.append(dialect.delimiter) }
    atRecordStart = false
    var needsQuotes = dialect.quoteAll
    if !needsQuotes {
      for byte in bytes where byte == dialect.delimiter || byte == dialect.quote || byte == 0x0A || byte == 0x0D {
        needsQuotes = true
        break
      }
    }
    guard needsQuotes else {
      out.append(bytes)
      return
    }
    out.append(dialect.quote)
    var runStart = 0
    for (i, byte) in bytes.enumerated() where byte == dialect.quote {
      out.append(UnsafeRawBufferPointer(rebasing: bytes[runStart...i]))
      out.append(dialect.quote)
      runStart = i + 1
    }
    out.append(UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
    out.append(dialect.quote)
  }

  public func writeField(_ text: String) {
    var text = text
    text.withUTF8 { writeField(UnsafeRawBufferPointer($0)) }
  }

  public func endRecord() throws {
    sink.buffer.append(dialect.lineTerminator)
    atRecordStart = true
    try sink.flushIfFull()
  }

  public func writeRecord(_ fields: [String]) throws {
    for field in fields { writeField(field) }
    try endRecord()
  }

  public func finish() throws { try sink.finish() }
}
