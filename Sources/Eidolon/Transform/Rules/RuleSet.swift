/// An ordered list of rules (formats/rules.md): the first rule that matches an event
/// acts on it and ends the search, unless it says `continue`.
public final class RuleSet {
  struct Rule {
    var name: String
    /// Where the rule starts in its file, for messages and statistics.
    var line: Int
    var condition: Condition
    var actions: RuleActions
    var continues: Bool
  }

  let rules: [Rule]
  /// The file the rules came from, for messages.
  public let fileName: String
  private let index: RuleIndex
  /// Rules that have no indexed condition every match needs: looked at for every event.
  private let alwaysLooked: [Int]
  /// For a slot, the rule that cannot match unless the slot was hit.
  private let ruleKeyedBy: [Int: Int]
  private var candidates: [Int] = []
  /// How many events each rule acted on.
  public private(set) var matchCounts: [Int]

  init(rules: [Rule], index: RuleIndex, fileName: String) {
    self.rules = rules
    self.fileName = fileName
    self.index = index
    var always: [Int] = []
    var keyed: [Int: Int] = [:]
    for (i, rule) in rules.enumerated() {
      if let slot = rule.condition.requiredSlots.first { keyed[slot] = i } else { always.append(i) }
    }
    alwaysLooked = always
    ruleKeyedBy = keyed
    matchCounts = Array(repeating: 0, count: rules.count)
  }

  public var count: Int { rules.count }

  /// The rules' names (or "line N") with how many events each acted on.
  public var statistics: [(rule: String, events: Int)] {
    rules.indices.map { (rules[$0].name, matchCounts[$0]) }
  }

  /// Applies the rules to `event`; false when a rule drops it.
  public func apply(_ event: inout Event) -> Bool {
    var from = 0
    while from < rules.count {
      findCandidates(event, from: from)
      var changed = false
      for r in candidates where rules[r].condition.holds(for: event, index) {
        let rule = rules[r]
        matchCounts[r] += 1
        if rule.actions.drop { return false }
        rule.actions.apply(to: &event)
        if !rule.continues { return true }
        from = r + 1
        // What the rule set changes can change what later rules match.
        changed = rule.actions.changesFields
        if changed { break }
      }
      if !changed { return true }
    }
    return true
  }

  /// The rules at or after `from` that could match, in order.
  private func findCandidates(_ event: Event, from: Int) {
    index.prepare(event)
    candidates.removeAll(keepingCapacity: true)
    for slot in index.hits {
      if let rule = ruleKeyedBy[slot], rule >= from { candidates.append(rule) }
    }
    if candidates.isEmpty {
      candidates.append(contentsOf: alwaysLooked.lazy.filter { $0 >= from })
      return
    }
    candidates.append(contentsOf: alwaysLooked.lazy.filter { $0 >= from })
    candidates.sort()
  }
}

/// What a rule does to the events it matches.
struct RuleActions {
  var sets: [(field: EventField, value: JSONValue)] = []
  var addTags: [String] = []
  var removeTags: [String] = []
  var drop = false

  var isEmpty: Bool { sets.isEmpty && addTags.isEmpty && removeTags.isEmpty && !drop }
  var changesFields: Bool { !sets.isEmpty || !addTags.isEmpty || !removeTags.isEmpty }

  /// The fields `set` may change: everything but the event's identity and time.
  static func isSettable(_ field: EventField) -> Bool {
    switch field {
    case .id, .source, .start, .end, .duration, .tags, .offset, .domain: return false
    default: return true
    }
  }

  func apply(to event: inout Event) {
    for (field, value) in sets {
      switch field {
      case .kind: if case .string(let text) = value { event.kind = text }
      case .productivity:
        if case .number(let text) = value { event.productivity = Int(text) } else { event.productivity = nil }
      case .billable:
        if case .bool(let flag) = value { event.billable = flag } else { event.billable = nil }
      case .text(let index): event.setOptionalString(index, value.stringValue)
      case .attr(let name): event.attrs[name] = value == .null ? nil : value
      default: break
      }
    }
    if !removeTags.isEmpty, var tags = event.tags {
      tags.removeAll { removeTags.contains($0) }
      event.tags = tags.isEmpty ? nil : tags
    }
    for tag in addTags where !(event.tags ?? []).contains(tag) {
      event.tags = (event.tags ?? []) + [tag]
    }
  }
}
