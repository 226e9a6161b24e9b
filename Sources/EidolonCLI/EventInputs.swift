import Eidolon

/// Reads Eidolon NDJSON from each input in turn, the way every tool that takes
/// a canonical stream does: opened with gzip detection, bad lines rejected through
/// `diagnostics`, progress updated.
public struct EventInputs {
  public let paths: [String]
  public let diagnostics: Diagnostics
  public let progress: Progress
  public var readerOptions = EidolonNDJSONReader.Options()

  public init(paths: [String], diagnostics: Diagnostics, progress: Progress) {
    self.paths = paths
    self.diagnostics = diagnostics
    self.progress = progress
    diagnostics.beforeMessage = { [progress] in progress.clear() }
  }

  /// Calls `body` for each event with the reader it came from (for its file and position).
  /// A record error from `body` (a writer that refuses the event) rejects the input line.
  public func forEach(_ body: (Event, EidolonNDJSONReader) throws -> Void) throws {
    try forEachRecord({ try $0.next() }, body)
  }

  /// `forEach` with each event as a view, valid only until `body` returns (EventView).
  public func forEachView(_ body: (EventView, EidolonNDJSONReader) throws -> Void) throws {
    try forEachRecord({ try $0.nextView() }, body)
  }

  private func forEachRecord<Record>(_ next: (EidolonNDJSONReader) throws -> Record?,
                                     _ body: (Record, EidolonNDJSONReader) throws -> Void) throws {
    var records = 0
    var bytesBefore: Int64 = 0
    for path in paths {
      let reader = EidolonNDJSONReader(input: try InputOpener.open(path), diagnostics: diagnostics, options: readerOptions)
      while let event = try next(reader) {
        records += 1
        progress.update(records: records, bytes: bytesBefore + reader.bytesRead)
        do {
          try body(event, reader)
        } catch var error as EidolonError where error.isRecordError {
          if error.file == nil { error.file = reader.fileName }
          if error.position == nil { error.position = reader.lastPosition }
          try diagnostics.reject(error, raw: reader.lastRaw)
        }
      }
      bytesBefore += reader.bytesRead
    }
    progress.clear()
  }
}
