import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Seconds per timeline in mt-read's output against the same sums worked out from the
/// source files by Foundation's own XML and JSON parsers and date formatter: nothing of
/// ours in the second reading, so a lost or doubled activity shows.
@Suite struct ManicTimeTotalsTests {
  static let folder = ToolRunner.packageRoot.appendingPathComponent("corpus/manictime")

  /// ISO 8601 with an offset, with or without a fraction; nil for anything else.
  static func date(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)
  }

  /// mt-read's seconds per stream.
  private func ours(_ name: String) throws -> [String: Double] {
    let result = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent(name).path])
    var seconds: [String: Double] = [:]
    for line in result.stdout.split(separator: "\n") {
      let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      seconds[event["stream"] as? String ?? "", default: 0] += event["duration"] as? Double ?? 0
    }
    return seconds
  }

  /// Sums end minus start of the activities of each timeline in a ManicTime XML file.
  final class XMLTotals: NSObject, XMLParserDelegate {
    var seconds: [String: Double] = [:]
    private var timeline = ""
    private var fields: [String: String] = [:]
    private var text = ""
    private var path: [String] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
      path.append(name.lowercased())
      text = ""
      if name.lowercased() == "activity" { fields = [:] }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
      let element = path.removeLast()
      let parent = path.last ?? ""
      if parent == "activity" { fields[element] = text }
      if element == "typename" || (element == "displayname" && parent == "timeline") { timeline = text }
      if element == "activity", let start = fields["starttime"].flatMap(ManicTimeTotalsTests.date),
        let end = fields["endtime"].flatMap(ManicTimeTotalsTests.date), end >= start
      {
        seconds[timeline, default: 0] += end.timeIntervalSince(start)
      }
      text = ""
    }
  }

  @Test(arguments: ["custom-timeline.xml", "server-v1.xml"])
  func xmlSecondsPerTimelineAreKept(_ name: String) throws {
    let parser = try #require(XMLParser(contentsOf: Self.folder.appendingPathComponent(name)))
    let totals = XMLTotals()
    parser.delegate = totals
    #expect(parser.parse())
    #expect(!totals.seconds.isEmpty)
    #expect(try ours(name) == totals.seconds)
  }

  @Test func jsonSecondsPerTimelineAreKept() throws {
    let v2 = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("server-v2.json"))) as? [String: Any])
    var expected = 0.0
    for activity in v2["activities"] as? [[String: Any]] ?? [] {
      guard let start = (activity["startTime"] as? String).flatMap(Self.date), let end = (activity["endTime"] as? String).flatMap(Self.date) else { continue }
      expected += end.timeIntervalSince(start)
    }
    #expect(expected > 0)
    #expect(try ours("server-v2.json") == ["ManicTime/Applications": expected])

    let v3 = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("server-v3.json"))) as? [String: Any])
    var seconds = 0.0
    for entity in v3["entities"] as? [[String: Any]] ?? [] where entity["entityType"] as? String == "activity" {
      let interval = (entity["values"] as? [String: Any])?["timeInterval"] as? [String: Any]
      if let duration = (interval?["duration"] as? NSNumber)?.doubleValue, duration >= 0 { seconds += duration }
    }
    #expect(seconds > 0)
    // server-v3.json has no timeline of its own; read without --timeline, its stream is empty.
    #expect(try ours("server-v3.json") == ["": seconds])
  }
}
