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
    !text.isEmpty && text.utf8.allSatisfy { c in
      (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D || c == 0x2E
    }
  }

  /// Checks one event read at `position`; true when it is kept.
  @discardableResult
  public func check(_ event: Event, at position: SourcePosition, raw: UnsafeRawBufferPointer? = nil) throws -> Bool {
    let file = fileNames.last
    guard EventValidator.isIdentifier(event.source) && EventValidator.isIdentifier(event.kind) else {
      let (name, value) = EventValidator.isIdentifier(event.source) ? ("kind", event.kind) : ("source", event.source)
      try diagnostics.reject(
        EidolonError(.data, "\"\(name)\" must be a lower-case name (a-z, 0-9, _ - .), not \"\(value)\"", file: file, position: position),
        raw: raw)
      return false
    }
    if event.start > now + CivilTime.millisPerDay {
      warn("starts in the future (\(Timestamp.canonical(event.start)))", file, position)
    }
    if event.start < EventValidator.earliestPlausibleStart {
      warn("starts before 1990 (\(Timestamp.canonical(event.start))): a wrong epoch or time unit?", file, position)
    }
    if event.duration > EventValidator.longDurationSeconds {
      warn("lasts \(EventSummary.hours(event.duration)), more than 7 days: a timer left running?", file, position)
    }
    try duplicates.add(id: event.id, fileIndex: fileNames.count - 1, line: position.line,
                       content: contentHash(event))
    summary.add(event)
    return true
  }

  /// What makes two events with one id the same event: when, how long, from where.
  /// (Bytes into one reused buffer: building it as an interpolated String took a tenth
  /// of eid-validate's instructions.)
  func contentHash(_ event: Event) -> UInt64 {
    let key = contentKey
    key.removeAll()
    key.append(event.source)
    key.append(0x1F)
    key.append(event.kind)
    key.append(0x1F)
    if let stream = event.stream { key.append(stream) }
    key.append(0x1F)
    withUnsafeBytes(of: event.start) { key.append($0) }
    withUnsafeBytes(of: event.duration.bitPattern) { key.append($0) }
    return MurmurHash3.x64_128(key.bytes).0
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
    summary.rejected = diagnostics.rejectCount
    return summary
  }
}
