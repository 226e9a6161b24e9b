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


  static let columns = "seq, id, source, stream, start_ms, end_ms, duration, utc_offset, category, app"

  public static func run(plan: MigrationPlan, database: String, options: Options, diagnostics: Diagnostics,
                         progress: Progress? = nil) throws -> ValidationReport {
    let store = try EventStore(path: database, readOnly: true)
    let db = store.database
    func count(_ sql: String) throws -> Int { Int(try db.integer(sql) ?? 0) }
    // The ids are indexed after the inserts, not during: SQLite builds an index from sorted
    // keys far faster than it inserts ids in random order into one (as eid-load does).
    try db.execute("""
      PRAGMA temp_store = FILE;
      PRAGMA temp.cache_size = -\(EventStore.cacheKiB);
      CREATE TEMP TABLE src (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT, stream TEXT, start_ms INTEGER,
        end_ms INTEGER, duration REAL, utc_offset TEXT, category TEXT, app TEXT);
      CREATE TEMP TABLE tgt (seq INTEGER, id TEXT NOT NULL, source TEXT, stream TEXT, start_ms INTEGER,
        end_ms INTEGER, duration REAL, utc_offset TEXT, category TEXT, app TEXT);
      CREATE TEMP TABLE moved (id TEXT NOT NULL);
      """)
    defer { try? db.execute("DROP TABLE IF EXISTS temp.src; DROP TABLE IF EXISTS temp.tgt; DROP TABLE IF EXISTS temp.moved") }

    var report = ValidationReport(database: database, sources: plan.inputs.map(\.displayName), tolerance: options.tolerance,
                                  scope: options.scope, user: plan.user)
    let insert = try db.prepare(
      "INSERT INTO temp.src (id, source, stream, start_ms, end_ms, duration, utc_offset, category, app) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
    try db.execute("BEGIN")
    try plan.forEachEvent(diagnostics: diagnostics, progress: progress) { event, _ in
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
    }
    report.sourceRejected = diagnostics.rejectCount
    try db.execute("CREATE INDEX temp.src_by_id ON src(\(ValidationMerge.coveringColumns))")
    // A repeated id keeps its first event, as the store does.
    report.sourceRepeats = try count("SELECT count(*) - count(DISTINCT id) FROM temp.src")
    if report.sourceRepeats > 0 {
      try db.execute("DELETE FROM temp.src WHERE seq NOT IN (SELECT min(seq) FROM temp.src GROUP BY id)")
    }

    // The stored events to compare with: per source and stream, those inside the span.
    let copy = "INSERT INTO temp.tgt (\(columns)) SELECT \(columns) FROM main.events"
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
    } else {
      // --scope ids: the stored events with the source's ids, wherever they are.
      try db.execute("\(copy) WHERE id IN (SELECT id FROM temp.src)")
    }
    try db.execute("CREATE INDEX temp.tgt_by_id ON tgt(\(ValidationMerge.coveringColumns))")
    // Source ids the spans did not take in are looked up among all stored events as the
    // merge meets them (moved out of the span, or to another stream).
    let outside = options.scope == .range
      ? try db.prepare("SELECT \(ValidationMerge.coveringColumns) FROM main.events WHERE id = ?1\(plan.user == nil ? "" : " AND user IS ?2")")
      : nil
    if let user = plan.user { outside?.bind(2, user) }
    let merge = try ValidationMerge(db, examples: options.examples, outside: outside)
    try db.execute("\(copy) WHERE id IN (SELECT id FROM temp.moved)")
    try db.execute("COMMIT")

    report.sourceEvents = try count("SELECT count(*) FROM temp.src")
    report.targetEvents = try count("SELECT count(*) FROM temp.tgt")
    report.targetRepeatedIDs = merge.repeatedTargetIDs
    report.missing = merge.missing
    report.extra = merge.extra
    report.changed = merge.changed
    let source = try SideTotals(db, table: "src"), target = try SideTotals(db, table: "tgt")
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    report.byDay = SideTotals.merge(source.byDay, target.byDay).map { day in
      let (y, m, d) = CivilTime.civilFromDays(day.key)
      var total = day.total
      total.key = "\(y)-\(two(m))-\(two(d))"
      return total
    }
    report.byCategory = SideTotals.merge(source.byCategory, target.byCategory).map(\.total)
    report.byApp = SideTotals.merge(source.byApp, target.byApp).map(\.total)
    report.bySource = SideTotals.merge(source.bySource, target.bySource).map(\.total)
    for (side, table) in [(0, "src"), (1, "tgt")] {
      // Whole milliseconds (each event's end_ms - start_ms, as the store keeps them): a sum
      // of millions of doubles depends on their order, and the two sides are in different orders.
      let span = try db.prepare("SELECT min(start_ms), max(end_ms), sum(end_ms - start_ms) / 1000.0 FROM temp.\(table)")
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
}

/// Seconds and events per day, category, app and source of one side, in one scan of its
/// table. A day is that of the event's start at its own UTC offset (UTC when it has none);
/// the whole duration counts on the day it starts, to the millisecond.
struct SideTotals {
  /// Milliseconds, summed as integers so the total does not depend on the order of the rows.
  typealias Tally = (millis: Int64, events: Int)
  var byDay: [Int64: Tally] = [:]
  var byCategory: [String: Tally] = [:]
  var byApp: [String: Tally] = [:]
  var bySource: [String: Tally] = [:]

  init(_ db: SQLiteDatabase, table: String) throws {
    let rows = try db.prepare("SELECT start_ms, utc_offset, end_ms - start_ms, category, app, source FROM temp.\(table)")
    var offsets: [String: Int] = [:]
    while try rows.step() {
      var seconds = CivilTime.floorDiv(rows.int64(0), 1000)
      if let offset = rows.string(1) {
        if offsets[offset] == nil { offsets[offset] = Timestamp.parseOffset(offset) ?? 0 }
        seconds += Int64(offsets[offset]!)
      }
      let millis = rows.int64(2)
      func add<Key: Hashable>(_ key: Key, _ table: inout [Key: Tally]) {
        table[key, default: (0, 0)].millis += millis
        table[key, default: (0, 0)].events += 1
      }
      add(CivilTime.floorDiv(seconds, 86_400), &byDay)
      add(rows.string(3) ?? "(none)", &byCategory)
      add(rows.string(4) ?? "(none)", &byApp)
      add(rows.string(5) ?? "", &bySource)
    }
  }

  struct Row<Key> {
    var key: Key
    var total: ValidationReport.Total
  }

  /// Both sides' tallies as rows in key order.
  static func merge<Key: Comparable & Hashable>(_ source: [Key: Tally], _ target: [Key: Tally]) -> [Row<Key>] {
    Set(source.keys).union(target.keys).sorted().map { key in
      let s = source[key] ?? (0, 0), t = target[key] ?? (0, 0)
      return Row(key: key, total: ValidationReport.Total(key: "\(key)", source: Double(s.millis) / 1000, target: Double(t.millis) / 1000,
                                                        sourceEvents: s.events, targetEvents: t.events))
    }
  }
}
