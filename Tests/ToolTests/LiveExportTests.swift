import Foundation
import Testing

/// `eidolon migrate export-rescuetime` against the replay server: every day arrives once
/// through faults, windows shrink when they fail, a spent budget stops the run and
/// --resume goes on without fetching a window twice, and the key is never written.
@Suite(.serialized) struct LiveExportTests {
  static let key = "rt-secret-4242"

  /// Runs the export with the key in the environment and fast back-off.
  static func export(_ server: ReplayServer, _ arguments: [String], key: String? = LiveExportTests.key) throws -> ToolResult {
    var environment = ["EIDOLON_LIVE_BASE_DELAY=0.01"]
    if let key { environment.append("RESCUETIME_API_KEY=\(key)") }
    let eidolon = ToolRunner.productsDirectory.appendingPathComponent("eidolon").path
    return try ToolRunner.runProgram(
      "/usr/bin/env", environment + [eidolon, "migrate", "export-rescuetime", "--api-url", server.url] + arguments)
  }

  /// Rows and seconds per day of the exported file, read back by rt-read.
  static func totals(_ file: String) throws -> (rows: Int, secondsPerDay: [String: Int]) {
    let read = try ToolRunner.run("rt-read", [file])
    #expect(read.status == 0, "\(read.stderr)")
    var perDay: [String: Int] = [:]
    var rows = 0
    for line in read.stdout.split(separator: "\n") {
      let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let day = String((event["start"] as! String).prefix(10))
      perDay[day, default: 0] += (event["duration"] as! NSNumber).intValue
      rows += 1
    }
    return (rows, perDay)
  }

  static func truth(_ server: ReplayServer, _ first: String, _ last: String) throws -> (rows: Int, secondsPerDay: [String: Int]) {
    let answer = try server.get("/_truth/rescuetime?restrict_begin=\(first)&restrict_end=\(last)")
    return (answer["rows"] as! Int, (answer["seconds_per_day"] as! [String: Any]).mapValues { ($0 as! NSNumber).intValue })
  }

  /// Windows (begin..end) answered with 200, each as often as it was.
  static func windowsServed(_ server: ReplayServer) throws -> [String: Int] {
    var served: [String: Int] = [:]
    for request in try server.requests() where request["status"] as? Int == 200 {
      let query = request["query"] as! [String: String]
      served["\(query["restrict_begin"]!)..\(query["restrict_end"]!)", default: 0] += 1
    }
    return served
  }

  /// The key appears in no output, message, state file or log line.
  static func expectKeyNowhere(_ texts: [String], files: [String]) {
    for text in texts { #expect(!text.contains(key)) }
    for file in files {
      let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
      #expect(!text.contains(key), "\(file) holds the key")
    }
  }

  @Test func everyDayArrivesOnceThroughFaults() throws {
    let server = try ReplayServer(scenario: """
      {"rescuetime": {"key": "\(Self.key)", "faults": {"2": {"status": 429, "retry_after": "1"}, "3": {"status": 503},
        "4": {"truncate": true}, "6": {"status": 500}, "7": {"drop": true}}}}
      """)
    let dir = try ToolRunner.temporaryDirectory()
    let output = dir.appendingPathComponent("rescuetime_data.json").path
    let result = try Self.export(server, ["--date-range", "2024-01-01:2024-03-10", "--window-days", "20", "--output", output])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("HTTP 429") && result.stderr.contains("HTTP 503") && result.stderr.contains("HTTP 500"), "\(result.stderr)")
    #expect(result.stderr.contains("not whole JSON") || result.stderr.contains("transfer closed"), "the cut-short answer: \(result.stderr)")
    let got = try Self.totals(output)
    let want = try Self.truth(server, "2024-01-01", "2024-03-10")
    #expect(got.rows == want.rows && got.rows > 100)
    #expect(got.secondsPerDay == want.secondsPerDay)
    // Four windows of 20 days and one of 10, each served once.
    let served = try Self.windowsServed(server)
    #expect(served == ["2024-01-01..2024-01-20": 1, "2024-01-21..2024-02-09": 1, "2024-02-10..2024-02-29": 1, "2024-03-01..2024-03-10": 1])
    #expect(!FileManager.default.fileExists(atPath: output + ".partial"))
    Self.expectKeyNowhere([result.stdout, result.stderr], files: [output, output + ".state.json", server.log.path])
  }

  @Test func aWindowThatKeepsFailingIsFetchedInHalves() throws {
    let server = try ReplayServer(scenario: #"{"rescuetime": {"key": "\#(Self.key)", "max_window_days": 8}}"#)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("rt.json").path
    let result = try Self.export(server, ["--since", "2024-05-01", "--until", "2024-06-01", "--window-days", "30", "-o", output])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("fetching 15-day windows instead") && result.stderr.contains("fetching 7-day windows instead"))
    let got = try Self.totals(output)
    let want = try Self.truth(server, "2024-05-01", "2024-05-31")
    #expect(got.rows == want.rows && got.secondsPerDay == want.secondsPerDay)
    #expect(try Self.windowsServed(server).keys.sorted().first == "2024-05-01..2024-05-07")
  }

  @Test func aSpentBudgetStopsAndResumeFetchesNoWindowTwice() throws {
    let server = try ReplayServer(scenario: #"{"rescuetime": {"key": "\#(Self.key)"}}"#)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("rt.json").path
    let range = ["--date-range", "2024-01-01:2024-02-29", "--window-days", "10", "-o", output]
    let first = try Self.export(server, range + ["--max-requests-per-hour", "3", "--max-wait", "0"])
    #expect(first.status == 2)
    #expect(first.stderr.contains("--max-requests-per-hour 3 is spent") && first.stderr.contains("--resume"), "\(first.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
    #expect(try Self.windowsServed(server).count == 3)

    // Not over it unasked, and not with other dates.
    let again = try Self.export(server, range)
    #expect(again.status == 2 && again.stderr.contains("--resume goes on with it"), "\(again.stderr)")
    let other = try Self.export(server, ["--date-range", "2024-01-02:2024-02-29", "--window-days", "10", "-o", output, "--resume"])
    #expect(other.status == 2 && other.stderr.contains("asked for something else"), "\(other.stderr)")

    // The budget counts the stopped run's requests: still spent, the run stops at once.
    let spent = try Self.export(server, range + ["--resume", "--max-requests-per-hour", "3", "--max-wait", "0"])
    #expect(spent.status == 2)
    #expect(try Self.windowsServed(server).count == 3)

    let resumed = try Self.export(server, range + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("resumed at 2024-01-31"), "\(resumed.stderr)")
    let served = try Self.windowsServed(server)
    #expect(served.count == 6 && served.values.allSatisfy { $0 == 1 }, "\(served)")
    let got = try Self.totals(output)
    let want = try Self.truth(server, "2024-01-01", "2024-02-29")
    #expect(got.rows == want.rows && got.secondsPerDay == want.secondsPerDay)
    Self.expectKeyNowhere([first.stderr, resumed.stderr], files: [output, output + ".state.json", server.log.path])
  }

  @Test func credentialsComeFromTheEnvironmentOrAFileAndARefusedKeyIsClear() throws {
    let server = try ReplayServer(scenario: #"{"rescuetime": {"key": "\#(Self.key)"}}"#)
    let dir = try ToolRunner.temporaryDirectory()
    let output = dir.appendingPathComponent("rt.json").path
    let range = ["--date-range", "2024-01-01:2024-01-05", "-o", output]

    let none = try Self.export(server, range, key: nil)
    #expect(none.status == 2 && none.stderr.contains("RESCUETIME_API_KEY"), "\(none.stderr)")

    let wrong = try Self.export(server, range, key: "not-the-key")
    #expect(wrong.status == 2 && wrong.stderr.contains("HTTP 403") && wrong.stderr.contains("refused the credentials"), "\(wrong.stderr)")
    #expect(!wrong.stderr.contains("not-the-key"))

    let keyFile = dir.appendingPathComponent("key")
    try (Self.key + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
    let fromFile = try Self.export(server, range + ["--token-file", keyFile.path], key: nil)
    #expect(fromFile.status == 0, "\(fromFile.stderr)")

    let onCommandLine = try Self.export(server, range + ["--api-key", Self.key], key: nil)
    #expect(onCommandLine.status == 0 && onCommandLine.stderr.contains("other users of this machine can see it"), "\(onCommandLine.stderr)")
    Self.expectKeyNowhere([fromFile.stderr, onCommandLine.stderr], files: [output, output + ".state.json", server.log.path])
  }

  @Test func aQuotaThatRefillsLaterThanTheRunWaitsStopsWithTheTime() throws {
    let server = try ReplayServer(scenario: """
      {"rescuetime": {"key": "\(Self.key)", "faults": {"2": {"status": 429, "retry_after": "3600"}}}}
      """)
    let output = try ToolRunner.temporaryDirectory().appendingPathComponent("rt.json").path
    let range = ["--date-range", "2024-01-01:2024-01-20", "--window-days", "10", "-o", output]
    let stopped = try Self.export(server, range)
    #expect(stopped.status == 2 && stopped.stderr.contains("quota is spent") && stopped.stderr.contains("refills in 60 min"), "\(stopped.stderr)")
    let resumed = try Self.export(server, range + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let got = try Self.totals(output)
    #expect(got.rows == (try Self.truth(server, "2024-01-01", "2024-01-20")).rows)
  }

  /// rt-read --api reads what export-rescuetime writes, as a pipe, and leaves no file behind.
  @Test func rtReadFromTheAPIGivesTheEventsOfTheExportedFile() throws {
    let server = try ReplayServer(scenario: #"{"rescuetime": {"key": "\#(Self.key)", "faults": {"2": {"status": 503}}}}"#)
    let dir = try ToolRunner.temporaryDirectory()
    let output = dir.appendingPathComponent("rt.json").path
    #expect(try Self.export(server, ["--date-range", "2024-03-01:2024-03-20", "-o", output]).status == 0)
    let fromFile = try ToolRunner.run("rt-read", [output, "--tz", "Europe/Berlin"])
    let rtRead = ToolRunner.productsDirectory.appendingPathComponent("rt-read").path
    let temporary = dir.appendingPathComponent("tmp")
    try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    let piped = try ToolRunner.runProgram("/usr/bin/env", [
      "RESCUETIME_API_KEY=\(Self.key)", "EIDOLON_LIVE_BASE_DELAY=0.01", "TMPDIR=\(temporary.path)", rtRead, "--api", "--since", "2024-03-01",
      "--until", "2024-03-21", "--tz", "Europe/Berlin", "--api-url", server.url,
    ])
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(!piped.stdout.isEmpty && piped.stdout == fromFile.stdout)
    #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty, "the answers' temporary files are removed")
    let both = try ToolRunner.run("rt-read", ["--api", "--since", "2024-03-01", output])
    #expect(both.status == 2 && both.stderr.contains("not both"))
  }

  /// --since-last fetches from a few days before the last export's end, and a load with
  /// replace-range over the first file stores each row once: the store's seconds per day
  /// are the API's over both ranges.
  @Test func sinceLastFetchesOnlyTheNewDaysAndReplaceRangeStoresThemOnce() throws {
    let server = try ReplayServer(scenario: #"{"rescuetime": {"key": "\#(Self.key)"}}"#)
    let dir = try ToolRunner.temporaryDirectory()
    let output = dir.appendingPathComponent("rt.json").path
    let first = try Self.export(server, ["--since", "2024-01-01", "--until", "2024-01-21", "--window-days", "10", "-o", output])
    #expect(first.status == 0, "\(first.stderr)")
    let january = dir.appendingPathComponent("first.json").path
    try FileManager.default.copyItem(atPath: output, toPath: january)

    let sync = try Self.export(server, ["--since-last", "--until", "2024-02-01", "--window-days", "10", "-o", output])
    #expect(sync.status == 0, "\(sync.stderr)")
    let served = try Self.windowsServed(server)
    #expect(served.keys.contains("2024-01-17..2024-01-26") && served.keys.contains("2024-01-27..2024-01-31"), "\(served)")
    #expect(try Self.totals(output).rows == (try Self.truth(server, "2024-01-17", "2024-01-31")).rows)

    let store = dir.appendingPathComponent("events.db").path
    for (file, strategy) in [(january, "append"), (output, "replace-range")] {
      let load = try ToolRunner.run("eidolon", ["migrate", "import", "--from", "rescuetime", "--input", file, "--db", store, "--merge-strategy", strategy, "--quiet"])
      #expect(load.status == 0, "\(load.stderr)")
    }
    let dumped = try ToolRunner.run("eid-dump", [store])
    var perDay: [String: Int] = [:]
    for line in dumped.stdout.split(separator: "\n") {
      let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      perDay[String((event["start"] as! String).prefix(10)), default: 0] += (event["duration"] as! NSNumber).intValue
    }
    #expect(perDay == (try Self.truth(server, "2024-01-01", "2024-01-31")).secondsPerDay)

    let none = try Self.export(server, ["--since-last", "-o", dir.appendingPathComponent("other.json").path])
    #expect(none.status == 2 && none.stderr.contains("--since-last needs an export that finished"), "\(none.stderr)")
  }
}
