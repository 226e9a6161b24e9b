import CByteMarks

/// Deterministic event ids: `<prefix>:<32 hex digits>`, the hex being
/// MurmurHash3 x64 128 (seed 0) of the identifying fields' UTF-8 joined by 0x1F.
/// Each reader documents which fields it hashes (formats/eidolon-ndjson.md).
public enum EventID {
  public static func make(prefix: String, fields: [String]) -> String {
    var input: [UInt8] = []
    for (i, field) in fields.enumerated() {
      if i > 0 { input.append(0x1F) }
      input.append(contentsOf: field.utf8)
    }
    return input.withUnsafeBytes { make(prefix: prefix, joinedFields: $0) }
  }

  /// The same, from the fields already joined by 0x1F (readers build them in a reused buffer).
  public static func make(prefix: String, joinedFields: UnsafeRawBufferPointer) -> String {
    String(unsafeUninitializedCapacity: prefix.utf8.count + 33) { out in
      var i = 0
      for byte in prefix.utf8 {
        out[i] = byte
        i += 1
      }
      out[i] = UInt8(ascii: ":")
      writeHex(of: joinedFields, to: UnsafeMutableRawPointer(out.baseAddress! + i + 1))
      return i + 33
    }
  }

  /// Writes the 32 hex digits of the id of `joinedFields` (what follows the prefix and its colon).
  static func writeHex(of joinedFields: UnsafeRawBufferPointer, to out: UnsafeMutableRawPointer) {
    writeHex(MurmurHash3.x64_128(joinedFields), to: out)
  }

  /// The 32 hex digits of a hash `MurmurHash3.x64_128` gave, written at `out`: 16 bytes'
  /// nibbles spread and made digits at once (`eid_hex128`, SSE2; eight at a time in a word
  /// took about 90 instructions an id, 2% of rt-read).
  static func writeHex(_ hash: (UInt64, UInt64), to out: UnsafeMutableRawPointer) {
    eid_hex128(hash.0, hash.1, out.assumingMemoryBound(to: UInt8.self))
  }
}

/// MurmurHash3 x64 128 by Austin Appleby (public domain): fast, stable across
/// platforms and versions, well spread; not for secrets.
public enum MurmurHash3 {
  @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

  @inline(__always) private static func fmix(_ k: UInt64) -> UInt64 {
    var k = k
    k ^= k >> 33
    k &*= 0xff51_afd7_ed55_8ccd
    k ^= k >> 33
    k &*= 0xc4ce_b9fe_1a85_ec53
    k ^= k >> 33
    return k
  }

  /// The bytes after the last whole 16-byte block as two little-endian words (zeros past
  /// the end), as the reference builds them a byte at a time. Past the first block, they
  /// are the high bytes of words that end where the data does (bytes a block has
  /// already taken shifted out): no byte is read outside the data, none twice per word.
  @inline(__always)
  private static func tailWords(_ data: UnsafeRawBufferPointer, blocks: Int) -> (UInt64, UInt64) {
    let count = data.count
    let rest = count & 15
    guard rest > 0 else { return (0, 0) }
    if blocks > 0 {
      let last = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
      if rest > 8 {
        let first = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: count - rest, as: UInt64.self))
        return (first, last >> UInt64(8 * (16 - rest)))
      }
      return (last >> UInt64(8 * (8 - rest)), 0)
    }
    // Shorter than a block: a byte at a time, within the data.
    let p = data.baseAddress!
    var k1: UInt64 = 0
    var k2: UInt64 = 0
    for i in 0..<min(rest, 8) { k1 |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i) }
    if rest > 8 { for i in 8..<rest { k2 |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * (i - 8)) } }
    return (k1, k2)
  }

  /// The two 64-bit halves, h1 then h2, as the reference implementation returns them.
  public static func x64_128(_ data: UnsafeRawBufferPointer, seed: UInt64 = 0) -> (UInt64, UInt64) {
    var state = (seed, seed)
    mixBlocks(data, from: 0, into: &state)
    return finish(data, state)
  }

  /// The state after the whole 16-byte blocks of `prefix`, for `x64_128(_:after:state:)`
  /// (a part many inputs share, hashed once: `TogglCSVRowScanner`'s heads).
  static func state(after prefix: UnsafeRawBufferPointer, seed: UInt64 = 0) -> (UInt64, UInt64) {
    var state = (seed, seed)
    mixBlocks(prefix, from: 0, into: &state)
    return state
  }

  /// `x64_128(data)` where `data` starts with `prefix` bytes whose blocks gave `state`.
  static func x64_128(_ data: UnsafeRawBufferPointer, after prefix: Int, state: (UInt64, UInt64)) -> (UInt64, UInt64) {
    var state = state
    mixBlocks(data, from: prefix / 16, into: &state)
    return finish(data, state)
  }

  @inline(__always)
  private static func mixBlocks(_ data: UnsafeRawBufferPointer, from first: Int, into state: inout (UInt64, UInt64)) {
    var (h1, h2) = state
    let blocks = data.count / 16
    var i = first
    while i < blocks {
      var k1 = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: i &* 16, as: UInt64.self))
      var k2 = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: i &* 16 &+ 8, as: UInt64.self))
      k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
      h1 = rotl(h1, 27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52dc_e729
      k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
      h2 = rotl(h2, 31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5ab5
      i &+= 1
    }
    state = (h1, h2)
  }

  @inline(__always) private static var c1: UInt64 { 0x87c3_7b91_1142_53d5 }
  @inline(__always) private static var c2: UInt64 { 0x4cf5_ad43_2745_937f }

  /// The last partial block and the finalization, after every whole block.
  @inline(__always)
  private static func finish(_ data: UnsafeRawBufferPointer, _ state: (UInt64, UInt64)) -> (UInt64, UInt64) {
    var (h1, h2) = state
    let blocks = data.count / 16
    let (k1, k2) = tailWords(data, blocks: blocks)
    let rest = data.count & 15
    if rest > 8 {
      var k2 = k2
      k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
    }
    if rest > 0 {
      var k1 = k1
      k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
    }
    h1 ^= UInt64(data.count)
    h2 ^= UInt64(data.count)
    h1 &+= h2
    h2 &+= h1
    h1 = fmix(h1)
    h2 = fmix(h2)
    h1 &+= h2
    h2 &+= h1
    return (h1, h2)
  }
}
