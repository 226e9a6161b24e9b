/// An Eidolon store in PostgreSQL (formats/postgresql.md): the events and imports tables
/// of the SQLite schema in PostgreSQL's types, made when missing. Loads go through COPY
/// into a staging table per batch, then one INSERT ... ON CONFLICT (id) DO NOTHING into
/// `events`, the batch's counts committed with it: any number of loaders may write at once,
/// and overlapping ids end as one row each. Today the `append` and `replace` strategies.
public final class PostgresEventStore {
  public let connection: PostgresConnection
  public var displayName: String { connection.displayName }

  /// Serialises schema creation between loaders that start at once.
  static let schemaLock = 0x4549_444C

  static let schema = """
    CREATE TABLE IF NOT EXISTS imports (
      id BIGSERIAL PRIMARY KEY,
      started TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished TIMESTAMPTZ,
      status TEXT NOT NULL,
      tool_version TEXT NOT NULL,
      inputs TEXT NOT NULL,
      strategy TEXT NOT NULL,
      read BIGINT NOT NULL DEFAULT 0,
      inserted BIGINT NOT NULL DEFAULT 0,
      skipped BIGINT NOT NULL DEFAULT 0,
      replaced BIGINT NOT NULL DEFAULT 0,
      rejected BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS events (
      seq BIGSERIAL PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      source TEXT NOT NULL,
      kind TEXT NOT NULL,
      start TEXT NOT NULL,
      start_ms BIGINT NOT NULL,
      end_ms BIGINT NOT NULL,
      duration DOUBLE PRECISION NOT NULL,
      stream TEXT, host TEXT, "user" TEXT, app TEXT, title TEXT, url TEXT, file TEXT,
      project TEXT, client TEXT, task TEXT, description TEXT, category TEXT, subcategory TEXT,
      productivity INTEGER, tags TEXT, billable BOOLEAN, utc_offset TEXT, attrs TEXT,
      import_id BIGINT NOT NULL REFERENCES imports(id)
    );
    CREATE INDEX IF NOT EXISTS events_by_start ON events (start_ms);
    """

  /// The columns a load writes, in COPY's order (`user` quoted: a keyword in PostgreSQL).
  static let columnList = StoreSchema.eventColumns.map { $0 == "user" ? "\"user\"" : $0 } + ["import_id"]
  static let columns = columnList.joined(separator: ", ")

  public init(_ target: String) throws {
    connection = try PostgresConnection(target)
    try connection.execute("SELECT pg_advisory_lock(\(PostgresEventStore.schemaLock))")
    defer { try? connection.execute("SELECT pg_advisory_unlock(\(PostgresEventStore.schemaLock))") }
    try connection.execute(PostgresEventStore.schema)
  }

  /// The number of events stored.
  public func count() throws -> Int {
    Int(try connection.rows("SELECT count(*) FROM events").first?.first.flatMap { $0 } ?? "0") ?? 0
  }

  /// A load with the append or replace strategy: `add` each event, then `finish`.
  /// Recorded in `imports` with its counts, committed with each batch.
  public final class Append {
    private let store: PostgresEventStore
    private let importID: String
    private let batchSize: Int
    private let rows = ByteBuffer(capacity: 1 << 20)
    private var inBatch = 0
    private let replaces: Bool
    public private(set) var counts = EventLoader.Counts()

    /// `strategy`: append (an id already stored is skipped) or replace (an incoming event
    /// replaces the stored one; of one id twice in a batch, the later).
    public init(into store: PostgresEventStore, inputs: String, batchSize: Int, strategy: EventLoader.Strategy = .append) throws {
      guard strategy == .append || strategy == .replace else {
        throw EidolonError(.usage, "a PostgreSQL store takes --merge-strategy append or replace, so far (formats/postgresql.md)")
      }
      self.store = store
      self.batchSize = max(1, batchSize)
      replaces = strategy == .replace
      importID = try store.connection.rows(
        "INSERT INTO imports (status, tool_version, inputs, strategy) VALUES ('running', $1, $2, $3) RETURNING id",
        [EidolonVersion.current, inputs, strategy.rawValue]).first?.first.flatMap { $0 } ?? "0"
    }

    public var importNumber: String { importID }

    public func add(_ event: Event) throws {
      PostgresEventStore.appendRow(event, importID: importID, to: rows)
      inBatch += 1
      if inBatch >= batchSize { try flush() }
    }

    public func finish(rejected: Int) throws -> EventLoader.Counts {
      try flush()
      // Read counts the rejected records too, as a SQLite load's does.
      counts.rejected = rejected
      counts.read += rejected
      try store.connection.run("UPDATE imports SET status = 'done', finished = now(), rejected = $2, read = $3 WHERE id = $1",
                               [importID, String(rejected), String(counts.read)])
      return counts
    }

    /// The batch: COPY into the session's staging table, one insert into events, the
    /// counts, one transaction.
    private func flush() throws {
      guard inBatch > 0 else { return }
      let connection = store.connection
      try connection.execute("BEGIN; CREATE TEMP TABLE IF NOT EXISTS staging (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
      do {
        try connection.copyIn("COPY staging (\(PostgresEventStore.columns)) FROM STDIN") { send in
          try rows.bytes.withUnsafeBytes { try send($0) }
        }
        counts.read += inBatch
        if replaces {
          // The last of each id in the batch; xmax = 0 tells an inserted row from an updated one.
          let updates = PostgresEventStore.columnList.filter { $0 != "id" }.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
          let written = try connection.rows("""
            INSERT INTO events (\(PostgresEventStore.columns)) SELECT DISTINCT ON (id) \(PostgresEventStore.columns) FROM staging ORDER BY id, seq DESC
            ON CONFLICT (id) DO UPDATE SET \(updates) RETURNING (xmax = 0)
            """)
          let inserted = written.filter { $0.first == "t" }.count
          counts.inserted += inserted
          counts.replaced += inBatch - inserted
        } else {
          let inserted = try connection.run(
            "INSERT INTO events (\(PostgresEventStore.columns)) SELECT \(PostgresEventStore.columns) FROM staging ORDER BY seq ON CONFLICT (id) DO NOTHING", [])
          counts.inserted += inserted
          counts.skipped += inBatch - inserted
        }
        try connection.run("UPDATE imports SET read = $2, inserted = $3, skipped = $4, replaced = $5 WHERE id = $1",
                           [importID, String(counts.read), String(counts.inserted), String(counts.skipped), String(counts.replaced)])
        try connection.execute("COMMIT")
      } catch {
        try? connection.execute("ROLLBACK")
        throw error
      }
      rows.removeAll()
      inBatch = 0
    }
  }

  /// One event as a COPY row of `columns`, in the SQLite store's text forms (tags and
  /// attrs as canonical JSON, the start as canonical text).
  static func appendRow(_ event: Event, importID: String, to out: ByteBuffer) {
    PostgresCopyText.appendField(event.id, to: out, first: true)
    PostgresCopyText.appendField(event.source, to: out)
    PostgresCopyText.appendField(event.kind, to: out)
    PostgresCopyText.appendField(Timestamp.canonical(event.start), to: out)
    PostgresCopyText.appendField(String(event.start), to: out)
    PostgresCopyText.appendField(String(event.endMillis), to: out)
    let number = ByteBuffer(capacity: 32)
    number.appendJSONNumber(event.duration)
    PostgresCopyText.appendField(String(decoding: number.bytes, as: UTF8.self), to: out)
    for index in Event.optionalStringNames.indices { PostgresCopyText.appendField(event.optionalString(index), to: out) }
    PostgresCopyText.appendField(event.productivity.map { String($0) }, to: out)
    PostgresCopyText.appendField(event.tags.map { tags in
      let json = ByteBuffer()
      json.appendJSON(.array(tags.map { .string($0) }))
      return String(decoding: json.bytes, as: UTF8.self)
    }, to: out)
    PostgresCopyText.appendField(event.billable.map { $0 ? "true" : "false" }, to: out)
    PostgresCopyText.appendField(event.offset, to: out)
    PostgresCopyText.appendField(event.attrs.isEmpty ? nil : {
      let json = ByteBuffer()
      json.appendJSON(event.attrs)
      return String(decoding: json.bytes, as: UTF8.self)
    }(), to: out)
    PostgresCopyText.appendField(importID, to: out)
    PostgresCopyText.endRow(out)
  }

  /// Writes the events `filter` keeps, in start order (as eid-dump does from SQLite), through
  /// a cursor of 10,000 rows at a time. Each row's line is made from its columns and read
  /// back through the NDJSON reader, so a row that breaks the spec (edited by hand) is
  /// refused with its id rather than written. The events written.
  public func dump(_ filter: EventDumper.Filter, to writer: EidolonNDJSONWriter, diagnostics: Diagnostics) throws -> Int {
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
    try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    defer { try? connection.execute("COMMIT") }
    try connection.run("DECLARE dump NO SCROLL CURSOR FOR \(query)", values)
    var written = 0
    let lines = ByteBuffer(capacity: 1 << 20)
    while true {
      let rows = try connection.rows("FETCH 10000 FROM dump")
      if rows.isEmpty { break }
      lines.removeAll()
      for row in rows { PostgresEventStore.appendLine(row, to: lines) }
      let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(Array(lines.bytes)), name: displayName), diagnostics: diagnostics)
      while let event = try reader.next() {
        try writer.write(event)
        written += 1
      }
    }
    return written
  }

  /// A row of `eventColumns` (as text) as the NDJSON line of its event.
  static func appendLine(_ row: [String?], to out: ByteBuffer) {
    typealias C = StoreSchema.EventColumn
    func string(_ column: Int) { out.appendJSONString(row[column] ?? "") }
    out.append("{\"id\":")
    string(C.id.rawValue)
    out.append(",\"source\":")
    string(C.source.rawValue)
    out.append(",\"kind\":")
    string(C.kind.rawValue)
    out.append(",\"start\":\"")
    Timestamp.appendCanonical(Int64(row[C.startMillis.rawValue] ?? "") ?? 0, to: out)
    out.append("\",\"duration\":")
    out.appendJSONNumber(Double(row[C.duration.rawValue] ?? "") ?? 0)
    for (index, name) in Event.optionalStringNames.enumerated() {
      guard let value = row[C.firstOptionalString.rawValue + index] else { continue }
      out.append(",\"\(name)\":")
      out.appendJSONString(value)
    }
    if let productivity = row[C.productivity.rawValue] { out.append(",\"productivity\":\(productivity)") }
    if let tags = row[C.tags.rawValue] { out.append(",\"tags\":\(tags)") }
    if let billable = row[C.billable.rawValue] { out.append(billable == "t" ? ",\"billable\":true" : ",\"billable\":false") }
    if let offset = row[C.utcOffset.rawValue] {
      out.append(",\"offset\":")
      out.appendJSONString(offset)
    }
    if let attrs = row[C.attrs.rawValue] { out.append(",\"attrs\":\(attrs)") }
    out.append("}\n")
  }
}
