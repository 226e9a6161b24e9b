/// A ByteReader as a ByteSource, for parsers that pull their bytes themselves (libxml2):
/// what a format check peeked at is handed on first, nothing is read twice.
public final class ByteReaderSource: ByteSource {
  private let reader: ByteReader

  public init(_ reader: ByteReader) { self.reader = reader }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if reader.available == 0, try !reader.fill() { return 0 }
    let count = min(buffer.count, reader.available)
    buffer.baseAddress!.copyMemory(from: reader.storage + reader.start, byteCount: count)
    reader.start += count
    return count
  }
}
