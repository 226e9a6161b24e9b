/// One CSV record's fields as bytes: the CSV reader's current record, or a record copied
/// into a block for another thread (`CSVBlockRow`). The row scanners and the format
/// readers' general ways take either.
public protocol CSVFields: AnyObject {
  var fieldCount: Int { get }
  /// Field `index`'s bytes, unquoted; good until the record changes.
  func field(_ index: Int) -> UnsafeRawBufferPointer
  /// The line on which the record starts (1-based).
  var recordLine: Int { get }
  /// The record's bytes as they stand in the file (for --rejects).
  var rawRecord: UnsafeRawBufferPointer { get }
  var fileName: String { get }
}

extension CSVFields {
  /// Field `index` as a String (the record was checked to be UTF-8 when it was read).
  public func string(_ index: Int) -> String { String(decoding: field(index), as: UTF8.self) }

  /// All fields of the record as Strings.
  public var strings: [String] { (0..<fieldCount).map { string($0) } }

  /// The record's raw bytes from the one before field `index` (the delimiter, or the quote
  /// that opens it) to the record's end, line end included: they alone settle the fields
  /// from `index` on, and how many there are. nil for a record of fewer fields, or where
  /// field `index` is not read where it lies (its doubled quotes were undone).
  @inline(__always)
  func rawRecordTail(from index: Int) -> UnsafeRawBufferPointer? {
    guard index > 0, index < fieldCount, let raw = rawRecord.baseAddress else { return nil }
    let field = field(index)
    guard let text = field.baseAddress else { return nil }
    // The field lies in the raw record, or it is not read there. (A copy's undone fields
    // follow its raw record, the first of them at its very end: it is never empty.)
    let at = raw.distance(to: text) &- 1
    guard at >= 0, at &+ 1 &+ field.count <= rawRecord.count else { return nil }
    return UnsafeRawBufferPointer(start: raw + at, count: rawRecord.count &- at)
  }

  /// The record's raw bytes before `rawRecordTail(from: index)`: fields 0 to `index` - 1
  /// with their delimiters and quotes, and the delimiter after them when field `index` is
  /// quoted. They alone settle those fields (with the delimiter, the bytes read as one
  /// field more, an empty one, so the two kinds never share bytes). nil as for the tail.
  @inline(__always)
  func rawRecordHead(before index: Int) -> UnsafeRawBufferPointer? {
    guard let tail = rawRecordTail(from: index) else { return nil }
    return UnsafeRawBufferPointer(start: rawRecord.baseAddress, count: rawRecord.count &- tail.count)
  }
}

extension CSVReader: CSVFields {}

/// A record read on a block's thread: copied into the block (`CSVReader.appendRecord`), or
/// where the block's own CSV reader holds it (`CSVReader.point`).
public final class CSVBlockRow: CSVFields {
  public private(set) var fieldCount = 0
  public private(set) var recordLine = 0
  public private(set) var rawRecord = UnsafeRawBufferPointer(start: nil, count: 0)
  public internal(set) var fileName = ""
  private var base = UnsafeRawPointer(bitPattern: 1)!
  /// Each field's offset from `base` (the record's first byte) and its length, in turn, as Ints.
  private var spans = UnsafeRawPointer(bitPattern: 8)!

  /// Points this row at a record: its fields' offsets and lengths at `spans`, from `base`,
  /// the record's first byte.
  @inline(__always)
  func point(base: UnsafeRawPointer, spans: UnsafeRawPointer, fieldCount: Int, line: Int, raw: UnsafeRawBufferPointer) {
    self.base = base
    self.spans = spans
    self.fieldCount = fieldCount
    recordLine = line
    rawRecord = raw
  }

  @inline(__always)
  public func field(_ index: Int) -> UnsafeRawBufferPointer {
    // (Unchecked: `index` is below `fieldCount`, at most `CSVReader.maxFields`.)
    UnsafeRawBufferPointer(start: base + spans.load(fromByteOffset: 16 &* index, as: Int.self),
                           count: spans.load(fromByteOffset: 16 &* index &+ 8, as: Int.self))
  }
}
