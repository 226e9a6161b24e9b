/// Reads the account's "your data" export, rescuetime-activity-history.csv: no header,
/// six columns `"2017-09-22 13:00:00 -0700","telegram","No Details","Communication &
/// Scheduling","Instant Message","526"` (start with its offset, activity, details,
/// category, sub-category, seconds), into "summary" events (formats/rescuetime.md).
public final class RescueTimeHistoryReader: EventReader, RescueTimeReaderCounts {
  private let csv: CSVReader
  private let diagnostics: Diagnostics
  private let zone: ZoneConverter?
  private var repeats = RescueTimeRepeats()
  private let scratch = ByteBuffer(capacity: 256)

  init(input: ByteReader, diagnostics: Diagnostics, options: RescueTimeReadOptions) {
    csv = CSVReader(input: input)
    self.diagnostics = diagnostics
    zone = options.zoneIdentifier.flatMap(ZoneConverter.init(identifier:))
  }

  public var bytesRead: Int64 { csv.bytesRead }

  public func next() throws -> Event? {
    while true {
      guard try csv.next(rejectingBadLinesTo: diagnostics) else { return nil }
      do {
        let event = try event()
        try EventSpec.check(event)
        return event
      } catch var error as EidolonError where error.isRecordError {
        error.file = csv.fileName
        if error.position == nil { error.position = SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0) }
        try diagnostics.reject(error, raw: csv.rawRecord)
      }
    }
  }

  private func event() throws -> Event {
    guard csv.fieldCount == 6 else {
      throw EidolonError(.data, "an activity-history row has 6 columns (start, activity, details, category, sub-category, seconds), not \(csv.fieldCount)")
    }
    // The CSV reader has checked the record is UTF-8 (it rejects one that is not).
    let cells = (0..<6).map { csv.string($0) }
    let startText = cells[0]
    guard let stamp = RescueTimeHistoryReader.parseStart(startText), let fileOffset = stamp.offsetSeconds else {
      throw EidolonError(.data, "the start \"\(startText)\" is not a time with its offset (2017-09-22 13:00:00 -0700)")
    }
    guard let seconds = InputNumber.decimal(cells[5].trimmingSpaces()), seconds >= 0 else {
      throw EidolonError(.data, "the seconds \"\(cells[5])\" are not a number of seconds")
    }
    var event = Event(id: "", source: "rescuetime", kind: "summary", start: stamp.epochMillis, duration: seconds)
    var attrs = JSONObject()
    event.offset = Timestamp.formatOffset(fileOffset)
    if let zone {
      // --tz: the wall-clock part is taken as the zone's; the file's offset is kept when
      // it disagrees (the export may write one offset all year).
      let (millis, resolution) = zone.toUTCMillis(stamp.local)
      if let warning = zone.warning("the start \(startText)", resolution) {
        diagnostics.warn(warning, file: csv.fileName, position: SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0))
      }
      let offset = zone.offset(atMillis: millis)
      event.start = millis
      event.offset = Timestamp.formatOffset(offset)
      if offset != fileOffset { attrs["export_offset"] = .string(Timestamp.formatOffset(fileOffset)) }
    }
    if !cells[1].isEmpty {
      event.app = cells[1]
      if WebDomain.looksLikeDomain(cells[1]) { event.url = cells[1] }
    }
    if !cells[2].isEmpty && cells[2] != RescueTimeActivity.noDetails { event.title = cells[2] }
    if !cells[3].isEmpty { event.category = cells[3] }
    if !cells[4].isEmpty { event.subcategory = cells[4] }
    event.attrs = attrs
    // Ids: the start as written, the names, and the how-manieth such row at that start.
    scratch.removeAll()
    scratch.append("history")
    for cell in cells[0..<5] {
      scratch.append(0x1F)
      scratch.append(cell)
    }
    repeats.mark(scratch, bucket: startText)
    event.id = EventID.make(prefix: "rescuetime", joinedFields: scratch.bytes)
    return event
  }

  /// "2017-09-22 13:00:00 -0700": RFC 3339 but for the space before the offset.
  static func parseStart(_ text: String) -> ParsedTimestamp? {
    var bytes = Array(text.trimmingSpaces().utf8)
    if bytes.count > 20, bytes[19] == 0x20, bytes[20] == UInt8(ascii: "+") || bytes[20] == UInt8(ascii: "-") {
      bytes.remove(at: 19)
    }
    var error = ""
    return bytes.withUnsafeBytes { Timestamp.parse($0, error: &error) }
  }
}
