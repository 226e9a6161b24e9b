/// Events that passed `EventCheck`, with what the run-wide part of eid-validate needs of
/// each (`EventValidator.merge`): times for the summary, source and kind as slots in a
/// small table of names, the id's bytes and hashes for the duplicate-id check. A thread
/// fills one per block of input; the merge takes them in input order, so the summary's
/// sums are added in the same order as one thread would (the same rounding).
public final class CheckedEvents {
  struct Record {
    var start: Int64
    var duration: Double
    var line: Int
    var idHash: UInt64
    var content: UInt64
    var idOffset: UInt32
    var idLength: UInt32
    var source: UInt32
    var kind: UInt32
  }

  private(set) var records: [Record] = []
  /// The ids' bytes, one after another, in the records' order.
  let ids = ByteBuffer(capacity: 64 << 10)
  /// Every source and kind name seen, each checked once when it came first: their bytes
  /// one after another, and where each is (`name(_:)`).
  private let nameBytes = ByteBuffer(capacity: 256)
  private var nameRanges: [(offset: Int, count: Int)] = []
  /// Each name's `ContentHash`, for the events' content hashes.
  private(set) var nameHashes: [UInt64] = []
  /// Names past the first `linearNames`, found by hash (real streams have a handful).
  private var namesByBytes: [[UInt8]: UInt32] = [:]
  private static let linearNames = 32
  /// Slots by a small hash of the name (length, first and last byte), plus one; zero
  /// where none is. Most lookups end there; the rest search the table.
  private var quickSlots = [UInt32](repeating: 0, count: CheckedEvents.quickSlotCount)
  private static let quickSlotCount = 64
  /// Warnings `EventCheck` gave for these events (the summary counts them).
  var warnings = 0

  public init() {}

  /// The slot of a name already in the table.
  @inline(__always)
  func slot(of name: UnsafeRawBufferPointer) -> UInt32? {
    let quick = CheckedEvents.quickSlot(name)
    let slot = quickSlots[quick]
    if slot > 0 && isName(Int(slot - 1), name) { return slot - 1 }
    return slotSearched(name, quick: quick)
  }

  @inline(__always)
  private static func quickSlot(_ name: UnsafeRawBufferPointer) -> Int {
    let count = name.count
    guard count > 0 else { return 0 }
    return (count &* 7 &+ Int(name[0]) &* 3 &+ Int(name[count - 1])) & (quickSlotCount - 1)
  }

  private func slotSearched(_ name: UnsafeRawBufferPointer, quick: Int) -> UInt32? {
    var found: UInt32?
    for index in 0..<min(nameRanges.count, CheckedEvents.linearNames) where isName(index, name) {
      found = UInt32(index)
      break
    }
    if found == nil && nameCount > CheckedEvents.linearNames { found = namesByBytes[Array(name)] }
    if let found { quickSlots[quick] = found + 1 }
    return found
  }

  var nameCount: Int { nameRanges.count }

  /// The bytes of the name in `slot`.
  func name(_ slot: Int) -> UnsafeRawBufferPointer {
    let range = nameRanges[slot]
    return UnsafeRawBufferPointer(start: nameBytes.base + range.offset, count: range.count)
  }

  @inline(__always)
  private func isName(_ slot: Int, _ name: UnsafeRawBufferPointer) -> Bool {
    nameRanges[slot].count == name.count && self.name(slot).sameShortBytes(as: name)
  }

  /// Adds a name (checked by the caller) and returns its slot.
  func addName(_ name: UnsafeRawBufferPointer) -> UInt32 {
    let slot = UInt32(nameCount)
    nameRanges.append((nameBytes.count, name.count))
    nameBytes.append(name)
    nameHashes.append(ContentHash.of(name))
    if nameCount > CheckedEvents.linearNames { namesByBytes[Array(name)] = slot }
    quickSlots[CheckedEvents.quickSlot(name)] = slot + 1
    return slot
  }

  func append(id: UnsafeRawBufferPointer, start: Int64, duration: Double, line: Int, content: UInt64,
              source: UInt32, kind: UInt32) {
    let offset = ids.count
    ids.append(id)
    records.append(Record(start: start, duration: duration, line: line, idHash: MurmurHash3.x64_128(id).0,
                          content: content, idOffset: UInt32(offset), idLength: UInt32(id.count), source: source,
                          kind: kind))
  }

  /// Empties it for the next block.
  public func removeAll() {
    if !records.isEmpty { records.removeAll(keepingCapacity: true) }
    ids.removeAll()
    warnings = 0
    if nameCount > 0 {
      nameRanges.removeAll(keepingCapacity: true)
      nameBytes.removeAll()
      nameHashes.removeAll(keepingCapacity: true)
      namesByBytes.removeAll()
      for i in quickSlots.indices { quickSlots[i] = 0 }
    }
  }
}
