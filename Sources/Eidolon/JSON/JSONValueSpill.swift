#if canImport(Glibc)
import Glibc
#endif

/// JSON values held on disk while what they mean is still unknown (an ActivityWatch
/// bucket's events before its fields, RescueTime rows before their headers): one line
/// per value, `[line, column, value]`, in a temporary file deleted at once.
final class JSONValueSpill {
  private let fd: Int32
  private let sink: OutputSink
  private var reader: ByteReader?
  private let tokenizer = JSONTokenizer(fileName: "spill")

  init() throws {
    fd = try TemporaryFile.create("spill", holding: "records whose context comes later in the file")
    sink = OutputSink(fd: fd, name: "spill")
  }

  deinit { close(fd) }

  func append(_ event: JSONValue, at position: SourcePosition) throws {
    let out = sink.buffer
    out.append(UInt8(ascii: "["))
    out.append(integer: Int64(position.line))
    out.append(UInt8(ascii: ","))
    out.append(integer: Int64(position.column))
    out.append(UInt8(ascii: ","))
    out.appendJSON(event)
    out.append("]\n")
    try sink.flushIfFull()
  }

  func finishWriting() throws { try sink.flush() }

  func startReading() throws {
    lseek(fd, 0, SEEK_SET)
    reader = ByteReader(source: FileDescriptorSource(fd: fd, name: "spill", ownsDescriptor: false), name: "spill")
  }

  func next() throws -> (JSONValue, SourcePosition)? {
    guard let reader, let line = try reader.readLine() else { return nil }
    tokenizer.reset(line: line, lineNumber: reader.lineNumber, offset: 0)
    guard try tokenizer.next() == .beginArray, try tokenizer.next() == .number, let l = tokenizer.int64Value(),
      try tokenizer.next() == .number, let c = tokenizer.int64Value()
    else { throw EidolonError(.io, "a temporary spill file is damaged") }
    let value = try tokenizer.readValue(startingWith: try tokenizer.next())
    return (value, SourcePosition(line: Int(l), column: Int(c), byteOffset: 0))
  }
}
