import Eidolon
import Testing

@Suite struct ValidationTests {
  private func ids(_ finder: DuplicateIDFinder) throws -> [DuplicateIDFinder.Duplicate] {
    var found: [DuplicateIDFinder.Duplicate] = []
    try finder.finish { found.append($0) }
    return found.sorted { ($0.fileIndex, $0.line) < ($1.fileIndex, $1.line) }
  }

  @Test func duplicatesFoundInMemoryAndThroughSpilledRunsAlike() throws {
    let dir = temporaryDirectory()
    let inMemory = DuplicateIDFinder(temporaryDirectory: dir)
    let spilling = DuplicateIDFinder(chunkBytes: 256, temporaryDirectory: dir)
    for finder in [inMemory, spilling] {
      for i in 0..<2000 {
        try finder.add(id: "id-\(i % 1500)", fileIndex: i < 1000 ? 0 : 1, line: i + 1)
      }
    }
    let expected = try ids(inMemory)
    #expect(expected.count == 500)
    #expect(expected.first == DuplicateIDFinder.Duplicate(id: "id-0", fileIndex: 1, line: 1501, firstFileIndex: 0, firstLine: 1, sameContent: true))
    #expect(try ids(spilling) == expected)
  }

  @Test func runsMergedInTwoHalvesReportInOneMergesOrder() throws {
    // Over 4 MiB of runs: each half of the hashes merged on a core of its own; 100,000
    // repeats, so the upper half's wait in their queue (4,096 at a time) for the lower's.
    let dir = temporaryDirectory()
    let inMemory = DuplicateIDFinder(chunkBytes: 64 << 20, temporaryDirectory: dir)
    let spilling = DuplicateIDFinder(chunkBytes: 1 << 20, temporaryDirectory: dir)
    for finder in [inMemory, spilling] {
      for i in 0..<160_000 {
        try finder.add(id: "event-id-\(i % 60_000)", fileIndex: i % 3, line: i + 1, content: UInt64(i % 7 == 0 ? 1 : 0))
      }
    }
    var expected: [DuplicateIDFinder.Duplicate] = []
    try inMemory.finish { expected.append($0) }
    var got: [DuplicateIDFinder.Duplicate] = []
    try spilling.finish { got.append($0) }
    #expect(expected.count == 100_000)
    #expect(got == expected)
  }

  @Test func repeatedEventsAreToldFromSharedIDs() throws {
    let dir = temporaryDirectory()
    for finder in [DuplicateIDFinder(temporaryDirectory: dir), DuplicateIDFinder(chunkBytes: 64, temporaryDirectory: dir)] {
      try finder.add(id: "a", fileIndex: 0, line: 1, content: 7)
      try finder.add(id: "b", fileIndex: 0, line: 2, content: 7)
      try finder.add(id: "a", fileIndex: 0, line: 3, content: 7)
      try finder.add(id: "a", fileIndex: 0, line: 4, content: 8)
      let found = try ids(finder)
      #expect(found.map(\.line) == [3, 4])
      #expect(found.map(\.sameContent) == [true, false])
    }
  }

  @Test func idsWhoseHashesCrowdOneBucketReportInKeyOrder() throws {
    // The sort's buckets are the hashes' top bits: ids picked so that 120 share their top
    // eight (one bucket past the insertion sort's limit) among 200 ordinary ones.
    func hash(_ id: String) -> UInt64 {
      var id = id
      return id.withUTF8 { MurmurHash3.x64_128(UnsafeRawBufferPointer($0)).0 }
    }
    var crowded: [String] = []
    var candidate = 0
    while crowded.count < 120 {
      let id = "crowd-\(candidate)"
      if hash(id) >> 56 == 0x5A { crowded.append(id) }
      candidate += 1
    }
    let ordinary = (0..<200).map { "plain-\($0)" }
    // Each id once to three times, across two files, in input order.
    var added: [(id: String, file: Int, line: Int)] = []
    var random = SplitMix(state: 9)
    for round in 0..<3 {
      for id in crowded + ordinary where round == 0 || random.below(3) == 0 {
        added.append((id, round == 2 ? 1 : 0, added.count + 1))
      }
    }
    var expected: [DuplicateIDFinder.Duplicate] = []
    var firsts: [String: (file: Int, line: Int)] = [:]
    for item in added {
      if let first = firsts[item.id] {
        expected.append(DuplicateIDFinder.Duplicate(id: item.id, fileIndex: item.file, line: item.line,
                                                    firstFileIndex: first.file, firstLine: first.line, sameContent: true))
      } else {
        firsts[item.id] = (item.file, item.line)
      }
    }
    // Reported in (hash, id, file, line) order.
    expected.sort { a, b in
      let (ha, hb) = (hash(a.id), hash(b.id))
      if ha != hb { return ha < hb }
      if a.id != b.id { return Array(a.id.utf8).lexicographicallyPrecedes(Array(b.id.utf8)) }
      return (a.fileIndex, a.line) < (b.fileIndex, b.line)
    }
    #expect(expected.count > 150)
    let dir = temporaryDirectory()
    for finder in [DuplicateIDFinder(temporaryDirectory: dir), DuplicateIDFinder(chunkBytes: 4096, temporaryDirectory: dir)] {
      for item in added { try finder.add(id: item.id, fileIndex: item.file, line: item.line) }
      var got: [DuplicateIDFinder.Duplicate] = []
      try finder.finish { got.append($0) }
      #expect(got == expected)
    }
  }

  @Test func aRepeatedEventIsToldFromOneThatDiffersInAnyField() throws {
    let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
    let validator = EventValidator(diagnostics: diagnostics, now: 2_000_000_000_000)
    validator.beginFile("a")
    var base = Event(id: "x", source: "toggl", kind: "time_entry", start: 1_700_000_000_000, duration: 60)
    base.stream = "w1"
    var changed: [Event] = []
    for change in 0..<6 {
      var event = base
      switch change {
      case 0: event.source = "toggm"
      case 1: event.kind = "time_entrz"
      case 2: event.stream = nil
      case 3: event.stream = "w2"
      case 4: event.start += 1
      default: event.duration = 60.001
      }
      changed.append(event)
    }
    // An absent stream is not an empty one.
    var absent = base
    absent.id = "y"
    absent.stream = nil
    var empty = absent
    empty.stream = ""
    for (i, event) in ([base, base] + changed + [absent, empty]).enumerated() {
      try validator.check(event, at: SourcePosition(line: i + 1, column: 1, byteOffset: 0))
    }
    let summary = try validator.finish()
    #expect(summary.repeatedEvents == 1)
    #expect(summary.duplicateIDs == 7)
  }

  @Test func hugeTotalsPrintWithoutOverflow() {
    var summary = EventSummary()
    for _ in 0..<1000 {
      summary.add(Event(id: "x", source: "s", kind: "k", start: 0, duration: 2e11))
    }
    #expect(summary.text().contains("total"))
    #expect(summary.json().contains("\"total_seconds\":200000000000000.0"))
  }

  @Test func theValidatorCountsWarnsAndSummarises() throws {
    let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
    let now = CivilTime.daysFromCivil(year: 2025, month: 1, day: 1) * CivilTime.millisPerDay
    let validator = EventValidator(diagnostics: diagnostics, now: now)
    validator.beginFile("a")
    let base = CivilTime.daysFromCivil(year: 2024, month: 3, day: 1) * CivilTime.millisPerDay
    let events = [
      Event(id: "1", source: "toggl", kind: "time_entry", start: base, duration: 3600),
      Event(id: "2", source: "toggl", kind: "time_entry", start: base + 3_600_000, duration: 8 * 86_400),  // long
      Event(id: "3", source: "activitywatch", kind: "window", start: 0, duration: 1),  // 1970
      Event(id: "4", source: "activitywatch", kind: "window", start: now + 2 * CivilTime.millisPerDay, duration: 1),  // future
      Event(id: "5", source: "Bad Name", kind: "window", start: base, duration: 1),
      Event(id: "1", source: "toggl", kind: "time_entry", start: base, duration: 1),
    ]
    for (i, event) in events.enumerated() {
      try validator.check(event, at: SourcePosition(line: i + 1, column: 1, byteOffset: 0))
    }
    let summary = try validator.finish()
    #expect(summary.events == 5)
    #expect(summary.rejected == 1)
    #expect(summary.duplicateIDs == 1)
    #expect(summary.warnings == 3)
    #expect(summary.bySource["toggl"] == EventSummary.Tally(events: 3, seconds: 3600 + 8 * 86_400 + 1))
    #expect(summary.firstStart == 0)
    #expect(!summary.isClean)
    #expect(summary.json().hasPrefix(#"{"events":5,"rejected":1,"duplicate_ids":1,"repeated_events":0,"warnings":3,"first_start":"1970-01-01T00:00:00.000Z""#))
  }
}

/// eid-validate's blocks, checked on several threads and merged in order, against one
/// thread reading the lines in turn (what eid-validate did before): the same messages in
/// the same order, the same rejects file, the same summary, the same stop.
@Suite struct BlockValidationTests {
  struct Outcome: Equatable {
    var messages: [String]
    var rejects: [UInt8]
    var summary: String?
    var stop: String?
  }

  private static let now = CivilTime.daysFromCivil(year: 2025, month: 1, day: 1) * CivilTime.millisPerDay

  private func run(_ paths: [String], strict: Bool, _ body: (EventValidator, Diagnostics) throws -> Void) throws -> Outcome {
    let rejectsPath = temporaryDirectory() + "/rejects.ndjson"
    let diagnostics = Diagnostics(toolName: "eid-validate", strict: strict, rejects: try RejectWriter.open(rejectsPath), messageLimit: 0)
    var messages: [String] = []
    diagnostics.messageHandler = { messages.append($0) }
    let validator = EventValidator(diagnostics: diagnostics, duplicateFinder: DuplicateIDFinder(chunkBytes: 600, temporaryDirectory: temporaryDirectory()),
                                   now: BlockValidationTests.now)
    var outcome = Outcome(messages: [], rejects: [])
    do {
      try body(validator, diagnostics)
      outcome.summary = try validator.finish().json()
    } catch {
      outcome.stop = (error as? EidolonError)?.description ?? ((error as? Diagnostics.StrictStop).map { "strict: \($0.error)" } ?? "\(error)")
    }
    try diagnostics.finish()
    outcome.messages = messages
    outcome.rejects = readFile(rejectsPath) ?? []
    return outcome
  }

  private func inTurn(_ paths: [String], strict: Bool = false) throws -> Outcome {
    try run(paths, strict: strict) { validator, diagnostics in
      var options = EidolonNDJSONReader.Options()
      options.requireCanonicalStart = true
      for path in paths {
        let reader = EidolonNDJSONReader(input: try InputOpener.open(path), diagnostics: diagnostics, options: options)
        validator.beginFile(reader.fileName)
        while let view = try reader.nextView() {
          try validator.check(view, at: reader.lastPosition, raw: reader.lastRaw)
        }
      }
    }
  }

  private func inBlocks(_ paths: [String], strict: Bool = false, blockBytes: Int, threads: Int) throws -> Outcome {
    try run(paths, strict: strict) { validator, diagnostics in
      var options = EidolonNDJSONReader.Options()
      options.requireCanonicalStart = true
      try NDJSONValidation(validator: validator, diagnostics: diagnostics, options: options, blockBytes: blockBytes,
                           threads: threads).run(paths: paths)
    }
  }

  /// Lines of every kind eid-validate meets: canonical and not, bad JSON, bad names,
  /// odd times, repeated ids (same event and not), blank lines, CRLF, no LF at the end.
  static func sampleLines(seed: UInt64, count: Int) -> String {
    var random = SplitMix(state: seed)
    var text = ""
    for i in 0..<count {
      let id = "e\(random.below(count * 3 / 4))"
      let day = 1 + random.below(28)
      let start = "2024-02-\(day < 10 ? "0" : "")\(day)T08:00:00.000Z"
      switch random.below(14) {
      case 0: text += "{\"id\":\"\(id)\",\"source\":\"toggl\"\n"
      case 1: text += "{\"id\":\"\(id)\",\"source\":\"Bad Name\",\"kind\":\"window\",\"start\":\"\(start)\",\"duration\":1}\n"
      case 2: text += "{\"id\":\"\(id)\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"2031-01-01T00:00:00.000Z\",\"duration\":1}\n"
      case 3: text += "{\"id\":\"\(id)\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"\(start)\",\"duration\":900000}\n"
      case 4: text += "\n  \n"
      case 5: text += "{ \"id\": \"\(id)\", \"source\": \"rescuetime\", \"kind\": \"usage\", \"start\": \"\(start)\", \"duration\": 2.5 }\r\n"
      case 6: text += "{\"id\":\"\(id)\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"2024-02-01T08:00:00Z\",\"duration\":1}\n"
      case 7: text += "{\"id\":\"same\",\"source\":\"activitywatch\",\"kind\":\"afk\",\"start\":\"2024-02-01T08:00:00.000Z\",\"duration\":1}\n"
      case 8: text += "{\"id\":\"\(id)\",\"source\":\"src\(i % 40)\",\"kind\":\"k\(i % 37)\",\"start\":\"\(start)\",\"duration\":0.1}\n"
      default:
        text += "{\"id\":\"\(id)\",\"source\":\"activitywatch\",\"kind\":\"window\",\"start\":\"\(start)\",\"duration\":\(random.below(5000)).25,\"app\":\"Code\",\"title\":\"a \\\"b\\\" \\u00e9\"}\n"
      }
    }
    return text + "{\"id\":\"last\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"2024-02-01T08:00:00.000Z\",\"duration\":3}"
  }

  static func files(_ texts: [String]) -> [String] {
    let dir = temporaryDirectory()
    return texts.enumerated().map { index, text in
      let path = "\(dir)/part\(index).ndjson"
      writeFile(path, Array(text.utf8))
      return path
    }
  }

  @Test func blocksOnThreadsGiveWhatOneThreadGives() throws {
    let paths = BlockValidationTests.files([BlockValidationTests.sampleLines(seed: 1, count: 900), BlockValidationTests.sampleLines(seed: 2, count: 700), ""])
    let expected = try inTurn(paths)
    #expect(expected.summary != nil && expected.stop == nil)
    #expect(expected.messages.count > 300)
    #expect(expected.messages.contains { $0.contains("duplicate id") })
    #expect(expected.messages.contains { $0.contains("part1.ndjson:") })
    for (blockBytes, threads) in [(1, 1), (1, 2), (97, 2), (1000, 3), (4096, 2), (1 << 20, 2)] {
      let got = try inBlocks(paths, blockBytes: blockBytes, threads: threads)
      #expect(got == expected, "blocks of \(blockBytes) bytes on \(threads) threads")
    }
  }

  @Test func aStopIsWhereOneThreadStops() throws {
    // A line from a newer version of the format stops the read; --strict stops at the first reject.
    var text = BlockValidationTests.sampleLines(seed: 3, count: 400)
    text += "\n{\"v\":2,\"id\":\"x\",\"source\":\"toggl\",\"kind\":\"time_entry\",\"start\":\"2024-02-01T08:00:00.000Z\",\"duration\":1}\n"
    text += BlockValidationTests.sampleLines(seed: 4, count: 300)
    let paths = BlockValidationTests.files([text])
    let expected = try inTurn(paths)
    #expect(expected.stop != nil && expected.summary == nil)
    let strict = try inTurn(paths, strict: true)
    #expect(strict.stop?.hasPrefix("strict: ") == true)
    for (blockBytes, threads) in [(1, 2), (500, 2), (1 << 20, 2)] {
      #expect(try inBlocks(paths, blockBytes: blockBytes, threads: threads) == expected)
      #expect(try inBlocks(paths, strict: true, blockBytes: blockBytes, threads: threads) == strict)
    }
  }

  @Test func aLineOverTheLimitStopsAfterTheLinesBeforeIt() throws {
    var text = BlockValidationTests.sampleLines(seed: 6, count: 200) + "\n"
    text += "{\"id\":\"long\",\"title\":\"" + String(repeating: "x", count: ByteReader.defaultMaxRecordBytes) + "\"}\n"
    text += BlockValidationTests.sampleLines(seed: 7, count: 50)
    let paths = BlockValidationTests.files([text])
    let expected = try inTurn(paths)
    #expect(expected.stop?.contains("longer than") == true)
    #expect(expected.messages.count > 20)
    #expect(try inBlocks(paths, blockBytes: 1 << 20, threads: 2) == expected)
    #expect(try inBlocks(paths, blockBytes: 333, threads: 2) == expected)
  }

  @Test func aMissingFileStopsAfterTheFilesBefore() throws {
    let paths = BlockValidationTests.files([BlockValidationTests.sampleLines(seed: 5, count: 300)]) + [temporaryDirectory() + "/missing.ndjson"]
    let expected = try inTurn(paths)
    #expect(expected.stop?.contains("missing.ndjson") == true)
    #expect(try inBlocks(paths, blockBytes: 700, threads: 2) == expected)
  }
}
