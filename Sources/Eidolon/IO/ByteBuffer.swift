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

  public init(capacity: Int = 1 << 16) {
    self.capacity = max(64, capacity)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  public var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

  public func removeAll() { count = 0 }

  /// Trades contents and memory with `other` (a writer hands its full buffer to a thread
  /// and goes on filling the other, through the same object).
  public func swapStorage(with other: ByteBuffer) {
    swap(&base, &other.base)
    swap(&count, &other.count)
    swap(&capacity, &other.capacity)
  }

  /// Empties the buffer and gives its memory back (a big buffer no longer needed).
  public func releaseMemory() {
    base.deallocate()
    capacity = 64
    base = .allocate(capacity: capacity)
    count = 0
  }

  /// Makes room for `extra` more bytes and returns where they go; call `commit` after writing.
  @inline(__always)
  public func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
    if count + extra > capacity { grow(to: count + extra) }
    return base + count
  }

  @inline(__always)
  public func commit(_ written: Int) { count += written }

  private func grow(to needed: Int) {
    var newCapacity = capacity * 2
    while newCapacity < needed { newCapacity *= 2 }
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    bigger.update(from: base, count: count)
    base.deallocate()
    base = bigger
    capacity = newCapacity
  }

  @inline(__always)
  public func append(_ byte: UInt8) {
    if count == capacity { grow(to: count + 1) }
    base[count] = byte
    count += 1
  }

  @inline(__always)
  public func append(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, bytes.count > 0 else { return }
    let n = bytes.count
    let at = UnsafeMutableRawPointer(reserve(n))
    if n <= 16 {
      // Most appends are a few bytes; a word or two copied in place beats calling memcpy.
      if n >= 8 {
        at.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
        (at + n - 8).storeBytes(of: (source + n - 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
      } else {
        for k in 0..<n { at.storeBytes(of: source.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self) }
      }
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

  /// Appends a decimal integer.
  public func append(integer value: Int64) {
    let at = reserve(20)
    var n = 0
    if value < 0 {
      at[0] = 0x2D
      n = 1
    }
    var magnitude = value.magnitude
    let firstDigit = n
    repeat {
      at[n] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
      magnitude /= 10
      n += 1
    } while magnitude > 0
    // The digits came out last first.
    var low = firstDigit
    var high = n - 1
    while low < high {
      let t = at[low]
      at[low] = at[high]
      at[high] = t
      low += 1
      high -= 1
    }
    count += n
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
