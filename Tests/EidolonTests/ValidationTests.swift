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
