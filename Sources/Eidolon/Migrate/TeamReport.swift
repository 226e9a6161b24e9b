/// The team run's summary: one row per user with their verdict, as text, JSON and HTML.
public struct TeamReport {
  public var config: String
  public var stage: String?
  public var outcomes: [TeamRunner.Outcome]
  /// A stage's validation only (validate-stage): nothing was imported.
  public var validationOnly = false

  public init(config: String, stage: String?, outcomes: [TeamRunner.Outcome], validationOnly: Bool = false) {
    self.config = config
    self.stage = stage
    self.outcomes = outcomes
    self.validationOnly = validationOnly
  }

  /// The first line: the verdict and how many users reached it.
  var headline: String {
    let clean = outcomes.filter(\.isClean).count
    if validationOnly {
      return "\(isClean ? "MATCH" : "MISMATCH"): \(clean) of \(outcomes.count) users' stores hold their files (\(config)\(stage.map { ", stage \($0)" } ?? ""))"
    }
    return "\(isClean ? "DONE" : "INCOMPLETE"): \(clean) of \(outcomes.count) users migrated and matching (\(config)\(stage.map { ", stage \($0)" } ?? ""))"
  }

  public var isClean: Bool { outcomes.allSatisfy(\.isClean) }

  /// Why a user is not done and matching, in a phrase; "" when they are.
  public static func reason(_ outcome: TeamRunner.Outcome) -> String {
    if let error = outcome.error { return error }
    if outcome.verdict == "mismatch" { return "the store does not match the files: " + outcome.problems.joined(separator: "; ") }
    if outcome.rejected > 0 { return "\(outcome.rejected) records rejected: " + outcome.messages.prefix(2).joined(separator: " | ") }
    return ""
  }

  public func json() -> JSONValue {
    ReportText.object([
      ("config", .string(config)), ("stage", stage.map { .string($0) } ?? .null),
      ("verdict", .string(validationOnly ? (isClean ? "match" : "mismatch") : (isClean ? "done" : "incomplete"))),
      ("validation_only", .bool(validationOnly)),
      ("users", .array(outcomes.map { outcome in
        ReportText.object([
          ("user", .string(outcome.user)), ("stage", .string(outcome.stage)), ("store", .string(outcome.store)),
          ("status", .string(outcome.status.rawValue)), ("verdict", outcome.verdict.map { .string($0) } ?? .null),
          ("read", .number(outcome.read)), ("inserted", .number(outcome.inserted)), ("skipped", .number(outcome.skipped)),
          ("rejected", .number(outcome.rejected)), ("dropped", .number(outcome.dropped)), ("resumed", .bool(outcome.resumed)),
          ("stored", .number(outcome.stored)),
          ("seconds", .number(ReportText.number(outcome.seconds))), ("reason", .string(TeamReport.reason(outcome))),
          ("problems", .array(outcome.problems.map { .string($0) })), ("messages", .array(outcome.messages.map { .string($0) })),
        ])
      })),
    ])
  }

  public func text() -> String {
    var out = headline + "\n\n"
    if validationOnly {
      out += ReportText.table(["user", "stage", "verdict", "source events", "stored events", "rejected", "store"], outcomes.map {
        [$0.user, $0.stage, $0.verdict ?? "-", "\($0.read)", "\($0.stored)", "\($0.rejected)", $0.store]
      })
    } else {
      out += ReportText.table(["user", "stage", "status", "verdict", "read", "inserted", "skipped", "rejected", "store"], outcomes.map {
        [$0.user, $0.stage, $0.status.rawValue, $0.verdict ?? "-", "\($0.read)", "\($0.inserted)", "\($0.skipped)", "\($0.rejected)", $0.store]
      })
    }
    for outcome in outcomes {
      let reason = TeamReport.reason(outcome)
      if !reason.isEmpty { out += "\n\(outcome.user): \(reason)\n" }
    }
    if !isClean && !validationOnly { out += "\nFix what is named above and run the same command again: users already done are left as they are.\n" }
    return out
  }

  public func html() -> String {
    var page = HTMLPage(title: "\(validationOnly ? "Stage validation" : "Team migration"): \(config)\(stage.map { ", stage \($0)" } ?? "")")
    let clean = outcomes.filter(\.isClean).count
    typealias Cell = HTMLPage.Cell
    if validationOnly {
      page.verdict("\(isClean ? "Match" : "Mismatch"): \(clean) of \(outcomes.count) users' stores hold their files.", ok: isClean, key: "verdict")
      page.table(["user", "stage", "verdict", "source events", "stored events", "rejected", "why not"], outcomes.enumerated().map { i, outcome in
        [Cell(outcome.user, key: "users.\(i).user"), Cell(outcome.stage), Cell(outcome.verdict ?? "-", key: "users.\(i).verdict", bad: !outcome.isClean),
         Cell("\(outcome.read)", key: "users.\(i).read"), Cell("\(outcome.stored)", key: "users.\(i).stored"),
         Cell("\(outcome.rejected)", key: "users.\(i).rejected", bad: outcome.rejected > 0), Cell(TeamReport.reason(outcome), bad: !outcome.isClean)]
      }, id: "users")
      return page.render()
    }
    page.verdict("\(isClean ? "Done" : "Incomplete"): \(clean) of \(outcomes.count) users migrated and matching.", ok: isClean, key: "verdict")
    page.table(["user", "stage", "status", "verdict", "read", "inserted", "skipped", "rejected", "why not done"], outcomes.enumerated().map { i, outcome in
      let bad = !outcome.isClean
      return [Cell(outcome.user, key: "users.\(i).user"), Cell(outcome.stage), Cell(outcome.status.rawValue, key: "users.\(i).status", bad: bad),
              Cell(outcome.verdict ?? "-", key: "users.\(i).verdict", bad: outcome.verdict == "mismatch"),
              Cell("\(outcome.read)", key: "users.\(i).read"), Cell("\(outcome.inserted)", key: "users.\(i).inserted"),
              Cell("\(outcome.skipped)", key: "users.\(i).skipped"), Cell("\(outcome.rejected)", key: "users.\(i).rejected", bad: outcome.rejected > 0),
              Cell(TeamReport.reason(outcome), bad: bad)]
    }, id: "users")
    if !isClean { page.paragraph("Fix what is named above and run the same command again: users already done are left as they are.") }
    return page.render()
  }
}
