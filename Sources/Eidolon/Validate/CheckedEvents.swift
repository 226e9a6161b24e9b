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
  /// The ids' bytes, one after another.
  let ids = ByteBuffer(capacity: 64 << 10)
  /// Every source and kind name seen, each checked once when it came first.
  private(set) var names: [[UInt8]] = []
  /// Names past the first `linearNames`, found by hash (real streams have a handful).
  private var namesByBytes: [[UInt8]: UInt32] = [:]
  private static let linearNames = 32
  /// Warnings `EventCheck` gave for these events (the summary counts them).
  var warnings = 0

  public init() {}

  /// The slot of a name already in the table.
  @inline(__always)
  func slot(of name: UnsafeRawBufferPointer) -> UInt32? {
    let linear = min(names.count, CheckedEvents.linearNames)
    for index in 0..<linear where names[index].withUnsafeBytes({ $0.sameBytes(as: name) }) { return UInt32(index) }
    if names.count > linear { return namesByBytes[Array(name)] }
    return nil
  }

  /// Adds a name (checked by the caller) and returns its slot.
  func addName(_ name: UnsafeRawBufferPointer) -> UInt32 {
    let slot = UInt32(names.count)
    names.append(Array(name))
    if names.count > CheckedEvents.linearNames { namesByBytes[names[Int(slot)]] = slot }
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

  func id(of record: Record) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: ids.base + Int(record.idOffset), count: Int(record.idLength))
  }

  /// Empties it for the next block.
  public func removeAll() {
    if !records.isEmpty { records.removeAll(keepingCapacity: true) }
    ids.removeAll()
    warnings = 0
    if !names.isEmpty {
      names.removeAll(keepingCapacity: true)
      namesByBytes.removeAll()
    }
  }
}
