import Foundation
import Testing

/// `eidolon migrate export-toggl` against the replay server: the Reports API's pages per
/// workspace for older days and /me/time_entries for recent ones, names resolved, through
/// quota answers and faults; a quota that refills later stops the run and --resume fetches
/// no page twice; a repeated cursor and a plan's 402 are errors.
@Suite(.serialized) struct LiveExportTogglTests {
  static let token = "toggl-secret-7777"

  /// Today (UTC) moved by `days`, as YYYY-MM-DD.
  static func day(_ days: Int) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
  }

  static func export(_ server: ReplayServer, _ arguments: [String]) throws -> ToolResult {
    let eidolon = ToolRunner.productsDirectory.appendingPathComponent("eidolon").path
    return try ToolRunner.runProgram(
      "/usr/bin/env", ["EIDOLON_LIVE_BASE_DELAY=0.01", "TOGGL_API_TOKEN=\(token)", eidolon, "migrate", "export-toggl", "--api-url", server.url]
        + arguments)
  }

  /// Entries and seconds per day of the exported file read back by toggl-read, and the projects and tags seen.
  static func read(_ file: String) throws -> (entries: Int, secondsPerDay: [String: Int], projects: Set<String>, tags: Set<String>) {
    let read = try ToolRunner.run("toggl-read", [file])
    #expect(read.status == 0, "\(read.stderr)")
    var perDay: [String: Int] = [:]
    var projects = Set<String>()
    var tags = Set<String>()
    var entries = 0
    for line in read.stdout.split(separator: "\n") {
      let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      perDay[String((event["start"] as! String).prefix(10)), default: 0] += (event["duration"] as! NSNumber).intValue
      projects.insert(event["project"] as? String ?? "-")
      for tag in event["tags"] as? [String] ?? [] { tags.insert(tag) }
      entries += 1
    }
    return (entries, perDay, projects, tags)
  }

  static func truth(_ server: ReplayServer, _ first: String, _ last: String) throws -> (entries: Int, secondsPerDay: [String: Int]) {
    let answer = try server.get("/_truth/toggl?start=\(first)&end=\(last)")
    return (answer["entries"] as! Int, (answer["seconds_per_day"] as! [String: Any]).mapValues { ($0 as! NSNumber).intValue })
  }

  /// The pages and windows answered whole, each as often as it was.
  static func served(_ server: ReplayServer) throws -> [String: Int] {
    var served: [String: Int] = [:]
    for request in try server.requests() where request["status"] as? Int == 200 {
      let path = request["path"] as! String
      let query = request["query"] as? [String: Any] ?? [:]
      if path.hasPrefix("/reports/") {
        served["\(path) \(query["start_date"]!) row \(query["first_row_number"] ?? 1)", default: 0] += 1
      } else if path == "/api/v9/me/time_entries" {
        served["\(path) \(query["start_date"]!)", default: 0] += 1
      }
    }
    return served
  }

  @Test func olderDaysFromReportsAndRecentFromTimeEntriesThroughQuotaAnswers() throws {
    let server = try ReplayServer(scenario: """
      {"toggl": {"token": "\(Self.token)", "faults": {"3": {"status": 429, "retry_after": "1"},
        "9": {"status": 402, "retry_after": "1", "body": "You have hit your hourly quota of API requests"},
        "12": {"drop": true}, "14": {"truncate": true}, "16": {"status": 502}}}}
      """)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("toggl_data.json").path
    let (first, last) = (Self.day(-130), Self.day(0))
    let result = try Self.export(server, ["--date-range", "\(first):\(last)", "--page-size", "9", "-o", output])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("HTTP 429") && result.stderr.contains("quota of requests is spent") && result.stderr.contains("HTTP 502"), "\(result.stderr)")
    let got = try Self.read(output)
    let want = try Self.truth(server, first, last)
    #expect(got.entries == want.entries && got.entries > 100)
    #expect(got.secondsPerDay == want.secondsPerDay)
    // Names, not ids: every entry's project and tags were resolved.
    #expect(got.projects == ["Project 1", "Project 2", "Project 3"] && got.tags == ["focus", "meeting"], "\(got.projects) \(got.tags)")
    let served = try Self.served(server)
    #expect(served.values.allSatisfy { $0 == 1 }, "\(served)")
    #expect(served.keys.contains { $0.hasPrefix("/reports/api/v3/workspace/101/") } && served.keys.contains { $0.hasPrefix("/reports/api/v3/workspace/202/") })
    #expect(served.keys.contains { $0.hasPrefix("/api/v9/me/time_entries \(Self.day(-90))") })
    for text in [result.stdout, result.stderr, try String(contentsOfFile: output, encoding: .utf8),
                 try String(contentsOfFile: output + ".state.json", encoding: .utf8), try String(contentsOf: server.log, encoding: .utf8)] {
      #expect(!text.contains(Self.token))
    }
  }

  @Test func aQuotaStopInThePagesResumesWithoutFetchingAPageTwice() throws {
    let server = try ReplayServer(scenario: """
      {"toggl": {"token": "\(Self.token)", "faults": {"10": {"status": 402, "retry_after": "7200", "body": "hourly quota reached"}}}}
      """)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("toggl.json").path
    let range = ["--date-range", "\(Self.day(-200)):\(Self.day(-1))", "--page-size", "10", "-o", output]
    let stopped = try Self.export(server, range)
    #expect(stopped.status == 2 && stopped.stderr.contains("refills in 120 min") && stopped.stderr.contains("--resume"), "\(stopped.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
    let resumed = try Self.export(server, range + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("resumed at workspace 101"), "\(resumed.stderr)")
    #expect(try Self.served(server).values.allSatisfy { $0 == 1 })
    let got = try Self.read(output)
    let want = try Self.truth(server, Self.day(-200), Self.day(-1))
    #expect(got.entries == want.entries && got.secondsPerDay == want.secondsPerDay)
  }

  @Test func aRepeatedCursorAndAPlansPaymentAnswerAreErrors() throws {
    let looping = try ReplayServer(scenario: #"{"toggl": {"token": "\#(Self.token)", "repeat_cursor": true}}"#)
    let dir = try ToolRunner.temporaryDirectory()
    let range = ["--date-range", "\(Self.day(-200)):\(Self.day(-150))", "--page-size", "5"]
    let loop = try Self.export(looping, range + ["-o", dir.appendingPathComponent("a.json").path])
    #expect(loop.status == 2 && loop.stderr.contains("same cursor"), "\(loop.stderr)")

    let paid = try ReplayServer(scenario: """
      {"toggl": {"token": "\(Self.token)", "faults": {"2": {"status": 402, "body": "This feature is available on the Premium plan"}}}}
      """)
    let plan = try Self.export(paid, range + ["-o", dir.appendingPathComponent("b.json").path])
    #expect(plan.status == 2 && plan.stderr.contains("HTTP 402: the account's plan does not include this"), "\(plan.stderr)")
  }

  /// toggl-read --api reads what export-toggl writes, as a pipe.
  @Test func togglReadFromTheAPIGivesTheEventsOfTheExportedFile() throws {
    let server = try ReplayServer(scenario: #"{"toggl": {"token": "\#(Self.token)"}}"#)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("toggl.json").path
    let (first, last) = (Self.day(-100), Self.day(-1))
    #expect(try Self.export(server, ["--date-range", "\(first):\(last)", "-o", output]).status == 0)
    let fromFile = try ToolRunner.run("toggl-read", [output])
    let togglRead = ToolRunner.productsDirectory.appendingPathComponent("toggl-read").path
    let piped = try ToolRunner.runProgram("/usr/bin/env", [
      "TOGGL_API_TOKEN=\(Self.token)", togglRead, "--api", "--since", first, "--until", Self.day(0), "--api-url", server.url,
    ])
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(!piped.stdout.isEmpty && piped.stdout == fromFile.stdout)
  }
}
