/// `eid-transform learn`: from events that carry categories (RescueTime's carry its
/// category, subcategory and productivity for every activity), a rules file that gives
/// each activity the same: sites by domain, apps by name (case ignored). When an activity
/// was filed under more than one category, the one with the most time wins, and the
/// file says so next to the rule.
public final class RuleLearner {
  /// A category with its subcategory: they go together.
  private struct Filing: Hashable {
    var category: String
    var subcategory: String?
  }

  private struct Activity {
    var isSite: Bool
    var name: String
    var total = 0.0
    var filings: [Filing: Double] = [:]
    var productivity: [Int: Double] = [:]
    var isConflicted: Bool { filings.count > 1 || productivity.count > 1 }
  }

  private var activities: [String: Activity] = [:]
  public private(set) var eventsUsed = 0
  public private(set) var eventsSkipped = 0

  public init() {}

  public func add(_ event: Event) {
    guard event.category != nil || event.productivity != nil, let name = event.app ?? event.url.map(WebDomain.domain(ofURL:)) else {
      eventsSkipped += 1
      return
    }
    let isSite = event.url != nil || WebDomain.looksLikeDomain(name)
    let site = isSite ? (event.url.map(WebDomain.domain(ofURL:)) ?? name.lowercased()) : name
    let key = (isSite ? "d:" : "a:") + site.lowercased()
    // A summary's duration is its total; a zero-length event still says how it was filed.
    let seconds = max(event.duration, 0.001)
    var activity = activities[key] ?? Activity(isSite: isSite, name: site)
    activity.total += seconds
    if let category = event.category { activity.filings[Filing(category: category, subcategory: event.subcategory), default: 0] += seconds }
    if let productivity = event.productivity { activity.productivity[productivity, default: 0] += seconds }
    activities[key] = activity
    eventsUsed += 1
  }

  public var activityCount: Int { activities.count }
  public var conflictCount: Int { activities.values.filter(\.isConflicted).count }

  /// The rules file: the most-used activities first.
  public func rulesText(from inputs: [String]) -> String {
    let ordered = activities.values.sorted { $0.total != $1.total ? $0.total > $1.total : $0.name < $1.name }
    let sites = ordered.filter { $0.isSite }.count
    var out = """
      # Learned by eid-transform learn from \(inputs.isEmpty ? "standard input" : inputs.map { $0 == "-" ? "standard input" : $0 }.joined(separator: ", ")): \(eventsUsed) events,
      # \(ordered.count) activities (\(sites) sites by domain, \(ordered.count - sites) apps by name),
      # \(conflictCount) filed in more than one way: each takes the filing with the most time.
      version: 1
      rules:

      """
    for activity in ordered {
      let filings = ranked(activity.filings, describe: { [$0.category, $0.subcategory].compactMap { $0 }.joined(separator: " / ") })
      let scores = ranked(activity.productivity, describe: { "productivity \($0)" })
      for alternatives in [filings.map(\.text), scores.map(\.text)] where alternatives.count > 1 {
        out += "  # \(RuleText.quoted(activity.name)): \(alternatives.joined(separator: ", also "))\n"
      }
      out += "  - name: \(RuleText.quoted(activity.name))\n"
      out += "    match: {\(activity.isSite ? "domain" : "app"): {equals: \(RuleText.quoted(activity.name)), ignore_case: true}}\n"
      var set: [String] = []
      if let best = filings.first?.value {
        set.append("category: \(RuleText.quoted(best.category))")
        set.append("subcategory: \(best.subcategory.map(RuleText.quoted) ?? "null")")
      }
      if let best = scores.first?.value { set.append("productivity: \(best)") }
      out += "    set: {\(set.joined(separator: ", "))}\n"
    }
    if ordered.isEmpty { out += "  []\n" }
    return out
  }

  /// Values by time, most first (ties by name), each described with its share.
  private func ranked<Value>(_ seconds: [Value: Double], describe: (Value) -> String) -> [(value: Value, text: String)] {
    let total = max(seconds.values.reduce(0, +), 0.001)
    return seconds.map { (value: $0.key, name: describe($0.key), seconds: $0.value) }
      .sorted { $0.seconds != $1.seconds ? $0.seconds > $1.seconds : $0.name < $1.name }
      .map { ($0.value, "\($0.name) \(Int(($0.seconds / total * 100).rounded()))%") }
  }
}
