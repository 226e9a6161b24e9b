import Foundation
import Testing

/// `eidolon migrate export-manictime` against the replay server: every timeline in
/// windows, an activity across a window's edge written once, sign-in by token or by name
/// and password, faults retried, a quota stop resumed without a window fetched twice, and
/// the credentials written nowhere.
@Suite(.serialized) struct LiveExportManicTimeTests {
  static let password = "mt-password-5151"
  static let token = "mt-token-9090"

  static func export(_ server: ReplayServer, _ arguments: [String], environment: [String]) throws -> ToolResult {
    let eidolon = ToolRunner.productsDirectory.appendingPathComponent("eidolon").path
    return try ToolRunner.runProgram("/usr/bin/env", ["EIDOLON_LIVE_BASE_DELAY=0.01"] + environment + [eidolon, "migrate", "export-manictime", "--server", server.url] + arguments)
  }

  static func read(_ file: String) throws -> (activities: Int, secondsPerDay: [String: Int], ids: Set<String>) {
    let read = try ToolRunner.run("mt-read", [file])
    #expect(read.status == 0, "\(read.stderr)")
    var perDay: [String: Int] = [:]
    var ids = Set<String>()
    var count = 0
    for line in read.stdout.split(separator: "\n") {
      let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      perDay[String((event["start"] as! String).prefix(10)), default: 0] += (event["duration"] as! NSNumber).intValue
      ids.insert(event["id"] as! String)
      count += 1
    }
    return (count, perDay, ids)
  }

  static func truth(_ server: ReplayServer, _ first: String, _ last: String) throws -> (activities: Int, secondsPerDay: [String: Int]) {
    let answer = try server.get("/_truth/manictime?start=\(first)&end=\(last)")
    return (answer["activities"] as! Int, (answer["seconds_per_day"] as! [String: Any]).mapValues { ($0 as! NSNumber).intValue })
  }

  @Test func everyTimelineArrivesOnceThroughFaults() throws {
    let server = try ReplayServer(scenario: """
      {"manictime": {"token": "\(Self.token)", "username": "ann", "password": "\(Self.password)",
        "faults": {"3": {"status": 503}, "5": {"drop": true}, "7": {"truncate": true}, "9": {"status": 429, "retry_after": "1"}}}}
      """)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("manictime.json").path
    let result = try Self.export(server, ["--date-range", "2024-01-01:2024-02-29", "-o", output],
                                 environment: ["MANICTIME_USERNAME=ann", "MANICTIME_PASSWORD=\(Self.password)"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("HTTP 503") && result.stderr.contains("HTTP 429"), "\(result.stderr)")
    #expect(result.stderr.contains("overlapped two windows written once"), "\(result.stderr)")
    let got = try Self.read(output)
    let want = try Self.truth(server, "2024-01-01", "2024-02-29")
    #expect(got.activities == want.activities && got.activities > 100)
    #expect(got.ids.count == got.activities, "no activity twice")
    #expect(got.secondsPerDay == want.secondsPerDay)
    for text in [result.stdout, result.stderr, try String(contentsOfFile: output, encoding: .utf8),
                 try String(contentsOfFile: output + ".state.json", encoding: .utf8), try String(contentsOf: server.log, encoding: .utf8)] {
      #expect(!text.contains(Self.password) && !text.contains(Self.token))
    }
  }

  @Test func aTokenSignsInAndAQuotaStopResumes() throws {
    let server = try ReplayServer(scenario: """
      {"manictime": {"token": "\(Self.token)", "faults": {"4": {"status": 429, "retry_after": "5000"}}}}
      """)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("mt.json").path
    let range = ["--date-range", "2024-03-01:2024-04-10", "--window-days", "10", "-o", output]
    let stopped = try Self.export(server, range, environment: ["MANICTIME_TOKEN=\(Self.token)"])
    #expect(stopped.status == 2 && stopped.stderr.contains("--resume"), "\(stopped.stderr)")
    let resumed = try Self.export(server, range + ["--resume"], environment: ["MANICTIME_TOKEN=\(Self.token)"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    var windows: [String: Int] = [:]
    for request in try server.requests() where request["status"] as? Int == 200 && (request["path"] as! String).hasSuffix("/activities") {
      windows["\(request["path"]!) \((request["query"] as! [String: String])["fromTime"]!)", default: 0] += 1
    }
    #expect(windows.count == 10 && windows.values.allSatisfy { $0 == 1 }, "\(windows)")
    let got = try Self.read(output)
    #expect(got.activities == (try Self.truth(server, "2024-03-01", "2024-04-10")).activities)

    let refused = try Self.export(server, range + ["-o", output + "2"], environment: ["MANICTIME_TOKEN=not-it"])
    #expect(refused.status == 2 && refused.stderr.contains("HTTP 401") && !refused.stderr.contains("not-it"), "\(refused.stderr)")
    let badPassword = try Self.export(server, ["--date-range", "2024-03-01:2024-03-02", "-o", output + "3"],
                                      environment: ["MANICTIME_USERNAME=ann", "MANICTIME_PASSWORD=wrong"])
    #expect(badPassword.status == 2 && badPassword.stderr.contains("sign-in") && !badPassword.stderr.contains("wrong"), "\(badPassword.stderr)")
  }

  /// mt-read --server reads what export-manictime writes, as a pipe.
  @Test func mtReadFromTheServerGivesTheEventsOfTheExportedFile() throws {
    let server = try ReplayServer(scenario: #"{"manictime": {"token": "\#(Self.token)"}}"#)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("mt.json").path
    #expect(try Self.export(server, ["--date-range", "2024-05-01:2024-05-20", "-o", output], environment: ["MANICTIME_TOKEN=\(Self.token)"]).status == 0)
    let fromFile = try ToolRunner.run("mt-read", [output])
    let mtRead = ToolRunner.productsDirectory.appendingPathComponent("mt-read").path
    let piped = try ToolRunner.runProgram("/usr/bin/env", [
      "MANICTIME_TOKEN=\(Self.token)", mtRead, "--server", server.url, "--since", "2024-05-01", "--until", "2024-05-21",
    ])
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(!piped.stdout.isEmpty && piped.stdout == fromFile.stdout)
  }
}
