/// What `migrate validate` found, and the three ways it is shown: text, JSON, HTML.
/// The JSON's field names are the `data-key`s of the HTML page.
public struct ValidationReport {
  public struct Example: Sendable {
    public var id: String
    public var start: Int64
    public var duration: Double
  }

  public struct IDList: Sendable {
    public var count = 0
    public var examples: [Example] = []
  }

  public struct Change: Sendable {
    public var id: String
    public var sourceStart, targetStart, sourceEnd, targetEnd: Int64
    public var fields: [String]
  }

  public struct ChangeList: Sendable {
    public var count = 0
    public var examples: [Change] = []
  }

  public struct Total: Sendable {
    public var key: String
    public var source: Double
    public var target: Double
    public var sourceEvents: Int
    public var targetEvents: Int
  }

  public var database: String
  public var sources: [String]
  public var tolerance: MigrationValidator.Tolerance
  public var scope: MigrationValidator.Scope
  public var user: String?
  public var sourceEvents = 0
  /// Source records whose id came again (the store keeps the first of each).
  public var sourceRepeats = 0
  public var sourceRejected = 0
  public var targetEvents = 0
  /// Stored events in scope sharing an id (only possible in a store changed by hand).
  public var targetRepeatedIDs = 0
  public var sourceSeconds = 0.0
  public var targetSeconds = 0.0
  public var sourceSpan: (first: Int64?, last: Int64?) = (nil, nil)
  public var targetSpan: (first: Int64?, last: Int64?) = (nil, nil)
  public var missing = IDList()
  public var extra = IDList()
  public var changed = ChangeList()
  public var byDay: [Total] = []
  public var byCategory: [Total] = []
  public var byApp: [Total] = []
  public var bySource: [Total] = []

  init(database: String, sources: [String], tolerance: MigrationValidator.Tolerance, scope: MigrationValidator.Scope, user: String?) {
    self.database = database
    self.sources = sources
    self.tolerance = tolerance
    self.scope = scope
    self.user = user
  }

  public func differs(_ total: Total) -> Bool { !tolerance.allows(total.source, total.target) }

  /// The reasons the store does not match the source; empty when it does.
  public var problems: [String] {
    var found: [String] = []
    if sourceEvents != targetEvents { found.append("the source has \(sourceEvents) events, the store \(targetEvents)") }
    if missing.count > 0 { found.append("\(ReportText.count(missing.count, "source event")) not in the store") }
    if extra.count > 0 { found.append("\(ReportText.count(extra.count, "stored event")) not in the source") }
    if changed.count > 0 { found.append("\(ReportText.count(changed.count, "stored event")) unlike the source's (time, category or app)") }
    if targetRepeatedIDs > 0 { found.append("\(ReportText.count(targetRepeatedIDs, "id")) stored more than once") }
    if !tolerance.allows(sourceSeconds, targetSeconds) { found.append("total seconds differ: \(ReportText.number(sourceSeconds)) against \(ReportText.number(targetSeconds))") }
    for (word, plural, rows) in [("day", "days", byDay), ("category", "categories", byCategory), ("app", "apps", byApp), ("source", "sources", bySource)] {
      let off = rows.filter(differs).count
      if off > 0 { found.append("\(ReportText.count(off, word, plural)) with different totals") }
    }
    if sourceSpan.first != targetSpan.first || sourceSpan.last != targetSpan.last { found.append("the first or last event differs") }
    return found
  }

  public var matches: Bool { problems.isEmpty }

  // MARK: JSON

  public func json() -> JSONValue {
    func totals(_ rows: [Total]) -> JSONValue {
      .array(rows.map { row in
        ReportText.object([
          ("key", .string(row.key)), ("source_seconds", .number(ReportText.number(row.source))),
          ("target_seconds", .number(ReportText.number(row.target))), ("source_events", .number(row.sourceEvents)),
          ("target_events", .number(row.targetEvents)), ("matches", .bool(!differs(row))),
        ])
      })
    }
    func ids(_ list: IDList) -> JSONValue {
      ReportText.object([
        ("count", .number(list.count)),
        ("examples", .array(list.examples.map {
          ReportText.object([("id", .string($0.id)), ("start", .string(Timestamp.canonical($0.start))), ("duration", .number($0.duration))])
        })),
      ])
    }
    return ReportText.object([
      ("verdict", .string(matches ? "match" : "mismatch")),
      ("problems", .array(problems.map { .string($0) })),
      ("database", .string(database)),
      ("sources", .array(sources.map { .string($0) })),
      ("user", user.map { .string($0) } ?? .null),
      ("scope", .string(scope.rawValue)),
      ("tolerance", ReportText.object([("seconds", .number(tolerance.seconds)), ("percent", .number(tolerance.percent))])),
      ("source", ReportText.object([
        ("events", .number(sourceEvents)), ("repeated_ids", .number(sourceRepeats)), ("rejected", .number(sourceRejected)),
        ("seconds", .number(ReportText.number(sourceSeconds))),
        ("first", ReportText.optionalTime(sourceSpan.first)), ("last", ReportText.optionalTime(sourceSpan.last)),
      ])),
      ("target", ReportText.object([
        ("events", .number(targetEvents)), ("repeated_ids", .number(targetRepeatedIDs)),
        ("seconds", .number(ReportText.number(targetSeconds))),
        ("first", ReportText.optionalTime(targetSpan.first)), ("last", ReportText.optionalTime(targetSpan.last)),
      ])),
      ("missing", ids(missing)),
      ("extra", ids(extra)),
      ("changed", ReportText.object([
        ("count", .number(changed.count)),
        ("examples", .array(changed.examples.map {
          ReportText.object([
            ("id", .string($0.id)), ("fields", .array($0.fields.map { .string($0) })),
            ("source_start", .string(Timestamp.canonical($0.sourceStart))), ("target_start", .string(Timestamp.canonical($0.targetStart))),
            ("source_end", .string(Timestamp.canonical($0.sourceEnd))), ("target_end", .string(Timestamp.canonical($0.targetEnd))),
          ])
        })),
      ])),
      ("by_day", totals(byDay)),
      ("by_category", totals(byCategory)),
      ("by_app", totals(byApp)),
      ("by_source", totals(bySource)),
    ])
  }

  // MARK: Text

  /// Rows worth showing: every one that differs, then the largest, up to `limit`.
  func shown(_ rows: [Total], limit: Int) -> [Total] {
    let off = rows.filter(differs)
    let rest = rows.filter { !differs($0) }.sorted { $0.source > $1.source }.prefix(max(0, limit - off.count))
    return off + rest
  }

  public func text() -> String {
    var out = matches
      ? "MATCH: \(database) holds the \(sourceEvents) events of \(sources.joined(separator: ", "))\n"
      : "MISMATCH: \(database) does not hold what \(sources.joined(separator: ", ")) holds:\n"
    for problem in problems { out += "  - \(problem)\n" }
    out += "\n"
    out += ReportText.table(["", "source", "store"], [
      ["events", "\(sourceEvents)", "\(targetEvents)"],
      ["seconds", ReportText.number(sourceSeconds), ReportText.number(targetSeconds)],
      ["first", ReportText.time(sourceSpan.first), ReportText.time(targetSpan.first)],
      ["last", ReportText.time(sourceSpan.last), ReportText.time(targetSpan.last)],
    ])
    if sourceRepeats > 0 { out += "  (the source repeats \(sourceRepeats) ids; the store keeps the first of each)\n" }
    if sourceRejected > 0 { out += "  (\(sourceRejected) source records were rejected, in the source as in the import)\n" }
    func list(_ title: String, _ ids: IDList) {
      guard ids.count > 0 else { return }
      out += "\n\(title): \(ids.count)\n"
      for example in ids.examples { out += "  \(example.id)  \(Timestamp.canonical(example.start))  \(ReportText.number(example.duration)) s\n" }
      if ids.count > ids.examples.count { out += "  ... and \(ids.count - ids.examples.count) more (--json lists the same examples)\n" }
    }
    list("In the source, not in the store", missing)
    list("In the store, not in the source", extra)
    if changed.count > 0 {
      out += "\nStored differently: \(changed.count)\n"
      for change in changed.examples {
        out += "  \(change.id)  \(change.fields.joined(separator: ", ")): start \(Timestamp.canonical(change.sourceStart)) -> \(Timestamp.canonical(change.targetStart))\n"
      }
    }
    for (title, rows) in [("Seconds per day", byDay), ("Seconds per category", byCategory), ("Seconds per app", byApp), ("Seconds per source", bySource)] {
      let show = title == "Seconds per day" ? (rows.count <= 31 ? rows : shown(rows, limit: 31)) : shown(rows, limit: 15)
      guard !show.isEmpty else { continue }
      out += "\n\(title)\(show.count < rows.count ? " (\(show.count) of \(rows.count): those that differ, then the largest)" : ""):\n"
      out += ReportText.table(["", "source", "store", "difference"], show.map {
        [$0.key, ReportText.number($0.source), ReportText.number($0.target), differs($0) ? ReportText.number($0.target - $0.source) : ""]
      })
    }
    return out
  }

  // MARK: HTML

  public func html() -> String {
    var page = HTMLPage(title: "Migration check: \(sources.joined(separator: ", ")) against \(database)")
    page.verdict(matches ? "Match: the store holds every event of the source, with the same totals."
                 : "Mismatch: " + problems.joined(separator: "; ") + ".", ok: matches, key: "verdict")
    page.paragraph("Compared \(scope == .range ? "the stored events of the source's streams within its time span, and any with its ids" : "the stored events with the source's ids")\(user.map { ", of user \($0)" } ?? ""); totals may differ by \(tolerance.description).")
    typealias Cell = HTMLPage.Cell
    page.table(["", "source", "store"], [
      [Cell("events"), Cell("\(sourceEvents)", key: "source.events"), Cell("\(targetEvents)", key: "target.events", bad: sourceEvents != targetEvents)],
      [Cell("seconds"), Cell(ReportText.number(sourceSeconds), key: "source.seconds"),
       Cell(ReportText.number(targetSeconds), key: "target.seconds", bad: !tolerance.allows(sourceSeconds, targetSeconds))],
      [Cell("first"), Cell(ReportText.time(sourceSpan.first), key: "source.first"), Cell(ReportText.time(targetSpan.first), key: "target.first", bad: sourceSpan.first != targetSpan.first)],
      [Cell("last"), Cell(ReportText.time(sourceSpan.last), key: "source.last"), Cell(ReportText.time(targetSpan.last), key: "target.last", bad: sourceSpan.last != targetSpan.last)],
      [Cell("missing from the store"), Cell(""), Cell("\(missing.count)", key: "missing.count", bad: missing.count > 0)],
      [Cell("not in the source"), Cell(""), Cell("\(extra.count)", key: "extra.count", bad: extra.count > 0)],
      [Cell("stored differently"), Cell(""), Cell("\(changed.count)", key: "changed.count", bad: changed.count > 0)],
    ], id: "summary")
    page.heading("Seconds per day")
    page.raw(DailyChart.svg(byDay.map { DailyChart.Day(day: $0.key, source: $0.source, target: $0.target) }))
    func totalsTable(_ title: String, _ name: String, _ rows: [Total], limit: Int) {
      page.heading(title)
      let show = rows.count <= limit ? rows : shown(rows, limit: limit)
      if show.count < rows.count { page.paragraph("\(show.count) of \(rows.count): those that differ, then the largest.") }
      page.table(["", "source s", "store s", "difference", "source events", "store events"], show.map { row in
        let index = rows.firstIndex { $0.key == row.key } ?? 0
        let bad = differs(row)
        return [Cell(row.key, key: "\(name).\(index).key"), Cell(ReportText.number(row.source), key: "\(name).\(index).source_seconds"),
                Cell(ReportText.number(row.target), key: "\(name).\(index).target_seconds", bad: bad),
                Cell(bad ? ReportText.number(row.target - row.source) : "", bad: bad),
                Cell("\(row.sourceEvents)"), Cell("\(row.targetEvents)", bad: row.sourceEvents != row.targetEvents)]
      }, id: name)
    }
    totalsTable("Per day", "by_day", byDay, limit: 400)
    totalsTable("Per category", "by_category", byCategory, limit: 50)
    totalsTable("Per source", "by_source", bySource, limit: 50)
    totalsTable("Per app", "by_app", byApp, limit: 50)
    func examples(_ title: String, _ ids: IDList) {
      guard ids.count > 0 else { return }
      page.heading("\(title) (\(ids.count))")
      page.table(["id", "start", "seconds"], ids.examples.map { [Cell($0.id), Cell(Timestamp.canonical($0.start)), Cell(ReportText.number($0.duration))] })
    }
    examples("In the source, not in the store", missing)
    examples("In the store, not in the source", extra)
    if changed.count > 0 {
      page.heading("Stored differently (\(changed.count))")
      page.table(["id", "what", "source start", "store start", "source end", "store end"], changed.examples.map {
        [Cell($0.id), Cell($0.fields.joined(separator: ", ")), Cell(Timestamp.canonical($0.sourceStart)), Cell(Timestamp.canonical($0.targetStart)),
         Cell(Timestamp.canonical($0.sourceEnd)), Cell(Timestamp.canonical($0.targetEnd))]
      })
    }
    return page.render()
  }
}
