/// Tells which tracker wrote a file from its first 4 KB (after gzip), for `eidolon`
/// commands run without --from and for `migrate assess` (formats/migration.md,
/// "Finding the format"). Each format's own reader then picks its variant.
public enum FormatDetector {
  public struct Finding: Sendable, Equatable {
    /// A FormatRegistry reader name.
    public var format: String
    /// The variant the format's reader will read ("api-json", "csv", "export", ...).
    public var variant: String
  }

  /// JSON keys that only one tracker writes near the top of its files.
  static let jsonMarkers: [(format: String, keys: [String])] = [
    ("activitywatch", ["\"buckets\"", "\"hostname\"", "\"aw-watcher", "\"currentwindow\"", "\"afkstatus\""]),
    ("rescuetime", ["\"row_headers\"", "\"productivity_pulse\"", "\"total_duration_formatted\""]),
    ("toggl", ["\"workspace_id\"", "\"time_entries\"", "\"total_grand\"", "\"tag_ids\"", "\"project_id\"", "\"wid\""]),
    ("manictime", ["\"timelineId\"", "\"timelineType\"", "\"entities\"", "\"timelineKey\""]),
  ]

  public static func detect(path: String) throws -> Finding? {
    if path != InputOpener.stdinName, ManicTimeDatabaseReader.isDatabase(path: path) {
      return Finding(format: "manictime", variant: "database")
    }
    return try detect(try InputOpener.open(path))
  }

  /// Peeks at `input` without consuming it.
  public static func detect(_ input: ByteReader) throws -> Finding? {
    let head = try input.peekPastBOM(4096)
    let text = String(decoding: head, as: UTF8.self)
    guard let first = ByteReader.firstSignificantByte(head) else { return nil }
    if first == UInt8(ascii: "<") { return Finding(format: "manictime", variant: "xml") }
    if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
      // Eidolon NDJSON: one object per line, its own fields first.
      let firstLine = text.prefix { $0 != "\n" }
      if firstLine.hasPrefix("{"), firstLine.contains("\"source\":"), firstLine.contains("\"kind\":"),
        firstLine.contains("\"start\":"), firstLine.contains("\"id\":")
      {
        return Finding(format: "eidolon", variant: "ndjson")
      }
      // The first object's own keys say most, however the file is laid out.
      if let format = format(ofKeys: firstObjectKeys(head)) {
        return Finding(format: format, variant: try variant(of: format, input))
      }
      // Else any marker in the head; the one that comes first wins (an ActivityWatch
      // title may quote anything later).
      var best: (format: String, at: String.Index)?
      for (format, keys) in jsonMarkers {
        for key in keys {
          if let range = text.range(of: key), best == nil || range.lowerBound < best!.at { best = (format, range.lowerBound) }
        }
      }
      guard let format = best?.format else { return nil }
      return Finding(format: format, variant: try variant(of: format, input))
    }
    let header = text.prefix { $0 != "\n" && $0 != "\r" }
    if header.contains("Time Spent (seconds)") { return Finding(format: "rescuetime", variant: "api-csv") }
    if try RescueTimeReader.detect(input) == .accountExport { return Finding(format: "rescuetime", variant: "account-export") }
    if header.contains("Start date") && header.contains("Duration") { return Finding(format: "toggl", variant: "csv") }
    let cells = header.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: ["\"", " "]) }
    if cells.starts(with: ["Name", "Start", "End"]) { return Finding(format: "manictime", variant: "csv") }
    if ManicTimeTimesheetReader.isTimesheet(headerLine: String(header)) { return Finding(format: "manictime", variant: "timesheet") }
    return nil
  }

  /// Keys of one object that only one tracker's records or files have, for each format
  /// whose JSON a reader takes: the top-level object's keys, or a record's (the first
  /// element of a top-level array).
  static let keyMarkers: [(format: String, all: Set<String>, any: Set<String>)] = [
    ("activitywatch", [], ["buckets"]),
    ("activitywatch", ["timestamp", "duration", "data"], []),  // a bucket's events
    ("activitywatch", ["hostname", "events"], ["client", "type"]),  // one bucket
    ("toggl", [], ["total_grand", "time_entries"]),
    // v9 time entries, Reports API v2 details entries (`data` saved alone), v3 entries.
    ("toggl", ["start"], ["workspace_id", "wid", "duronly", "tag_ids", "server_deleted_at", "dur", "use_stop", "is_billable", "at_tz"]),
    ("rescuetime", [], ["row_headers", "productivity_pulse", "total_duration_formatted"]),
    ("manictime", [], ["timelineId", "timelineType", "timelineKey", "timelines", "entities"]),
  ]

  static func format(ofKeys keys: Set<String>) -> String? {
    keyMarkers.first { $0.all.isSubset(of: keys) && ($0.any.isEmpty || !$0.any.isDisjoint(with: keys)) }?.format
  }

  /// The keys of the first object in `head`: the top-level object's, or the first
  /// element's of a top-level array, as far as `head` reaches.
  static func firstObjectKeys(_ head: UnsafeRawBufferPointer) -> Set<String> {
    let tokenizer = JSONTokenizer(fileName: "head")
    tokenizer.reset(line: head, lineNumber: 1, offset: 0)
    var keys: Set<String> = []
    do {
      var token = try tokenizer.next()
      if token == .beginArray { token = try tokenizer.next() }
      guard token == .beginObject else { return keys }
      while try tokenizer.next() == .key {
        keys.insert(tokenizer.stringValue())
        let value = try tokenizer.next()
        if value == .beginObject || value == .beginArray { try tokenizer.skipContainer() }
      }
    } catch {
      // The head ends inside the object: the keys so far.
    }
    return keys
  }

  private static func variant(of format: String, _ input: ByteReader) throws -> String {
    switch format {
    case "rescuetime": return try RescueTimeReader.detect(input).rawValue
    case "manictime": return try ManicTimeReader.detect(input).rawValue
    case "toggl": return "api-json"
    default: return "export"
    }
  }

  /// The message for a file no marker matched.
  public static func unknownMessage(_ path: String) -> String {
    "cannot tell which tracker wrote \(InputOpener.displayName(path)); give --from (\(FormatRegistry.readers.map(\.name).joined(separator: ", ")))"
  }
}
