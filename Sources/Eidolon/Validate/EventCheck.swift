#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// eid-validate's checks of one event at a time, beyond what the reader enforces (types,
/// required fields, ranges): the form of source and kind, plausible times. A bad name
/// rejects the event; odd times warn. What passes goes into `CheckedEvents` for
/// `EventValidator.merge` (the summary and the duplicate-id check, which need the whole
/// run). Needs nothing from other events, so each thread checking a block has its own.
public final class EventCheck {
  /// Durations longer than this are suspicious (a timer left running).
  public static let longDurationSeconds = 7.0 * 86_400
  /// Starts before this are suspicious (a zero or a wrong epoch).
  public static let earliestPlausibleStart = CivilTime.daysFromCivil(year: 1990, month: 1, day: 1) * CivilTime.millisPerDay

  let diagnostics: Diagnostics
  let now: Int64
  /// The file positions refer to (messages name it).
  var fileName: String?

  public init(diagnostics: Diagnostics, now: Int64? = nil) {
    self.diagnostics = diagnostics
    if let now {
      self.now = now
    } else {
      var ts = timespec()
      clock_gettime(CLOCK_REALTIME, &ts)
      self.now = Int64(ts.tv_sec) * 1000
    }
  }

  /// Names that may stand in "source" and "kind": lower-case letters, digits, '_', '-', '.'.
  public static func isIdentifier(_ bytes: UnsafeRawBufferPointer) -> Bool {
    !bytes.isEmpty && bytes.allSatisfy { c in
      (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D || c == 0x2E
    }
  }

  /// Checks a view (eid-validate's hot path) read at `position`; true when it is kept.
  @discardableResult
  public func check(_ view: EventView, at position: SourcePosition, raw: UnsafeRawBufferPointer?,
                    into out: CheckedEvents) throws -> Bool {
    try check(id: view.id, source: view.source, kind: view.kind, stream: view.optionalString(Event.OptionalString.stream),
              start: view.start, duration: view.duration, position, raw, out)
  }

  /// `check` for an owning event.
  @discardableResult
  public func check(_ event: Event, at position: SourcePosition, raw: UnsafeRawBufferPointer?,
                    into out: CheckedEvents) throws -> Bool {
    var (id, source, kind, stream) = (event.id, event.source, event.kind, event.stream ?? "")
    return try id.withUTF8 { id in
      try source.withUTF8 { source in
        try kind.withUTF8 { kind in
          try stream.withUTF8 { stream in
            try check(id: UnsafeRawBufferPointer(id), source: UnsafeRawBufferPointer(source),
                      kind: UnsafeRawBufferPointer(kind), stream: event.stream == nil ? nil : UnsafeRawBufferPointer(stream),
                      start: event.start, duration: event.duration, position, raw, out)
          }
        }
      }
    }
  }

  private func check(id: UnsafeRawBufferPointer, source: UnsafeRawBufferPointer, kind: UnsafeRawBufferPointer,
                     stream: UnsafeRawBufferPointer?, start: Int64, duration: Double, _ position: SourcePosition,
                     _ raw: UnsafeRawBufferPointer?, _ out: CheckedEvents) throws -> Bool {
    // A name already in the table was checked when it was first seen.
    let sourceSlot = out.slot(of: source) ?? (EventCheck.isIdentifier(source) ? out.addName(source) : nil)
    let kindSlot = sourceSlot == nil ? nil : out.slot(of: kind) ?? (EventCheck.isIdentifier(kind) ? out.addName(kind) : nil)
    guard let sourceSlot, let kindSlot else {
      let (name, value) = sourceSlot == nil ? ("source", source) : ("kind", kind)
      try diagnostics.reject(
        EidolonError(.data, "\"\(name)\" must be a lower-case name (a-z, 0-9, _ - .), not \"\(EventView.text(value))\"",
                     file: fileName, position: position),
        raw: raw)
      return false
    }
    checkTimes(start: start, duration: duration, position, out)
    // What makes two events with one id the same event: source, kind, stream and the times.
    var content = ContentHash()
    content.add(out.nameHashes[Int(sourceSlot)])
    content.add(out.nameHashes[Int(kindSlot)])
    if let stream { content.add(stream) } else { content.add(UInt64.max) }
    content.add(UInt64(bitPattern: start))
    content.add(duration.bitPattern)
    out.append(id: id, start: start, duration: duration, line: position.line, content: content.value,
               source: sourceSlot, kind: kindSlot)
    return true
  }

  /// Warns about implausible times.
  private func checkTimes(start: Int64, duration: Double, _ position: SourcePosition, _ out: CheckedEvents) {
    if start > now + CivilTime.millisPerDay {
      warn("starts in the future (\(Timestamp.canonical(start)))", position, out)
    }
    if start < EventCheck.earliestPlausibleStart {
      warn("starts before 1990 (\(Timestamp.canonical(start))): a wrong epoch or time unit?", position, out)
    }
    if duration > EventCheck.longDurationSeconds {
      warn("lasts \(SecondsText.hours(duration)), more than 7 days: a timer left running?", position, out)
    }
  }

  private func warn(_ message: String, _ position: SourcePosition, _ out: CheckedEvents) {
    out.warnings += 1
    diagnostics.warn(message, file: fileName, position: position)
  }
}
