#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks eid-validate makes beyond what the reader already enforces (types,
/// required fields, ranges): the form of source and kind, plausible times, and
/// unique ids across all inputs. Errors reject; warnings only count.
public final class EventValidator {
  /// Durations longer than this are suspicious (a timer left running).
  public static let longDurationSeconds = 7.0 * 86_400
  /// Starts before this are suspicious (a zero or a wrong epoch).
  public static let earliestPlausibleStart = CivilTime.daysFromCivil(year: 1990, month: 1, day: 1) * CivilTime.millisPerDay

  private let diagnostics: Diagnostics
  private let duplicates: DuplicateIDFinder
  private let now: Int64
  public private(set) var summary = EventSummary()
  private var fileNames: [String] = []
  private let contentKey = ByteBuffer(capacity: 256)

  public init(diagnostics: Diagnostics, duplicateFinder: DuplicateIDFinder = DuplicateIDFinder(), now: Int64? = nil) {
    self.diagnostics = diagnostics
    duplicates = duplicateFinder
    if let now {
      self.now = now
    } else {
      var ts = timespec()
      clock_gettime(CLOCK_REALTIME, &ts)
      self.now = Int64(ts.tv_sec) * 1000
    }
  }

  public var fileCount: Int { fileNames.count }

  /// Starts a new input file; positions passed to `check` refer to it.
  public func beginFile(_ name: String) {
    fileNames.append(name)
  }

  /// Names that may stand in "source" and "kind": lower-case letters, digits, '_', '-', '.'.
  public static func isIdentifier(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { isIdentifier(UnsafeRawBufferPointer($0)) }
  }

  public static func isIdentifier(_ bytes: UnsafeRawBufferPointer) -> Bool {
    !bytes.isEmpty && bytes.allSatisfy { c in
      (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D || c == 0x2E
    }
  }

  /// Checks one event read at `position`; true when it is kept.
  @discardableResult
  public func check(_ event: Event, at position: SourcePosition, raw: UnsafeRawBufferPointer? = nil) throws -> Bool {
    guard try checkNames(source: event.source, kind: event.kind, position, raw) else { return false }
    let key = contentKey
    key.removeAll()
    key.append(event.source)
    key.append(0x1F)
    key.append(event.kind)
    key.append(0x1F)
    if let stream = event.stream { key.append(stream) }
    let content = checkTimes(start: event.start, duration: event.duration, position)
    try duplicates.add(id: event.id, fileIndex: fileNames.count - 1, line: position.line, content: content)
    summary.add(event)
    return true
  }

  /// `check` for a view (eid-validate's hot path): the same checks and summary, on bytes.
  @discardableResult
  public func check(_ view: EventView, at position: SourcePosition, raw: UnsafeRawBufferPointer? = nil) throws -> Bool {
    // A name already tallied was checked when it was first seen.
    let sourceIndex = tallyIndex(view.source), kindIndex = tallyIndex(view.kind)
    guard (sourceIndex != nil || EventValidator.isIdentifier(view.source)) && (kindIndex != nil || EventValidator.isIdentifier(view.kind)) else {
      return try checkNames(source: EventView.text(view.source), kind: EventView.text(view.kind), position, raw)
    }
    let key = contentKey
    key.removeAll()
    key.append(view.source)
    key.append(0x1F)
    key.append(view.kind)
    key.append(0x1F)
    if let stream = view.optionalString(Event.OptionalString.stream) { key.append(stream) }
    let content = checkTimes(start: view.start, duration: view.duration, position)
    try duplicates.add(id: view.id, fileIndex: fileNames.count - 1, line: position.line, content: content)
    summary.addTotals(start: view.start, duration: view.duration)
    if let index = sourceIndex ?? tallyIndexAdding(view.source) {
      tallies[index].asSource.add(view.duration)
    } else {
      summary.bySource[EventView.text(view.source), default: EventSummary.Tally()].add(view.duration)
    }
    if let index = kindIndex ?? tallyIndexAdding(view.kind) {
      tallies[index].asKind.add(view.duration)
    } else {
      summary.byKind[EventView.text(view.kind), default: EventSummary.Tally()].add(view.duration)
    }
    return true
  }

  private func checkNames(source: String, kind: String, _ position: SourcePosition, _ raw: UnsafeRawBufferPointer?) throws -> Bool {
    guard EventValidator.isIdentifier(source) && EventValidator.isIdentifier(kind) else {
      let (name, value) = EventValidator.isIdentifier(source) ? ("kind", kind) : ("source", source)
      try diagnostics.reject(
        EidolonError(.data, "\"\(name)\" must be a lower-case name (a-z, 0-9, _ - .), not \"\(value)\"", file: fileNames.last,
                     position: position),
        raw: raw)
      return false
    }
    return true
  }

  /// Warns about implausible times, and returns the content hash: of `contentKey` (source,
  /// kind and stream, already in it) and the times, what makes two events with one id
  /// the same event. (Bytes into one reused buffer: building it as an interpolated
  /// String took a tenth of eid-validate's instructions.)
  private func checkTimes(start: Int64, duration: Double, _ position: SourcePosition) -> UInt64 {
    let file = fileNames.last
    if start > now + CivilTime.millisPerDay {
      warn("starts in the future (\(Timestamp.canonical(start)))", file, position)
    }
    if start < EventValidator.earliestPlausibleStart {
      warn("starts before 1990 (\(Timestamp.canonical(start))): a wrong epoch or time unit?", file, position)
    }
    if duration > EventValidator.longDurationSeconds {
      warn("lasts \(SecondsText.hours(duration)), more than 7 days: a timer left running?", file, position)
    }
    let key = contentKey
    withUnsafeBytes(of: start) { key.append($0) }
    withUnsafeBytes(of: duration.bitPattern) { key.append($0) }
    return MurmurHash3.x64_128(key.bytes).0
  }

  /// The tallies of views' sources and kinds by the names' bytes, merged into the summary
  /// by `finish()`: a String and two dictionary lookups per event were a fifth of what
  /// eid-validate's own code spent.
  private var tallies: [(name: [UInt8], asSource: EventSummary.Tally, asKind: EventSummary.Tally)] = []

  private func tallyIndex(_ name: UnsafeRawBufferPointer) -> Int? {
    for index in tallies.indices where tallies[index].name.withUnsafeBytes({ $0.sameBytes(as: name) }) { return index }
    return nil
  }

  /// `tallyIndex`, adding the name when new: the first 32 names seen (checked) are kept
  /// here (real streams have a handful); any other goes to the summary's dictionaries.
  private func tallyIndexAdding(_ name: UnsafeRawBufferPointer) -> Int? {
    if let index = tallyIndex(name) { return index }
    guard tallies.count < 32 else { return nil }
    tallies.append((Array(name), EventSummary.Tally(), EventSummary.Tally()))
    return tallies.count - 1
  }

  private func warn(_ message: String, _ file: String?, _ position: SourcePosition) {
    summary.warnings += 1
    diagnostics.warn(message, file: file, position: position)
  }

  /// Reports repeated ids and returns the final summary.
  public func finish() throws -> EventSummary {
    try duplicates.finish { duplicate in
      let first = "\(fileNames[duplicate.firstFileIndex]):\(duplicate.firstLine)"
      let position = SourcePosition(line: duplicate.line, column: 1, byteOffset: 0)
      if duplicate.sameContent {
        // Real exports repeat events; one id for both lets the loader keep one.
        summary.repeatedEvents += 1
        warn("the same event as at \(first) (id \"\(duplicate.id)\"): a loader keeps one", fileNames[duplicate.fileIndex], position)
      } else {
        summary.duplicateIDs += 1
        diagnostics.error(EidolonError(
          .data, "duplicate id \"\(duplicate.id)\" (first at \(first)) on a different event", file: fileNames[duplicate.fileIndex],
          position: position))
      }
    }
    for tally in tallies {
      let name = String(decoding: tally.name, as: UTF8.self)
      if tally.asSource.events > 0 { summary.bySource[name, default: EventSummary.Tally()].add(tally.asSource) }
      if tally.asKind.events > 0 { summary.byKind[name, default: EventSummary.Tally()].add(tally.asKind) }
    }
    tallies.removeAll()
    summary.rejected = diagnostics.rejectCount
    return summary
  }
}
