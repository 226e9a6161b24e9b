/// Writes events as RescueTime files (formats/rescuetime.md, "Writing"): an Analytic
/// Data API response (interval perspective) as JSON or CSV, or the account export's
/// rescuetime-activity-history.csv. Events are summed into rows per bucket of the
/// resolution, on the account's wall clock, and per the report's names; an event that
/// spans buckets is split between them.
///
/// Rows are settled as the input moves past their bucket, so input in start order
/// streams in constant memory. Input out of order is summed in memory up to
/// `maxCells` rows at a time, spilled to temporary files in order, and merged at the
/// end (`spilledRuns` says how often).
public final class RescueTimeWriter: EventWriter {
  public enum Variant: String, CaseIterable, Sendable {
    case apiJSON = "api-json"
    case apiCSV = "api-csv"
    case accountExport = "account-export"
  }

  public struct Options {
    public var variant = Variant.apiJSON
    /// The report's columns; nil: the first event's attrs.report (from rt-read), else activity.
    public var report: RescueTimeColumns.Report?
    /// The bucket size; nil: the first event's attrs.resolution, else hour (the API's default).
    /// The account export is always hourly.
    public var resolution: RescueTimeResolution?
    /// The account's zone; nil: each event's own offset (UTC when it has none).
    public var zone: ZoneConverter?
    /// Rows held in memory before out-of-order input is spilled.
    public var maxCells = 200_000
    public init() {}
  }

  private struct CellID: Hashable {
    var label: Int64
    var offset: Int
    var key: [String]
  }

  private let sink: OutputSink
  private var options: Options
  private var settled = false
  private var open: [CellID: RescueTimeCell] = [:]
  private var lowestOpenLabel = Int64.max
  /// Rows settled in order while the input was in order; later runs hold spills.
  private var runs: [RescueTimeCellRun] = []
  private var lastSettledLabel = Int64.min
  private var highestStartLabel = Int64.min
  public private(set) var inOrder = true
  public private(set) var eventCount = 0
  public private(set) var rowCount = 0
  public var spilledRuns: Int { max(0, runs.count - 1) }

  public init(sink: OutputSink, options: Options) throws {
    self.sink = sink
    self.options = options
    runs.append(try RescueTimeCellRun())
  }

  public var report: RescueTimeColumns.Report { options.report ?? .activity }
  public var resolution: RescueTimeResolution { options.variant == .accountExport ? .hour : (options.resolution ?? .hour) }

  /// The most buckets one event may cover (formats/rescuetime.md, "Writing"): 100,000
  /// rows held at once stay near 26 MB; an event of 3600 days at 5-minute buckets took
  /// 272 MB.
  public static let maxBucketsPerEvent = 100_000

  public func write(_ event: Event) throws {
    try EventSpec.checkBeforeWriting(event)
    if !settled {
      settled = true
      if options.report == nil, let name = event.attrs["report"]?.stringValue { options.report = RescueTimeColumns.Report(rawValue: name) }
      if options.resolution == nil, let name = event.attrs["resolution"]?.stringValue { options.resolution = RescueTimeResolution(argument: name) }
    }
    // Every bucket an event covers is a row held until the bucket is done: bounded per event.
    let buckets = event.kind == "summary" ? 1 : Int((event.duration / resolution.shortestSeconds).rounded(.up)) + 1
    if buckets > RescueTimeWriter.maxBucketsPerEvent {
      throw EidolonError(
        .data, "the event lasts \(SecondsText.hours(event.duration)), over \(buckets - 1) \(resolution.bucketName) buckets: more than rt-write spreads one event over (\(RescueTimeWriter.maxBucketsPerEvent)); give a coarser --resolution")
    }
    eventCount += 1
    let key = self.key(for: event)
    var efficiency: Double?
    if report == .efficiency {
      efficiency = event.productivity.map(Double.init) ?? number(event.attrs["efficiency"]) ?? 0
    }
    let percent = efficiency.map { number(event.attrs["efficiency_percent"]) ?? ($0 + 2) * 25 }
    // Weighted by seconds and summed: a value far outside the report's scale would not be
    // a number by the end (1e300 times a day of seconds is infinite).
    if let efficiency, let percent, !((-2...2).contains(efficiency) && (-1000...1000).contains(percent)) {
      throw EidolonError(.data, "efficiency \(efficiency) or efficiency_percent \(percent) is outside what the report can sum (-2 to 2, -1000 to 1000)")
    }
    let people = event.attrs["people"].flatMap(number).flatMap { $0 >= 1 && $0 <= 1e9 ? InputNumber.wholeInt($0) : nil } ?? 1
    let fixedOffset = event.offset.flatMap(Timestamp.parseOffset) ?? 0
    var first = true
    try forEachPiece(of: event, fixedOffset: fixedOffset) { label, offset, seconds in
      if first {
        first = false
        try settle(before: label)
      }
      let id = CellID(label: label, offset: offset, key: key)
      var cell = open[id] ?? RescueTimeCell(label: label, offset: offset, key: key, people: people)
      cell.seconds += seconds
      cell.people = max(cell.people, people)
      if let efficiency, let percent {
        cell.weightedEfficiency += efficiency * seconds
        cell.weightedPercent += percent * seconds
      }
      open[id] = cell
      lowestOpenLabel = min(lowestOpenLabel, label)
    }
    if !inOrder && open.count >= options.maxCells { try spill() }
  }

  /// In order so far: rows of buckets before `label` are final and go to the first run.
  /// A bucket already settled means the input is out of order: from then on rows wait in
  /// memory and spill in batches.
  private func settle(before label: Int64) throws {
    guard inOrder else { return }
    // An event whose bucket is before an earlier event's: rows already settled (or
    // about to be) could change, so the input counts as out of order from here.
    if label < highestStartLabel || label <= lastSettledLabel {
      inOrder = false
      return
    }
    highestStartLabel = label
    guard label > lowestOpenLabel else { return }
    let done = open.values.filter { $0.label < label }.sorted(by: RescueTimeCell.precedes)
    for cell in done {
      open[CellID(label: cell.label, offset: cell.offset, key: cell.key)] = nil
      try runs[0].append(cell)
      lastSettledLabel = cell.label
    }
    lowestOpenLabel = open.values.map(\.label).min() ?? .max
  }

  private func spill() throws {
    let run = try RescueTimeCellRun()
    for cell in open.values.sorted(by: RescueTimeCell.precedes) { try run.append(cell) }
    runs.append(run)
    open.removeAll(keepingCapacity: true)
    lowestOpenLabel = .max
  }

  /// Calls `body` with each bucket the event covers: its wall-clock start, the offset, the
  /// seconds in it. A "summary" event is a total over a period that starts at its start
  /// (a RescueTime row may hold more seconds than its bucket): it goes whole to that bucket.
  private func forEachPiece(of event: Event, fixedOffset: Int, _ body: (Int64, Int, Double) throws -> Void) throws {
    let resolution = self.resolution
    var t = event.start
    let end = event.kind == "summary" ? event.start + 1 : max(event.endMillis, event.start)
    repeat {
      let offset = options.zone?.offset(atMillis: t) ?? fixedOffset
      let local = LocalDateTime(secondsAsIfUTC: CivilTime.floorDiv(t, 1000) + Int64(offset))
      let label = resolution.bucket(of: local)
      let next = resolution.end(ofBucket: label)
      var boundary = options.zone?.toUTCMillis(next).millis ?? (next.secondsAsIfUTC - Int64(offset)) * 1000
      if boundary <= t { boundary = t + 1000 }
      let pieceEnd = min(end, boundary)
      try body(label.secondsAsIfUTC, offset, event.kind == "summary" ? event.duration : Double(pieceEnd - t) / 1000)
      t = pieceEnd
    } while t < end
  }

  /// The row's names for the report (formats/rescuetime.md, "Writing").
  private func key(for event: Event) -> [String] {
    let activity = event.app ?? event.url.map(WebDomain.domain(ofURL:)) ?? event.project ?? event.description ?? event.title ?? event.kind
    let category = event.category ?? "Uncategorized"
    let productivity = String(event.productivity ?? 0)
    if options.variant == .accountExport {
      return [activity, event.title ?? RescueTimeActivity.noDetails, category, event.subcategory ?? ""]
    }
    switch report {
    case .activity: return [activity, category, productivity]
    case .document: return [activity, event.title ?? RescueTimeActivity.noDetails, category, productivity]
    case .overview, .category: return [category]
    case .productivity: return [productivity]
    case .efficiency: return []
    }
  }

  /// An attrs number (or a number written as a string), through the checked path: an
  /// "inf" or a huge count is not taken (it would trap as an Int, or print as inf).
  private func number(_ value: JSONValue?) -> Double? {
    switch value {
    case .number(let text)?, .string(let text)?: return InputNumber.decimal(text)
    default: return nil
    }
  }

  public func finish() throws {
    if inOrder {
      for cell in open.values.sorted(by: RescueTimeCell.precedes) { try runs[0].append(cell) }
      open.removeAll()
    } else if !open.isEmpty {
      try spill()
    }
    let output = RescueTimeRowOutput(sink: sink, variant: options.variant, report: report)
    try output.begin()
    // Merge the runs; rows of one bucket are written biggest first, as the API does.
    for run in runs { try run.startReading() }
    var heads: [RescueTimeCell?] = try runs.map { try $0.next() }
    var bucket: [RescueTimeCell] = []
    func writeBucket() throws {
      bucket.sort { $0.seconds != $1.seconds ? $0.seconds > $1.seconds : $0.key.lexicographicallyPrecedes($1.key) }
      for cell in bucket { try output.write(cell) }
      rowCount += bucket.count
      bucket.removeAll(keepingCapacity: true)
    }
    while true {
      var best: Int?
      for (i, head) in heads.enumerated() {
        guard let head else { continue }
        if best == nil || RescueTimeCell.precedes(head, heads[best!]!) { best = i }
      }
      guard let index = best else { break }
      var cell = heads[index]!
      heads[index] = try runs[index].next()
      // The same row from other runs (and repeated in one run) adds up.
      for i in heads.indices {
        while let head = heads[i], head.sameRow(as: cell) {
          cell.add(head)
          heads[i] = try runs[i].next()
        }
      }
      if let last = bucket.last, last.label != cell.label || last.offset != cell.offset { try writeBucket() }
      bucket.append(cell)
    }
    try writeBucket()
    try output.end()
  }
}
