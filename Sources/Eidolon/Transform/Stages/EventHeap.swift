/// Events held back by a stage that can emit them out of order (pieces of a split,
/// a merge still growing), handed on in start order (then id, then arrival) once
/// nothing earlier can come: `release(upTo:)` with the start of the newest input.
final class EventHeap {
  /// The heap orders small keys; the events stay put in `slots` until they go, so
  /// sifting never copies an Event (which costs a retain and release per field).
  private struct Key {
    var start: Int64
    var sequence: Int
    var slot: Int
  }

  private var keys: [Key] = []
  private var slots: [Event?] = []
  private var freeSlots: [Int] = []
  private var sequence = 0

  var isEmpty: Bool { keys.isEmpty }
  var count: Int { keys.count }

  private func less(_ a: Key, _ b: Key) -> Bool {
    if a.start != b.start { return a.start < b.start }
    if a.slot != b.slot, slots[a.slot]!.id != slots[b.slot]!.id { return ByteOrder.precedes(slots[a.slot]!.id, slots[b.slot]!.id) }
    return a.sequence < b.sequence
  }

  func push(_ event: Event) {
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = free
      slots[slot] = event
    } else {
      slot = slots.count
      slots.append(event)
    }
    keys.append(Key(start: event.start, sequence: sequence, slot: slot))
    sequence += 1
    var i = keys.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard less(keys[i], keys[parent]) else { break }
      keys.swapAt(i, parent)
      i = parent
    }
  }

  func pop() -> Event? {
    guard !keys.isEmpty else { return nil }
    keys.swapAt(0, keys.count - 1)
    let top = keys.removeLast()
    var i = 0
    while true {
      let left = 2 * i + 1, right = left + 1
      var smallest = i
      if left < keys.count && less(keys[left], keys[smallest]) { smallest = left }
      if right < keys.count && less(keys[right], keys[smallest]) { smallest = right }
      if smallest == i { break }
      keys.swapAt(i, smallest)
      i = smallest
    }
    freeSlots.append(top.slot)
    return slots[top.slot].take()
  }

  var minimumStart: Int64? { keys.first?.start }

  /// Writes every held event that starts at or before `limit` to `next`.
  func release(upTo limit: Int64, to next: EventWriter) throws {
    while let start = minimumStart, start <= limit { try next.write(pop()!) }
  }

  /// Writes every held event that comes before `event` in (start, id) order to `next`.
  func release(before event: Event, to next: EventWriter) throws {
    while let top = keys.first,
      top.start < event.start || (top.start == event.start && ByteOrder.precedes(slots[top.slot]!.id, event.id))
    {
      try next.write(pop()!)
    }
  }

  func releaseAll(to next: EventWriter) throws {
    while let event = pop() { try next.write(event) }
  }
}

/// Refuses input that is not in start order, for the stages that need it.
struct StartOrderCheck {
  let option: String
  private var last = Int64.min

  init(option: String) { self.option = option }

  mutating func check(_ event: Event) throws {
    if event.start < last {
      throw EidolonError(
        .usage,
        "\(option) needs input in start order, and an event starting \(Timestamp.canonical(event.start)) (id \(event.id)) came after one starting \(Timestamp.canonical(last)): put eid-sort before eid-transform")
    }
    last = event.start
  }
}

/// Pieces of one event cut at `boundaries`: the first keeps the id, the n-th gets
/// "<id>~n", so the same cut always gives the same ids (formats/rules.md, "Ids").
enum EventPieces {
  static func piece(of event: Event, number: Int, from start: Int64, to end: Int64) -> Event {
    var piece = event
    if number > 1 { piece.id = "\(event.id)~\(number)" }
    piece.start = start
    piece.duration = Double(end - start) / 1000
    return piece
  }
}
