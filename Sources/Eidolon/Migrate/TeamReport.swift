/// The team run's summary: one row per user with their verdict, as text, JSON and HTML.
public struct TeamReport {
  public var config: String
  public var stage: String?
  public var outcomes: [TeamRunner.Outcome]

  public init(config: String, stage: String?, outcomes: [TeamRunner.Outcome]) {
    self.config = config
    self.stage = stage
    self.outcomes = outcomes
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
      ("verdict", .string(isClean ? "done" : "incomplete")),
      ("users", .array(outcomes.map { outcome in
        ReportText.object([
          ("user", .string(outcome.user)), ("stage", .string(outcome.stage)), ("store", .string(outcome.store)),
          ("status", .string(outcome.status.rawValue)), ("verdict", outcome.verdict.map { .string($0) } ?? .null),
          ("read", .number(outcome.read)), ("inserted", .number(outcome.inserted)), ("skipped", .number(outcome.skipped)),
          ("rejected", .number(outcome.rejected)), ("dropped", .number(outcome.dropped)), ("resumed", .bool(outcome.resumed)),
          ("seconds", .number(ReportText.number(outcome.seconds))), ("reason", .string(TeamReport.reason(outcome))),
          ("problems", .array(outcome.problems.map { .string($0) })), ("messages", .array(outcome.messages.map { .string($0) })),
        ])
      })),
    ])
  }

  public func text() -> String {
    let clean = outcomes.filter(\.isClean).count
    var out = "\(isClean ? "DONE" : "INCOMPLETE"): \(clean) of \(outcomes.count) users migrated and matching (\(config)\(stage.map { ", stage \($0)" } ?? ""))\n\n"
    out += ReportText.table(["user", "stage", "status", "verdict", "read", "inserted", "skipped", "rejected", "store"], outcomes.map {
      [$0.user, $0.stage, $0.status.rawValue, $0.verdict ?? "-", "\($0.read)", "\($0.inserted)", "\($0.skipped)", "\($0.rejected)", $0.store]
    })
    for outcome in outcomes {
      let reason = TeamReport.reason(outcome)
      if !reason.isEmpty { out += "\n\(outcome.user): \(reason)\n" }
    }
    if !isClean { out += "\nFix what is named above and run the same command again: users already done are left as they are.\n" }
    return out
  }

  public func html() -> String {
    var page = HTMLPage(title: "Team migration: \(config)\(stage.map { ", stage \($0)" } ?? "")")
    let clean = outcomes.filter(\.isClean).count
    page.verdict("\(isClean ? "Done" : "Incomplete"): \(clean) of \(outcomes.count) users migrated and matching.", ok: isClean, key: "verdict")
    typealias Cell = HTMLPage.Cell
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
