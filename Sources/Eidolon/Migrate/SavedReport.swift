import Foundation

/// `eidolon migrate generate-report`: a report saved with `--json` (validate's, assess's,
/// or a team run's or validate-stage's) read back and shown again as text, HTML or PDF,
/// the same as the command that wrote it would have shown it (formats/migration.md,
/// "generate-report"). Which report it is, is told by its keys.
public enum SavedReport {
  public enum Report {
    case validation(ValidationReport)
    case assessment(AssessmentReport)
    case team(TeamReport)

    public func text() -> String {
      switch self {
      case .validation(let report): return report.text()
      case .assessment(let report): return report.text()
      case .team(let report): return report.text()
      }
    }

    public func json() -> JSONValue {
      switch self {
      case .validation(let report): return report.json()
      case .assessment(let report): return report.json()
      case .team(let report): return report.json()
      }
    }

    public func html() -> String {
      switch self {
      case .validation(let report): return report.html()
      case .assessment(let report): return report.html()
      case .team(let report): return report.html()
      }
    }

    /// Whether the report says all is well (the exit status of the command that wrote it).
    public var isClean: Bool {
      switch self {
      case .validation(let report): return report.matches
      case .assessment(let report): return report.unreadable == 0 && report.totalRejected == 0
      case .team(let report): return report.isClean
      }
    }
  }

  public static func load(_ path: String) throws -> Report {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw EidolonError(.io, "cannot read the report", file: path) }
    guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw EidolonError(.usage, "not a JSON report (write one with --json > FILE)", file: path)
    }
    if top["by_day"] != nil && top["sources"] != nil { return .validation(validation(top)) }
    if top["inputs"] != nil && top["estimate"] != nil { return .assessment(assessment(top)) }
    if top["users"] != nil && top["config"] != nil { return .team(team(top)) }
    throw EidolonError(.usage, "not a report of validate, assess, run or validate-stage (their --json)", file: path)
  }

  // MARK: Reading the fields

  private static func dictionary(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }
  private static func list(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }
  private static func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? 0 }
  private static func integer(_ value: Any?) -> Int { (value as? NSNumber)?.intValue ?? 0 }
  private static func string(_ value: Any?) -> String? { value as? String }
  private static func time(_ value: Any?) -> Int64? { (value as? String).flatMap { Timestamp.parse($0)?.epochMillis } }
  private static func strings(_ value: Any?) -> [String] { (value as? [Any])?.compactMap { $0 as? String } ?? [] }

  static func validation(_ top: [String: Any]) -> ValidationReport {
    let tolerance = dictionary(top["tolerance"])
    var report = ValidationReport(
      database: string(top["database"]) ?? "", sources: strings(top["sources"]),
      tolerance: MigrationValidator.Tolerance(seconds: number(tolerance["seconds"]), percent: number(tolerance["percent"])),
      scope: MigrationValidator.Scope(rawValue: string(top["scope"]) ?? "") ?? .range, user: string(top["user"]))
    let source = dictionary(top["source"]), target = dictionary(top["target"])
    report.sourceEvents = integer(source["events"])
    report.sourceRepeats = integer(source["repeated_ids"])
    report.sourceRejected = integer(source["rejected"])
    report.sourceSeconds = number(source["seconds"])
    report.sourceSpan = (time(source["first"]), time(source["last"]))
    report.targetEvents = integer(target["events"])
    report.targetRepeatedIDs = integer(target["repeated_ids"])
    report.targetSeconds = number(target["seconds"])
    report.targetSpan = (time(target["first"]), time(target["last"]))
    func ids(_ value: Any?) -> ValidationReport.IDList {
      let object = dictionary(value)
      var list = ValidationReport.IDList()
      list.count = integer(object["count"])
      list.examples = self.list(object["examples"]).map {
        ValidationReport.Example(id: string($0["id"]) ?? "", start: time($0["start"]) ?? 0, duration: number($0["duration"]))
      }
      return list
    }
    report.missing = ids(top["missing"])
    report.extra = ids(top["extra"])
    let changed = dictionary(top["changed"])
    report.changed.count = integer(changed["count"])
    report.changed.examples = list(changed["examples"]).map {
      ValidationReport.Change(id: string($0["id"]) ?? "", sourceStart: time($0["source_start"]) ?? 0, targetStart: time($0["target_start"]) ?? 0,
                              sourceEnd: time($0["source_end"]) ?? 0, targetEnd: time($0["target_end"]) ?? 0, fields: strings($0["fields"]))
    }
    func totals(_ value: Any?) -> [ValidationReport.Total] {
      list(value).map {
        ValidationReport.Total(key: string($0["key"]) ?? "", source: number($0["source_seconds"]), target: number($0["target_seconds"]),
                               sourceEvents: integer($0["source_events"]), targetEvents: integer($0["target_events"]))
      }
    }
    report.byDay = totals(top["by_day"])
    report.byCategory = totals(top["by_category"])
    report.byApp = totals(top["by_app"])
    report.bySource = totals(top["by_source"])
    return report
  }

  static func assessment(_ top: [String: Any]) -> AssessmentReport {
    func tally(_ value: Any?) -> [String: Int] {
      Dictionary(list(value).map { (string($0["name"]) ?? "", integer($0["events"])) }, uniquingKeysWith: { $1 })
    }
    let inputs: [MigrationAssessor.InputFinding] = list(top["inputs"]).map { input in
      var finding = MigrationAssessor.InputFinding(path: string(input["path"]) ?? "")
      finding.bytes = Int64(integer(input["bytes"]))
      finding.format = string(input["format"])
      finding.variant = string(input["variant"])
      finding.error = string(input["error"])
      finding.events = integer(input["events"])
      finding.rejected = integer(input["rejected"])
      finding.warnings = integer(input["warnings"])
      finding.rejectExamples = strings(input["reject_examples"])
      finding.first = time(input["first"])
      finding.last = time(input["last"])
      finding.seconds = number(input["seconds"])
      finding.hosts = tally(input["hosts"])
      finding.streams = tally(input["streams"])
      finding.kinds = tally(input["kinds"])
      finding.offsets = tally(input["offsets"])
      finding.withoutOffset = integer(input["without_offset"])
      finding.zoneHints = strings(input["zone_hints"])
      finding.readSeconds = number(input["read_seconds"])
      return finding
    }
    let paths = inputs.map(\.path)
    let overlaps: [MigrationAssessor.Overlap] = list(top["overlaps"]).compactMap { overlap in
      guard let first = paths.firstIndex(of: string(overlap["first"]) ?? ""), let second = paths.firstIndex(of: string(overlap["second"]) ?? "")
      else { return nil }
      return MigrationAssessor.Overlap(first: first, second: second, from: time(overlap["from"]) ?? 0, to: time(overlap["to"]) ?? 0,
                                       sharedIDs: integer(overlap["shared_ids"]))
    }
    let estimate = dictionary(top["estimate"])
    return AssessmentReport(
      inputs: inputs, overlaps: overlaps,
      estimate: MigrationAssessor.Estimate(readBytesPerSecond: number(estimate["read_bytes_per_second"]),
                                           storeEventsPerSecond: number(estimate["store_events_per_second"]),
                                           measuredEvents: integer(estimate["measured_events"]), seconds: number(estimate["seconds"])))
  }

  static func team(_ top: [String: Any]) -> TeamReport {
    let outcomes: [TeamRunner.Outcome] = list(top["users"]).map { user in
      let status = TeamRunner.Status(rawValue: string(user["status"]) ?? "") ?? .failed
      var outcome = TeamRunner.Outcome(user: string(user["user"]) ?? "", stage: string(user["stage"]) ?? "", store: string(user["store"]) ?? "",
                                       status: status)
      outcome.verdict = string(user["verdict"])
      outcome.read = integer(user["read"])
      outcome.inserted = integer(user["inserted"])
      outcome.skipped = integer(user["skipped"])
      outcome.rejected = integer(user["rejected"])
      outcome.dropped = integer(user["dropped"])
      outcome.stored = integer(user["stored"])
      outcome.resumed = user["resumed"] as? Bool ?? false
      outcome.seconds = number(user["seconds"])
      outcome.problems = strings(user["problems"])
      outcome.messages = strings(user["messages"])
      // The reason was made from these; an error is what is left of it.
      let reason = string(user["reason"]) ?? ""
      if !reason.isEmpty && outcome.verdict != "mismatch" && outcome.rejected == 0 { outcome.error = reason }
      return outcome
    }
    return TeamReport(config: string(top["config"]) ?? "", stage: string(top["stage"]), outcomes: outcomes,
                      validationOnly: top["validation_only"] as? Bool ?? false)
  }
}
