/// `eidolon migrate validate`: reads a migration's sources again and reconciles them with
/// what the store holds (formats/migration.md, "migrate validate"). The source's events go
/// into a temporary SQLite table; the store's are read from the store, sorted by SQLite as
/// they are read; one merge in id order (ValidationMerge) and one scan of each side
/// (SideTotals) give every figure, in flat memory at any size.
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

  public static func run(plan: MigrationPlan, database: String, options: Options, diagnostics: Diagnostics,
                         progress: Progress? = nil) throws -> ValidationReport {
    // A PostgreSQL store's events in scope are copied into a scratch SQLite store's
    // events table below (PostgresValidationCopy); the rest runs the same.
    let postgres = EventStores.isPostgres(database) ? try PostgresEventStore(database, readOnly: true) : nil
    let scratch = postgres == nil ? nil : try TemporaryFile.databasePath("validate", holding: "the stored events compared")
    defer { if let scratch { TemporaryPaths.remove(scratch) } }
    let store = try EventStore(path: scratch ?? database, readOnly: scratch == nil)
    let db = store.database
    func count(_ sql: String) throws -> Int { Int(try db.integer(sql) ?? 0) }
    // The ids are indexed after the inserts, not during: SQLite builds an index from sorted
    // keys far faster than it inserts ids in random order into one (as eid-load does).
    try db.execute("""
      PRAGMA temp_store = FILE;
      PRAGMA temp.cache_size = -\(EventStore.cacheKiB);
      CREATE TEMP TABLE src (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT, stream TEXT, start_ms INTEGER,
        end_ms INTEGER, utc_offset TEXT, category TEXT, app TEXT);
      CREATE TEMP TABLE moved (id TEXT NOT NULL);
      """)
    defer { try? db.execute("DROP TABLE IF EXISTS temp.src; DROP TABLE IF EXISTS temp.spans; DROP TABLE IF EXISTS temp.moved") }

    var report = ValidationReport(database: EventStores.displayName(database), sources: plan.inputs.map(\.displayName), tolerance: options.tolerance,
                                  scope: options.scope, user: plan.user)
    let insert = try db.prepare(
      "INSERT INTO temp.src (id, source, stream, start_ms, end_ms, utc_offset, category, app) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
    try db.execute("BEGIN")
    try plan.forEachEvent(diagnostics: diagnostics, progress: progress) { event in
      insert.bind(1, event.id)
      insert.bind(2, event.source)
      insert.bind(3, event.stream)
      insert.bind(4, event.start)
      insert.bind(5, event.endMillis)
      insert.bind(6, event.offset)
      insert.bind(7, event.category)
      insert.bind(8, event.app)
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

    // The stored events compared, read straight from the store (copying millions of rows
    // into a temporary table took longer than everything else): per source and stream of
    // the source, those starting inside its span; with --scope ids, those with its ids.
    try db.execute("""
      CREATE TEMP TABLE spans AS SELECT source, stream, min(start_ms) AS first, max(start_ms) AS last FROM temp.src GROUP BY source, stream
      """)
    if let postgres { try PostgresValidationCopy.fill(db, from: postgres, scope: options.scope, user: plan.user) }
    let userTest = plan.user == nil ? "" : " AND e.user IS ?1"
    let inScope = options.scope == .range
      ? "EXISTS (SELECT 1 FROM temp.spans s WHERE s.source = e.source AND s.stream IS e.stream AND e.start_ms BETWEEN s.first AND s.last)\(userTest)"
      : "e.id IN (SELECT id FROM temp.src)"
    // NOT INDEXED: one pass over the table and a sort beat walking an index in id order,
    // which reads the rows in random order.
    let ordered = try db.prepare("SELECT \(ValidationMerge.coveringColumns) FROM main.events e NOT INDEXED WHERE \(inScope) ORDER BY id")
    if let user = plan.user, options.scope == .range { ordered.bind(1, user) }
    // Source ids out of scope are looked up among all stored events as the merge meets
    // them (moved out of the span, or to another stream).
    let outside = options.scope == .range
      ? try db.prepare("SELECT \(ValidationMerge.coveringColumns) FROM main.events WHERE id = ?1\(plan.user == nil ? "" : " AND user IS ?2")")
      : nil
    if let user = plan.user { outside?.bind(2, user) }
    let merge = try ValidationMerge(db, target: ordered, examples: options.examples, outside: outside)
    try db.execute("COMMIT")

    let source = try SideTotals(db, "FROM temp.src")
    let stored = try db.prepare(
      "SELECT \(SideTotals.columns) FROM main.events e NOT INDEXED WHERE (\(inScope)) OR e.id IN (SELECT id FROM temp.moved)")
    if let user = plan.user, options.scope == .range { stored.bind(1, user) }
    let target = try SideTotals(stored)
    report.sourceEvents = source.events
    report.targetEvents = target.events
    report.sourceSeconds = Double(source.millis) / 1000
    report.targetSeconds = Double(target.millis) / 1000
    report.sourceSpan = (source.first, source.last)
    report.targetSpan = (target.first, target.last)
    report.targetRepeatedIDs = merge.repeatedTargetIDs
    report.missing = merge.missing
    report.extra = merge.extra
    report.changed = merge.changed
    report.byDay = SideTotals.merge(source.byDay, target.byDay).map { day in
      var total = day.total
      total.key = String(Timestamp.canonical(day.key * 86_400_000).prefix(10))
      return total
    }
    report.byCategory = SideTotals.merge(source.byCategory, target.byCategory).map(\.total)
    report.byApp = SideTotals.merge(source.byApp, target.byApp).map(\.total)
    report.bySource = SideTotals.merge(source.bySource, target.bySource).map(\.total)
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

  var events = 0
  var millis: Int64 = 0
  var first: Int64?
  var last: Int64?

  /// What a scan reads of each event.
  static let columns = "start_ms, utc_offset, end_ms - start_ms, category, app, source"

  init(_ db: SQLiteDatabase, _ from: String) throws {
    try self.init(try db.prepare("SELECT \(SideTotals.columns) \(from)"))
  }

  init(_ rows: SQLiteStatement) throws {
    var offsets: [String: Int] = [:]
    while try rows.step() {
      let start = rows.int64(0), millis = rows.int64(2)
      events += 1
      self.millis += millis
      first = min(first ?? start, start)
      last = max(last ?? start + millis, start + millis)
      var seconds = CivilTime.floorDiv(start, 1000)
      if let offset = rows.string(1) {
        if offsets[offset] == nil { offsets[offset] = Timestamp.parseOffset(offset) ?? 0 }
        seconds += Int64(offsets[offset]!)
      }
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
