/// Reads Eidolon NDJSON v1 (formats/eidolon-ndjson.md): one event object a line.
///
/// A line that is not a valid event is rejected through `Diagnostics` with its
/// line and column, and reading goes on with the next line. Blank lines are skipped.
/// A line from a newer format version, or a line past the length limit, stops the read.
public final class EidolonNDJSONReader: EventReader, EventViewReader {
  public struct Options: Sendable {
    /// Rejects a start not written exactly as `YYYY-MM-DDTHH:MM:SS.mmmZ` (eid-validate).
    public var requireCanonicalStart = false
    /// False reads every line with the full decoder: the reference the canonical
    /// scanner is tested against (tests, the ndjson-view fuzz target).
    public var scansCanonicalLines = true
    public init() {}
  }

  public static let formatVersion = 1

  private let input: ByteReader
  private let diagnostics: Diagnostics
  private let options: Options
  private let tokenizer: JSONTokenizer
  /// What `nextView()` fills, and the canonical line of an event it had to decode.
  private let view = EventView()
  private let canonicalLine = ByteBuffer(capacity: 4096)
  /// Where the last event handed out starts.
  public private(set) var lastPosition = SourcePosition(line: 0, column: 1, byteOffset: 0)
  /// The last event's line as it stands in the input; good until the next call.
  public private(set) var lastRaw = UnsafeRawBufferPointer(start: nil, count: 0)
  public var fileName: String { input.name }
  /// Lines that held an event or were rejected (blank lines not counted).
  public private(set) var recordCount = 0

  public init(input: ByteReader, diagnostics: Diagnostics, options: Options = Options()) {
    self.input = input
    self.diagnostics = diagnostics
    self.options = options
    tokenizer = JSONTokenizer(fileName: input.name)
  }

  /// Bytes of input consumed so far (decompressed).
  public var bytesRead: Int64 { input.consumedOffset }

  public func next() throws -> Event? {
    while let line = try nextLine() {
      // A canonical line is checked by the scanner, faster than the full decoder; the
      // event made of its view is the one the decoder makes (EventView.makeEvent).
      if options.scansCanonicalLines && CanonicalLineScanner.scan(line, into: view) { return try view.makeEvent() }
      do {
        return try decodeEvent()
      } catch let error as EidolonError where error.isRecordError {
        try diagnostics.reject(error, raw: line)
      }
    }
    return nil
  }

  /// The next event as a view over the input, valid until the next call (EventView).
  /// A line already in the canonical form is scanned where it lies; any other goes
  /// through the full decoder (whose errors reject the line, as in `next()`), and the
  /// view is over the canonical line written for the event it made.
  public func nextView() throws -> EventView? {
    while let line = try nextLine() {
      if let view = try view(of: line) { return view }
    }
    return nil
  }

  /// The view of `line`, the last `nextLine()` gave, as `nextView()` makes it; nil when
  /// it is rejected (told to the diagnostics).
  func view(of line: UnsafeRawBufferPointer) throws -> EventView? {
    if options.scansCanonicalLines && CanonicalLineScanner.scan(line, into: view) {
      view.inputIsCanonical = true
      return view
    }
    do {
      let event = try decodeEvent()
      try fillView(from: event, input: line)
      return view
    } catch let error as EidolonError where error.isRecordError {
      try diagnostics.reject(error, raw: line)
      return nil
    }
  }

  /// The next line that is not blank, with the tokenizer set to it (a reader that looks
  /// at a line's bytes first, then maybe at its `view(of:)`); good until the next call.
  func nextLine() throws -> UnsafeRawBufferPointer? {
    while true {
      let offset = input.consumedOffset
      guard let line = try input.readLine() else { return nil }
      if isBlank(line) { continue }
      recordCount += 1
      lastPosition = SourcePosition(line: input.lineNumber, column: 1, byteOffset: offset)
      lastRaw = line
      tokenizer.reset(line: line, lineNumber: input.lineNumber, offset: offset)
      return line
    }
  }

  private func fillView(from event: Event, input line: UnsafeRawBufferPointer) throws {
    try view.fill(from: event, line: canonicalLine)
    view.inputIsCanonical = line.sameBytes(as: canonicalLine.bytes)
  }

  private func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
    for byte in line where byte != 0x20 && byte != 0x09 && byte != 0x0D { return false }
    return true
  }

  private func fail(_ message: String, at position: SourcePosition? = nil) -> EidolonError {
    EidolonError(.data, message, file: input.name, position: position ?? tokenizer.tokenPosition)
  }

  private func expectString(_ token: JSONToken, _ field: String) throws -> String {
    guard token == .string else { throw fail("\"\(field)\" must be a string, not \(token.description)") }
    return tokenizer.stringValue()
  }

  private func decodeEvent() throws -> Event {
    guard try tokenizer.next() == .beginObject else {
      throw fail("each line must be a JSON object (an event)")
    }
    var event = Event(id: "", source: "", kind: "", start: 0, duration: 0)
    var seen: UInt32 = 0  // a bit per field, to refuse duplicates
    while true {
      let token = try tokenizer.next()
      if token == .endObject { break }
      let keyPosition = tokenizer.tokenPosition
      guard let field = EidolonField.match(tokenizer) else {
        throw fail("unknown field \"\(tokenizer.stringValue())\": source fields belong in \"attrs\"", at: keyPosition)
      }
      let bit = EidolonNDJSONReader.bit(for: field)
      guard seen & bit == 0 else {
        throw fail("duplicate field \"\(tokenizer.stringValue())\"", at: keyPosition)
      }
      seen |= bit
      let value = try tokenizer.next()
      if value == .null, !EidolonNDJSONReader.isRequired(field) { continue }
      switch field {
      case .id: event.id = try expectString(value, "id")
      case .source: event.source = try expectString(value, "source")
      case .kind: event.kind = try expectString(value, "kind")
      case .start: event.start = try decodeStart(value)
      case .duration: event.duration = try decodeDuration(value)
      case .string(let index):
        event.setOptionalString(index, try expectString(value, Event.optionalStringNames[index]))
      case .productivity: event.productivity = try decodeProductivity(value)
      case .tags: event.tags = try decodeTags(value)
      case .billable:
        guard case .bool(let b) = value else { throw fail("\"billable\" must be true or false") }
        event.billable = b
      case .offset:
        let text = try expectString(value, "offset")
        guard Timestamp.parseOffset(text) != nil else {
          throw fail("\"offset\" must look like +02:00 or -05:30, not \"\(text)\"")
        }
        event.offset = text
      case .attrs:
        guard value == .beginObject else { throw fail("\"attrs\" must be an object") }
        event.attrs = try tokenizer.readObjectMembers()
      case .version:
        try checkVersion(value)
      }
    }
    guard try tokenizer.next() == .end else { throw fail("unexpected data after the event object") }
    let required: [(EidolonField, String)] = [(.id, "id"), (.source, "source"), (.kind, "kind"), (.start, "start"), (.duration, "duration")]
    for (field, name) in required where seen & EidolonNDJSONReader.bit(for: field) == 0 {
      throw fail("missing required field \"\(name)\"", at: lastPosition)
    }
    if event.id.isEmpty { throw fail("\"id\" must not be empty", at: lastPosition) }
    if event.source.isEmpty { throw fail("\"source\" must not be empty", at: lastPosition) }
    if event.kind.isEmpty { throw fail("\"kind\" must not be empty", at: lastPosition) }
    if let reason = EventSpec.problem(event, attrsNumbers: false) { throw fail(reason, at: lastPosition) }
    return event
  }

  private static func isRequired(_ field: EidolonField) -> Bool {
    switch field {
    case .id, .source, .kind, .start, .duration: return true
    default: return false
    }
  }

  private static func bit(for field: EidolonField) -> UInt32 {
    switch field {
    case .id: return 1 << 0
    case .source: return 1 << 1
    case .kind: return 1 << 2
    case .start: return 1 << 3
    case .duration: return 1 << 4
    case .productivity: return 1 << 5
    case .tags: return 1 << 6
    case .billable: return 1 << 7
    case .offset: return 1 << 8
    case .attrs: return 1 << 9
    case .version: return 1 << 10
    case .string(let index): return 1 << UInt32(11 + index)
    }
  }

  private func decodeStart(_ token: JSONToken) throws -> Int64 {
    guard token == .string else { throw fail("\"start\" must be an RFC 3339 string, not \(token.description)") }
    var reason = ""
    guard let parsed = Timestamp.parse(tokenizer.text.bytes, error: &reason) else {
      throw fail("\"start\" is not an RFC 3339 timestamp: \(reason)")
    }
    guard parsed.offsetSeconds != nil else {
      throw fail("\"start\" has no UTC offset: write it in UTC with a trailing Z")
    }
    guard parsed.subMillisecondNanos == 0 else {
      throw fail("\"start\" is finer than a millisecond; the canonical start has millisecond precision (keep the source's timestamp in attrs)")
    }
    if options.requireCanonicalStart && !Timestamp.isCanonical(tokenizer.text.bytes) {
      throw fail("\"start\" is not in canonical form: write it as UTC with 3 fraction digits, like \(Timestamp.canonical(parsed.epochMillis))")
    }
    let millis = parsed.epochMillis
    guard millis >= Timestamp.minMillis && millis <= Timestamp.maxMillis else {
      throw fail("\"start\" falls outside the years 0001 to 9999 once converted to UTC")
    }
    return millis
  }

  private func decodeDuration(_ token: JSONToken) throws -> Double {
    guard token == .number else { throw fail("\"duration\" must be a number of seconds, not \(token.description)") }
    guard let value = tokenizer.doubleValue() else { throw fail("\"duration\" is too large") }
    guard value >= 0 else { throw fail("\"duration\" must not be negative (\(tokenizer.stringValue()))") }
    if let reason = EventSpec.durationProblem(value) { throw fail(reason) }
    return value
  }

  private func decodeProductivity(_ token: JSONToken) throws -> Int {
    guard token == .number, let value = tokenizer.int64Value(), (-2...2).contains(value) else {
      throw fail("\"productivity\" must be a whole number from -2 to 2")
    }
    return Int(value)
  }

  private func decodeTags(_ token: JSONToken) throws -> [String] {
    guard token == .beginArray else { throw fail("\"tags\" must be an array of strings") }
    var tags: [String] = []
    while true {
      let item = try tokenizer.next()
      if item == .endArray { return tags }
      guard item == .string else { throw fail("\"tags\" must hold only strings") }
      tags.append(tokenizer.stringValue())
    }
  }

  private func checkVersion(_ token: JSONToken) throws {
    guard token == .number, let version = tokenizer.int64Value() else {
      throw fail("\"v\" must be the format version number")
    }
    if version != Int64(EidolonNDJSONReader.formatVersion) {
      // Not one bad record: the whole stream is of a version this tool cannot read.
      throw EidolonError(
        .unsupported, "this stream is Eidolon NDJSON v\(version); this tool reads v\(EidolonNDJSONReader.formatVersion): use a newer Eidolon",
        file: input.name, position: tokenizer.tokenPosition)
    }
  }
}
