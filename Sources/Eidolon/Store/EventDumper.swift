/// Reads a store back as events in start order (ties in load order), filtered in SQL,
/// one row at a time: memory stays flat however many events match.
public final class EventDumper: EventReader {
  public struct Filter: Sendable {
    public var sources: [String] = []
    public var streams: [String] = []
    public var kinds: [String] = []
    public var users: [String] = []
    /// Events starting at or after, in milliseconds since the epoch.
    public var since: Int64?
    /// Events starting before.
    public var until: Int64?
    public init() {}
  }

  private let statement: SQLiteStatement
  private let attrsTokenizer: JSONTokenizer
  private var done = false
  public private(set) var count = 0

  public init(store: EventStore, filter: Filter) throws {
    var conditions: [String] = []
    var values: [SQLValue] = []
    func oneOf(_ column: String, _ list: [String]) {
      guard !list.isEmpty else { return }
      conditions.append("\(column) IN (\(list.map { _ in "?" }.joined(separator: ", ")))")
      values += list.map { .text($0) }
    }
    oneOf("source", filter.sources)
    oneOf("stream", filter.streams)
    oneOf("kind", filter.kinds)
    oneOf("user", filter.users)
    if let since = filter.since { conditions.append("start_ms >= ?"); values.append(.integer(since)) }
    if let until = filter.until { conditions.append("start_ms < ?"); values.append(.integer(until)) }
    let columns = StoreSchema.eventColumns.joined(separator: ", ")
    let sql = "SELECT \(columns) FROM events\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY start_ms, seq"
    statement = try store.database.prepare(sql)
    for (i, value) in values.enumerated() {
      switch value {
      case .text(let text): statement.bind(Int32(i + 1), text)
      case .integer(let number): statement.bind(Int32(i + 1), number)
      }
    }
    attrsTokenizer = JSONTokenizer(fileName: store.path)
  }

  private enum SQLValue { case text(String), integer(Int64) }

  public func next() throws -> Event? {
    guard try step() else { return nil }
    let event = try rowEvent()
    count += 1
    return event
  }

  /// The next row as a view over its canonical line, valid until the next call: the
  /// line is written straight from the columns (no Event), and taken when the canonical
  /// scanner takes it, as it takes every row a load wrote. Any other row (edited by hand,
  /// or stored in another form) goes the Event's way, with its checks and errors.
  public func nextView() throws -> EventView? {
    guard try step() else { return nil }
    rowLine()
    if !CanonicalLineScanner.scan(line.bytes, into: view) {
      try view.fill(from: try rowEvent(), line: line)
    }
    count += 1
    return view
  }

  private let view = EventView()
  private let line = ByteBuffer(capacity: 4096)

  private func step() throws -> Bool {
    guard !done else { return false }
    guard try statement.step() else {
      done = true
      return false
    }
    return true
  }

  /// The row as EidolonNDJSONWriter would write its event, if the columns hold what a
  /// load stores (tags and attrs as canonical JSON text, text as UTF-8); the scanner
  /// judges whether they do.
  private func rowLine() {
    let s = statement
    let out = line
    out.removeAll()
    typealias C = StoreSchema.EventColumn
    func text(_ column: Int32) { out.appendJSONString(s.bytes(column) ?? UnsafeRawBufferPointer(start: nil, count: 0)) }
    out.append("{\"id\":")
    text(C.id.column)
    out.append(",\"source\":")
    text(C.source.column)
    out.append(",\"kind\":")
    text(C.kind.column)
    out.append(",\"start\":\"")
    Timestamp.appendCanonical(s.int64(C.startMillis.column), to: out)
    out.append("\",\"duration\":")
    out.appendJSONNumber(s.double(C.duration.column))
    for (index, name) in Event.optionalStringNames.enumerated() where !s.isNull(C.optionalString(index)) {
      out.append(",\"")
      out.append(name)
      out.append("\":")
      text(C.optionalString(index))
    }
    if !s.isNull(C.productivity.column) {
      out.append(",\"productivity\":")
      out.append(integer: s.int64(C.productivity.column))
    }
    if let tags = s.bytes(C.tags.column) {
      out.append(",\"tags\":")
      out.append(tags)
    }
    if !s.isNull(C.billable.column) { out.append(s.int64(C.billable.column) != 0 ? ",\"billable\":true" : ",\"billable\":false") }
    if !s.isNull(C.utcOffset.column) {
      out.append(",\"offset\":")
      text(C.utcOffset.column)
    }
    if let attrs = s.bytes(C.attrs.column) {
      out.append(",\"attrs\":")
      out.append(attrs)
    }
    out.append(UInt8(ascii: "}"))
  }

  private func rowEvent() throws -> Event {
    let s = statement
    typealias C = StoreSchema.EventColumn
    var event = Event(id: s.string(C.id.column) ?? "", source: s.string(C.source.column) ?? "", kind: s.string(C.kind.column) ?? "",
                      start: s.int64(C.startMillis.column), duration: s.double(C.duration.column))
    for index in Event.optionalStringNames.indices {
      event.setOptionalString(index, s.string(C.optionalString(index)))
    }
    if !s.isNull(C.productivity.column) { event.productivity = Int(s.int64(C.productivity.column)) }
    if let tags = s.bytes(C.tags.column) {
      guard case .array(let items) = try parse(tags) else { throw damaged(event.id, "tags") }
      event.tags = items.compactMap(\.stringValue)
    }
    if !s.isNull(C.billable.column) { event.billable = s.int64(C.billable.column) != 0 }
    event.offset = s.string(C.utcOffset.column)
    if let attrs = s.bytes(C.attrs.column) {
      guard case .object(let object) = try parse(attrs) else { throw damaged(event.id, "attrs") }
      event.attrs = object
    }
    // A row edited by hand must not reach a writer as an event the spec refuses.
    if let reason = EventSpec.problem(event, attrsNumbers: false) {
      throw EidolonError(.data, "event \(event.id) in the store: \(reason) (was the row edited by hand?)")
    }
    return event
  }

  private func parse(_ text: UnsafeRawBufferPointer) throws -> JSONValue {
    attrsTokenizer.reset(line: text, lineNumber: 1, offset: 0)
    return try attrsTokenizer.readValue(startingWith: try attrsTokenizer.next())
  }

  private func damaged(_ id: String, _ column: String) -> EidolonError {
    EidolonError(.data, "event \(id): the \(column) column is not the JSON Eidolon writes (was the row edited by hand?)")
  }
}
