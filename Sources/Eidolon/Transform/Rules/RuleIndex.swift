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
    /// With ignoreCase, the slots of words (all are regex patterns' words or literals).
    var foldSlots: [Int] = []
    init(field: EventField, ignoreCase: Bool) {
      self.field = field
      self.ignoreCase = ignoreCase
      literals = LiteralSet(foldCase: ignoreCase)
    }
  }

  private var groups: [Group] = []
  private var groupIndex: [GroupKey: Int] = [:]
  private var stamps: [UInt32] = []
  private var unsureStamps: [UInt32] = []
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
    unsureStamps.append(0)
    return stamps.count - 1
  }

  func addEquality(_ field: EventField, _ value: String, ignoreCase: Bool) -> Int {
    let slot = newSlot()
    group(field, ignoreCase).equals[ignoreCase ? value.lowercased() : value, default: []].append(slot)
    return slot
  }

  /// A slot hit when the field holds any of `words` (ASCII case folded when `ignoreCase`).
  ///
  /// With `ignoreCase`, text holding a letter that the regex engine's case folding takes
  /// to ASCII letters (ß to ss, the Kelvin sign to k: `foldsToASCII`) hits every such
  /// slot and marks it unsure (`isUnsure`): ASCII folding cannot tell, the engine must.
  func addWords(_ field: EventField, _ words: [String], ignoreCase: Bool) -> Int {
    let slot = newSlot()
    let group = group(field, ignoreCase)
    for word in words { group.literals.add(word, tag: slot) }
    if ignoreCase { group.foldSlots.append(slot) }
    return slot
  }

  /// Works out which slots `event` hits; `hit(_:)` answers until the next call.
  func prepare(_ event: Event) {
    current &+= 1
    if current == 0 {
      for i in stamps.indices {
        stamps[i] = 0
        unsureStamps[i] = 0
      }
      current = 1
    }
    hits.removeAll(keepingCapacity: true)
    for group in groups {
      _ = group.field.forEachText(of: event) { text in
        if !group.equals.isEmpty, let slots = group.equals[group.ignoreCase ? text.lowercased() : text] {
          for slot in slots { mark(slot) }
        }
        if !group.literals.isEmpty { group.literals.scan(text) { mark($0) } }
        if !group.foldSlots.isEmpty, RuleIndex.foldsToASCII(text) {
          for slot in group.foldSlots {
            mark(slot)
            unsureStamps[slot] = current
          }
        }
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

  /// True when the slot was hit only because the text holds a letter ASCII folding misses.
  @inline(__always)
  func isUnsure(_ slot: Int) -> Bool { unsureStamps[slot] == current }

  /// True when `text` holds a character that ICU's case-insensitive matching equates
  /// with ASCII letters: ß ẞ (ss), ſ (s), ẚ, the Kelvin sign (k), the ligatures ﬀ to ﬆ.
  /// These are all such characters (found by trying every code point against each ASCII
  /// letter and these pairs with NSRegularExpression; RegexPrefilterTests does it again).
  static func foldsToASCII(_ text: String) -> Bool {
    var utf8 = text.utf8.makeIterator()
    var previous2: UInt8 = 0, previous: UInt8 = 0
    while let byte = utf8.next() {
      switch (previous2, previous, byte) {
      case (_, 0xC3, 0x9F), (_, 0xC5, 0xBF): return true  // ß ſ
      case (0xE1, 0xBA, 0x9A), (0xE1, 0xBA, 0x9E): return true  // ẚ ẞ
      case (0xE2, 0x84, 0xAA): return true  // Kelvin sign
      case (0xEF, 0xAC, 0x80...0x86): return true  // ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ
      default: break
      }
      previous2 = previous
      previous = byte
    }
    return false
  }
}
