#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A large read buffer over a `ByteSource`: the bottom of every reader.
///
/// The unread bytes are `storage[start..<end]`. Readers advance `start` themselves
/// and call `fill()` when they need more; `fill()` moves the unread bytes to the
/// front, so pointers into the buffer are good only until the next `fill()`.
public final class ByteReader {
  public static let defaultCapacity = 1 << 18
  /// The longest line or token a reader will hold whole: past it the input is refused.
  /// 8 MiB: no tracker writes a record near it, and it keeps a tool's memory under
  /// 100 MB whatever one record holds (formats/parsers.md, "Limits"; at 16 MiB eid-load
  /// took 128 MB for one long line).
  public static let defaultMaxRecordBytes = 8 << 20

  public let name: String
  private let source: ByteSource
  public private(set) var storage: UnsafeMutableRawPointer
  public private(set) var capacity: Int
  public var start = 0
  public private(set) var end = 0
  public private(set) var isAtEnd = false
  /// The offset in the whole input of `storage[0]`.
  public private(set) var baseOffset: Int64 = 0
  public let maxRecordBytes: Int
  /// 1-based number of the line that `readLine()` returned last.
  public private(set) var lineNumber = 0

  /// `linesBefore` and `offset` place the source's first byte in a larger input (a piece
  /// of a file read on its own: positions still count from the file's start).
  public init(source: ByteSource, name: String, capacity: Int = ByteReader.defaultCapacity,
              maxRecordBytes: Int = ByteReader.defaultMaxRecordBytes, linesBefore: Int = 0, offset: Int64 = 0) {
    self.source = source
    lineNumber = linesBefore
    baseOffset = offset
    self.name = name
    self.capacity = max(16, capacity)
    self.maxRecordBytes = maxRecordBytes
    storage = .allocate(byteCount: self.capacity, alignment: 16)
    ownsStorage = true
  }

  /// Reads `bytes` where they lie, without copying them (a block of lines another reader
  /// cut): they must stay unchanged, and alive, while this reader is used.
  public init(borrowing bytes: UnsafeMutableRawBufferPointer, name: String, linesBefore: Int = 0, offset: Int64 = 0) {
    source = MemorySource([])
    self.name = name
    storage = bytes.baseAddress ?? .allocate(byteCount: 16, alignment: 16)
    ownsStorage = bytes.baseAddress == nil
    capacity = max(bytes.count, 16)
    end = bytes.count
    isAtEnd = true
    maxRecordBytes = max(bytes.count, ByteReader.defaultMaxRecordBytes)
    lineNumber = linesBefore
    baseOffset = offset
  }

  private let ownsStorage: Bool

  deinit { if ownsStorage { storage.deallocate() } }

  /// Bytes read so far and handed to the caller.
  public var consumedOffset: Int64 { baseOffset + Int64(start) }

  public var available: Int { end - start }

  /// Reads more input after the unread bytes. Returns false at the end of input.
  /// Grows the buffer (up to `maxRecordBytes`) only when it is full of unread bytes.
  @discardableResult
  public func fill() throws -> Bool {
    if isAtEnd { return false }
    if start > 0 {
      let unread = end - start
      if unread > 0 { memmove(storage, storage + start, unread) }
      baseOffset += Int64(start)
      start = 0
      end = unread
    }
    if end == capacity {
      guard capacity < maxRecordBytes else {
        throw EidolonError(
          .limit, "a single record is longer than \(maxRecordBytes >> 20) MiB; refusing it (is this the right format?)",
          file: name)
      }
      let grown = min(capacity * 2, maxRecordBytes)
      let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
      bigger.copyMemory(from: storage, byteCount: end)
      storage.deallocate()
      storage = bigger
      capacity = grown
    }
    let n = try source.read(into: UnsafeMutableRawBufferPointer(start: storage + end, count: capacity - end))
    if n == 0 {
      isAtEnd = true
      return false
    }
    end += n
    return true
  }

  /// Reads up to `count` bytes without consuming them (fewer only at the end of input).
  public func peek(_ count: Int) throws -> UnsafeRawBufferPointer {
    while available < count, try fill() {}
    return UnsafeRawBufferPointer(start: storage + start, count: min(count, available))
  }

  /// `peek`, past a UTF-8 byte-order mark: the head a format is told from. (Readers that
  /// read text skip the mark themselves; this only looks.)
  public func peekPastBOM(_ count: Int) throws -> UnsafeRawBufferPointer {
    let head = try peek(count + 3)
    let past = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    return UnsafeRawBufferPointer(rebasing: head[past..<min(head.count, past + count)])
  }

  /// The first byte of `head` that is not a space, tab, CR or LF (`[`, `{`, `<`, a
  /// quote...), nil when there is none.
  public static func firstSignificantByte(_ head: UnsafeRawBufferPointer) -> UInt8? {
    head.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
  }

  /// The next line without its LF (a CR before the LF stays), or nil at the end.
  /// The bytes are good until the next call. A last line with no LF is still a line.
  public func readLine() throws -> UnsafeRawBufferPointer? {
    var searchFrom = start
    while true {
      if searchFrom < end, let found = memchr(storage + searchFrom, 0x0A, end - searchFrom) {
        let lineEnd = storage.distance(to: found)
        let line = UnsafeRawBufferPointer(start: storage + start, count: lineEnd - start)
        start = lineEnd + 1
        lineNumber += 1
        return line
      }
      let scanned = end - start
      if try !fill() {
        guard start < end else { return nil }
        let line = UnsafeRawBufferPointer(start: storage + start, count: end - start)
        start = end
        lineNumber += 1
        return line
      }
      searchFrom = start + scanned
    }
  }
}
