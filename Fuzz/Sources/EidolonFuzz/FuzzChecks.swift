#if canImport(Glibc)
import Glibc
#endif
import Eidolon

/// What each target does with one input, and the invariants it holds the code to. A
/// broken invariant is a crash on purpose (fatalError), so libFuzzer keeps the input.
enum FuzzChecks {
  static let devNull = open("/dev/null", O_WRONLY)

  static func quietDiagnostics() -> Diagnostics {
    let diagnostics = Diagnostics(toolName: "fuzz", messageLimit: 1)
    diagnostics.messageHandler = { _ in }
    return diagnostics
  }

  /// Reads every event the format's reader makes of `bytes` (in small chunks, so every
  /// buffer boundary is met), and holds each to the spec and to an NDJSON round trip.
  static func readAll(_ bytes: [UInt8], format: String, settings: [String: String]) {
    guard let reader = FormatRegistry.reader(named: format) else { fatalError("no reader \(format)") }
    let diagnostics = quietDiagnostics()
    // Small reads meet every buffer boundary; on big inputs they only cost time.
    let chunk = bytes.count < 4096 ? 1 + Int(bytes.first ?? 0) % 64 : 4096
    let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "fuzz", capacity: 64)
    guard let events = try? reader.make(input, diagnostics, settings) else { return }
    var count = 0
    let lineDiagnostics = quietDiagnostics()
    while count < 100_000, let event = try? events.next() {
      count += 1
      check(event, from: format, diagnostics: lineDiagnostics)
    }
  }

  /// The spec holds, and the event's NDJSON line reads back as the same event.
  /// (One Diagnostics for all of an input's events: each holds a 320 KB output buffer,
  /// which made a target ten times slower under ASan.)
  static func check(_ event: Event, from format: String, diagnostics: Diagnostics) {
    if let problem = EventSpec.problem(event) { fatalError("\(format) handed out an event the spec refuses: \(problem)") }
    let line = ByteBuffer(capacity: 512)
    EidolonNDJSONWriter.append(event, to: line)
    let rejectedBefore = diagnostics.rejectCount
    let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(Array(line.bytes)), name: "line", capacity: 4096), diagnostics: diagnostics)
    guard let back = try? reader.next(), diagnostics.rejectCount == rejectedBefore else {
      fatalError("\(format): the NDJSON writer wrote a line its reader refuses: \(String(decoding: line.bytes, as: UTF8.self))")
    }
    if back != event { fatalError("\(format): the event changed through NDJSON: \(String(decoding: line.bytes, as: UTF8.self))") }
  }

  /// The NDJSON reader's ways, line by line, against its full decoder alone: a view (the
  /// canonical scanner, or the full decoder behind it) and `next()` with the scanner make
  /// the same event, the view's canonical line is the writer's line for that event, it
  /// calls the input canonical exactly when the input is that line; all reject the same lines.
  /// eid-validate's and eid-transform's blocks on two threads against one thread reading
  /// the lines in turn: the same messages in the same order, the same summary, output and
  /// counts, the same stop. The block size (1 to 64 bytes), whether the bytes are one input
  /// or two halves, a --source filter and --strict come from the input's last byte.
  static func validateBlocks(_ bytes: [UInt8]) {
    let pick = Int(bytes.last ?? 0)
    let halves = pick & 64 != 0 ? [Array(bytes[..<(bytes.count / 2)]), Array(bytes[(bytes.count / 2)...])] : [bytes]
    let now: Int64 = 1_735_689_600_000  // 2025-01-01
    func outcome(_ body: (EventValidator, Diagnostics, EidolonNDJSONReader.Options) throws -> Void) -> [String] {
      let diagnostics = Diagnostics(toolName: "fuzz", messageLimit: 0)
      var messages: [String] = []
      diagnostics.messageHandler = { messages.append($0) }
      let validator = EventValidator(diagnostics: diagnostics, duplicateFinder: DuplicateIDFinder(chunkBytes: 512), now: now)
      var options = EidolonNDJSONReader.Options()
      options.requireCanonicalStart = true
      do {
        try body(validator, diagnostics, options)
        messages.append(try validator.finish().json())
      } catch {
        messages.append("stopped: \(error)")
      }
      return messages
    }
    let inTurn = outcome { validator, diagnostics, options in
      for (index, half) in halves.enumerated() {
        let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(half), name: "part\(index)"), diagnostics: diagnostics,
                                         options: options)
        validator.beginFile(reader.fileName)
        while let view = try reader.nextView() { try validator.check(view, at: reader.lastPosition, raw: reader.lastRaw) }
      }
    }
    let inBlocks = outcome { validator, diagnostics, options in
      try NDJSONValidation(validator: validator, diagnostics: diagnostics, options: options, blockBytes: 1 + pick % 64)
        .run(inputs: halves.enumerated().map { index, half in { ByteReader(source: MemorySource(half), name: "part\(index)") } })
    }
    if inTurn != inBlocks { fatalError("the blocks told another story than one thread:\n\(inTurn)\n\(inBlocks)") }
    // eid-transform's view path the same way: output bytes, messages, counts, stop.
    var options = TransformOptions()
    if pick & 128 != 0 { options.sources = ["toggl"] }
    func passed(_ body: (EventTransformer, OutputSink, Diagnostics) throws -> Void) -> ([String], [UInt8]) {
      let diagnostics = Diagnostics(toolName: "fuzz", strict: pick & 32 != 0, messageLimit: 0)
      var messages: [String] = []
      diagnostics.messageHandler = { messages.append($0) }
      let output = written { sink in
        let transformer = EventTransformer(options: options, writer: EidolonNDJSONWriter(sink: sink))
        do { try body(transformer, sink, diagnostics) } catch { messages.append("stopped: \(error)") }
        messages.append("\(transformer.eventsIn) in, \(transformer.eventsOut) out")
      }
      return (messages, output)
    }
    let passedInTurn = passed { transformer, sink, diagnostics in
      for (index, half) in halves.enumerated() {
        let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(half), name: "part\(index)"), diagnostics: diagnostics)
        while let view = try reader.nextView() { try transformer.pass(view, to: sink) }
      }
    }
    let passedInBlocks = passed { transformer, sink, diagnostics in
      try transformer.passAll(halves.enumerated().map { index, half in { ByteReader(source: MemorySource(half), name: "part\(index)") } },
                              to: sink, diagnostics: diagnostics, blockBytes: 1 + pick % 64)
    }
    if passedInTurn != passedInBlocks { fatalError("eid-transform's blocks passed another stream than one thread") }
  }

  /// aw-read's blocks (`BothCores`: events cut on one thread, read on two, merged in
  /// order) against the reader handing out views in turn (`compareBlocks`).
  static func activityWatchBlocks(_ bytes: [UInt8]) {
    compareBlocks(bytes, what: "aw-read's blocks", make: { ActivityWatchReader(input: $0, diagnostics: $1) },
                  views: { try $0.nextView() }, end: { "\($0.bucketCount) buckets" }) {
      try $0.copy($1, to: $2, events: &$3, bytesBefore: 0)
    }
  }

  /// toggl-read's, mt-read's and rt-read's blocks (`BothCores`: records parsed on one
  /// thread, rows turned into lines on two, merged in order) against the reader handing
  /// out views in turn (`compareBlocks`); the input's last byte picks the reader too.
  static func csvRowBlocks(_ bytes: [UInt8]) {
    let pick = Int(bytes.last ?? 0)
    func makeReader(_ input: ByteReader, _ diagnostics: Diagnostics) -> CSVRowBlockReading {
      switch (pick >> 2) % 3 {
      case 1:
        return ManicTimeCSVReader(input: input, diagnostics: diagnostics,
                                  options: ManicTimeCSVReader.Options(zone: ZoneConverter(identifier: "Europe/Berlin")!))
      case 2:
        var options = RescueTimeReadOptions()
        options.variant = .apiCSV
        options.zoneIdentifier = "Europe/Berlin"
        options.resolution = pick & 64 != 0 ? .hour : nil
        // The API's CSV is always this reader.
        return try! RescueTimeReader.make(input: input, diagnostics: diagnostics, options: options) as! RescueTimeAPIReader
      default: break
      }
      var options = TogglCSVReader.Options()
      options.zone = ZoneConverter(identifier: "Europe/Berlin")
      options.running = pick & 64 != 0 ? .now : .error
      options.now = 1_720_000_000_000
      return TogglCSVReader(input: input, diagnostics: diagnostics, options: options)
    }
    compareBlocks(bytes, what: "the CSV blocks", make: makeReader, views: { try $0.nextView() }) {
      try $0.copy($1, bytesRead: { 0 }, to: $2, events: &$3, bytesBefore: 0)
    }
  }

  /// mt-read's XML as a pipeline (`BothCores`: records parsed on one thread, events made
  /// on another) against the reader in turn (`compareBlocks`).
  static func manicTimeXMLBlocks(_ bytes: [UInt8]) {
    compareBlocks(bytes, what: "mt-read's XML blocks", make: {
      try ManicTimeXMLReader(input: $0, diagnostics: $1, zone: ZoneConverter(identifier: "Europe/Berlin"))
    }, events: { try $0.next() }) {
      try $0.copy($1, file: "fuzz", to: $2, events: &$3, bytesBefore: 0)
    }
  }

  /// A reader's blocks against the reader handing out views in turn: the same output
  /// bytes, messages, counts and stop, or a crash naming `what`. The input's last byte
  /// picks the block size, the chunks, `--strict` and a `--since`.
  /// `views` reads the reader in turn, or `events` for a reader of Events (written as the
  /// tools write them: the writer's check, a refusal rejected).
  static func compareBlocks<Reader>(_ bytes: [UInt8], what: String, make: (ByteReader, Diagnostics) throws -> Reader,
                                    views: ((Reader) throws -> EventView?)? = nil, events: ((Reader) throws -> Event?)? = nil,
                                    end: (Reader) -> String = { _ in "" },
                                    blocks: (BothCores, Reader, OutputSink, inout Int) throws -> Void) {
    let pick = Int(bytes.last ?? 0)
    let chunk = [Int.max, 1, 7, 64][pick % 4]
    let since: Int64 = pick & 16 != 0 ? 1_700_000_000_000 : .min
    let keeps: @Sendable (Int64) -> Bool = { $0 >= since }
    func outcome(_ body: (Reader, OutputSink, Diagnostics) throws -> Int) -> ([String], [UInt8]) {
      let diagnostics = Diagnostics(toolName: "fuzz", strict: pick & 32 != 0, messageLimit: 0)
      var messages: [String] = []
      diagnostics.messageHandler = { messages.append($0) }
      let output = written { sink in
        do {
          let reader = try make(ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "fuzz", capacity: 64), diagnostics)
          do {
            messages.append("\(try body(reader, sink, diagnostics)) events")
          } catch {
            messages.append("stopped: \(error)")
          }
          messages.append(end(reader))
        } catch {
          messages.append("not opened: \(error)")
        }
      }
      return (messages, output)
    }
    let inTurn = outcome { reader, sink, diagnostics in
      var count = 0
      let writer = EidolonNDJSONWriter(sink: sink)
      if let views {
        while let view = try views(reader) {
          guard keeps(view.start) else { continue }
          try writer.write(view)
          count += 1
        }
      } else if let events {
        while let event = try events(reader) {
          guard keeps(event.start) else { continue }
          if try diagnostics.write(event, to: writer, file: "fuzz", position: nil) { count += 1 }
        }
      }
      return count
    }
    let inBlocks = outcome { reader, sink, diagnostics in
      var events = 0
      // (A CSV reader's blocks cut unparsed or parsed by the reading thread, by the pick.)
      try blocks(BothCores(diagnostics: diagnostics, keeping: keeps, blockBytes: 1 + pick / 64 * 150, cutsBlocks: pick % 2 == 0),
                 reader, sink, &events)
      return events
    }
    if inTurn.0 != inBlocks.0 { fatalError("\(what) told another story than the reader in turn:\n\(inTurn.0)\n\(inBlocks.0)") }
    if inTurn.1 != inBlocks.1 { fatalError("\(what) wrote other lines than the reader in turn") }
  }

  /// What `body` writes through an OutputSink on a file (its writing thread and all), read back.
  static func written(_ body: (OutputSink) -> Void) -> [UInt8] {
    let path = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/eidolon-fuzz-output-\(getpid())"
    defer { unlink(path) }
    guard let sink = try? OutputSink.open(path) else { fatalError("cannot open \(path)") }
    body(sink)
    try? sink.finish()
    var output: [UInt8] = []
    if let source = try? FileDescriptorSource(path: path) {
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while let n = try? chunk.withUnsafeMutableBytes({ try source.read(into: $0) }), n > 0 { output += chunk[..<n] }
    }
    return output
  }

  static func ndjsonView(_ bytes: [UInt8]) {
    func makeReader(_ diagnostics: Diagnostics, scanning: Bool) -> EidolonNDJSONReader {
      var options = EidolonNDJSONReader.Options()
      options.scansCanonicalLines = scanning
      return EidolonNDJSONReader(input: ByteReader(source: MemorySource(bytes), name: "fuzz", capacity: 4096), diagnostics: diagnostics,
                                 options: options)
    }
    // The full decoder alone is the reference; views, and the Events next() makes with
    // the scanner, must agree with it.
    let eventDiagnostics = quietDiagnostics(), viewDiagnostics = quietDiagnostics(), scannedDiagnostics = quietDiagnostics()
    let eventReader = makeReader(eventDiagnostics, scanning: false), viewReader = makeReader(viewDiagnostics, scanning: true)
    let scannedReader = makeReader(scannedDiagnostics, scanning: true)
    let written = ByteBuffer(capacity: 4096)
    while true {
      let event: Event?, view: EventView?
      do {
        event = try eventReader.next()
        view = try viewReader.nextView()
      } catch {
        return  // a stream error (a newer version, a line past the limit) stops both alike
      }
      guard let event, let view else {
        if event != nil || view != nil { fatalError("one way read more events than the other") }
        break
      }
      guard let made = try? view.makeEvent(), made == event else { fatalError("the view made another event than the full decoder") }
      guard let scanned = try? scannedReader.next(), scanned == event else { fatalError("next() made another event than the full decoder") }
      written.removeAll()
      EidolonNDJSONWriter.append(event, to: written)
      written.commit(-1)
      let line = String(decoding: viewReader.lastRaw, as: UTF8.self)
      if !view.canonicalLine.elementsEqual(written.bytes) { fatalError("the view's canonical line is not the writer's: \(line)") }
      if view.inputIsCanonical != viewReader.lastRaw.elementsEqual(written.bytes) {
        fatalError("the view calls the input \(view.inputIsCanonical ? "" : "not ")canonical: \(line)")
      }
    }
    if let extra = try? scannedReader.next(), extra != nil { fatalError("next() read more events than the full decoder") }
    if eventDiagnostics.rejectCount != viewDiagnostics.rejectCount || scannedDiagnostics.rejectCount != viewDiagnostics.rejectCount {
      fatalError("the ways rejected different lines")
    }
  }

  /// An ActivityWatch export read the three ways of `compareWays`, the fast one being
  /// the event scanner. The input's last byte picks how the bytes arrive (whole, or in
  /// small pieces, so events cross buffer ends).
  static func activityWatchView(_ bytes: [UInt8]) {
    let chunk = [Int.max, 1, 7, 64][Int(bytes.last ?? 0) % 4]
    compareWays { diagnostics, fast in
      var options = ActivityWatchReader.Options()
      options.scansEvents = fast
      let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "fuzz", capacity: 64)
      return ActivityWatchReader(input: input, diagnostics: diagnostics, options: options)
    }
  }

  /// A Toggl CSV read the three ways of `compareWays`, the fast one being the row
  /// scanner; the input's last byte picks the zone, what a running entry does, and the chunks.
  static func togglView(_ bytes: [UInt8]) {
    let pick = Int(bytes.last ?? 0)
    let zone = [nil, "Europe/Berlin", "America/New_York"][pick % 3]
    let running = TogglCSVReader.Running.allCases[pick / 3 % 3]
    let chunk = [Int.max, 1, 7][pick / 9 % 3]
    compareWays { diagnostics, fast in
      var options = TogglCSVReader.Options()
      options.zone = zone.flatMap(ZoneConverter.init(identifier:))
      options.running = running
      options.now = 1_720_000_000_000
      options.scansRows = fast
      let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "fuzz", capacity: 64)
      return TogglCSVReader(input: input, diagnostics: diagnostics, options: options)
    }
  }

  static func rescueTimeView(_ bytes: [UInt8], variant: RescueTimeReadOptions.Variant) {
    let pick = Int(bytes.last ?? 0)
    let zone = [nil, "Europe/Berlin", "America/New_York"][pick % 3]
    let resolution = [nil, RescueTimeResolution.minute, .hour][pick / 3 % 3]
    let chunk = [Int.max, 1, 7][pick / 9 % 3]
    compareWays { diagnostics, fast in
      var options = RescueTimeReadOptions()
      options.variant = variant
      options.zoneIdentifier = zone
      options.resolution = resolution
      options.scansRows = fast
      let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "fuzz", capacity: 64)
      // Both API variants are always this reader.
      return try! RescueTimeReader.make(input: input, diagnostics: diagnostics, options: options) as! RescueTimeAPIReader
    }
  }

  static func manicTimeView(_ bytes: [UInt8]) {
    let pick = Int(bytes.last ?? 0)
    let zone = ["Europe/Berlin", "America/New_York", "UTC"][pick % 3]
    let timeline = [nil, ManicTimeCSVReader.Timeline.documents, .applications][pick / 3 % 3]
    let order = [nil, ManicTimeDateTime.DateOrder.mdy, .dmy][pick / 9 % 3]
    let chunk = [Int.max, 1, 7][pick / 27 % 3]
    compareWays { diagnostics, fast in
      var options = ManicTimeCSVReader.Options(zone: ZoneConverter(identifier: zone)!)
      options.timeline = timeline
      options.dateOrder = order
      options.scansRows = fast
      let input = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "fuzz", capacity: 64)
      return ManicTimeCSVReader(input: input, diagnostics: diagnostics, options: options)
    }
  }

  /// One input read three ways: the reader's general way alone (the reference), views
  /// from its fast way, and Events from it. Events, canonical lines, rejects and the
  /// error that stops a read must all be the same.
  static func compareWays<Reader: EventViewReader>(_ make: (Diagnostics, _ fast: Bool) -> Reader) {
    let diagnostics = (quietDiagnostics(), quietDiagnostics(), quietDiagnostics())
    let reference = make(diagnostics.0, false), viewReader = make(diagnostics.1, true), eventReader = make(diagnostics.2, true)
    let written = ByteBuffer(capacity: 4096)
    func outcome<T>(_ body: () throws -> T) -> Result<T, EidolonError> {
      do { return .success(try body()) } catch let error as EidolonError { return .failure(error) } catch {
        fatalError("not an EidolonError: \(error)")
      }
    }
    while true {
      switch (outcome { try reference.next() }, outcome { try viewReader.nextView() }, outcome { try eventReader.next() }) {
      case (.success(let expected?), .success(let view?), .success(let event?)):
        guard event == expected else { fatalError("next() the fast way made another event than the general way") }
        guard let made = try? view.makeEvent(), made == expected else { fatalError("the view made another event than the general way") }
        guard view.start == expected.start, view.duration == expected.duration else { fatalError("the view's start or duration differ") }
        written.removeAll()
        EidolonNDJSONWriter.append(expected, to: written)
        written.commit(-1)
        if !view.canonicalLine.elementsEqual(written.bytes) { fatalError("the view's canonical line is not the writer's") }
        continue
      case (.success(nil), .success(nil), .success(nil)):
        break
      case (.failure(let a), .failure(let b), .failure(let c)):
        if a.description != b.description || a.description != c.description {
          fatalError("the ways stopped with different errors: \(a) / \(b) / \(c)")
        }
      default:
        fatalError("the ways disagree on whether there is another event")
      }
      break
    }
    if diagnostics.0.rejectCount != diagnostics.1.rejectCount || diagnostics.0.rejectCount != diagnostics.2.rejectCount {
      fatalError("the ways rejected different records")
    }
  }

  /// NDJSON events into every writer: a writer may refuse an event (a record error), but
  /// never crash on one that passed the reader.
  static func writeAll(_ bytes: [UInt8]) {
    let diagnostics = quietDiagnostics()
    let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(bytes), name: "fuzz"), diagnostics: diagnostics)
    var events: [Event] = []
    while events.count < 200, let event = try? reader.next() { events.append(event) }
    guard !events.isEmpty else { return }
    let devNull = OutputSink(fd: FuzzChecks.devNull, name: "/dev/null")
    // One writer and one set of settings per input (its last byte picks both): all of
    // them for every input made the target ten times slower (each writer sets up its
    // buffers and temporary files).
    let choices = [["tz": "Europe/Berlin"], ["tz": "UTC", "variant": "xml"], ["tz": "UTC", "resolution": "minute", "timeline": "tags"]]
    let pick = Int(bytes.last ?? 0)
    let settings = choices[pick % choices.count]
    let format = FormatRegistry.writers[pick / choices.count % FormatRegistry.writers.count]
    guard let writer = try? format.make(devNull, settings) else { return }
    for event in events { _ = try? writer.write(event) }
    devNull.buffer.removeAll()
    _ = try? writer.finish()
    devNull.buffer.removeAll()
  }

  static func rules(_ bytes: [UInt8]) {
    guard let text = String(validating: bytes, as: UTF8.self) else { return }
    var parser = RuleParser(fileName: "fuzz.yaml")
    guard let rules = try? parser.parse(text) else { return }
    var event = Event(id: "x:1", source: "activitywatch", kind: "window", start: 1_700_000_000_000, duration: 60)
    event.app = "Firefox"
    event.title = "GitHub - Eidolon"
    event.url = "https://github.com/eidolon"
    _ = rules.apply(&event)
  }

  static func teamConfig(_ bytes: [UInt8]) {
    guard let text = String(validating: bytes, as: UTF8.self) else { return }
    _ = try? TeamConfig.parse(text, path: "/fuzz/migration.yaml")
  }

  static func httpResponse(_ bytes: [UInt8]) {
    guard let response = try? HTTPResponse(connection: MemorySource(bytes, chunkLimit: 7), name: "fuzz") else { return }
    let body = ByteReader(source: response, name: "body", capacity: 64)
    var total = 0
    while total < 1 << 22, (try? body.fill()) == true {
      total += body.available
      body.start = body.end
    }
  }

  /// A web API's answer as the exporters take it (export-rescuetime, export-toggl): parsed
  /// or refused, never a crash; what is written of it parses again to the same bytes.
  static func liveAnswers(_ bytes: [UInt8]) {
    if let rows = try? RescueTimeExporter.writtenRows(ofAnswer: bytes) {
      let again = try? RescueTimeExporter.writtenRows(ofAnswer: Array("{\"rows\":[".utf8) + commaSeparated(rows) + Array("]}".utf8))
      precondition(again == nil || again! == rows || rows.isEmpty, "rows written differ when read again")
    }
    _ = try? TogglExporter.writtenItems(ofAnswer: bytes)
  }

  /// Concatenated JSON values made one list: commas between top-level values.
  private static func commaSeparated(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var depth = 0
    var inString = false
    var escaped = false
    for byte in bytes {
      if inString {
        if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
      } else if byte == UInt8(ascii: "\"") {
        inString = true
      } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
        if depth == 0 && !out.isEmpty { out.append(UInt8(ascii: ",")) }
        depth += 1
      } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
        depth -= 1
      }
      out.append(byte)
    }
    return out
  }
}
