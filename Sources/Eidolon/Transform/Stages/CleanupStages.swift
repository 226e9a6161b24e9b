/// The stream an event belongs to for the clean-up stages: events of one tracker's
/// one watcher on one machine, which should not overlap one another.
func streamKey(_ event: Event) -> String {
  "\(event.source)\u{1}\(event.kind)\u{1}\(event.host ?? "")\u{1}\(event.stream ?? "")"
}

/// `--dedupe` on input in start order: an event with the id of an event with the same
/// start, or with the same start, duration and fields (any id), goes. Memory holds
/// one start's events.
final class DedupeStage: TransformStage {
  private let next: EventWriter
  private var order = StartOrderCheck(option: "--dedupe")
  private var currentStart = Int64.min
  private var ids: Set<String> = []
  private var contents: Set<LineKey> = []
  private let line = ByteBuffer(capacity: 1 << 12)
  private(set) var dropped = 0

  var summary: String? { dropped > 0 ? "\(dropped) duplicates removed" : nil }

  init(next: EventWriter) { self.next = next }

  func write(_ event: Event) throws {
    try order.check(event)
    if event.start != currentStart {
      currentStart = event.start
      ids.removeAll(keepingCapacity: true)
      contents.removeAll(keepingCapacity: true)
    }
    var anonymous = event
    anonymous.id = ""
    line.removeAll()
    EidolonNDJSONWriter.append(anonymous, to: line)
    let isNewID = ids.insert(event.id).inserted
    let isNewContent = contents.insert(LineKey(line)).inserted
    guard isNewID && isNewContent else {
      dropped += 1
      return
    }
    try next.write(event)
  }

  func finish() throws { try next.finish() }
}

/// A line's bytes as a set member, hashed once with MurmurHash3 (Hasher goes a byte at
/// a time) and compared byte for byte, so no two different events are ever taken as one.
private struct LineKey: Hashable {
  let bytes: [UInt8]
  let digest: UInt64

  init(_ line: ByteBuffer) {
    bytes = line.array
    digest = MurmurHash3.x64_128(line.bytes).0
  }

  func hash(into hasher: inout Hasher) { hasher.combine(digest) }
  static func == (a: LineKey, b: LineKey) -> Bool { a.digest == b.digest && a.bytes == b.bytes }
}

/// `--merge-gap SECONDS`: consecutive events of one stream with the same fields, at most
/// the gap apart, become one event with the first one's id and start, ending where the
/// last ends, with attrs.merged_events. Other streams' events in between don't break a run.
final class MergeGapStage: TransformStage {
  private let next: EventWriter
  private let gapMillis: Int64
  private let keyFields: [EventField]?
  private var order = StartOrderCheck(option: "--merge-gap")
  private var open: [String: (event: Event, end: Int64, count: Int)] = [:]
  /// The start of each stream's open run: what may still come out, without copying events.
  private var openStarts: [String: Int64] = [:]
  private let held = EventHeap()
  private(set) var merged = 0

  var summary: String? { merged > 0 ? "\(merged) events merged into the one before" : nil }

  /// `keyFields` nil: every field but id, start and duration must agree.
  init(next: EventWriter, gapSeconds: Double, keyFields: [EventField]?) {
    self.next = next
    gapMillis = Int64((gapSeconds * 1000).rounded())
    self.keyFields = keyFields
  }

  private func sameFields(_ a: Event, _ b: Event) -> Bool {
    guard let keyFields else {
      var x = a, y = b
      x.id = ""; y.id = ""
      x.start = 0; y.start = 0
      x.duration = 0; y.duration = 0
      return x == y
    }
    for field in keyFields {
      var left: [String] = [], right: [String] = []
      _ = field.forEachText(of: a) { left.append($0); return false }
      _ = field.forEachText(of: b) { right.append($0); return false }
      if left != right { return false }
    }
    return true
  }

  func write(_ event: Event) throws {
    try order.check(event)
    let key = streamKey(event)
    if let run = open[key] {
      if event.start - run.end <= gapMillis && sameFields(run.event, event) {
        open[key] = (run.event, max(run.end, event.endMillis), run.count + 1)
        merged += 1
        return
      }
      held.push(close(run))
    }
    open[key] = (event, event.endMillis, 1)
    openStarts[key] = event.start
    try held.release(upTo: (openStarts.values.min() ?? event.start) - 1, to: next)
  }

  private func close(_ run: (event: Event, end: Int64, count: Int)) -> Event {
    guard run.count > 1 else { return run.event }
    var event = run.event
    event.duration = Double(run.end - event.start) / 1000
    event.attrs["merged_events"] = .number(run.count)
    return event
  }

  func finish() throws {
    for run in open.values { held.push(close(run)) }
    open.removeAll()
    openStarts.removeAll()
    try held.releaseAll(to: next)
    try next.finish()
  }
}

/// `--clip-overlaps`: within one stream, an event that runs past the start of the next
/// is cut to end there (the later event wins); one left with no time goes.
final class ClipOverlapsStage: TransformStage {
  private let next: EventWriter
  private var order = StartOrderCheck(option: "--clip-overlaps")
  private var previous: [String: Event] = [:]
  private var previousStarts: [String: Int64] = [:]
  private let held = EventHeap()
  private(set) var clipped = 0
  private(set) var dropped = 0
  private(set) var secondsClipped = 0.0

  var summary: String? {
    clipped > 0
      ? "\(clipped) overlaps clipped (\(SecondsText.short(secondsClipped)) s), \(dropped) events left with no time removed" : nil
  }

  init(next: EventWriter) { self.next = next }

  func write(_ event: Event) throws {
    try order.check(event)
    let key = streamKey(event)
    if var earlier = previous[key] {
      if earlier.endMillis > event.start {
        let kept = Double(event.start - earlier.start) / 1000
        secondsClipped += earlier.duration - kept
        earlier.duration = kept
        clipped += 1
        if kept == 0 { dropped += 1 } else { held.push(earlier) }
      } else {
        held.push(earlier)
      }
    }
    previous[key] = event
    previousStarts[key] = event.start
    try held.release(upTo: (previousStarts.values.min() ?? event.start) - 1, to: next)
  }

  func finish() throws {
    for event in previous.values { held.push(event) }
    previous.removeAll()
    previousStarts.removeAll()
    try held.releaseAll(to: next)
    try next.finish()
  }
}
