/// Answers the equality and plain-words conditions of every rule at once, per event:
/// one dictionary lookup per field for equalities, one pass over the field's text for
/// all the words (`LiteralSet`). Rules whose required conditions missed are skipped,
/// so a file of thousands of learned rules costs about what a few do.
final class RuleIndex {
  private struct GroupKey: Hashable {
    var field: EventField
    var ignoreCase: Bool
  }

  private final class Group {
    let field: EventField
    let ignoreCase: Bool
    var equals: [String: [Int]] = [:]
    let literals: LiteralSet
    init(field: EventField, ignoreCase: Bool) {
      self.field = field
      self.ignoreCase = ignoreCase
      literals = LiteralSet(foldCase: ignoreCase)
    }
  }

  private var groups: [Group] = []
  private var groupIndex: [GroupKey: Int] = [:]
  private var stamps: [UInt32] = []
  private var current: UInt32 = 0
  /// The slots this event hit, in the order found (with repeats).
  private(set) var hits: [Int] = []

  var slotCount: Int { stamps.count }

  private func group(_ field: EventField, _ ignoreCase: Bool) -> Group {
    let key = GroupKey(field: field, ignoreCase: ignoreCase)
    if let index = groupIndex[key] { return groups[index] }
    groupIndex[key] = groups.count
    groups.append(Group(field: field, ignoreCase: ignoreCase))
    return groups[groups.count - 1]
  }

  private func newSlot() -> Int {
    stamps.append(0)
    return stamps.count - 1
  }

  func addEquality(_ field: EventField, _ value: String, ignoreCase: Bool) -> Int {
    let slot = newSlot()
    group(field, ignoreCase).equals[ignoreCase ? value.lowercased() : value, default: []].append(slot)
    return slot
  }

  /// A slot hit when the field holds any of `words` (ASCII case folded when `ignoreCase`).
  func addWords(_ field: EventField, _ words: [String], ignoreCase: Bool) -> Int {
    let slot = newSlot()
    let literals = group(field, ignoreCase).literals
    for word in words { literals.add(word, tag: slot) }
    return slot
  }

  /// Works out which slots `event` hits; `hit(_:)` answers until the next call.
  func prepare(_ event: Event) {
    current &+= 1
    if current == 0 {
      for i in stamps.indices { stamps[i] = 0 }
      current = 1
    }
    hits.removeAll(keepingCapacity: true)
    for group in groups {
      _ = group.field.forEachText(of: event) { text in
        if !group.equals.isEmpty, let slots = group.equals[group.ignoreCase ? text.lowercased() : text] {
          for slot in slots { mark(slot) }
        }
        if !group.literals.isEmpty { group.literals.scan(text) { mark($0) } }
        return false
      }
    }
  }

  @inline(__always)
  private func mark(_ slot: Int) {
    if stamps[slot] != current {
      stamps[slot] = current
      hits.append(slot)
    }
  }

  @inline(__always)
  func hit(_ slot: Int) -> Bool { stamps[slot] == current }
}
