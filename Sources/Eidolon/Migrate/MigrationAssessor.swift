#if canImport(Glibc)
import Glibc
#endif

/// `eidolon migrate assess`: reads each input once, as an import would, and says what is
/// in it and what will need care (formats/migration.md, "Assessment"). Memory stays flat:
/// tallies are capped, ids for the overlap check go to a temporary SQLite file.
public enum MigrationAssessor {
  public struct InputFinding {
    public var path: String
    public var bytes: Int64 = 0
    public var format: String?
    public var variant: String?
    /// Set when the input could not be read through (unknown format, a fatal error).
    public var error: String?
    public var events = 0
    public var rejected = 0
    public var warnings = 0
    /// The first messages about bad records.
    public var rejectExamples: [String] = []
    public var first: Int64?
    public var last: Int64?
    public var seconds = 0.0
    public var hosts: [String: Int] = [:]
    public var streams: [String: Int] = [:]
    public var kinds: [String: Int] = [:]
    public var offsets: [String: Int] = [:]
    public var withoutOffset = 0
    public var zoneHints: [String] = []
    public var readSeconds = 0.0
  }

  public struct Overlap {
    public var first: Int
    public var second: Int
    /// The span both cover.
    public var from: Int64
    public var to: Int64
    /// Ids found in both (an import with append stores them once).
    public var sharedIDs: Int
  }

  public struct Estimate {
    public var readBytesPerSecond: Double
    public var storeEventsPerSecond: Double
    public var measuredEvents: Int
    public var seconds: Double
  }

  /// Formats whose times carry no offset: without --tz they are read as UTC.
  static let naiveVariants: Set<String> = [
    "toggl/csv", "rescuetime/api-json", "rescuetime/api-csv", "rescuetime/daily-summary", "manictime/csv", "manictime/timesheet",
  ]

  /// Past this many distinct names a tally keeps counting only what it has.
  static let tallyLimit = 1000

  public static func run(plan: MigrationPlan, progress: Progress? = nil) throws -> AssessmentReport {
    let idsPath = try TemporaryFile.databasePath("assess", holding: "the inputs' ids")
    defer { TemporaryPaths.remove(idsPath) }
    let ids = try SQLiteDatabase(path: idsPath)
    try ids.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; CREATE TABLE ids (input INTEGER, id TEXT, start_ms INTEGER); BEGIN")
    let insert = try ids.prepare("INSERT INTO ids (input, id, start_ms) VALUES (?1, ?2, ?3)")
    var sample: [Event] = []
    var findings: [InputFinding] = []
    let rules = try plan.loadRules()

    for (index, input) in plan.inputs.enumerated() {
      var finding = InputFinding(path: input.displayName)
      finding.bytes = fileSize(input.path)
      let diagnostics = Diagnostics(toolName: "eidolon migrate assess")
      var examples: [String] = []
      diagnostics.messageHandler = { message in if examples.count < 5 { examples.append(message) } }
      var settings = input.settings
      do {
        let (bytes, found) = try MigrationPlan.open(input)
        finding.format = input.format ?? found?.format
        if found?.format == finding.format { finding.variant = found?.variant }
        guard finding.format != nil else { throw EidolonError(.usage, FormatDetector.unknownMessage(input.path)) }
        let key = "\(finding.format!)/\(finding.variant ?? "")"
        if settings["tz"] == nil && naiveVariants.contains(key) {
          finding.zoneHints.append("the times have no UTC offset: read as UTC here; give --tz with the zone they were written in")
          settings["tz"] = "UTC"
        }
        let started = Progress.now()
        let reader = try MigrationPlan.makeReader(bytes, MigrationPlan.Input(path: input.path, format: finding.format, settings: settings),
                                                  format: finding.format!, diagnostics: diagnostics)
        let counting = reader as? InputCounting
        try MigrationPlan.forEachShaped(reader, rules: rules, user: plan.user) { event in
          tally(event, into: &finding)
          progress?.update(records: finding.events, bytes: counting?.bytesRead ?? 0)
          insert.bind(1, Int64(index))
          insert.bind(2, event.id)
          insert.bind(3, event.start)
          _ = try insert.step()
          insert.reset()
          if sample.count < 20_000 { sample.append(event) }
        }
        finding.readSeconds = Progress.now() - started
        // Standard input has no size until it is read.
        if finding.bytes == 0 { finding.bytes = counting?.bytesRead ?? 0 }
      } catch {
        finding.error = (error as? EidolonError)?.description ?? "\(error)"
      }
      finding.rejectExamples = examples
      finding.rejected = diagnostics.rejectCount
      finding.warnings = diagnostics.warningCount
      if finding.offsets.count > 1 {
        let list = finding.offsets.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        finding.zoneHints.append("the offsets disagree: \(list): daylight saving time, or the computer moved between zones")
      }
      findings.append(finding)
    }
    progress?.clear()
    try ids.execute("COMMIT; CREATE INDEX ids_by_id ON ids(id)")

    var overlaps: [Overlap] = []
    for a in findings.indices {
      for b in findings.indices where b > a {
        // Different trackers cover the same hours as they should; two files of one
        // tracker that do may hold the same records twice.
        guard findings[a].format == findings[b].format, let fa = findings[a].first, let la = findings[a].last, let fb = findings[b].first, let lb = findings[b].last,
          max(fa, fb) < min(la, lb)
        else { continue }
        let shared = try ids.integer("SELECT count(*) FROM ids x JOIN ids y ON y.id = x.id AND y.input = \(b) WHERE x.input = \(a)") ?? 0
        overlaps.append(Overlap(first: a, second: b, from: max(fa, fb), to: min(la, lb), sharedIDs: Int(shared)))
      }
    }
    let readSeconds = findings.map(\.readSeconds).reduce(0, +)
    let bytes = findings.map(\.bytes).reduce(0, +)
    let events = findings.map(\.events).reduce(0, +)
    let storeRate = try measureStoreRate(sample)
    let estimate = Estimate(
      readBytesPerSecond: readSeconds > 0 ? Double(bytes) / readSeconds : 0, storeEventsPerSecond: storeRate,
      measuredEvents: sample.count, seconds: readSeconds + (storeRate > 0 ? Double(events) / storeRate : 0))
    return AssessmentReport(inputs: findings, overlaps: overlaps, estimate: estimate)
  }

  static func tally(_ event: Event, into finding: inout InputFinding) {
    finding.events += 1
    finding.seconds += event.duration
    finding.first = min(finding.first ?? event.start, event.start)
    finding.last = max(finding.last ?? event.endMillis, event.endMillis)
    func count(_ value: String?, _ table: inout [String: Int]) {
      guard let value else { return }
      if table[value] != nil || table.count < tallyLimit { table[value, default: 0] += 1 }
    }
    count(event.host, &finding.hosts)
    count(event.stream, &finding.streams)
    count(event.kind, &finding.kinds)
    if let offset = event.offset { count(offset, &finding.offsets) } else { finding.withoutOffset += 1 }
  }

  /// Events per second the loader stores on this machine: the sample loaded into a
  /// temporary store, the way an import would (one batch, indexes at the end).
  static func measureStoreRate(_ sample: [Event]) throws -> Double {
    guard !sample.isEmpty else { return 0 }
    let path = try TemporaryFile.databasePath("assess-store", holding: "the store the estimate is measured on")
    defer { TemporaryPaths.remove(path) }
    let diagnostics = Diagnostics(toolName: "eidolon migrate assess")
    diagnostics.messageHandler = { _ in }
    let started = Progress.now()
    let loader = try EventLoader(store: try EventStore(path: path), inputs: ["sample"], options: EventLoader.Options(), diagnostics: diagnostics)
    let input = EventLoader.EventInput(name: "sample") { SampleReader(sample) }
    try loader.load(inputs: [input], transform: nil, progress: Progress(enabled: false))
    _ = try loader.finish()
    let elapsed = Progress.now() - started
    return elapsed > 0 ? Double(sample.count) / elapsed : 0
  }

  static func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : 0
  }
}

/// The sampled events, read again in order (the store rate is measured on them).
private final class SampleReader: EventReader {
  private var events: [Event].Iterator
  init(_ events: [Event]) { self.events = events.makeIterator() }
  func next() throws -> Event? { events.next() }
}
