@testable import Eidolon
import Foundation
import Testing

/// mt-read's XML as a pipeline (`BothCores`: the XML parsed into nodes on one thread,
/// read and made events on another) against the reader in turn: the same output bytes,
/// messages, rejects, counts and stop, the input read in pieces of one byte up (each
/// piece its own batch of nodes) and whole.
@Suite struct ManicTimeXMLBlockTests {
  static let since = Timestamp.parse("2024-03-05T00:00:00Z")!.epochMillis

  /// `piece`: the most bytes one read of the input gives (libxml2 is handed them as they
  /// come, the same on both ways, so its messages for a malformed file are the same).
  private func read(_ path: String, _ way: BlockOutcome.Way, piece: Int, strict: Bool, filtered: Bool) throws -> BlockOutcome {
    let since = ManicTimeXMLBlockTests.since
    let keeps: @Sendable (Int64) -> Bool = { filtered ? $0 >= since : true }
    let bytes = try #require(readFile(path))
    return try BlockOutcome.read(toolName: "mt-read", strict: strict) { diagnostics, sink, events in
      let reader = try ManicTimeXMLReader(input: ByteReader(source: MemorySource(bytes, chunkLimit: piece), name: path),
                                          diagnostics: diagnostics, zone: ZoneConverter(identifier: "Europe/Berlin"))
      switch way {
      case .inTurn:
        // The tools' loop for a reader of Events: the writer's check, a refusal rejected.
        let writer = EidolonNDJSONWriter(sink: sink)
        while let event = try reader.next() {
          guard keeps(event.start) else { continue }
          if try diagnostics.write(event, to: writer, file: path, position: nil) { events += 1 }
        }
      case .blocks(let chunkBytes, _):
        try BothCores(diagnostics: diagnostics, keeping: keeps, blockBytes: chunkBytes)
          .copy(reader, file: path, to: sink, events: &events, bytesBefore: 0)
      }
    }
  }

  @discardableResult
  private func compare(path: String, sizes: [Int] = [1, 2, 7, 100, .max],
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> BlockOutcome {
    var first: BlockOutcome?
    for strict in [false, true] {
      for filtered in [false, true] {
        for piece in sizes {
          let expected = try read(path, .inTurn, piece: piece, strict: strict, filtered: filtered)
          if first == nil { first = expected }
          let batch = min(piece, BothCores.manicTimeXMLChunkBytes)
          let got = try read(path, .blocks(batch, threads: 1), piece: piece, strict: strict, filtered: filtered)
          if let difference = got.difference(from: expected) {
            // Once seen in CI and not again here: say which way's outcome a second read repeats.
            let again = try read(path, .blocks(batch, threads: 1), piece: piece, strict: strict, filtered: filtered)
            let inTurnAgain = try read(path, .inTurn, piece: piece, strict: strict, filtered: filtered)
            let blocksAgain: String = again == got ? "the same" : again == expected ? "as in turn" : "differs again"
            let turnAgain: String = inTurnAgain == expected ? "the same" : "differs: \(inTurnAgain.difference(from: expected) ?? "")"
            Issue.record("pieces of \(piece) bytes (strict \(strict), filtered \(filtered)): \(difference); read again, in blocks \(blocksAgain), in turn \(turnAgain)",
                         sourceLocation: sourceLocation)
          }
        }
      }
    }
    return first!
  }

  private func compare(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> BlockOutcome {
    let path = temporaryDirectory() + "/timeline.xml"
    writeFile(path, Array(text.utf8))
    return try compare(path: path, sourceLocation: sourceLocation)
  }

  @Test(arguments: ["custom-timeline.xml", "server-v1.xml", "xml-entities.xml"])
  func corpusFilesReadTheSameInBlocks(_ name: String) throws {
    try compare(path: CorpusTests.corpus.appendingPathComponent("manictime").appendingPathComponent(name).path)
  }

  /// bench/run's custom-timeline XML (bench/gen), small, groups after activities.
  @Test func benchDataReadsTheSameInBlocks() throws {
    let path = temporaryDirectory() + "/timeline.xml"
    writeFile(path, try benchData(["manictime.py", "--format", "xml"]))
    #expect(try compare(path: path, sizes: [4096, .max]).events > 1000)
  }

  @Test func sharedSamplesReadTheSameInBlocks() throws {
    let folder = CorpusTests.corpus.deletingLastPathComponent().appendingPathComponent("../shared/samples").standardized
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.lowercased().contains("manictime") && $0.hasSuffix(".xml") } ?? []
    if names.isEmpty { print("ManicTimeXMLBlockTests: no ManicTime XML in ../shared/samples; skipped") }
    for name in names { try compare(path: folder.appendingPathComponent(name).path) }
  }

  /// Two timelines, their groups after their activities (the activities wait in a file),
  /// activities and groups that cannot be read as fields, a group that is missing, times
  /// in the repeated hour, and an activity that ends before it starts.
  @Test func timelinesWithGroupsLastAndBadRecords() throws {
    var text = "<?xml version=\"1.0\"?>\n<Timelines>\n"
    for timeline in 0..<2 {
      text += "<Timeline><DisplayName>T\(timeline)</DisplayName><Activities>\n"
      for n in 0..<60 {
        let hour = String(format: "%02d", 8 + n % 10)
        switch n % 13 {
        case 3: text += "<Activity><DisplayName>bad <b>x</b></DisplayName><StartTime>2024-03-04T09:00:00</StartTime></Activity>\n"
        case 5: text += "<Activity><DisplayName>back</DisplayName><GroupId>1</GroupId><StartTime>2024-03-04T10:00:00</StartTime><EndTime>2024-03-04T09:00:00</EndTime></Activity>\n"
        case 7: text += "<Activity><DisplayName>fall</DisplayName><GroupId>\(n % 4)</GroupId><StartTime>2024-10-27T02:30:00</StartTime><EndTime>2024-10-27T02:40:00</EndTime></Activity>\n"
        default:
          text += "<Activity><DisplayName>A\(n)</DisplayName><GroupId>\(n % 5)</GroupId><StartTime>2024-03-0\(1 + n % 9)T\(hour):00:00</StartTime><EndTime>2024-03-0\(1 + n % 9)T\(hour):30:00</EndTime></Activity>\n"
        }
      }
      text += "</Activities><Groups>\n"
      for g in 0..<4 {
        text += g == 2 ? "<Group><GroupId>2</GroupId>text <i>beside</i></Group>\n"
          : "<Group><GroupId>\(g)</GroupId><DisplayName>G\(g)</DisplayName><Color>#00000\(g)</Color></Group>\n"
      }
      text += "</Groups></Timeline>\n"
    }
    text += "</Timelines>\n"
    let outcome = try compare(text)
    #expect(outcome.events > 80 && outcome.messages.count > 5)
  }

  /// Activities that wait for their groups on every kind of timeline (the replay resolves
  /// most on their lines' bytes, ManicTimeWaitingLine.swift): names and groups with
  /// quotes, backslashes, controls and other scripts, groups with keys (mt-write's
  /// `eidolon:` ones among them) and without colours, fields the group would overwrite,
  /// a name field that is not the title, a group missing, a document's URL; a field named
  /// Timeline, an element inside a field, activities that are not records.
  @Test func waitingActivitiesOfEveryTimelineReadTheSameInBlocks() throws {
    let names = ["plain", "a \"quoted\" one", "back\\slash", "tab\there", "日本語 😀", "https://example.com/a?b=\"c\"", ""]
    let extras = ["", "<TextData>notes</TextData>", "<activity_name>mine</activity_name>", "<Domain>d.example</Domain>",
                  "<Group>g</Group>", "<group_key>k</group_key>", "<group_color>c</group_color>", "<Name>other</Name>",
                  "<Timeline>a field that starts a timeline</Timeline>", "<x><y>inside a field</y></x>",
                  "<ActivityId>1</ActivityId><EntityId>2</EntityId>", "<TextData></TextData><Notes>n</Notes>",
                  "<GroupId>5</GroupId>", "<IsActive>true</IsActive><Empty></Empty>"]
    // Times with an offset (most), without one (read with --tz), with spaces around, with
    // an offset far from UTC.
    let offsets = ["+01:00", "+01:00", "", "+01:00 ", "+13:45", "-09:30", "+01:00"]
    var text = "<?xml version=\"1.0\"?>\n<timelines>\n"
    for (t, type) in ["ManicTime/Applications", "ManicTime/Documents", "Custom/Thing", "ManicTime/Tags", "ManicTime/ComputerUsage"].enumerated() {
      text += "<timeline><timelineKey>key-\(t)</timelineKey><timelineType><typeName>\(type)</typeName></timelineType><activities>\n"
      for n in 0..<40 {
        let name = names[n % names.count].replacingOccurrences(of: "&", with: "&amp;")
        let extra = n % 3 == 0 ? extras[(n / 3) % extras.count] : ""
        text += "<activity><displayName>\(name)</displayName><groupId>\(n % 6)</groupId>\(extra)"
          + "<startTime>2024-03-04T\(String(format: "%02d", 8 + n % 12)):00:00\(offsets[n % offsets.count])</startTime>"
          + "<endTime>2024-03-04T\(String(format: "%02d", 8 + n % 12)):20:00.5+01:00</endTime></activity>\n"
      }
      // An activity outside the activities, and one inside a group: no records of their own.
      text += "</activities><activity><displayName>stray</displayName></activity><groups>\n"
      text += "<group><groupId>9</groupId><activity><displayName>in a group</displayName></activity></group>\n"
      let keys = ["", "<displayKey>eidolon:project</displayKey>", "<displayKey>code.exe;vs \"code\"</displayKey>", "<displayKey>eidolon:nothing</displayKey>", "<color></color>"]
      for g in 0..<5 {
        let color = g == 3 ? "" : "<color>#00000\(g)</color>"
        text += "<group><groupId>\(g)</groupId><displayName>\(names[(g + t) % names.count])</displayName>\(color)\(keys[g])</group>\n"
      }
      text += "</groups></timeline>\n"
    }
    text += "</timelines>\n"
    let outcome = try compare(text)
    #expect(outcome.events > 150)
  }

  /// The replay's byte way takes the usual line (so the test above compares it, not only
  /// the Event's way), and declines one it must leave to the Event's way.
  @Test func theUsualWaitingLineIsResolvedOnItsBytes() throws {
    let groups = ManicTimeGroups(groups: ["7": ["displayname": "Terminal \"x\"", "color": "#112233", "displaykey": "k"]],
                                 timeline: .applications, fileName: "t.xml")
    var event = Event(id: "manictime:pending", source: "manictime", kind: "window", start: 1_700_000_000_123, duration: 61.5)
    event.stream = "ManicTime/\"Apps\"\t"
    event.title = "budget \"q\" - Terminal"
    event.offset = "+01:00"
    event.attrs["group_id"] = .string("7")
    event.attrs["activity_name"] = .string("budget \"q\" - Terminal")
    func resolved(_ event: Event, keeps: (Int64) -> Bool = { _ in true }) throws -> (bytes: String, byBytes: String?) {
      let line = ByteBuffer()
      EidolonNDJSONWriter.append(event, to: line)
      let byBytes = ByteBuffer()
      var day = ManicTimeGroups.StartDay()
      let took = groups.appendResolvedLine(UnsafeRawBufferPointer(rebasing: line.bytes.dropLast()), keeps: keeps, to: byBytes,
                                           idInput: ByteBuffer(), day: &day)
      var copy = event
      groups.resolve(&copy, diagnostics: Diagnostics(toolName: "test"))
      let expected = ByteBuffer()
      EidolonNDJSONWriter.append(copy, to: expected)
      return (String(decoding: expected.bytes, as: UTF8.self), took ? String(decoding: byBytes.bytes, as: UTF8.self) : nil)
    }
    let usual = try resolved(event)
    #expect(usual.byBytes == usual.bytes)
    #expect(usual.bytes.contains("\"app\":\"Terminal \\\"x\\\"\"") && usual.bytes.contains("\"group_key\":\"k\""))
    // A title that is not the activity's name, and a group that is missing: the Event's way.
    var renamed = event
    renamed.title = "other"
    #expect(try resolved(renamed).byBytes == nil)
    var missing = event
    missing.attrs["group_id"] = .string("8")
    #expect(try resolved(missing).byBytes == nil)
    // Fields the byte way does not write, and a start the filter leaves out.
    var withApp = event
    withApp.app = "x"
    var withProductivity = event
    withProductivity.productivity = 1
    var billable = event
    billable.billable = false
    var tagged = event
    tagged.tags = ["t"]
    for other in [withApp, withProductivity, billable, tagged] { #expect(try resolved(other).byBytes == nil) }
    #expect(try resolved(event, keeps: { $0 != event.start }).byBytes == nil)
    #expect(try resolved(event, keeps: { $0 == event.start }).byBytes == usual.bytes)
  }

  @Test func aFileCutShortStopsAfterTheEventsBeforeIt() throws {
    var text = "<Timeline><Activities>\n"
    for n in 0..<40 {
      text += "<Activity><DisplayName>A\(n)</DisplayName><StartTime>2024-03-04T09:\(10 + n):00</StartTime><EndTime>2024-03-04T09:\(11 + n):00</EndTime></Activity>\n"
    }
    text += "<Activity><DisplayName>cut"
    let outcome = try compare(text)
    #expect(outcome.stop != nil)
  }
}
