import Eidolon

/// The loop the reading tools share: every event a reader hands out that `keeps` (their
/// --since and --until) takes, written as Eidolon NDJSON. A reader that hands out views
/// is read as views: each was checked against the spec and its canonical line written by
/// the reader, so the line is copied as it stands; any other reader's events get the
/// writer's own check (a refusal is a rejected record). A CSV reader whose rows can go to
/// blocks, and ManicTime's XML, are read on both cores (`BothCores`).
public enum ReaderToolLoop {
  /// Adds the events written to `events`; `bytesBefore` is what earlier inputs read, for
  /// the progress line.
  public static func copy(_ reader: EventReader, bytesRead: () -> Int64, to writer: EidolonNDJSONWriter, keeping keeps: @escaping @Sendable (Int64) -> Bool,
                          file: String, diagnostics: Diagnostics, progress: Progress, events: inout Int, bytesBefore: Int64) throws {
    if let xmlReader = reader as? ManicTimeXMLReader {
      try BothCores(diagnostics: diagnostics, keeping: keeps, progress: progress)
        .copy(xmlReader, file: file, to: writer.sink, events: &events, bytesBefore: bytesBefore)
    } else if let blockReader = reader as? CSVRowBlockReading {
      try BothCores(diagnostics: diagnostics, keeping: keeps, progress: progress)
        .copy(blockReader, bytesRead: bytesRead, to: writer.sink, events: &events, bytesBefore: bytesBefore)
    } else if let viewReader = reader as? EventViewReader {
      while let view = try viewReader.nextView() {
        progress.update(records: events, bytes: bytesBefore + bytesRead())
        guard keeps(view.start) else { continue }
        try writer.write(view)
        events += 1
      }
    } else {
      while let event = try reader.next() {
        progress.update(records: events, bytes: bytesBefore + bytesRead())
        guard keeps(event.start) else { continue }
        guard try diagnostics.write(event, to: writer, file: file, position: nil) else { continue }
        events += 1
      }
    }
  }
}
