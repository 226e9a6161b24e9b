/// What `RescueTimeRowScanner` made of the cells after a row's Date and seconds, kept by
/// those cells' raw bytes: the end of the canonical line from after the duration (texts,
/// productivity, offset, attrs) and the end of the id's input. RescueTime writes the same
/// activity, category and productivity in bucket after bucket (the bench file's 151,376
/// rows hold 26 such tails, a real account's 62-row sample 7), so a row whose tail was seen
/// costs a look-up and two copies, not its cells' checks, escapes and writes again
/// (bench/README.md, "RescueTime rows' tails kept").
///
/// One per scanner (one per thread). Bounded: emptied when it holds `maxEntries` tails or
/// `arenaBytes` of them (a tail of more than a sixteenth of that is not kept), and whenever
/// the offset or the resolution the tails were written with changes (`RescueTimeBuckets.writing`).
final class RescueTimeRowTails {
  struct Entry {
    /// The line's end and the id input's end.
    var line: UnsafeRawBufferPointer
    var idInput: UnsafeRawBufferPointer
  }

  private struct Slot {
    var hash: UInt64
    /// Offsets into `arena` (`keyAt` -1: empty) and lengths.
    var keyAt: Int32, keyCount: Int32
    var lineCount: Int32, idCount: Int32
  }

  static let maxEntries = 1024
  private static let slotBits = 11
  private static let slotCount = 1 << slotBits  // twice the entries
  static let arenaBytes = 256 << 10

  /// Allocated with the first tail kept (a scanner that keeps none costs nothing).
  private var slots = UnsafeMutablePointer<Slot>(bitPattern: 8)!
  /// Each tail's key, line and id input, one after the other.
  private var arena = UnsafeMutableRawPointer(bitPattern: 16)!
  private var allocated = false
  private var arenaUsed = 0
  private(set) var count = 0
  /// The buckets' `writing` count the tails held were written under.
  private var writing = -1
  /// Tails found since the tails were last emptied, and rows left to read without tails:
  /// when a full set of tails was found fewer times than it holds, the rows repeat too
  /// little to pay for the keeping (a file of distinct rows cost 27% more with it), and the
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

  /// False, counting the row, while the tails rest (none are kept or looked for).
  @inline(__always)
  func inUse() -> Bool {
    guard resting > 0 else { return true }
    resting &-= 1
    return false
  }

  private func empty() {
    if !allocated {
      slots = .allocate(capacity: RescueTimeRowTails.slotCount)
      arena = .allocate(byteCount: RescueTimeRowTails.arenaBytes, alignment: 16)
      allocated = true
    }
    for i in 0..<RescueTimeRowTails.slotCount { slots[i] = Slot(hash: 0, keyAt: -1, keyCount: 0, lineCount: 0, idCount: 0) }
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

  /// Empties the tails unless they were written under this `RescueTimeBuckets.writing`
  /// count (the same offset and resolution); false when it did (an entry found before is gone).
  @inline(__always)
  func use(writing: Int) -> Bool {
    guard writing != self.writing else { return true }
    self.writing = writing
    if count > 0 { empty() }
    return false
  }

  @inline(__always)
  private func key(_ slot: Slot) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: arena + Int(slot.keyAt), count: Int(slot.keyCount))
  }

  /// The tail kept for `key` (a row's raw bytes from just before its third field), if any.
  @inline(__always)
  func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Entry? {
    guard count > 0 else { return nil }
    let mask = RescueTimeRowTails.slotCount &- 1
    var i = RescueTimeRowTails.slot(hash)
    while true {
      let slot = slots[i]
      if slot.keyAt < 0 { return nil }
      if slot.hash == hash && self.key(slot).sameShortBytes(as: key) {
        foundSinceEmptied &+= 1
        let lineAt = Int(slot.keyAt) &+ Int(slot.keyCount)
        return Entry(line: UnsafeRawBufferPointer(start: arena + lineAt, count: Int(slot.lineCount)),
                     idInput: UnsafeRawBufferPointer(start: arena + (lineAt &+ Int(slot.lineCount)), count: Int(slot.idCount)))
      }
      i = (i &+ 1) & mask
    }
  }

  /// Keeps `line` and `idInput` for `key` (not kept already); emptied first when full.
  func keep(_ key: UnsafeRawBufferPointer, hash: UInt64, line: UnsafeRawBufferPointer, idInput: UnsafeRawBufferPointer) {
    let bytes = key.count + line.count + idInput.count
    guard bytes <= RescueTimeRowTails.arenaBytes / 16 else { return }  // a long tail is rare: written each time
    if !allocated || count == RescueTimeRowTails.maxEntries || arenaUsed + bytes > RescueTimeRowTails.arenaBytes {
      if count == RescueTimeRowTails.maxEntries && foundSinceEmptied < count {
        empty()
        resting = RescueTimeRowTails.restRows
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
    add(line)
    add(idInput)
    let mask = RescueTimeRowTails.slotCount &- 1
    var i = RescueTimeRowTails.slot(hash)
    while slots[i].keyAt >= 0 { i = (i &+ 1) & mask }
    slots[i] = Slot(hash: hash, keyAt: Int32(at), keyCount: Int32(key.count), lineCount: Int32(line.count), idCount: Int32(idInput.count))
    count += 1
  }
}
