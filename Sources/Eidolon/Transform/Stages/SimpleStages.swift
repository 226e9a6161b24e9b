/// One step of eid-transform's chain: an EventWriter handing on to the next, that says
/// what it changed.
protocol TransformStage: EventWriter {
  /// A line for the summary on stderr; nil when it changed nothing.
  var summary: String? { get }
}

/// A stage that changes or drops events one at a time (time fixes, filters, rules,
/// privacy): `body` returns false to drop.
final class MapStage: TransformStage {
  private let next: EventWriter
  private let body: (inout Event) throws -> Bool
  /// What the summary calls the events it dropped ("filtered out").
  private let dropping: String
  var dropped = 0

  init(next: EventWriter, dropping: String, _ body: @escaping (inout Event) throws -> Bool) {
    self.next = next
    self.dropping = dropping
    self.body = body
  }

  var summary: String? { dropped > 0 ? "\(dropped) \(dropping)" : nil }

  func write(_ event: Event) throws {
    var event = event
    if try body(&event) { try next.write(event) } else { dropped += 1 }
  }

  func finish() throws { try next.finish() }
}

/// The end of a chain: counts what comes out and hands it to the writer.
final class CountingStage: EventWriter {
  private let next: EventWriter
  var count = 0

  init(next: EventWriter) { self.next = next }

  func write(_ event: Event) throws {
    count += 1
    try next.write(event)
  }

  func finish() throws { try next.finish() }
}

/// `--split-at-midnight ZONE`: an event that crosses local midnight becomes one piece
/// per day, so daily totals add up.
final class MidnightSplitStage: TransformStage {
  private let next: EventWriter
  private let zone: ZoneConverter?
  private let held = EventHeap()
  private var order = StartOrderCheck(option: "--split-at-midnight")
  private(set) var piecesAdded = 0

  var summary: String? { piecesAdded > 0 ? "\(piecesAdded) pieces added by --split-at-midnight" : nil }

  init(next: EventWriter, zone: ZoneConverter?) {
    self.next = next
    self.zone = zone
  }

  /// The UTC milliseconds of the first local midnight after `millis`.
  private func nextMidnight(after millis: Int64) -> Int64 {
    let utc = CivilTime.floorDiv(millis, 1000)
    let offset = Int64(zone?.offset(atUTC: utc) ?? 0)
    let day = CivilTime.floorDiv(utc + offset, 86_400) + 1
    let midnight = LocalDateTime(secondsAsIfUTC: day * 86_400)
    if let zone { return zone.toUTCMillis(midnight).millis }
    return day * 86_400 * 1000
  }

  func write(_ event: Event) throws {
    try order.check(event)
    try held.release(before: event, to: next)
    let end = event.endMillis
    var midnight = nextMidnight(after: event.start)
    guard midnight < end else { return try next.write(event) }
    var start = event.start
    var number = 1
    while midnight < end {
      try emit(EventPieces.piece(of: event, number: number, from: start, to: midnight), first: number == 1)
      start = midnight
      number += 1
      midnight = nextMidnight(after: start)
    }
    var last = EventPieces.piece(of: event, number: number, from: start, to: end)
    last.duration = event.duration - Double(start - event.start) / 1000
    try emit(last, first: false)
    piecesAdded += number - 1
  }

  private func emit(_ piece: Event, first: Bool) throws {
    if first { try next.write(piece) } else { held.push(piece) }
  }

  func finish() throws {
    try held.releaseAll(to: next)
    try next.finish()
  }
}
