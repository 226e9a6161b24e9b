/// Stored events read back from PostgreSQL (PostgresEventStore.events): the events the
/// filter keeps, in start order (ties in load order), through a cursor of 10,000 rows a
/// fetch in a read-only repeatable-read transaction (flat memory; a load running at the
/// same time is not half seen). Each row's line is made from its columns and read back
/// through the NDJSON reader, so a row that breaks the spec (edited by hand) is refused
/// with its reason rather than handed on. The transaction ends when this goes away.
final class PostgresStoredEvents: StoredEvents {
  private let store: PostgresEventStore
  private let lines = ByteBuffer(capacity: 1 << 20)
  private var reader: EidolonNDJSONReader?
  private var done = false
  private var open = true
  /// Rows that break the spec stop the read (nothing is printed for them: the error says it).
  private let diagnostics = Diagnostics(toolName: "eidolon")
  private(set) var count = 0

  init(_ store: PostgresEventStore, filter: EventDumper.Filter) throws {
    self.store = store
    var conditions: [String] = []
    var values: [String?] = []
    func oneOf(_ column: String, _ list: [String]) {
      guard !list.isEmpty else { return }
      var places: [String] = []
      for item in list {
        values.append(item)
        places.append("$\(values.count)")
      }
      conditions.append("\(column) IN (\(places.joined(separator: ", ")))")
    }
    oneOf("source", filter.sources)
    oneOf("stream", filter.streams)
    oneOf("kind", filter.kinds)
    oneOf("\"user\"", filter.users)
    if let since = filter.since { values.append(String(since)); conditions.append("start_ms >= $\(values.count)") }
    if let until = filter.until { values.append(String(until)); conditions.append("start_ms < $\(values.count)") }
    let columns = StoreSchema.eventColumns.map { $0 == "user" ? "\"user\"" : $0 }.joined(separator: ", ")
    let query = "SELECT \(columns) FROM events\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY start_ms, seq"
    diagnostics.muted = true
    diagnostics.onReject = { error, _ in throw error }
    try store.connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    do {
      try store.connection.run("DECLARE stored_events NO SCROLL CURSOR FOR \(query)", values)
    } catch {
      close()
      throw error
    }
  }

  deinit { close() }

  private func close() {
    guard open else { return }
    open = false
    try? store.connection.execute("COMMIT")
  }

  func next() throws -> Event? { try pull { try $0.next() } }

  func nextView() throws -> EventView? { try pull { try $0.nextView() } }

  /// The next record the current rows' reader gives, fetching more rows when it has none.
  private func pull<Record>(_ take: (EidolonNDJSONReader) throws -> Record?) throws -> Record? {
    while true {
      if let reader, let record = try take(reader) {
        count += 1
        return record
      }
      guard try fetch() else { return nil }
    }
  }

  /// The next rows as lines for a new reader; false at the end.
  private func fetch() throws -> Bool {
    guard !done else { return false }
    lines.removeAll()
    let fetched = try store.connection.forEachRow("FETCH 10000 FROM stored_events") { PostgresStoredEvents.appendLine($0, to: lines) }
    if fetched == 0 {
      done = true
      close()
      return false
    }
    reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(Array(lines.bytes)), name: store.displayName), diagnostics: diagnostics)
    return true
  }

  /// `,"stream":` and the like, for each optional text field.
  private static let optionalKeys = Event.optionalStringNames.map { ",\"\($0)\":" }

  /// A row of `eventColumns` (as text) as the NDJSON line of its event, from its bytes.
  static func appendLine(_ row: PostgresRow, to out: ByteBuffer) {
    typealias C = StoreSchema.EventColumn
    let empty = UnsafeRawBufferPointer(start: nil, count: 0)
    func string(_ column: C) { out.appendJSONString(row[column.rawValue] ?? empty) }
    out.append("{\"id\":")
    string(.id)
    out.append(",\"source\":")
    string(.source)
    out.append(",\"kind\":")
    string(.kind)
    out.append(",\"start\":\"")
    Timestamp.appendCanonical(row.integer(C.startMillis.rawValue), to: out)
    out.append("\",\"duration\":")
    out.appendJSONNumber(row.double(C.duration.rawValue))
    for (index, key) in PostgresStoredEvents.optionalKeys.enumerated() {
      guard let value = row[C.firstOptionalString.rawValue + index] else { continue }
      out.append(key)
      out.appendJSONString(value)
    }
    if let productivity = row[C.productivity.rawValue] {
      out.append(",\"productivity\":")
      out.append(productivity)
    }
    if let tags = row[C.tags.rawValue] {
      out.append(",\"tags\":")
      out.append(tags)
    }
    if let billable = row[C.billable.rawValue] { out.append(billable.first == UInt8(ascii: "t") ? ",\"billable\":true" : ",\"billable\":false") }
    if let offset = row[C.utcOffset.rawValue] {
      out.append(",\"offset\":")
      out.appendJSONString(offset)
    }
    if let attrs = row[C.attrs.rawValue] {
      out.append(",\"attrs\":")
      out.append(attrs)
    }
    out.append("}\n")
  }
}
