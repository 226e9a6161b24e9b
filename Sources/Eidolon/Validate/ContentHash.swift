/// A 64-bit hash built a word at a time, for telling apart events that share an id
/// (`EventCheck`'s content hash): each step multiplies by an odd constant and folds the
/// high bits down, both one-to-one, so two inputs that differ in a single word (a time,
/// or eight bytes of a name of the same length) never share a hash. Cheaper than
/// MurmurHash3 of the fields joined into a buffer (about 330 instructions an event,
/// bench/README.md); not for secrets, and kept only for one run.
struct ContentHash {
  private(set) var value: UInt64 = 0x243F_6A88_85A3_08D3

  @inline(__always)
  mutating func add(_ word: UInt64) {
    var x = (value ^ word) &* 0x9E37_79B9_7F4A_7C15
    x ^= x >> 29
    value = x
  }

  /// The length, then the bytes eight at a time (the last eight end at the end; under
  /// eight, gathered a byte at a time), no byte read outside them.
  @inline(__always)
  mutating func add(_ bytes: UnsafeRawBufferPointer) {
    let count = bytes.count
    add(UInt64(count))
    guard count >= 8 else {
      var word: UInt64 = 0
      for i in 0..<count { word |= UInt64(bytes[i]) << UInt64(8 * i) }
      if count > 0 { add(word) }
      return
    }
    var i = 0
    while i + 8 <= count {
      add(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
      i += 8
    }
    if i < count { add(bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) }
  }

  /// The hash of some bytes alone.
  static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash = ContentHash()
    hash.add(bytes)
    return hash.value
  }
}
