/// One row of an Analytic Data API response, whichever form it came in: the cells
/// as text (nil for a JSON null or a missing cell), where it starts, and what --rejects
/// shows of it: a CSV row's bytes, or a JSON row's value (serialised only if rejected).
struct RescueTimeRow {
  enum Raw {
    case bytes([UInt8])
    case json(JSONValue)
  }

  var cells: [String?]
  var position: SourcePosition
  var raw: Raw

  /// Calls `body` with the row as --rejects writes it.
  func withRawBytes(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    switch raw {
    case .bytes(let bytes): try bytes.withUnsafeBytes(body)
    case .json(let value):
      let buffer = ByteBuffer(capacity: 256)
      buffer.appendJSON(value)
      try body(buffer.bytes)
    }
  }

  func cell(_ index: Int?) -> String? {
    guard let index, index < cells.count else { return nil }
    return cells[index]
  }
}

/// Where the API reader's header and rows come from: a CSV (format=csv) or a JSON
/// response (format=json).
protocol RescueTimeRowSource: AnyObject {
  var fileName: String { get }
  var bytesRead: Int64 { get }
  /// The column names; nil for an empty input.
  func header() throws -> [String]?
  /// The next row, nil at the end. A row that cannot be read goes to `diagnostics`.
  func nextRow(_ diagnostics: Diagnostics) throws -> RescueTimeRow?
}

/// Rows of the API's CSV: a header line, then the rows.
final class RescueTimeCSVRows: RescueTimeRowSource {
  /// The CSV reader, whose current record `RescueTimeRowScanner` may read in place.
  let csv: CSVReader

  init(input: ByteReader) { csv = CSVReader(input: input) }

  var fileName: String { csv.fileName }
  var bytesRead: Int64 { csv.bytesRead }

  func header() throws -> [String]? {
    guard try csv.next() else { return nil }
    csv.minimumFieldCount = csv.fieldCount
    return csv.strings
  }

  func nextRow(_ diagnostics: Diagnostics) throws -> RescueTimeRow? {
    try nextRecord(diagnostics) ? currentRow() : nil
  }

  /// Moves to the next record (one that cannot be read goes to `diagnostics`); false at the end.
  func nextRecord(_ diagnostics: Diagnostics) throws -> Bool {
    try csv.next(rejectingBadLinesTo: diagnostics)
  }

  /// The current record as a row.
  func currentRow() -> RescueTimeRow {
    let position = SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0)
    // The CSV reader has checked the record is UTF-8 (it rejects one that is not).
    var cells: [String?] = []
    cells.reserveCapacity(csv.fieldCount)
    for i in 0..<csv.fieldCount { cells.append(csv.string(i)) }
    return RescueTimeRow(cells: cells, position: position, raw: .bytes(Array(csv.rawRecord)))
  }
}

/// Rows of the API's JSON: `{"notes": ..., "row_headers": [...], "rows": [[...], ...]}`,
/// streamed. Rows that come before "row_headers" wait in a temporary file.
final class RescueTimeJSONRows: RescueTimeRowSource {
  private let tokenizer: JSONTokenizer
  private let input: ByteReader
  private var headers: [String]?
  private var spill: JSONValueSpill?
  private var replaying = false
  private enum State { case members, rows, done }
  private var state = State.members
  init(input: ByteReader) {
    self.input = input
    tokenizer = JSONTokenizer(reader: input)
  }

  var fileName: String { input.name }
  var bytesRead: Int64 { input.consumedOffset }

  /// The most of a row offered to `offerRow` at once; a longer row is read the general way.
  static let maxOfferedRowBytes = 1 << 20

  /// Offers the next row of "rows", where the response is at one, to `take` as cells over
  /// its bytes; true when `take` took it (the row is then read past), false when there is
  /// no such row or `take` or the cells' reader declined it (`nextRow` reads it then).
  func offerRow(to cells: RescueTimeJSONRowCells, _ take: (RescueTimeJSONRowCells) -> Bool) throws -> Bool {
    guard spill == nil, state == .rows else { return false }
    return try tokenizer.offerRawValue(maxBytes: RescueTimeJSONRows.maxOfferedRowBytes) { bytes in
      switch cells.read(bytes) {
      case .took(let count): return take(cells) ? .took(count) : .declined
      case let other: return other
      }
    }
  }

  private func fail(_ message: String) -> EidolonError {
    EidolonError(.syntax, message, file: input.name, position: tokenizer.tokenPosition)
  }

  func header() throws -> [String]? {
    guard try tokenizer.next() == .beginObject else {
      throw fail("a RescueTime API response is an object with \"row_headers\" and \"rows\"")
    }
    while headers == nil {
      guard try advanceMembers() else { break }
    }
    if headers == nil && spill != nil {
      throw fail("the response has \"rows\" but no \"row_headers\": the columns cannot be told apart")
    }
    return headers
  }

  /// Reads object members until "rows" opens (true) or the object ends (false),
  /// taking "row_headers" on the way and spilling rows met before it.
  private func advanceMembers() throws -> Bool {
    while true {
      let token = try tokenizer.next()
      if token == .endObject {
        guard try tokenizer.next() == .end else { throw fail("unexpected data after the response object") }
        state = .done
        return false
      }
      if tokenizer.textEquals("row_headers") {
        let value = try tokenizer.readValue(startingWith: try tokenizer.next())
        guard case .array(let items) = value, let names = Optional(items.compactMap(\.stringValue)), names.count == items.count else {
          throw fail("\"row_headers\" must be a list of column names")
        }
        headers = names
        continue
      }
      if tokenizer.textEquals("rows") {
        guard try tokenizer.next() == .beginArray else { throw fail("\"rows\" must be a list of rows") }
        if headers != nil {
          state = .rows
          return true
        }
        // Rows before their headers: hold them on disk until the headers come.
        let spill = try JSONValueSpill()
        while true {
          let first = try tokenizer.next()
          if first == .endArray { break }
          let position = tokenizer.tokenPosition
          try spill.append(try tokenizer.readValue(startingWith: first), at: position)
        }
        try spill.finishWriting()
        self.spill = spill
        continue
      }
      // "notes" and anything else: not event data (formats/rescuetime.md).
      try tokenizer.skip(try tokenizer.next())
    }
  }

  func nextRow(_ diagnostics: Diagnostics) throws -> RescueTimeRow? {
    while true {
      if let spill {
        if !replaying {
          try spill.startReading()
          replaying = true
        }
        if let (value, position) = try spill.next() {
          if let row = try row(value, at: position, diagnostics) { return row }
          continue
        }
        self.spill = nil
      }
      switch state {
      case .done:
        return nil
      case .members:
        if try !advanceMembers() { continue }
      case .rows:
        let first = try tokenizer.next()
        if first == .endArray {
          state = .members
          continue
        }
        let position = tokenizer.tokenPosition
        let value = try tokenizer.readValue(startingWith: first)
        if let row = try row(value, at: position, diagnostics) { return row }
      }
    }
  }

  /// A row's cells as text; a row that is not a list of scalars is rejected.
  private func row(_ value: JSONValue, at position: SourcePosition, _ diagnostics: Diagnostics) throws -> RescueTimeRow? {
    let row = RescueTimeRow(cells: [], position: position, raw: .json(value))
    guard case .array(let items) = value else {
      try row.withRawBytes { try diagnostics.reject(EidolonError(.data, "a row must be a list of cells", file: input.name, position: position), raw: $0) }
      return nil
    }
    var cells: [String?] = []
    cells.reserveCapacity(items.count)
    for item in items {
      switch item {
      case .string(let text), .number(let text): cells.append(text)
      case .null: cells.append(nil)
      case .bool(let flag): cells.append(flag ? "true" : "false")
      case .array, .object:
        try row.withRawBytes { try diagnostics.reject(EidolonError(.data, "a cell must be a string, a number or null", file: input.name, position: position), raw: $0) }
        return nil
      }
    }
    return RescueTimeRow(cells: cells, position: position, raw: row.raw)
  }
}
