import Foundation
import Testing

/// mt-read run as a user would on corpus/manictime.
@Suite struct ManicTimeReadTests {
  static let folder = ToolRunner.packageRoot.appendingPathComponent("corpus/manictime")

  @Test func withoutATimeZoneItRefusesToGuess() throws {
    let result = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("applications.csv").path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("--tz is required"))
    #expect(result.stdout.isEmpty)
  }

  @Test func everyGoodRowIsKeptWithItsSecondsAndEveryBadOneRejected() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let rejects = dir.appendingPathComponent("rejects.ndjson").path
    let result = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("applications.csv").path, "--tz", "Europe/Berlin",
                                                "--rejects", rejects])
    #expect(result.status == 1, "\(result.stderr)")
    let events = try result.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    // End minus Start of the 8 good rows, worked out by hand from the file (Berlin wall clock).
    let seconds = events.compactMap { $0["duration"] as? Double }.reduce(0, +)
    #expect(events.count == 8)
    let byHand: [Double] = [65, 1730, 7.5, 16200, 93784, 2400, 1800, 600]
    #expect(seconds == byHand.reduce(0, +))
    #expect(Set(events.compactMap { $0["stream"] as? String }) == ["ManicTime/Applications"])
    let rejected = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
    #expect(rejected.count == 4)
    #expect(rejected.allSatisfy { $0.contains("\"line\":") && $0.contains("\"raw\":") })
    #expect(result.stderr.contains("mt-read: 8 activities; 4 rejected, 3 warnings"), "\(result.stderr)")
  }

  @Test func theDateOrderIsSaidOrAskedFor() throws {
    let ambiguous = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("gui-ambiguous.csv").path, "--tz", "Europe/London"])
    #expect(ambiguous.status == 2)
    #expect(ambiguous.stderr.contains("--date-order"))
    let settled = try ToolRunner.run("mt-read", [Self.folder.appendingPathComponent("gui-ambiguous.csv").path, "--tz", "Europe/London",
                                                 "--date-order", "dmy"])
    #expect(settled.status == 0, "\(settled.stderr)")
    #expect(settled.stdout.contains("\"start\":\"2019-03-04T11:33:52.000Z\""))
  }
}
