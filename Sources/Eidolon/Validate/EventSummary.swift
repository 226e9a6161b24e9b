/// What a stream of events adds up to: counts, time range, total time, and both
/// per source and per kind. Printed by eid-validate; later by every loader.
public struct EventSummary: Sendable {
  public struct Tally: Sendable, Equatable {
    public var events = 0
    public var seconds = 0.0

    public init(events: Int = 0, seconds: Double = 0) {
      self.events = events
      self.seconds = seconds
    }

    mutating func add(_ duration: Double) {
      events += 1
      seconds += duration
    }

    mutating func add(_ other: Tally) {
      events += other.events
      seconds += other.seconds
    }
  }

  public var events = 0
  public var rejected = 0
  /// Ids used again by a different event: an error.
  public var duplicateIDs = 0
  /// Events seen twice with the same id and content (counted among the warnings too).
  public var repeatedEvents = 0
  public var warnings = 0
  /// Milliseconds since the epoch; nil before the first event.
  public var firstStart: Int64?
  public var lastEnd: Int64?
  public var totalSeconds = 0.0
  public var bySource: [String: Tally] = [:]
  public var byKind: [String: Tally] = [:]

  public init() {}

  public mutating func add(_ event: Event) {
    addTotals(start: event.start, duration: event.duration)
    bySource[event.source, default: Tally()].add(event.duration)
    byKind[event.kind, default: Tally()].add(event.duration)
  }

  /// `add` but for the tallies by source and kind (kept by the caller).
  mutating func addTotals(start: Int64, duration: Double) {
    let end = Event.endMillis(start: start, duration: duration)
    events += 1
    totalSeconds += duration
    firstStart = min(firstStart ?? start, start)
    lastEnd = max(lastEnd ?? end, end)
  }

  public var isClean: Bool { rejected == 0 && duplicateIDs == 0 }

  /// The summary for people: aligned lines, largest groups first.
  public func text() -> String {
    var lines: [String] = []
    func line(_ label: String, _ value: String) {
      lines.append(label + String(repeating: " ", count: max(1, 15 - label.count)) + value)
    }
    line("events", "\(events)")
    line("rejected", "\(rejected)")
    line("duplicate ids", "\(duplicateIDs)")
    line("repeated", "\(repeatedEvents)")
    line("warnings", "\(warnings)")
    if let firstStart, let lastEnd {
      line("from", Timestamp.canonical(firstStart))
      line("to", Timestamp.canonical(lastEnd))
    }
    line("total", "\(SecondsText.millis(totalSeconds)) s (\(SecondsText.hours(totalSeconds)))")
    for (title, groups) in [("by source", bySource), ("by kind", byKind)] where !groups.isEmpty {
      lines.append(title)
      let width = groups.keys.map(\.count).max() ?? 0
      for (name, tally) in groups.sorted(by: { ($0.value.events, $1.key) > ($1.value.events, $0.key) }) {
        let padded = name + String(repeating: " ", count: width - name.count)
        lines.append("  \(padded)  \(tally.events) events, \(SecondsText.millis(tally.seconds)) s")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The same as one JSON object (keys sorted within the groups).
  public func json() -> String {
    let out = ByteBuffer(capacity: 1024)
    out.append("{\"events\":")
    out.append(integer: Int64(events))
    out.append(",\"rejected\":")
    out.append(integer: Int64(rejected))
    out.append(",\"duplicate_ids\":")
    out.append(integer: Int64(duplicateIDs))
    out.append(",\"repeated_events\":")
    out.append(integer: Int64(repeatedEvents))
    out.append(",\"warnings\":")
    out.append(integer: Int64(warnings))
    out.append(",\"first_start\":")
    if let firstStart { out.appendJSONString(Timestamp.canonical(firstStart)) } else { out.append("null") }
    out.append(",\"last_end\":")
    if let lastEnd { out.appendJSONString(Timestamp.canonical(lastEnd)) } else { out.append("null") }
    out.append(",\"total_seconds\":")
    out.append(SecondsText.millis(totalSeconds))
    for (name, groups) in [("by_source", bySource), ("by_kind", byKind)] {
      out.append(",\"\(name)\":{")
      for (i, key) in groups.keys.sorted().enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out.appendJSONString(key)
        out.append(":{\"events\":")
        out.append(integer: Int64(groups[key]!.events))
        out.append(",\"seconds\":")
        out.append(SecondsText.millis(groups[key]!.seconds))
        out.append(UInt8(ascii: "}"))
      }
      out.append(UInt8(ascii: "}"))
    }
    out.append("}\n")
    return String(decoding: out.bytes, as: UTF8.self)
  }
}
