import CByteMarks

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable run of bytes that writers append to: no String, no per-append allocation.
public final class ByteBuffer {
  public private(set) var base: UnsafeMutablePointer<UInt8>
  public private(set) var count = 0
  public private(set) var capacity: Int
  /// The room it was made with, what `removeAll(releasingAbove:)` goes back to.
  private let initialCapacity: Int

  public init(capacity: Int = 1 << 16) {
    self.capacity = max(64, capacity)
    initialCapacity = self.capacity
    base = .allocate(capacity: self.capacity)
    markUsable(0)
  }

  deinit { release(base) }

  // (Both were left calls in the row scanners, several times a row.)
  @inline(__always)
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  public var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

  @inline(__always)
  public func removeAll() {
    count = 0
    markUsable(0)
  }

  /// Keeps the first `length` bytes (no more than there are).
  public func truncate(to length: Int) {
    count = min(count, max(0, length))
    markUsable(count)
  }

  /// Trades contents and memory with `other` (a writer hands its full buffer to a thread
  /// and goes on filling the other, through the same object).
  public func swapStorage(with other: ByteBuffer) {
    swap(&base, &other.base)
    swap(&count, &other.count)
    swap(&capacity, &other.capacity)
  }

  /// Empties the buffer; one grown past `limit` (by a long record) goes back to the room it
  /// was made with. (Released to nothing, a block's buffers grew again from 64 bytes for
  /// every block, its bytes copied at each doubling: bench/README.md, "Block buffers kept".)
  public func removeAll(releasingAbove limit: Int) {
    count = 0
    markUsable(0)
    guard capacity > max(limit, initialCapacity) else { return }
    release(base)
    capacity = initialCapacity
    base = .allocate(capacity: capacity)
    markUsable(0)
  }

  /// Empties the buffer and gives its memory back (a big buffer no longer needed).
  public func releaseMemory() {
    release(base)
    capacity = 64
    base = .allocate(capacity: capacity)
    count = 0
    markUsable(0)
  }

  /// Makes room for `extra` more bytes and returns where they go; call `commit` after writing.
  @inline(__always)
  public func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
    if count + extra > capacity { grow(to: count + extra) }
    markUsable(count + extra)
    return base + count
  }

  @inline(__always)
  public func commit(_ written: Int) { count += written }

  /// A cursor over room for `room` more bytes: it writes with no check per piece, and
  /// `commit(_:)` ends its writing.
  @inline(__always)
  func cursor(room: Int) -> ByteCursor {
    let at = reserve(room)
    #if DEBUG || EIDOLON_LIBFUZZER
    return ByteCursor(at: at, end: at + room)  // only what was asked for (`ByteCursor.checkRoom`)
    #else
    return ByteCursor(at: at, end: base + capacity)
    #endif
  }

  /// Takes what `cursor` wrote.
  @inline(__always)
  func commit(_ cursor: ByteCursor) { count = cursor.at - base }

  /// Grows the room to `room` bytes past what `cursor` has written (which it keeps) and
  /// points the cursor at the new memory.
  func makeRoom(_ room: Int, for cursor: inout ByteCursor) {
    count = cursor.at - base
    cursor.at = reserve(room)
    #if DEBUG || EIDOLON_LIBFUZZER
    cursor.end = cursor.at + room
    #else
    cursor.end = base + capacity
    #endif
  }

  private func grow(to needed: Int) {
    var newCapacity = capacity * 2
    while newCapacity < needed { newCapacity *= 2 }
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    bigger.update(from: base, count: count)
    release(base)
    base = bigger
    capacity = newCapacity
  }

  /// Frees memory this buffer allocated (its poisoning lifted first).
  private func release(_ memory: UnsafeMutablePointer<UInt8>) {
    #if DEBUG || EIDOLON_LIBFUZZER
    SanitizerPoisoning.clear(memory, capacity: capacity)
    #endif
    memory.deallocate()
  }

  /// Under AddressSanitizer (debug and fuzz builds), poisons the buffer past `usable` bytes:
  /// room is what a writer reserved, and a write or read past it is reported even where the
  /// capacity is larger (`SanitizerPoisoning`). Nothing in a release build.
  @inline(__always)
  private func markUsable(_ usable: Int) {
    #if DEBUG || EIDOLON_LIBFUZZER
    SanitizerPoisoning.mark(base, usable: usable, capacity: capacity)
    #endif
  }

  @inline(__always)
  public func append(_ byte: UInt8) {
    if count == capacity { grow(to: count + 1) }
    markUsable(count + 1)
    base[count] = byte
    count += 1
  }

  /// `append` for a long copy (a block's worth), in pieces of 2 KiB: glibc's memcpy moves a
  /// longer copy with `rep movsb`, which callgrind counts a byte at a time (7.3 M
  /// instructions on aw-read's 8 MB bench file, against 1 M for these pieces' vector moves);
  /// the same bytes are copied either way.
  func appendInPieces(_ bytes: UnsafeRawBufferPointer) {
    var from = 0
    while from < bytes.count {
      let piece = min(2048, bytes.count - from)
      append(UnsafeRawBufferPointer(rebasing: bytes[from..<(from + piece)]))
      from += piece
    }
  }

  @inline(__always)
  public func append(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, bytes.count > 0 else { return }
    let n = bytes.count
    if n <= 16 {
      // Most appends are a few bytes: one 16-byte load and store (`eid_copy_short16`), the
      // room past them written over by what comes next.
      eid_copy_short16(source.assumingMemoryBound(to: UInt8.self), UInt32(truncatingIfNeeded: n), reserve(16))
      count &+= n
      return
    }
    let at = UnsafeMutableRawPointer(reserve(n))
    if n <= 32 {
      // Two overlapping 16-byte loads and stores beat calling memcpy.
      at.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
      (at + n - 16).storeBytes(of: (source + n - 16).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
    } else {
      at.copyMemory(from: source, byteCount: n)
    }
    count += n
  }

  public func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  /// Appends the UTF-8 of `text` as it is (no escaping).
  public func append(_ text: String) {
    var text = text
    text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
  }

  /// Appends a literal's UTF-8 (no String on the way).
  @inline(__always)
  public func append(literal text: StaticString) {
    append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Appends a decimal integer (`ByteCursor.writeInteger`).
  public func append(integer value: Int64) {
    count &+= ByteCursor.writeInteger(value, to: reserve(20))
  }

  /// "00" to "99", for writing two digits at a time (constant data: no start-up check).
  static var digitPairs: UnsafeRawPointer { UnsafeRawPointer(digitPairText.utf8Start) }
  private static let digitPairText: StaticString =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

  /// How many decimal digits `value` has (1 for 0): the bit length gives it to within one
  /// (1233/4096 is just over log10(2)), a power of ten settles it. (`value | 1` makes 0
  /// one digit and changes no other answer: every power of ten from 10 on is even.)
  @inline(__always)
  static func decimalLength(_ value: UInt64) -> Int {
    let bits = 64 - (value | 1).leadingZeroBitCount
    let guess = (bits &* 1233) >> 12
    return guess + (value | 1 >= powerOfTen(guess) ? 1 : 0)
  }

  /// 10 to the `exponent` (0...19), from a table the compiler makes of the switch (a
  /// static Array would be checked for its one-time start on every call).
  @inline(__always)
  private static func powerOfTen(_ exponent: Int) -> UInt64 {
    switch exponent {
    case 0: return 1
    case 1: return 10
    case 2: return 100
    case 3: return 1_000
    case 4: return 10_000
    case 5: return 100_000
    case 6: return 1_000_000
    case 7: return 10_000_000
    case 8: return 100_000_000
    case 9: return 1_000_000_000
    case 10: return 10_000_000_000
    case 11: return 100_000_000_000
    case 12: return 1_000_000_000_000
    case 13: return 10_000_000_000_000
    case 14: return 100_000_000_000_000
    case 15: return 1_000_000_000_000_000
    case 16: return 10_000_000_000_000_000
    case 17: return 100_000_000_000_000_000
    case 18: return 1_000_000_000_000_000_000
    default: return 10_000_000_000_000_000_000
    }
  }

  /// Appends `value` as exactly `width` digits, zero-padded (for dates and times).
  @inline(__always)
  public func append(padded value: Int, width: Int) {
    let at = reserve(width)
    var v = value
    var i = width - 1
    while i >= 0 {
      at[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
      v /= 10
      i -= 1
    }
    count += width
  }
}
