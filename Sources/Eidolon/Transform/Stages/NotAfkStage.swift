/// `--not-afk FILE`: keeps only the parts of window, web and editor events that fall
/// inside the not-afk periods of an afk stream (ActivityWatch's own rule for active
/// time). Both streams in start order; memory holds the periods one event overlaps.
final class NotAfkStage: TransformStage {
  static let clippedKinds: Set<String> = ["window", "web", "editor"]

  private let next: EventWriter
  private let periods: EventReader
  private var order = StartOrderCheck(option: "--not-afk")
  private var periodOrder = StartOrderCheck(option: "--not-afk (its afk file)")
  /// Not-afk periods [start, end), joined where they touch, in order.
  private var window: [(start: Int64, end: Int64)] = []
  private var pending: (start: Int64, end: Int64)?
  private var periodsDone = false
  private let held = EventHeap()
  private(set) var secondsRemoved = 0.0
  private(set) var eventsRemoved = 0
  private(set) var piecesAdded = 0

  var summary: String? {
    guard secondsRemoved > 0 || piecesAdded > 0 else { return nil }
    return "\(SecondsText.short(secondsRemoved)) s outside not-afk periods removed (\(eventsRemoved) events wholly), \(piecesAdded) pieces added"
  }

  init(next: EventWriter, periods: EventReader) {
    self.next = next
    self.periods = periods
  }

  /// True for an afk event that says the user was there: ActivityWatch's
  /// data.status "not-afk", or status "not-afk"/"active" in attrs.
  static func isActive(_ event: Event) -> Bool {
    guard event.kind == "afk" else { return false }
    var status = event.attrs["status"]?.stringValue
    if status == nil, case .object(let data)? = event.attrs["data"] { status = data["status"]?.stringValue }
    return status == "not-afk" || status == "active"
  }

  /// The next not-afk period from the afk stream, nil at its end.
  private func nextPeriod() throws -> (start: Int64, end: Int64)? {
    while !periodsDone {
      guard let event = try periods.next() else {
        periodsDone = true
        break
      }
      try periodOrder.check(event)
      if NotAfkStage.isActive(event), event.endMillis > event.start { return (event.start, event.endMillis) }
    }
    return nil
  }

  /// Loads periods until one starts at or after `end`.
  private func load(until end: Int64) throws {
    while true {
      if pending == nil { pending = try nextPeriod() }
      guard let period = pending, period.start < end else { return }
      pending = nil
      if let last = window.last, period.start <= last.end {
        window[window.count - 1].end = max(last.end, period.end)
      } else {
        window.append(period)
      }
    }
  }

  func write(_ event: Event) throws {
    try order.check(event)
    try held.release(before: event, to: next)
    guard NotAfkStage.clippedKinds.contains(event.kind) else { return try next.write(event) }
    let end = event.endMillis
    // Periods that ended before this event cannot touch any later one.
    while let first = window.first, first.end <= event.start { window.removeFirst() }
    try load(until: end)
    var number = 0
    var kept = 0.0
    for period in window where period.start < end && period.end > event.start {
      let from = max(period.start, event.start), to = min(period.end, end)
      number += 1
      var piece = EventPieces.piece(of: event, number: number, from: from, to: to)
      if from == event.start && to == end { piece.duration = event.duration }
      kept += piece.duration
      if from == event.start { try next.write(piece) } else { held.push(piece) }
    }
    secondsRemoved += max(0, event.duration - kept)
    if number == 0 { eventsRemoved += 1 }
    if number > 1 { piecesAdded += number - 1 }
  }

  func finish() throws {
    try held.releaseAll(to: next)
    try next.finish()
  }
}
