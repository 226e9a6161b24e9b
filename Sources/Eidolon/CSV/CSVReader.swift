import CByteMarks
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An RFC 4180 CSV reader that reuses one record: a UTF-8 BOM is skipped; LF,
/// CRLF and CR end records; quoted fields hold delimiters, doubled quotes and line
/// breaks; blank lines are skipped; a quote inside an unquoted field is a literal
/// character (as in rust-csv and Python's csv). Errors: a quoted field that never
/// closes, text after a closing quote. Rows may have any number of fields: the
/// format readers check the count against their header.
public final class CSVReader {
  public let dialect: CSVDialect
  /// (Internal for the cutting of blocks, CSVRecordCutting.swift.)
  let input: ByteReader
  /// The text of quoted fields that held doubled quotes (the only fields not read where
  /// they lie in the input).
  private let fieldBytes = ByteBuffer(capacity: 1 << 12)
  /// Each field of the record, a pair of Ints: where its text starts (an offset from the
  /// record's first byte, or, below zero, the complement of an offset into `fieldBytes`)
  /// and its length. A block's rows hold the same pairs (`appendRecord`). (Not an Array:
  /// each append checked the array was not shared, a tenth of the parse.)
  private var fieldSpans = UnsafeMutablePointer<Int>.allocate(capacity: 64)
  private var fieldCapacity = 32
  public private(set) var fieldCount = 0
  /// The record's first byte in the input's buffer.
  private var recordBase = UnsafePointer<UInt8>(bitPattern: 1)!
  /// The line the next record starts on. (Internal: the cutting of blocks counts lines too.)
  var line = 1
  private var bomChecked = false
  /// True when no byte of the current record is 0x80 or more: its UTF-8 needs no check.
  private var recordIsASCII = false

  /// The line on which the current record starts (1-based).
  public private(set) var recordLine = 0
  /// How many records have been read, the current one included.
  public private(set) var recordNumber = 0
  /// The current record's bytes as they stand in the file; good until the next call.
  public private(set) var rawRecord = UnsafeRawBufferPointer(start: nil, count: 0)

  /// Set by a format reader to its header's width once the header is read: a record with
  /// fewer fields (a file cut off in its last row, a row broken in two) is then refused
  /// by `next()` instead of being read with its last cells missing.
  public var minimumFieldCount = 0

  /// The most fields one record may have: each becomes a String in the readers, so this
  /// bounds a record's memory with the byte limit (ByteReader.defaultMaxRecordBytes).
  public static let maxFields = 200_000

  public init(input: ByteReader, dialect: CSVDialect = .standard) {
    self.input = input
    self.dialect = dialect
  }

  /// A reader of whole records another reader cut from its input (`cutRecords`), read where
  /// they lie (alive and unchanged while this reads them): the first starts on line
  /// `firstLine`, at `offset` in the file; no byte-order mark is looked for.
  convenience init(records bytes: UnsafeMutableRawBufferPointer, name: String, dialect: CSVDialect, firstLine: Int, offset: Int64,
                   minimumFieldCount: Int) {
    self.init(input: ByteReader(borrowing: bytes, name: name, offset: offset), dialect: dialect)
    line = firstLine
    bomChecked = true
    self.minimumFieldCount = minimumFieldCount
  }

  /// Reads the records in `bytes` from now on (a reader made with `init(records:...)`, used
  /// again): the first starts on line `firstLine`.
  func read(records bytes: UnsafeMutableRawBufferPointer, firstLine: Int) {
    input.borrow(bytes)
    line = firstLine
    fieldCount = 0
  }

  deinit {
    fieldSpans.deallocate()
  }

  /// The bytes not read yet, of a reader of cut records (`init(records:...)`, where the
  /// input holds them all).
  var unreadRecords: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: input.storage + input.start, count: input.end &- input.start)
  }

  /// Passes over `bytes` of `unreadRecords`, whole records of `lines` lines that were read
  /// another way (`CSVPlainRecordLines`).
  func skipRecords(bytes: Int, lines: Int) {
    input.start &+= bytes
    line &+= lines
  }

  /// Doubles the room for fields (a record of more than 32, rare), up to `maxFields`.
  private func growFields() {
    let capacity = min(fieldCapacity * 2, CSVReader.maxFields)
    let spans = UnsafeMutablePointer<Int>.allocate(capacity: 2 * capacity)
    spans.moveInitialize(from: fieldSpans, count: 2 * fieldCapacity)
    fieldSpans.deallocate()
    fieldSpans = spans
    fieldCapacity = capacity
  }

  public var fileName: String { input.name }
  public var bytesRead: Int64 { input.consumedOffset }

  /// Field `index`'s bytes, unquoted; good until the next call.
  public func field(_ index: Int) -> UnsafeRawBufferPointer {
    let start = fieldSpans[2 &* index]
    return UnsafeRawBufferPointer(start: start >= 0 ? recordBase + start : UnsafePointer(fieldBytes.base) + ~start,
                                  count: fieldSpans[2 &* index &+ 1])
  }

  /// Field `index` as a String. `next()` has checked the record is UTF-8: a record that
  /// is not never reaches a String (formats/parsers.md, "Invalid UTF-8").
  public func string(_ index: Int) -> String {
    String(decoding: field(index), as: UTF8.self)
  }

  /// All fields of the current record as Strings.
  public var strings: [String] { (0..<fieldCount).map(string) }

  /// Copies the current record's bytes to the end of `bytes` and its fields' offsets (from
  /// the record's first byte there) and lengths, as pairs of Ints, to the end of `spans`,
  /// for another thread (`CSVBlockRow`); says where the record's raw bytes went. Fields
  /// whose doubled quotes were undone follow the record; a record without one has its
  /// pairs copied as they are.
  func appendRecord(to bytes: ByteBuffer, spans: ByteBuffer) -> (offset: Int, count: Int) {
    let offset = bytes.count
    bytes.append(rawRecord)
    let count = fieldCount
    if fieldBytes.count == 0 {
      spans.append(UnsafeRawBufferPointer(start: fieldSpans, count: 16 &* count))
      return (offset, rawRecord.count)
    }
    bytes.append(fieldBytes.bytes)
    let out = UnsafeMutableRawPointer(spans.reserve(16 &* count))
    out.copyMemory(from: fieldSpans, byteCount: 16 &* count)
    for i in 0..<count {
      let start = fieldSpans[2 &* i]
      if start < 0 { out.storeBytes(of: rawRecord.count &+ ~start, toByteOffset: 16 &* i, as: Int.self) }
    }
    spans.commit(16 &* count)
    return (offset, rawRecord.count)
  }

  /// Points `row` at the current record where it lies, or, when doubled quotes were undone
  /// in a field, at a copy in `copy` (emptied first); good until the next call, and while
  /// `copy` lives.
  @inline(__always)
  func point(_ row: CSVBlockRow, orCopyInto copy: CSVRecordCopy) {
    if fieldBytes.count == 0 {
      row.point(base: UnsafeRawPointer(recordBase), spans: UnsafeRawPointer(fieldSpans), fieldCount: fieldCount, line: recordLine,
                raw: rawRecord)
      return
    }
    copy.bytes.removeAll()
    copy.spans.removeAll()
    _ = appendRecord(to: copy.bytes, spans: copy.spans)
    // The raw record too is the copy's (the same bytes), so that fields read where they lie
    // are inside it (`rawRecordTail`).
    row.point(base: UnsafeRawPointer(copy.bytes.base), spans: UnsafeRawPointer(copy.spans.base), fieldCount: fieldCount,
              line: recordLine, raw: UnsafeRawBufferPointer(start: copy.bytes.base, count: rawRecord.count))
  }

  private enum Outcome { case record, blank, needMore, end }

  /// A record that is not UTF-8, with the first column that is not: one way for every
  /// CSV reader (rejected with its raw bytes, never decoded with U+FFFD in its place).
  private func notUTF8() -> EidolonError {
    let column = (0..<fieldCount).first { !UTF8Check.isValid(field($0)) } ?? 0
    return EidolonError(.data, "field \(column + 1) of the row is not valid UTF-8 (save the file as UTF-8)", file: fileName,
                        position: SourcePosition(line: recordLine, column: 1, byteOffset: 0))
  }

  /// After `next()` threw a syntax error: skips the rest of the physical line where the
  /// bad record starts and returns it (for --rejects), so reading can go on. A record
  /// whose quoted field spans lines may leave the following lines to be rejected too.
  public func skipBadLine() throws -> [UInt8] {
    var skipped: [UInt8] = []
    while true {
      let available = UnsafeRawBufferPointer(start: input.storage + input.start, count: input.available)
      if let newline = available.firstIndex(of: 0x0A) {
        skipped.append(contentsOf: available[..<newline])
        input.start += newline + 1
        break
      }
      skipped.append(contentsOf: available)
      input.start = input.end
      if try !input.fill() { break }
    }
    if skipped.last == 0x0D { skipped.removeLast() }
    recordLine = line
    line += 1
    return skipped
  }

  /// Reads the next record like `next()`, but a record with a stray quote goes to
  /// `diagnostics` as rejected (its line skipped) and reading goes on with the next line.
  public func next(rejectingBadLinesTo diagnostics: Diagnostics) throws -> Bool {
    try next(rejecting: { try diagnostics.reject($0, raw: $1) })
  }

  /// `next(rejectingBadLinesTo:)` with each rejected record handed to `reject`.
  func next(rejecting reject: (EidolonError, UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
    while true {
      do {
        return try next()
      } catch var error as EidolonError where error.kind == .data {
        // Not UTF-8, or cut short: the record was read whole, so only it is lost.
        error.file = fileName
        try reject(error, rawRecord)
      } catch var error as EidolonError where error.kind == .syntax {
        let raw = try skipBadLine()
        error.message += "; the row is skipped"
        try raw.withUnsafeBytes { try reject(error, $0) }
      }
    }
  }

  /// Reads the next record; false at the end of input.
  public func next() throws -> Bool {
    while true {
      switch try parseRecord() {
      case .record:
        recordNumber += 1
        // The raw record, not its fields run together: a field ending in a lead byte and
        // the next starting with its continuation would make a valid character across them.
        if !recordIsASCII && !UTF8Check.isValid(rawRecord) { throw notUTF8() }
        if fieldCount < minimumFieldCount {
          throw EidolonError(.data, "the row has \(fieldCount) field\(fieldCount == 1 ? "" : "s") where the header has \(minimumFieldCount): cut short (a truncated file?)",
                             file: fileName, position: SourcePosition(line: recordLine, column: 1, byteOffset: 0))
        }
        return true
      case .blank, .needMore:
        continue
      case .end:
        return false
      }
    }
  }

  private func skipBOM() throws {
    bomChecked = true
    let head = try input.peek(3)
    if head.count == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { input.start += 3 }
  }

  /// The bytes of `count` (at most 64) from `p` that are the delimiter, the quote, LF or
  /// CR, as bits (bit k for `p[k]`), with the high bits of all of them or'ed into `high`
  /// (not zero: a byte is not ASCII): 64 at a time, one by one in a buffer's last few bytes.
  @inline(__always)
  static func marks(_ p: UnsafePointer<UInt8>, count: Int, delimiter: UInt8, quote: UInt8, high: inout UInt64) -> UInt64 {
    if count >= 64 { return eid_marks64(p, delimiter, quote, 0x0A, 0x0D, &high) }
    var marks: UInt64 = 0, bytes: UInt8 = 0
    for k in 0..<count {
      let c = p[k]
      if c == delimiter || c == quote || c == 0x0A || c == 0x0D { marks |= 1 << UInt64(k) }
      bytes |= c
    }
    high |= UInt64(bytes & 0x80)
    return marks
  }

  /// Takes the next mark (its position) or says `end`: `marks` holds those of the 64
  /// bytes from `window` not yet taken.
  @inline(__always)
  static func takeMark(_ base: UnsafePointer<UInt8>, _ end: Int, _ delimiter: UInt8, _ quote: UInt8,
                       window: inout Int, marks: inout UInt64, high: inout UInt64) -> Int {
    while marks == 0 {
      window &+= 64
      if window >= end { return end }
      marks = CSVReader.marks(base + window, count: min(64, end &- window), delimiter: delimiter, quote: quote, high: &high)
    }
    let p = window &+ marks.trailingZeroBitCount
    marks &= marks &- 1
    return p
  }

  /// Parses one record that must lie whole in the buffer; asks for more and starts
  /// the record over when it does not (so fields and `rawRecord` stay contiguous).
  /// The record's bytes are read 64 at a time into marks (`marks`): one bit per
  /// delimiter, quote or line end, so a field costs a few instructions, not a loop of its own.
  private func parseRecord() throws -> Outcome {
    if !bomChecked { try skipBOM() }
    fieldBytes.removeAll()
    fieldCount = 0
    let base = input.storage.assumingMemoryBound(to: UInt8.self)
    let recordStart = input.start
    let end = input.end
    let atEnd = input.isAtEnd
    let delimiter = dialect.delimiter
    let quote = dialect.quote
    var i = recordStart
    var lines = 0
    var lineStart = recordStart
    // The fields found so far, in locals: stored through the reader's own properties, each
    // field made the compiler load them again (a tenth of the parse).
    var spans = fieldSpans, capacity = fieldCapacity, count = 0
    /// `start`: an offset from the record's first byte, or the complement of one into
    /// `fieldBytes` (the caller knows which: no test here for each field).
    @inline(__always) func addField(start: Int, length: Int) throws {
      if count == capacity {
        // The room stops growing at the limit, so only a record past it comes here full.
        if capacity == CSVReader.maxFields {
          throw EidolonError(.limit, "a record of more than \(CSVReader.maxFields) fields; refusing it (formats/parsers.md, \"Limits\")",
                             file: fileName, position: SourcePosition(line: line, column: 1, byteOffset: 0))
        }
        growFields()
        (spans, capacity) = (fieldSpans, fieldCapacity)
      }
      spans[2 &* count] = start
      spans[2 &* count &+ 1] = length
      count &+= 1
    }

    func needMore() throws -> Outcome {
      if try !input.fill() && input.start == input.end { return .end }
      return .needMore
    }
    func position(_ at: Int, lines: Int, lineStart: Int) -> SourcePosition {
      SourcePosition(line: line + lines, column: at - lineStart + 1, byteOffset: input.baseOffset + Int64(at))
    }

    if i == end { return atEnd ? .end : try needMore() }
    if base[i] == 0x0A || base[i] == 0x0D {
      // A blank line (CRLF counts as one).
      if base[i] == 0x0D {
        if i + 1 == end && !atEnd { return try needMore() }
        if i + 1 < end && base[i + 1] == 0x0A { i += 1 }
      }
      input.start = i + 1
      line += 1
      return .blank
    }

    // The marks (`marks`) of the 64 bytes from `window` not yet taken. Every byte of the
    // record passes through a window once, in order, so `high` has the high bits of them
    // all. Taken in one place for each kind of field, so that all of it stays in registers.
    var window = i, high: UInt64 = 0
    var marks = CSVReader.marks(base + i, count: min(64, end &- i), delimiter: delimiter, quote: quote, high: &high)
    @inline(__always) func takeMark() -> Int {
      CSVReader.takeMark(base, end, delimiter, quote, window: &window, marks: &marks, high: &high)
    }
    var fieldStart = i
    // Each mark ends an unquoted field (a delimiter or a line end), opens a quoted one (a
    // quote where a field starts) or is text (a quote inside an unquoted field).
    while true {
      var p = takeMark()
      if p == end {
        if !atEnd { return try needMore() }
        try addField(start: fieldStart &- recordStart, length: end &- fieldStart)
        i = end
        break
      }
      let c = base[p]
      if c == delimiter {
        try addField(start: fieldStart &- recordStart, length: p &- fieldStart)
        fieldStart = p &+ 1
        continue
      }
      if c == quote {
        if p != fieldStart { continue }  // a quote inside an unquoted field is a character like any other
        // A quoted field, its marks taken up to its closing quote. The text lies in the input
        // up to the first doubled quote; from there on it is copied into `fieldBytes`
        // without the doubling.
        let textStart = p &+ 1
        var copied = -1  // where in `fieldBytes` the copy starts, once there is one
        var copyFrom = textStart  // the text not yet copied starts here (once there is a copy)
        let opening = (lines: lines, lineStart: lineStart)
        while true {
          p = takeMark()
          if p == end {
            if !atEnd { return try needMore() }
            throw EidolonError(.truncated, "a quoted field opened here never closes (an unbalanced quote)",
                               file: input.name, position: position(fieldStart, lines: opening.lines, lineStart: opening.lineStart))
          }
          let c = base[p]
          if c != quote {
            if c == 0x0A {
              lines &+= 1
              lineStart = p &+ 1
            }
            continue
          }
          let after = p &+ 1
          if after == end && !atEnd { return try needMore() }
          if copied >= 0 { fieldBytes.append(UnsafeRawBufferPointer(start: base + copyFrom, count: p &- copyFrom)) }
          if after < end && base[after] == quote {
            if copied < 0 {
              copied = fieldBytes.count
              fieldBytes.append(UnsafeRawBufferPointer(start: base + textStart, count: p &- textStart))
            }
            fieldBytes.append(quote)
            _ = takeMark()  // the second quote
            copyFrom = after &+ 1
            continue
          }
          if copied >= 0 {
            try addField(start: ~copied, length: fieldBytes.count &- copied)
          } else {
            try addField(start: textStart &- recordStart, length: p &- textStart)
          }
          p = after
          break
        }
        // After the closing quote: a delimiter or a line end (its mark taken), or the end of input.
        if p == end {
          i = end
          break
        }
        if base[p] != delimiter && base[p] != 0x0A && base[p] != 0x0D {
          throw EidolonError(.syntax, "unexpected text after a closing quote (a quote inside a field must be doubled)",
                             file: input.name, position: position(p, lines: lines, lineStart: lineStart))
        }
        _ = takeMark()
        if base[p] == delimiter {
          fieldStart = p &+ 1
          continue
        }
      } else {
        try addField(start: fieldStart &- recordStart, length: p &- fieldStart)
      }
      // A line end: CRLF counts as one.
      i = p
      if base[i] == 0x0D {
        if i &+ 1 == end && !atEnd { return try needMore() }
        if i &+ 1 < end && base[i &+ 1] == 0x0A { i &+= 1 }
      }
      i &+= 1
      break
    }
    fieldCount = count
    rawRecord = UnsafeRawBufferPointer(start: base + recordStart, count: i - recordStart)
    // Only a record with a byte of 0x80 or more needs its UTF-8 checked (bytes past its end
    // in the last window can only ask for a check it did not need).
    recordIsASCII = high == 0
    recordBase = UnsafePointer(base + recordStart)
    recordLine = line
    line += lines + 1
    input.start = i
    return .record
  }
}

/// Room for one record whose fields' doubled quotes were undone, copied whole with its
/// fields' ranges (`CSVReader.point(_:orCopyInto:)`): a block row's fields lie in one place.
final class CSVRecordCopy {
  let bytes = ByteBuffer(capacity: 1024)
  let spans = ByteBuffer(capacity: 1024)
}
