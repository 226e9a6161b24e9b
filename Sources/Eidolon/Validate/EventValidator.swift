/// eid-validate's run-wide part: events that passed `EventCheck` are merged in input
/// order into the summary and the duplicate-id check (ids unique across all inputs).
/// `check` does both halves for one event (a caller on one thread); eid-validate's
/// blocks are checked on two cores and merged here (`NDJSONValidation`).
public final class EventValidator {
  private let diagnostics: Diagnostics
  private let duplicates: DuplicateIDFinder
  /// The checks for events handed to `check` one at a time.
  let checks: EventCheck
  private let pending = CheckedEvents()
  public private(set) var summary = EventSummary()
  private var fileNames: [String] = []

  public init(diagnostics: Diagnostics, duplicateFinder: DuplicateIDFinder = DuplicateIDFinder(), now: Int64? = nil) {
    self.diagnostics = diagnostics
    duplicates = duplicateFinder
    checks = EventCheck(diagnostics: diagnostics, now: now)
  }

  public var fileCount: Int { fileNames.count }

  /// The time "now" of the checks (starts after it warn), for checks made on other threads.
  public var now: Int64 { checks.now }

  /// Starts a new input file; positions passed to `check` and `merge` refer to it.
  @discardableResult
  public func beginFile(_ name: String) -> Int {
    fileNames.append(name)
    checks.fileName = name
    return fileNames.count - 1
  }

  /// Checks one event read at `position`; true when it is kept.
  @discardableResult
  public func check(_ event: Event, at position: SourcePosition, raw: UnsafeRawBufferPointer? = nil) throws -> Bool {
    let kept = try checks.check(event, at: position, raw: raw, into: pending)
    try mergePending()
    return kept
  }

  /// `check` for a view.
  @discardableResult
  public func check(_ view: EventView, at position: SourcePosition, raw: UnsafeRawBufferPointer? = nil) throws -> Bool {
    let kept = try checks.check(view, at: position, raw: raw, into: pending)
    try mergePending()
    return kept
  }

  private func mergePending() throws {
    try merge(pending, fileIndex: fileNames.count - 1)
    pending.removeAll()
  }

  /// Tallies by source and kind, by name: sums added in input order, as `merge` is called.
  private var tallies: [(name: [UInt8], asSource: EventSummary.Tally, asKind: EventSummary.Tally)] = []
  private var tallyIndexes: [[UInt8]: Int] = [:]
  /// The tally of each slot of the names of the events being merged.
  private var slotTallies: [Int] = []

  /// Adds events checked elsewhere (of the file `beginFile` numbered `fileIndex`), in input order.
  public func merge(_ events: CheckedEvents, fileIndex: Int) throws {
    // Each block has a table of its own (a few names): looked up once per merge.
    slotTallies.removeAll(keepingCapacity: true)
    for slot in 0..<events.nameCount {
      let name = Array(events.name(slot))
      if let index = tallyIndexes[name] {
        slotTallies.append(index)
      } else {
        tallyIndexes[name] = tallies.count
        slotTallies.append(tallies.count)
        tallies.append((name, EventSummary.Tally(), EventSummary.Tally()))
      }
    }
    for record in events.records {
      summary.addTotals(start: record.start, duration: record.duration)
      tallies[slotTallies[Int(record.source)]].asSource.add(record.duration)
      tallies[slotTallies[Int(record.kind)]].asKind.add(record.duration)
    }
    try duplicates.add(events, fileIndex: fileIndex)
    summary.warnings += events.warnings
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
