/// `eidolon migrate validate`: reads a migration's sources again and reconciles them with
/// what the store holds (formats/migration.md, "Validation"). The source's events go into
/// a temporary SQLite table next to the store's, so memory stays flat at any size, and
/// every comparison is one query over the two.
public enum MigrationValidator {
  /// How far a total may differ and still match: the larger of the two.
  public struct Tolerance: Sendable, Equatable {
    public var seconds = 0.0
    public var percent = 0.0
    public init(seconds: Double = 0, percent: Double = 0) {
      self.seconds = seconds
      self.percent = percent
    }

    /// "2" (seconds), "2s", or "0.5%".
    public init?(argument: String) {
      if argument.hasSuffix("%"), let value = Double(argument.dropLast()), value >= 0 {
        percent = value
      } else if let value = Double(argument.hasSuffix("s") ? String(argument.dropLast()) : argument), value >= 0 {
        seconds = value
      } else {
        return nil
      }
    }

    public func allows(_ source: Double, _ target: Double) -> Bool {
      abs(source - target) <= max(seconds, percent / 100 * abs(source)) + 1e-6
    }

    public var description: String { percent > 0 ? "\(ReportText.number(percent))%" : "\(ReportText.number(seconds)) s" }
  }

  /// Which stored events the source is compared with.
  public enum Scope: String, Sendable, CaseIterable {
    /// Those of the source's sources and streams that start within the span the source
    /// covers, and any with the source's ids: finds rows that were added, not only lost.
    case range
    /// Only those with the source's ids (a store that merged other exports of the same streams).
    case ids
  }

  public struct Options: Sendable {
    public var tolerance = Tolerance()
    public var scope = Scope.range
    public var examples = 10
    public init() {}
  }

  /// SQL for an event's local day: its start with its own UTC offset (UTC when it has none).
  static let dayExpression = """
    date(start_ms / 1000 + CASE WHEN utc_offset IS NULL THEN 0 ELSE \
    (CASE substr(utc_offset, 1, 1) WHEN '-' THEN -1 ELSE 1 END) * \
    (CAST(substr(utc_offset, 2, 2) AS INTEGER) * 3600 + CAST(substr(utc_offset, 5, 2) AS INTEGER) * 60) END, 'unixepoch')
    """

  static let columns = "seq, id, source, stream, start_ms, end_ms, duration, utc_offset, category, app"

  public static func run(plan: MigrationPlan, database: String, options: Options, diagnostics: Diagnostics,
                         progress: Progress? = nil) throws -> ValidationReport {
    let store = try EventStore(path: database, readOnly: true)
    let db = store.database
    try db.execute("""
      PRAGMA temp_store = FILE;
      CREATE TEMP TABLE src (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, stream TEXT, start_ms INTEGER,
        end_ms INTEGER, duration REAL, utc_offset TEXT, category TEXT, app TEXT);
      CREATE TEMP TABLE tgt (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT, stream TEXT, start_ms INTEGER,
        end_ms INTEGER, duration REAL, utc_offset TEXT, category TEXT, app TEXT);
      """)
    defer { try? db.execute("DROP TABLE IF EXISTS temp.src; DROP TABLE IF EXISTS temp.tgt; DROP TABLE IF EXISTS temp.scope") }

    var report = ValidationReport(database: database, sources: plan.inputs.map(\.displayName), tolerance: options.tolerance,
                                  scope: options.scope, user: plan.user)
    let insert = try db.prepare(
      "INSERT OR IGNORE INTO temp.src (id, source, stream, start_ms, end_ms, duration, utc_offset, category, app) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
    try db.execute("BEGIN")
    var read = 0
    try plan.forEachEvent(diagnostics: diagnostics, progress: progress) { event, _ in
      read += 1
      insert.bind(1, event.id)
      insert.bind(2, event.source)
      insert.bind(3, event.stream)
      insert.bind(4, event.start)
      insert.bind(5, event.endMillis)
      insert.bind(6, event.duration)
      insert.bind(7, event.offset)
      insert.bind(8, event.category)
      insert.bind(9, event.app)
      _ = try insert.step()
      insert.reset()
      if db.changes == 0 { report.sourceRepeats += 1 }
    }
    report.sourceRejected = diagnostics.rejectCount

    // The stored events to compare with: per source and stream, those inside the span.
    let copy = "INSERT OR IGNORE INTO temp.tgt (\(columns)) SELECT \(columns) FROM main.events"
    let userTest = plan.user == nil ? "" : " AND user IS ?9"
    if options.scope == .range {
      let spans = try db.prepare("SELECT source, stream, min(start_ms), max(start_ms) FROM temp.src GROUP BY source, stream")
      let inSpan = try db.prepare("\(copy) WHERE source = ?1 AND stream IS ?2 AND start_ms BETWEEN ?3 AND ?4\(userTest)")
      while try spans.step() {
        inSpan.bind(1, spans.string(0))
        inSpan.bind(2, spans.string(1))
        inSpan.bind(3, spans.int64(2))
        inSpan.bind(4, spans.int64(3))
        if let user = plan.user { inSpan.bind(9, user) }
        _ = try inSpan.step()
        inSpan.reset()
      }
    }
    try db.execute("\(copy) WHERE id IN (SELECT id FROM temp.src)")
    try db.execute("COMMIT")

    func count(_ sql: String) throws -> Int { Int(try db.integer(sql) ?? 0) }
    report.sourceEvents = try count("SELECT count(*) FROM temp.src")
    report.targetEvents = try count("SELECT count(*) FROM temp.tgt")
    report.targetRepeatedIDs = try count("SELECT count(*) - count(DISTINCT id) FROM temp.tgt")
    report.missing = try idList(db, "FROM temp.src WHERE id NOT IN (SELECT id FROM temp.tgt)", options.examples)
    report.extra = try idList(db, "FROM temp.tgt WHERE id NOT IN (SELECT id FROM temp.src)", options.examples)
    report.changed = try changes(db, options.examples)
    report.byDay = try totals(db, dayExpression)
    report.byCategory = try totals(db, "coalesce(category, '(none)')")
    report.byApp = try totals(db, "coalesce(app, '(none)')")
    report.bySource = try totals(db, "source")
    for (side, table) in [(0, "src"), (1, "tgt")] {
      let span = try db.prepare("SELECT min(start_ms), max(end_ms), total(duration) FROM temp.\(table)")
      _ = try span.step()
      let first = span.isNull(0) ? nil : span.int64(0)
      let last = span.isNull(1) ? nil : span.int64(1)
      if side == 0 {
        report.sourceSpan = (first, last)
        report.sourceSeconds = span.double(2)
      } else {
        report.targetSpan = (first, last)
        report.targetSeconds = span.double(2)
      }
    }
    return report
  }

  private static func idList(_ db: SQLiteDatabase, _ from: String, _ limit: Int) throws -> ValidationReport.IDList {
    var list = ValidationReport.IDList()
    list.count = Int(try db.integer("SELECT count(*) \(from)") ?? 0)
    let examples = try db.prepare("SELECT id, start_ms, duration \(from) ORDER BY start_ms, id LIMIT \(limit)")
    while try examples.step() {
      list.examples.append(.init(id: examples.string(0) ?? "", start: examples.int64(1), duration: examples.double(2)))
    }
    return list
  }

  private static func changes(_ db: SQLiteDatabase, _ limit: Int) throws -> ValidationReport.ChangeList {
    let joined = """
      FROM temp.src s JOIN temp.tgt t ON t.id = s.id
      WHERE s.start_ms != t.start_ms OR s.end_ms != t.end_ms OR s.category IS NOT t.category OR s.app IS NOT t.app
      """
    var list = ValidationReport.ChangeList()
    list.count = Int(try db.integer("SELECT count(*) \(joined)") ?? 0)
    let examples = try db.prepare("""
      SELECT s.id, s.start_ms, t.start_ms, s.end_ms, t.end_ms, s.category IS NOT t.category, s.app IS NOT t.app
      \(joined) ORDER BY s.start_ms, s.id LIMIT \(limit)
      """)
    while try examples.step() {
      var fields: [String] = []
      if examples.int64(1) != examples.int64(2) { fields.append("start") }
      if examples.int64(3) != examples.int64(4) { fields.append("end") }
      if examples.int64(5) != 0 { fields.append("category") }
      if examples.int64(6) != 0 { fields.append("app") }
      list.examples.append(.init(id: examples.string(0) ?? "", sourceStart: examples.int64(1), targetStart: examples.int64(2),
                                 sourceEnd: examples.int64(3), targetEnd: examples.int64(4), fields: fields))
    }
    return list
  }

  /// Seconds per key on both sides, in key order.
  private static func totals(_ db: SQLiteDatabase, _ key: String) throws -> [ValidationReport.Total] {
    let query = try db.prepare("""
      SELECT key, total(s), total(t), sum(ns), sum(nt) FROM (
        SELECT \(key) AS key, duration AS s, 0 AS t, 1 AS ns, 0 AS nt FROM temp.src
        UNION ALL SELECT \(key), 0, duration, 0, 1 FROM temp.tgt)
      GROUP BY key ORDER BY key
      """)
    var rows: [ValidationReport.Total] = []
    while try query.step() {
      rows.append(.init(key: query.string(0) ?? "", source: query.double(1), target: query.double(2),
                        sourceEvents: Int(query.int64(3)), targetEvents: Int(query.int64(4))))
    }
    return rows
  }
}
