#if canImport(Glibc)
import Glibc
#endif

/// The source's and the store's events walked side by side in id order (the source's
/// through an index that holds every column compared, the store's sorted as it is read):
/// ids only in the source, only in the store, and in both but stored differently.
struct ValidationMerge {
  var missing = ValidationReport.IDList()
  var extra = ValidationReport.IDList()
  var changed = ValidationReport.ChangeList()
  /// Stored events after the first with the same id (a store changed by hand).
  var repeatedTargetIDs = 0

  /// What is read of each event on both sides (the source's table has an index of them).
  static let coveringColumns = "id, start_ms, end_ms, category, app"

  /// `outside`: looks a source id up among all stored events (those the spans did not take
  /// in: a time moved out of the span, another stream); what it finds is compared, and
  /// its id kept in temp.moved for the totals.
  /// `target`: the stored events compared, their `coveringColumns` in id order.
  init(_ db: SQLiteDatabase, target: SQLiteStatement, examples limit: Int, outside: SQLiteStatement?) throws {
    let source = try db.prepare("SELECT \(ValidationMerge.coveringColumns) FROM temp.src ORDER BY id")
    let moved = try db.prepare("INSERT INTO temp.moved (id) VALUES (?1)")
    var hasSource = try source.step()
    var hasTarget = try target.step()
    var lastTarget: [UInt8] = []
    while hasSource || hasTarget {
      let order = !hasTarget ? -1 : !hasSource ? 1 : ValidationMerge.compare(source.bytes(0), target.bytes(0))
      if order > 0 {
        // Only in the store, or the same id as the stored event before it.
        let id = target.bytes(0) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        if id.elementsEqual(lastTarget) {
          repeatedTargetIDs += 1
        } else {
          extra.count += 1
          ValidationMerge.keep(&extra.examples, .init(id: target.string(0) ?? "", start: target.int64(1),
                                                      duration: Double(target.int64(2) - target.int64(1)) / 1000), limit)
        }
        lastTarget = Array(id)
        hasTarget = try target.step()
        continue
      }
      if order < 0 {
        let id = source.string(0) ?? ""
        if let outside {
          outside.bind(1, id)
          if try outside.step() {
            moved.bind(1, id)
            _ = try moved.step()
            moved.reset()
            note(source, outside, id: id, limit: limit, alwaysChanged: true)
            outside.reset()
            hasSource = try source.step()
            continue
          }
          outside.reset()
        }
        missing.count += 1
        ValidationMerge.keep(&missing.examples, .init(id: id, start: source.int64(1),
                                                      duration: Double(source.int64(2) - source.int64(1)) / 1000), limit)
        hasSource = try source.step()
        continue
      }
      note(source, target, id: nil, limit: limit, alwaysChanged: false)
      lastTarget = Array(target.bytes(0) ?? UnsafeRawBufferPointer(start: nil, count: 0))
      hasSource = try source.step()
      hasTarget = try target.step()
    }
  }

  /// Counts the pair as changed when a compared column differs (or always: an event found
  /// outside the spans moved out of them, whatever else it kept).
  private mutating func note(_ source: SQLiteStatement, _ target: SQLiteStatement, id: String?, limit: Int, alwaysChanged: Bool) {
    var fields: [String] = []
    if source.int64(1) != target.int64(1) { fields.append("start") }
    if source.int64(2) != target.int64(2) { fields.append("end") }
    if source.string(3) != target.string(3) { fields.append("category") }
    if source.string(4) != target.string(4) { fields.append("app") }
    if fields.isEmpty && alwaysChanged { fields.append("stream") }
    guard !fields.isEmpty else { return }
    changed.count += 1
    let change = ValidationReport.Change(id: id ?? source.string(0) ?? "", sourceStart: source.int64(1), targetStart: target.int64(1),
                                         sourceEnd: source.int64(2), targetEnd: target.int64(2), fields: fields)
    if changed.examples.count < limit || change.sourceStart < changed.examples.last!.sourceStart {
      changed.examples.append(change)
      changed.examples.sort { ($0.sourceStart, $0.id) < ($1.sourceStart, $1.id) }
      if changed.examples.count > limit { changed.examples.removeLast() }
    }
  }

  /// Keeps the `limit` earliest examples.
  private static func keep(_ list: inout [ValidationReport.Example], _ example: ValidationReport.Example, _ limit: Int) {
    guard list.count < limit || example.start < list.last!.start else { return }
    list.append(example)
    list.sort { ($0.start, $0.id) < ($1.start, $1.id) }
    if list.count > limit { list.removeLast() }
  }

  /// SQLite's BINARY order: bytes, then length.
  static func compare(_ a: UnsafeRawBufferPointer?, _ b: UnsafeRawBufferPointer?) -> Int {
    let a = a ?? UnsafeRawBufferPointer(start: nil, count: 0), b = b ?? UnsafeRawBufferPointer(start: nil, count: 0)
    let n = min(a.count, b.count)
    if n > 0 {
      let c = memcmp(a.baseAddress!, b.baseAddress!, n)
      if c != 0 { return Int(c) }
    }
    return a.count - b.count
  }
}
