import CByteMarks

/// Blocks of whole records cut from a CSV reader's input without parsing them: the reading
/// thread's part when rows go to other threads (`BothCores`), which parse each block where
/// it lies (`CSVReader.init(records:...)`). The cut is found from the quotes and line ends
/// alone, by the rules `next()` reads them by; where those rules need more than that (a
/// lone CR, text after a closing quote, a quote that never closes) the cutting stops
/// before that record and `next()` reads on from it.
extension CSVReader {
  /// What `cutRecords` moved into the block.
  enum Cut {
    /// Records up to a place the block may end (`allowed`), or, none found, to the limit.
    case block(allowed: Bool)
    /// Records up to the end of the input (perhaps none).
    case endOfInput
    /// Records up to one the cutting does not place: `next()` reads on from it.
    case irregular
  }

  /// Moves whole records from the input to the end of `block`: past `size` bytes, up to the
  /// first record end `mayEnd` allows a block to end at (nil: any), or up to `limit` bytes
  /// when it allows none. Counts their lines into `line` as `next()` would. `probe` reads
  /// the records `mayEnd` is asked about. What was moved before the input fails stays moved.
  ///
  /// The bytes are walked 64 at a time, with marks of their quotes, LFs and CRs: a window
  /// with no quote or CR, outside quotes, has its LFs counted whole (each ends a record); any
  /// other is walked mark by mark. (Quotes taken by their parity, checked against the rules
  /// with masks, cost every CSV reader more than this walk: bench/README.md.)
  func cutRecords(into block: ByteBuffer, size: Int, limit: Int, probe: CSVCutProbe,
                  mayEnd: ((CSVBlockRow, CSVReader) -> Bool)?) throws -> Cut {
    let delimiter = dialect.delimiter, quote = dialect.quote
    // The records in `input.start..<whole` are whole, with `lines` LFs; `pending`: a block
    // may end at `whole` if `mayEnd` allows it, the record before it in `probe.last`. The
    // bytes from `whole` to `scan` are walked: `inQuotes` after them, `lfs` LFs in them.
    var whole = input.start, lines = 0, pending = false
    // `skip`: where the second quote of a doubled one is.
    var scan = whole, inQuotes = false, lfs = 0, skip = -1
    func move() {
      block.appendInPieces(UnsafeRawBufferPointer(start: input.storage + input.start, count: whole &- input.start))
      input.start = whole
      line &+= lines
      lines = 0
    }
    while true {
      let base = UnsafeMutablePointer(input.storage.assumingMemoryBound(to: UInt8.self))
      let end = input.end, atEnd = input.isAtEnd
      /// A record ends at `recordEnd` (past its line end): the cut, when the block ends there.
      @inline(__always) func endRecord(at recordEnd: Int) -> Cut? {
        if pending, let mayEnd,
          probe.mayEnd(UnsafeMutableRawBufferPointer(start: base + whole, count: recordEnd &- whole), mayEnd) {
          move()
          return .block(allowed: true)
        }
        let held = block.count &+ (recordEnd &- input.start)
        if held >= size && (mayEnd == nil || held >= limit) {
          (whole, lines, lfs) = (recordEnd, lines &+ lfs, 0)
          move()
          return .block(allowed: mayEnd == nil)
        }
        if held >= size {
          probe.last.removeAll()
          probe.last.append(UnsafeRawBufferPointer(start: base + whole, count: recordEnd &- whole))
          pending = true
        }
        (whole, lines, lfs) = (recordEnd, lines &+ lfs, 0)
        return nil
      }
      walk: while true {
        if scan == end {
          if !atEnd { break walk }
          // The last record, without a line end, or none.
          if inQuotes { move(); return .irregular }
          if whole < end, let cut = endRecord(at: end) { return cut }
          move()
          return .endOfInput
        }
        if end &- scan < 64 && !atEnd { break walk }
        let count = min(64, end &- scan)
        // Marks of quotes and CRs (`odd`), and of LFs.
        var lf: UInt64 = 0, odd: UInt64 = 0
        if count == 64 {
          var lfCount: UInt64 = 0
          odd = eid_csv_line_marks64(base + scan, quote, &lf, &lfCount)
          if !inQuotes && odd == 0 {
            // Every LF ends a record; counted whole while the block stays short of `size`.
            if lf == 0 {
              scan &+= 64
              continue walk
            }
            let last = 63 &- lf.leadingZeroBitCount
            if block.count &+ (scan &+ last &+ 1 &- input.start) < size {
              (whole, lines, lfs) = (scan &+ last &+ 1, lines &+ lfs &+ Int(lfCount), 0)
              scan &+= 64
              continue walk
            }
          }
        } else {
          for k in 0..<count {
            let c = base[scan &+ k], bit = UInt64(1) << UInt64(k)
            if c == quote || c == 0x0D { odd |= bit } else if c == 0x0A { lf |= bit }
          }
        }
        var marks = odd | lf
        while marks != 0 {
          let p = scan &+ marks.trailingZeroBitCount
          marks &= marks &- 1
          let c = base[p]
          if c == 0x0A {
            lfs &+= 1
            if inQuotes { continue }
            if let cut = endRecord(at: p &+ 1) { return cut }
            continue
          }
          if c == quote {
            if p == skip { continue }
            if !inQuotes {
              // A quote where a field starts opens a quoted field; elsewhere it is text.
              if p == whole || base[p &- 1] == delimiter { inQuotes = true }
              continue
            }
            if p &+ 1 == end {
              if !atEnd { break walk }
              inQuotes = false
              continue
            }
            let after = base[p &+ 1]
            if after == quote {
              skip = p &+ 1
              continue
            }
            inQuotes = false
            if after != delimiter && after != 0x0A && after != 0x0D { move(); return .irregular }
            continue
          }
          // A CR: in quotes, text; outside, it must be a CRLF's (a lone CR ends a line
          // without an LF to count).
          if inQuotes { continue }
          if p &+ 1 == end {
            if !atEnd { break walk }
            move()
            return .irregular
          }
          if base[p &+ 1] != 0x0A { move(); return .irregular }
        }
        scan &+= count
      }
      // More input: the whole records go to the block first, and the walk starts over from
      // the record it stopped in.
      move()
      try input.fill()  // (at the end of input the walk says so next)
      (whole, scan, inQuotes, lfs, skip) = (input.start, input.start, false, 0, -1)
    }
  }
}

/// What `CSVReader.cutRecords` asks `mayEnd` with: the record before a place a block may
/// end (`last`, copied) and the one after it, each read alone by a CSV reader of its own
/// (kept from one question to the next: made anew for each, a bucket of 150,000 rows took
/// rt-read twice the user time).
final class CSVCutProbe {
  let last = ByteBuffer(capacity: 1024)
  private let lastReader: CSVReader, nextReader: CSVReader
  private let row = CSVBlockRow()
  private let copy = CSVRecordCopy()

  init(for csv: CSVReader) {
    func reader() -> CSVReader {
      CSVReader(records: UnsafeMutableRawBufferPointer(start: nil, count: 0), name: csv.fileName, dialect: csv.dialect, firstLine: 1,
                offset: 0, minimumFieldCount: csv.minimumFieldCount)
    }
    (lastReader, nextReader) = (reader(), reader())
    row.fileName = csv.fileName
  }

  /// Whether `mayEnd` allows a block to end between the record in `last` and `next`: each
  /// a record whole (not a blank line, not one `next()` rejects).
  func mayEnd(_ next: UnsafeMutableRawBufferPointer, _ mayEnd: (CSVBlockRow, CSVReader) -> Bool) -> Bool {
    @inline(__always) func read(_ bytes: UnsafeMutableRawBufferPointer, with reader: CSVReader) -> Bool {
      reader.read(records: bytes, firstLine: 1)
      return (try? reader.next()) == true && reader.rawRecord.count == bytes.count
    }
    guard read(UnsafeMutableRawBufferPointer(start: last.base, count: last.count), with: lastReader), read(next, with: nextReader)
    else { return false }
    lastReader.point(row, orCopyInto: copy)
    return mayEnd(row, nextReader)
  }
}
