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

  private var ownsStorage: Bool

  /// Reads `bytes` where they lie from now on, from their start, as `init(borrowing:)` does
  /// (for a reader made that way, used again for other bytes).
  func borrow(_ bytes: UnsafeMutableRawBufferPointer) {
    if ownsStorage { storage.deallocate() }
    ownsStorage = bytes.baseAddress == nil
    storage = bytes.baseAddress ?? .allocate(byteCount: 16, alignment: 16)
    capacity = max(bytes.count, 16)
    (start, end, isAtEnd, baseOffset) = (0, bytes.count, true, 0)
  }

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

  /// Moves whole lines to the end of `out`, about `size` bytes of them, each with its LF
  /// (one is added to a last line without one); false at the end of input. What this
  /// reader holds unread goes first (no more than `size` bytes); once it holds nothing, the
  /// source is read straight into `out`, so most bytes are copied once, not twice. The
  /// part of a line after the last LF moved is unread again. A line longer than `size` is
  /// moved alone, held whole as `readLine()` holds it (refused past `maxRecordBytes`).
  /// `lineNumber` and `consumedOffset` are then those after the last line moved.
  public func moveLines(into out: ByteBuffer, size: Int) throws -> Bool {
    let begin = out.count
    let held = min(end - start, size)
    out.append(UnsafeRawBufferPointer(start: storage + start, count: held))
    start += held
    /// Makes the last `count` bytes moved unread again: still in the buffer before
    /// `start` when it holds more, else copied back into it.
    func unmove(_ count: Int) {
      if start < end {
        start -= count
      } else {
        putBack(UnsafeRawBufferPointer(start: out.base + out.count - count, count: count))
      }
      out.truncate(to: out.count - count)
    }
    /// Keeps the whole lines moved; the rest is unread again.
    func keepWholeLines() -> Bool {
      let moved = UnsafeRawBufferPointer(start: out.base + begin, count: out.count - begin)
      guard let lastLF = ByteReader.lastLineFeed(in: moved) else { return false }
      lineNumber += ByteReader.lineFeeds(in: UnsafeRawBufferPointer(rebasing: moved[...lastLF]))
      unmove(moved.count - lastLF - 1)
      return true
    }
    if start == end {
      baseOffset += Int64(end)
      start = 0
      end = 0
      do {
        while !isAtEnd && out.count - begin < size {
          let room = min(size - (out.count - begin), 1 << 20)  // (a read at a time, whatever `size`)
          let n = try source.read(into: UnsafeMutableRawBufferPointer(start: out.reserve(room), count: room))
          if n == 0 {
            isAtEnd = true
          } else {
            out.commit(n)
            baseOffset += Int64(n)
          }
        }
      } catch {
        // A source that fails (a truncated gzip member) leaves the lines before it whole.
        if !keepWholeLines() { unmove(out.count - begin) }
        throw error
      }
    }
    if out.count == begin { return false }
    if keepWholeLines() { return true }
    if isAtEnd && start == end {
      lineNumber += 1
      out.append(0x0A)
      return true
    }
    unmove(out.count - begin)
    guard let line = try readLine() else { return false }
    out.append(line)
    out.append(0x0A)
    return true
  }

  /// Makes `bytes`, read past the end of the buffer, unread again (the buffer holds
  /// nothing unread).
  private func putBack(_ bytes: UnsafeRawBufferPointer) {
    if bytes.count > capacity || !ownsStorage {
      // (Borrowed bytes are never written to: a buffer of its own, as large as needed.)
      if ownsStorage { storage.deallocate() } else { capacity = 16 }
      while capacity < bytes.count { capacity *= 2 }
      storage = .allocate(byteCount: capacity, alignment: 16)
      ownsStorage = true
    }
    if let from = bytes.baseAddress { storage.copyMemory(from: from, byteCount: bytes.count) }
    start = 0
    end = bytes.count
    baseOffset -= Int64(bytes.count)
  }

  /// The index of the last LF in `bytes`, sixteen bytes a step from the end (glibc's
  /// memrchr is not in Swift's Glibc module).
  static func lastLineFeed(in bytes: UnsafeRawBufferPointer) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let lf = SIMD16<UInt8>(repeating: 0x0A)
    var stop = bytes.count
    while stop >= 16 {
      let chunk = (base + stop - 16).loadUnaligned(as: SIMD16<UInt8>.self)
      let found = unsafeBitCast(chunk .== lf, to: SIMD2<UInt64>.self)
      if found[1] != 0 { return stop - 1 - found[1].leadingZeroBitCount / 8 }
      if found[0] != 0 { return stop - 9 - found[0].leadingZeroBitCount / 8 }
      stop -= 16
    }
    while stop > 0 {
      stop -= 1
      if bytes[stop] == 0x0A { return stop }
    }
    return nil
  }

  /// How many LF bytes `bytes` holds, sixteen bytes a step.
  static func lineFeeds(in bytes: UnsafeRawBufferPointer) -> Int {
    guard let base = bytes.baseAddress else { return 0 }
    let lf = SIMD16<UInt8>(repeating: 0x0A)
    var total = 0
    var i = 0
    while bytes.count - i >= 16 {
      // Each byte of `found` counts its lane's LFs, so 255 steps at most before it is added up.
      var found = SIMD16<UInt8>()
      for _ in 0..<min((bytes.count - i) / 16, 255) {
        let chunk = (base + i).loadUnaligned(as: SIMD16<UInt8>.self)
        found &-= unsafeBitCast(chunk .== lf, to: SIMD16<UInt8>.self)
        i += 16
      }
      total += Int(SIMD16<UInt16>(truncatingIfNeeded: found).wrappedSum())
    }
    while i < bytes.count {
      if bytes[i] == 0x0A { total += 1 }
      i += 1
    }
    return total
  }
}
