@testable import Eidolon
import Foundation
import Testing

@Suite struct EventSorterTests {
  /// Events with many equal starts and ids, in a scrambled order; `tag` marks input order.
  static func scrambled(_ count: Int) -> [Event] {
    var state: UInt64 = 12345
    return (0..<count).map { i in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      var event = Event(id: "e\(state >> 60)", source: "test", kind: "window", start: Int64((state >> 33) % 500) * 1000, duration: 1)
      event.title = String(repeating: "t", count: Int(state >> 58)) + "\(i)"
      event.attrs["input_order"] = .number(i)
      return event
    }
  }

  static func sorted(_ events: [Event], memory: Int) throws -> (events: [Event], runs: Int) {
    let sorter = EventSorter(memoryBytes: memory)
    for event in events { try sorter.add(event) }
    let output = ByteBuffer()
    try sorter.finish { output.append($0) }
    let diagnostics = Diagnostics(toolName: "test")
    let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(output.array), name: "sorted"), diagnostics: diagnostics)
    var result: [Event] = []
    while let event = try reader.next() { result.append(event) }
    return (result, sorter.runsWritten)
  }

  @Test func spilledRunsGiveTheSameStableOrderAsAnInMemorySort() throws {
    let input = Self.scrambled(30_000)
    // What a stable sort by (start, id) gives: Swift's sort is stable.
    let expected = input.enumerated().sorted { a, b in
      (a.element.start, a.element.id, a.offset) < (b.element.start, b.element.id, b.offset)
    }.map(\.element)
    let inMemory = try Self.sorted(input, memory: 64 << 20)
    #expect(inMemory.runs == 0)
    #expect(inMemory.events == expected)
    // 1 MiB holds ~3,000 events: about ten runs.
    let spilled = try Self.sorted(input, memory: 1 << 20)
    #expect(spilled.runs >= 5)
    #expect(spilled.events == expected)
  }

  @Test func moreRunsThanTheFanInMergeInPasses() throws {
    let input = Self.scrambled(250_000)
    let spilled = try Self.sorted(input, memory: 1 << 20)
    #expect(spilled.runs > EventSorter.fanIn)
    #expect(spilled.events.count == input.count)
    func order(_ event: Event) -> Int {
      if case .number(let text)? = event.attrs["input_order"] { return Int(text) ?? -1 }
      return -1
    }
    let inOrder = zip(spilled.events, spilled.events.dropFirst()).allSatisfy { a, b in
      (a.start, a.id, order(a)) < (b.start, b.id, order(b))
    }
    #expect(inOrder, "sorted by start, then id, then input order")
  }
}

@Suite struct RuleMatchingTests {
  @Test func plainWordsAreRecognisedAndEverythingElseGoesToTheRegexEngine() {
    #expect(RuleParser.plainWords("GitHub|vim|Stack Overflow") == ["GitHub", "vim", "Stack Overflow"])
    #expect(RuleParser.plainWords("\\.swift|a\\-b") == [".swift", "a-b"])
    #expect(RuleParser.plainWords("^Slack") == nil)
    #expect(RuleParser.plainWords("a.b") == nil)
    #expect(RuleParser.plainWords("\\d+") == nil)
    #expect(RuleParser.plainWords("\\bword") == nil)
    #expect(RuleParser.plainWords("x\\") == nil)
  }

  /// Rules of plain words (answered by the word index) must agree with a real regex
  /// engine on what they match.
  @Test func wordRulesAgreeWithNSRegularExpression() throws {
    let patterns = ["GitHub|vim", "code", "a|ab|abc", "Ü|ß", "x", "\\.swift|\\.md", "Stack Overflow|github", "strasse|k"]
    let titles = ["Pull requests · GitHub", "notes.md - VIM", "vim", "", "main.swift — Code", "CODE", "abc", "Übung ß",
                  "stack overflow - how to", "x", "GitHub/github", "no match here", "STRAẞE", "\u{212A}", "Straße"]
    for ignoreCase in [false, true] {
      for pattern in patterns {
        #expect(RuleParser.plainWords(pattern) != nil, "\(pattern)")
        let regex = try NSRegularExpression(pattern: pattern, options: ignoreCase ? [.caseInsensitive] : [])
        let quoted = pattern.replacingOccurrences(of: "\\", with: "\\\\")
        for title in titles {
          var event = Event(id: "x", source: "t", kind: "window", start: 0, duration: 0)
          event.title = title
          let expected = regex.firstMatch(in: title, range: NSRange(location: 0, length: (title as NSString).length)) != nil
          let result = try apply("rules: [{match: {title: {regex: \"\(quoted)\", ignore_case: \(ignoreCase)}}, set: {category: hit}}]", to: event)
          #expect((result?.category == "hit") == expected, "\(pattern) on \(title), ignore case \(ignoreCase)")
        }
      }
    }
  }

  func apply(_ yaml: String, to event: Event) throws -> Event? {
    var parser = RuleParser(fileName: "test.yaml")
    let rules = try parser.parse(yaml)
    var event = event
    return rules.apply(&event) ? event : nil
  }

  @Test func firstMatchWinsAndContinueRereadsChangedFields() throws {
    var event = Event(id: "x", source: "activitywatch", kind: "window", start: 0, duration: 60)
    event.app = "Code"
    let yaml = """
      rules:
        - match: {app: Code}
          set: {category: Work}
          continue: true
        - match: {category: Work}
          add_tags: [work]
        - match: {app: Code}
          set: {category: Never}
      """
    let result = try #require(try apply(yaml, to: event))
    #expect(result.category == "Work")
    #expect(result.tags == ["work"])
  }

  @Test func thousandsOfEqualityRulesStillFindTheirOwn() throws {
    var yaml = "rules:\n"
    for i in 0..<5000 { yaml += "  - {match: {app: {equals: \"App\(i)\", ignore_case: true}}, set: {category: \"C\(i)\"}}\n" }
    var parser = RuleParser(fileName: "many.yaml")
    let rules = try parser.parse(yaml)
    for i in [0, 17, 4999] {
      var event = Event(id: "x", source: "t", kind: "window", start: 0, duration: 1)
      event.app = "app\(i)"
      #expect(rules.apply(&event))
      #expect(event.category == "C\(i)")
    }
  }

  @Test func timeOfDayAndWeekdayUseTheRuleZone() throws {
    // 2024-03-04T23:30:00Z is Tuesday 00:30 in Berlin, Monday 23:30 in UTC.
    let event = Event(id: "x", source: "t", kind: "window", start: 1_709_595_000_000, duration: 1)
    let berlin = try apply("zone: Europe/Berlin\nrules:\n  - {match: {weekday: tue, time_of_day: \"00:00-01:00\"}, set: {category: Night}}\n", to: event)
    #expect(berlin?.category == "Night")
    let utc = try apply("rules:\n  - {match: {weekday: tue}, set: {category: Night}}\n", to: event)
    #expect(utc?.category == nil)
    let wrapping = try apply("rules:\n  - {match: {time_of_day: \"22:00-06:00\"}, set: {category: Late}}\n", to: event)
    #expect(wrapping?.category == "Late")
  }
}

@Suite struct PrivacyTests {
  /// RFC 4231 test case 2: HMAC-SHA-256 with key "Jefe".
  @Test func theKeyedHashIsHMACSHA256() {
    let hash = KeyedHash(salt: "Jefe").hash("what do ya want for nothing?")
    #expect(hash == "h:" + "5bdcc146bf60754e6a042426089575c7")
  }

  @Test func siteOnlyKeepsSchemeAndHost() {
    #expect(EventTransformer.siteOnly("https://user@github.com:443/a/b?q=1#x") == "https://github.com:443/")
    #expect(EventTransformer.siteOnly("github.com/eidolon") == "github.com/")
  }
}

/// eid-transform hands canonical lines through as views when no step changes an event;
/// what comes out, and what the summary says, must be what the Event path gives.
@Suite struct TransformViewTests {
  private func run(_ options: TransformOptions, _ input: [UInt8], views: Bool) throws -> (output: [UInt8], summary: [String], counts: [Int]) {
    let path = temporaryDirectory() + "/out.ndjson"
    let sink = try OutputSink.open(path)
    let transformer = EventTransformer(options: options, writer: EidolonNDJSONWriter(sink: sink))
    let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(input), name: "in"), diagnostics: Diagnostics(toolName: "test"))
    if views {
      #expect(transformer.takesViews)
      while let view = try reader.nextView() { try transformer.pass(view, to: sink) }
    } else {
      while let event = try reader.next() { try transformer.write(event) }
    }
    try transformer.finish()
    return (readFile(path) ?? [], transformer.summaryLines(), [transformer.eventsIn, transformer.eventsOut])
  }

  @Test func filtersOnStartSourceAndKindGiveTheSameBothWays() throws {
    let input = readFile(CorpusTests.corpus.appendingPathComponent("transform/events.ndjson").path)!
    var cases: [TransformOptions] = [TransformOptions()]
    var since = TransformOptions()
    since.since = 1_709_539_200_000 + 8 * 3_600_000  // 2024-03-04T08:00Z
    since.until = since.since! + 3_600_000
    cases.append(since)
    var sources = TransformOptions()
    sources.sources = ["activitywatch", "toggl"]
    cases.append(sources)
    var kinds = TransformOptions()
    kinds.kinds = ["afk"]
    kinds.since = since.since
    cases.append(kinds)
    var dropped = 0
    for options in cases {
      let viaEvents = try run(options, input, views: false)
      let viaViews = try run(options, input, views: true)
      #expect(viaViews.output == viaEvents.output)
      #expect(viaViews.summary == viaEvents.summary)
      #expect(viaViews.counts == viaEvents.counts)
      dropped += viaEvents.counts[0] - viaEvents.counts[1]
    }
    #expect(dropped > 10)  // the filters did drop events
    var wheres = TransformOptions()
    wheres.wheres = [(EventField(name: "app")!, .equals("Code"))]
    #expect(!EventTransformer(options: wheres, writer: EidolonNDJSONWriter(sink: try OutputSink.open(temporaryDirectory() + "/x"))).takesViews)
  }
}
