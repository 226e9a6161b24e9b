/// What the loader's reading side hands its storing thread (EventLoader): the events read,
/// packed with their text copied into one run of bytes, and, in input order between them,
/// the rejected records and the commits of whole batches. A view stays valid only until
/// its reader's next record, so what crosses threads is a copy: one memcpy per field.
final class LoadBlock {
  enum Item {
    /// An event: its numbers, and where its fields' ranges start in `ranges`.
    case event(PackedEvent)
    /// A rejected record, with its raw bytes' range in `bytes` (nil when it had none).
    case reject(EidolonError, raw: Range<Int>?)
    /// The batch so far is committed: `lines` of the current input are in (or the whole
    /// input, and the checkpoint moves to the next), and the load's checksum is `checksum`.
    case commit(lines: Int, nextInput: Bool, checksum: UInt32)
    /// The events and rejects that follow are of this input.
    case input(index: Int, name: String)
  }

  struct PackedEvent {
    var start: Int64
    var duration: Double
    var productivity: Int?
    var billable: Bool?
    var hasTags: Bool
    var firstRange: Int
    var tagCount: Int
  }

  /// Ranges per event before its tags: id, source, kind, start text, the optional text
  /// fields, tags JSON, offset, attrs JSON.
  private static let fieldCount = 4 + Event.optionalStringNames.count + 3

  private(set) var items: [Item] = []
  let bytes = ByteBuffer(capacity: LoadBlock.byteTarget + (1 << 16))
  /// (offset in `bytes`, count); a count of -1 is an absent field.
  private var ranges: [(Int32, Int32)] = []

  /// Handed on once this full: the reading side then waits at most for one block's storing.
  static let byteTarget = 1 << 20
  static let itemTarget = 8192

  var isFull: Bool { bytes.count >= LoadBlock.byteTarget || items.count >= LoadBlock.itemTarget }
  var isEmpty: Bool { items.isEmpty }

  func removeAll() {
    items.removeAll(keepingCapacity: true)
    ranges.removeAll(keepingCapacity: true)
    bytes.removeAll()
  }

  func append(_ view: EventView) {
    let first = ranges.count
    pack(view.id)
    pack(view.source)
    pack(view.kind)
    pack(view.startText)
    for index in 0..<Event.optionalStringNames.count { pack(view.strings[index]) }
    pack(view.tagsJSON)
    pack(view.offset)
    pack(view.attrsJSON)
    for tag in view.tagList { pack(tag) }
    items.append(.event(PackedEvent(
      start: view.start, duration: view.duration, productivity: view.productivity, billable: view.billable,
      hasTags: view.hasTags, firstRange: first, tagCount: view.tagList.count)))
  }

  func appendReject(_ error: EidolonError, raw: UnsafeRawBufferPointer?) {
    var range: Range<Int>?
    if let raw {
      range = bytes.count..<(bytes.count + raw.count)
      bytes.append(raw)
    }
    items.append(.reject(error, raw: range))
  }

  func appendCommit(lines: Int, nextInput: Bool, checksum: UInt32) {
    items.append(.commit(lines: lines, nextInput: nextInput, checksum: checksum))
  }

  func appendInput(index: Int, name: String) { items.append(.input(index: index, name: name)) }

  /// Makes `view` the packed event's: its ranges point into this block, valid until the
  /// block is emptied.
  func restore(_ event: PackedEvent, into view: EventView) {
    var next = event.firstRange
    func field() -> UnsafeRawBufferPointer {
      defer { next += 1 }
      return unpack(ranges[next])
    }
    view.id = field()
    view.source = field()
    view.kind = field()
    view.startText = field()
    for index in 0..<Event.optionalStringNames.count { view.strings[index] = field() }
    view.tagsJSON = field()
    view.offset = field()
    view.attrsJSON = field()
    view.tagList.removeAll(keepingCapacity: true)
    for _ in 0..<event.tagCount { view.tagList.append(field()) }
    view.hasTags = event.hasTags
    view.start = event.start
    view.duration = event.duration
    view.productivity = event.productivity
    view.billable = event.billable
  }

  func raw(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes.bytes[range]) }

  private func pack(_ field: UnsafeRawBufferPointer) {
    guard field.baseAddress != nil else {
      ranges.append((0, -1))
      return
    }
    ranges.append((Int32(truncatingIfNeeded: bytes.count), Int32(truncatingIfNeeded: field.count)))
    bytes.append(field)
  }

  private func unpack(_ range: (Int32, Int32)) -> UnsafeRawBufferPointer {
    guard range.1 >= 0 else { return EventView.absent }
    // A present empty field keeps a base address: it binds as empty text, not NULL.
    return UnsafeRawBufferPointer(start: bytes.base + Int(range.0), count: Int(range.1))
  }
}
