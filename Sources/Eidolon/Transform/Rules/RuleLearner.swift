/// `eid-transform learn`: from events that carry categories (RescueTime's carry its
/// category, subcategory and productivity for every activity), a rules file that gives
/// each activity the same: sites by domain, apps by name (case ignored). When an activity
/// was filed under more than one category, the one with the most time wins, and the
/// file says so next to the rule.
public final class RuleLearner {
  private struct Assignment: Hashable {
    var category: String?
    var subcategory: String?
    var productivity: Int?
  }

  private struct Activity {
    var isSite: Bool
    var name: String
    var seconds: [Assignment: Double] = [:]
    var total: Double { seconds.values.reduce(0, +) }
  }

  private var activities: [String: Activity] = [:]
  public private(set) var eventsUsed = 0
  public private(set) var eventsSkipped = 0

  public init() {}

  public func add(_ event: Event) {
    guard event.category != nil || event.productivity != nil, let name = event.app ?? event.url.map(RescueTimeActivity.domain(ofURL:)) else {
      eventsSkipped += 1
      return
    }
    let isSite = event.url != nil || RescueTimeActivity.looksLikeDomain(name)
    let site = isSite ? (event.url.map(RescueTimeActivity.domain(ofURL:)) ?? name.lowercased()) : name
    let key = (isSite ? "d:" : "a:") + site.lowercased()
    let assignment = Assignment(category: event.category, subcategory: event.subcategory, productivity: event.productivity)
    // A summary's duration is its total; a zero-length event still says what it was filed under.
    activities[key, default: Activity(isSite: isSite, name: site)].seconds[assignment, default: 0] += max(event.duration, 0.001)
    eventsUsed += 1
  }

  public var activityCount: Int { activities.count }
  public var conflictCount: Int { activities.values.filter { $0.seconds.count > 1 }.count }

  /// The rules file: the most-used activities first.
  public func rulesText(from inputs: [String]) -> String {
    let ordered = activities.values.sorted { $0.total != $1.total ? $0.total > $1.total : $0.name < $1.name }
    let sites = ordered.filter { $0.isSite }.count
    var out = """
      # Learned by eid-transform learn from \(inputs.joined(separator: ", ")): \(eventsUsed) events,
      # \(ordered.count) activities (\(sites) sites by domain, \(ordered.count - sites) apps by name),
      # \(conflictCount) filed under more than one category: each takes the one with the most time.
      version: 1
      rules:

      """
    for activity in ordered {
      let ranked = activity.seconds.sorted { $0.value != $1.value ? $0.value > $1.value : describe($0.key) < describe($1.key) }
      let best = ranked[0].key
      if ranked.count > 1 {
        let total = activity.total
        let others = ranked.dropFirst().map { "\(describe($0.key)) \(percent($0.value, of: total))" }
        out += "  # \(RuleText.quoted(activity.name)): \(describe(best)) \(percent(ranked[0].value, of: total)); also \(others.joined(separator: ", "))\n"
      }
      out += "  - name: \(RuleText.quoted(activity.name))\n"
      out += "    match: {\(activity.isSite ? "domain" : "app"): {equals: \(RuleText.quoted(activity.name)), ignore_case: true}}\n"
      var set: [String] = []
      set.append("category: \(best.category.map(RuleText.quoted) ?? "null")")
      set.append("subcategory: \(best.subcategory.map(RuleText.quoted) ?? "null")")
      set.append("productivity: \(best.productivity.map(String.init) ?? "null")")
      out += "    set: {\(set.joined(separator: ", "))}\n"
    }
    if ordered.isEmpty { out += "  []\n" }
    return out
  }

  private func describe(_ assignment: Assignment) -> String {
    var parts = [assignment.category ?? "no category"]
    if let sub = assignment.subcategory { parts.append(sub) }
    if let productivity = assignment.productivity { parts.append("productivity \(productivity)") }
    return parts.joined(separator: " / ")
  }

  private func percent(_ part: Double, of total: Double) -> String {
    "\(Int((part / max(total, 0.001) * 100).rounded()))%"
  }
}
