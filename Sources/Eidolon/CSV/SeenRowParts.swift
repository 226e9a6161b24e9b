/// What a row scanner made of part of a row, kept by that part's raw bytes (the key): up to
/// four pieces of bytes (parts of the line, the id's input, a hash's state). Trackers write
/// the same cells in row after row: RescueTime the same activity, category and
/// productivity in bucket after bucket (the bench file's 151,376 rows hold 26 such tails, a
/// real account's 62-row sample 7), Toggl the same user, client, project and task in entry
/// after entry. A row whose part was seen costs a look-up and copies, not its cells'
/// checks, escapes and writes again (bench/README.md, "RescueTime rows' tails kept",
/// "Toggl rows' heads and tags kept").
///
/// One per scanner (one per thread). Bounded: emptied when it holds `maxEntries` entries or
/// `arenaBytes` of them (an entry of more than a sixteenth of that is not kept), and whenever
/// the generation the entries were made under changes (`use(generation:)`: RescueTime's
/// offset or resolution, `RescueTimeBuckets.writing`).
final class SeenRowParts {
  /// The pieces kept for a key, one after the other from `base`.
  struct Entry {
    let base: UnsafeRawPointer
    let counts: (Int32, Int32, Int32, Int32)

    /// Piece `index` (0 to 3).
    @inline(__always)
    func piece(_ index: Int) -> UnsafeRawBufferPointer {
      let (a, b, c, d) = (Int(counts.0), Int(counts.1), Int(counts.2), Int(counts.3))
      switch index {
      case 0: return UnsafeRawBufferPointer(start: base, count: a)
      case 1: return UnsafeRawBufferPointer(start: base + a, count: b)
      case 2: return UnsafeRawBufferPointer(start: base + (a &+ b), count: c)
      default: return UnsafeRawBufferPointer(start: base + (a &+ b &+ c), count: d)
      }
    }
  }

  private struct Slot {
    var hash: UInt64
    /// Offsets into `arena` (`keyAt` -1: empty) and lengths.
    var keyAt: Int32, keyCount: Int32
    var counts: (Int32, Int32, Int32, Int32)
  }
  static let maxEntries = 1024
  private static let slotBits = 11
  private static let slotCount = 1 << slotBits  // twice the entries
  static let arenaBytes = 256 << 10

  /// Allocated with the first entry kept (a scanner that keeps none costs nothing).
  private var slots = UnsafeMutablePointer<Slot>(bitPattern: 8)!
  /// Each entry's key and pieces, one after the other.
  private var arena = UnsafeMutableRawPointer(bitPattern: 16)!
  private var allocated = false
  private var arenaUsed = 0
  private(set) var count = 0
  /// The generation the entries held were made under.
  private var generation = -1
  /// Entries found since the entries were last emptied, and rows left to read without them:
  /// when a full set was found fewer times than it holds, the rows repeat too little to pay
  /// for the keeping (a RescueTime file of distinct rows cost 27% more with it), and the
  /// next `restRows` rows are read without.
  private var foundSinceEmptied = 0
  private var resting = 0
  static let restRows = 16 * maxEntries

  init() {}

  deinit {
    guard allocated else { return }
    slots.deallocate()
    arena.deallocate()
  }

  /// False, counting the row, while the entries rest (none are kept or looked for).
  @inline(__always)
  func inUse() -> Bool {
    guard resting > 0 else { return true }
    resting &-= 1
    return false
  }

  private func empty() {
    if !allocated {
      slots = .allocate(capacity: SeenRowParts.slotCount)
      arena = .allocate(byteCount: SeenRowParts.arenaBytes, alignment: 16)
      allocated = true
    }
    for i in 0..<SeenRowParts.slotCount { slots[i] = Slot(hash: 0, keyAt: -1, keyCount: 0, counts: (0, 0, 0, 0)) }
    arenaUsed = 0
    count = 0
    foundSinceEmptied = 0
  }

  /// A key's hash: of 16 to 64 bytes (most), its words from both ends, each taken by a
  /// multiply of its own (not one after another, as `ContentHash` takes them); any other,
  /// `ContentHash`. Only for the table: keys are compared whole.
  @inline(__always)
  static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
    let n = key.count
    guard n >= 16, n <= 64 else {
      var hash = ContentHash()
      hash.add(key)
      return hash.value
    }
    @inline(__always) func word(_ at: Int) -> UInt64 { key.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
    var a = word(0) ^ UInt64(truncatingIfNeeded: n), b = word(8), c = word(n &- 16), d = word(n &- 8)
    if n > 32 {
      a ^= word(16) &* 0xC2B2_AE3D_27D4_EB4F
      b ^= word(24) &* 0x1656_67B1_9E37_79F9
      c ^= word(n &- 32) &* 0x27D4_EB2F_1656_67C5
      d ^= word(n &- 24) &* 0x85EB_CA77_C2B2_AE63
    }
    let h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xFF51_AFD7_ED55_8CCD) ^ (c &* 0xC4CE_B9FE_1A85_EC53) ^ (d &* 0x87C3_7B91_1142_53D5)
    return (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93  // (the slot is taken from the high bits, which depend on every bit)
  }

  /// The first slot to look in for a hash: its high bits.
  @inline(__always)
  private static func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> UInt64(64 - slotBits)) }

  /// Empties the entries unless they were made under this generation (RescueTime: the same
  /// offset and resolution); false when it did (an entry found before is gone).
  @inline(__always)
  func use(generation: Int) -> Bool {
    guard generation != self.generation else { return true }
    self.generation = generation
    if count > 0 { empty() }
    return false
  }

  @inline(__always)
  private func key(_ slot: Slot) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: arena + Int(slot.keyAt), count: Int(slot.keyCount))
  }

  /// The entry kept for `key`, if any.
  @inline(__always)
  func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Entry? {
    guard count > 0 else { return nil }
    let mask = SeenRowParts.slotCount &- 1
    var i = SeenRowParts.slot(hash)
    while true {
      let slot = slots[i]
      if slot.keyAt < 0 { return nil }
      if slot.hash == hash && self.key(slot).sameShortBytes(as: key) {
        foundSinceEmptied &+= 1
        return Entry(base: UnsafeRawPointer(arena + (Int(slot.keyAt) &+ Int(slot.keyCount))), counts: slot.counts)
      }
      i = (i &+ 1) & mask
    }
  }

  /// Keeps up to four pieces for `key` (not kept already); emptied first when full.
  func keep(_ key: UnsafeRawBufferPointer, hash: UInt64, _ piece0: UnsafeRawBufferPointer,
            _ piece1: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
            _ piece2: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
            _ piece3: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
    let bytes = key.count + piece0.count + piece1.count + piece2.count + piece3.count
    guard bytes <= SeenRowParts.arenaBytes / 16 else { return }  // a long one is rare: written each time
    if !allocated || count == SeenRowParts.maxEntries || arenaUsed + bytes > SeenRowParts.arenaBytes {
      if count == SeenRowParts.maxEntries && foundSinceEmptied < count {
        empty()
        resting = SeenRowParts.restRows
        return
      }
      empty()
    }
    let at = arenaUsed
    func add(_ part: UnsafeRawBufferPointer) {
      guard let bytes = part.baseAddress else { return }
      (arena + arenaUsed).copyMemory(from: bytes, byteCount: part.count)
      arenaUsed += part.count
    }
    add(key)
    add(piece0)
    add(piece1)
    add(piece2)
    add(piece3)
    let mask = SeenRowParts.slotCount &- 1
    var i = SeenRowParts.slot(hash)
    while slots[i].keyAt >= 0 { i = (i &+ 1) & mask }
    slots[i] = Slot(hash: hash, keyAt: Int32(at), keyCount: Int32(key.count),
                    counts: (Int32(piece0.count), Int32(piece1.count), Int32(piece2.count), Int32(piece3.count)))
    count += 1
  }
}
