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
    guard !done else { return nil }
    guard try statement.step() else {
      done = true
      return nil
    }
    let s = statement
    var event = Event(id: s.string(0) ?? "", source: s.string(1) ?? "", kind: s.string(2) ?? "", start: s.int64(4), duration: s.double(6))
    var column: Int32 = 7
    for index in Event.optionalStringNames.indices {
      event.setOptionalString(index, s.string(column))
      column += 1
    }
    if !s.isNull(20) { event.productivity = Int(s.int64(20)) }
    if let tags = s.bytes(21) {
      guard case .array(let items) = try parse(tags) else { throw damaged(event.id, "tags") }
      event.tags = items.compactMap(\.stringValue)
    }
    if !s.isNull(22) { event.billable = s.int64(22) != 0 }
    event.offset = s.string(23)
    if let attrs = s.bytes(24) {
      guard case .object(let object) = try parse(attrs) else { throw damaged(event.id, "attrs") }
      event.attrs = object
    }
    // A row edited by hand must not reach a writer as an event the spec refuses.
    if let reason = EventSpec.problem(event, attrsNumbers: false) {
      throw EidolonError(.data, "event \(event.id) in the store: \(reason) (was the row edited by hand?)")
    }
    count += 1
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
