/// Events held back by a stage that can emit them out of order (pieces of a split,
/// a merge still growing), handed on in start order (then id, then arrival) once
/// nothing earlier can come: `release(upTo:)` with the start of the newest input.
final class EventHeap {
  private var items: [(event: Event, sequence: Int)] = []
  private var sequence = 0

  var isEmpty: Bool { items.isEmpty }
  var count: Int { items.count }

  private func less(_ a: Int, _ b: Int) -> Bool {
    let x = items[a], y = items[b]
    if x.event.start != y.event.start { return x.event.start < y.event.start }
    if x.event.id != y.event.id { return x.event.id < y.event.id }
    return x.sequence < y.sequence
  }

  func push(_ event: Event) {
    items.append((event, sequence))
    sequence += 1
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard less(i, parent) else { break }
      items.swapAt(i, parent)
      i = parent
    }
  }

  func pop() -> Event? {
    guard !items.isEmpty else { return nil }
    items.swapAt(0, items.count - 1)
    let top = items.removeLast().event
    var i = 0
    while true {
      let left = 2 * i + 1, right = left + 1
      var smallest = i
      if left < items.count && less(left, smallest) { smallest = left }
      if right < items.count && less(right, smallest) { smallest = right }
      if smallest == i { break }
      items.swapAt(i, smallest)
      i = smallest
    }
    return top
  }

  var minimumStart: Int64? { items.first?.event.start }

  /// Writes every held event that starts at or before `limit` to `next`.
  func release(upTo limit: Int64, to next: EventWriter) throws {
    while let start = minimumStart, start <= limit { try next.write(pop()!) }
  }

  /// Writes every held event that comes before `event` in (start, id) order to `next`.
  func release(before event: Event, to next: EventWriter) throws {
    while let top = items.first?.event, top.start < event.start || (top.start == event.start && top.id < event.id) {
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
