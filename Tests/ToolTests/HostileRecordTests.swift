import Foundation
import Testing

/// Records a hostile user would write, one of each class the reliability issue found:
/// numbers that used to trap (status 132), numbers that came out as invalid output,
/// and records that were lost without a word. Each must give status 1 with the place
/// and the reason, and whatever is written must be valid Eidolon NDJSON.
@Suite struct HostileRecordTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var tool: String
    var arguments: [String]
    var files: [String: [UInt8]]
    var status: Int32 = 1
    var message: String
    /// When the tool writes Eidolon NDJSON, eid-validate must accept it.
    var checkOutput = true
    var testDescription: String { name }
  }

  static let togglHeader = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags\n"
  static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
  static func v3(_ duration: String) -> [UInt8] {
    bytes(#"{"entities":[{"entityType":"activity","entityId":"a","values":{"name":"A","timeInterval":{"start":"2024-05-01T09:00:00+02:00","duration":\#(duration)}}}]}"#)
  }

  static let cases: [Case] = [
    // 1. Numbers that trapped.
    Case(name: "toggl CSV hours past Int64", tool: "toggl-read", arguments: ["in.csv"],
         files: ["in.csv": bytes(togglHeader + "Ann,a@x,,P,,D,No,2024-03-04,09:00:00,,,99999999999999999:00:00,\nAnn,a@x,,P,,E,No,2024-03-04,10:00:00,,,01:00:00,\n")],
         message: "in.csv:2:1: error: Duration \"99999999999999999:00:00\""),
    Case(name: "toggl CSV minutes of Int64.max", tool: "toggl-read", arguments: ["in.csv"],
         files: ["in.csv": bytes(togglHeader + "Ann,a@x,,P,,D,No,2024-03-04,09:00:00,,,9223372036854775807:06 min,\n")],
         message: "longer than the longest event"),
    Case(name: "ManicTime CSV days past any range", tool: "mt-read", arguments: ["--tz", "UTC", "in.csv"],
         files: ["in.csv": bytes("Name,Start,End,Duration,Process\nX,2024-03-04 09:00:00,,999999999999.23:59:59,P\n")],
         message: "in.csv:2:1: error: Duration \"999999999999.23:59:59\""),
    Case(name: "ManicTime v3 duration 1e300", tool: "mt-read", arguments: ["in.json"], files: ["in.json": v3("1e300")],
         message: "longer than the longest event"),
    Case(name: "ManicTime v3 duration 1e999", tool: "mt-read", arguments: ["in.json"], files: ["in.json": v3("1e999")],
         message: "duration \"1e999\" is not a number of seconds"),
    Case(name: "ManicTime v3 duration \"inf\"", tool: "mt-read", arguments: ["in.json"], files: ["in.json": v3("\"inf\"")],
         message: "duration \"inf\" is not a number of seconds"),
    Case(name: "generic CSV start of 25 digits", tool: "eidolon",
         arguments: ["migrate", "import-csv", "--columns", "start=When,duration=Seconds", "--dry-run", "in.csv"],
         files: ["in.csv": bytes("When,Seconds\n1234567890123456789012345,60\n1700000000,60\n")],
         message: "fall outside the years 0001 to 9999", checkOutput: false),
    Case(name: "import of a Toggl v9 entry lasting 1e999", tool: "eidolon",
         arguments: ["migrate", "import", "--from", "toggl", "--db", "store.db", "in.json"],
         files: ["in.json": bytes(#"[{"id":1,"start":"2024-07-01T13:00:00Z","duration":1e999},{"id":2,"start":"2024-07-01T14:00:00Z","duration":60}]"#)],
         message: "\"duration\" 1e999 is out of range", checkOutput: false),
    Case(name: "assess of a Toggl v9 entry lasting 1e999", tool: "eidolon",
         arguments: ["migrate", "assess", "--from", "toggl", "in.json"],
         files: ["in.json": bytes(#"[{"id":1,"start":"2024-07-01T13:00:00Z","duration":1e999}]"#)],
         message: "in.json:1:2: error: \"duration\" 1e999 is out of range", checkOutput: false),
    Case(name: "convert of an event lasting 1e300 s", tool: "eidolon", arguments: ["convert", "--from", "eidolon", "--to", "rescuetime", "in.ndjson"],
         files: ["in.ndjson": bytes(#"{"id":"x:1","source":"x","kind":"window","start":"2024-01-01T00:00:00.000Z","duration":1e300}"# + "\n")],
         message: "longer than the longest event", checkOutput: false),
    Case(name: "--merge-gap 1e300", tool: "eid-transform", arguments: ["--merge-gap", "1e300", "in.ndjson"],
         files: ["in.ndjson": []], status: 2, message: "--merge-gap takes 0 to", checkOutput: false),
    Case(name: "--shift of 10^20 hours", tool: "eid-transform", arguments: ["--shift", "99999999999999999999h", "in.ndjson"],
         files: ["in.ndjson": []], status: 2, message: "--shift", checkOutput: false),
    Case(name: "--shift past the year 9999", tool: "eid-transform", arguments: ["--shift", "3000000d", "in.ndjson"],
         files: ["in.ndjson": bytes(#"{"id":"x:1","source":"x","kind":"window","start":"2024-01-01T00:00:00.000Z","duration":1}"# + "\n")],
         message: "in.ndjson:1:1: error: the start falls outside the years 0001 to 9999"),

    Case(name: "a rules file with a sexagesimal number past Int", tool: "eid-transform", arguments: ["--rules", "rules.yaml", "in.ndjson"],
         files: ["rules.yaml": bytes("version: 1\nrules:\n  - match: {app: x}\n    set: {productivity: 99999999999999999999:00}\n"), "in.ndjson": []],
         status: 2, message: "rules.yaml:4:25: error: productivity takes a whole number from -2 to 2", checkOutput: false),

    // 2. Invalid or out-of-spec output.
    Case(name: "Toggl v9 duration 1e999 without a stop", tool: "toggl-read", arguments: ["in.json"],
         files: ["in.json": bytes(#"[{"id":1,"start":"2024-07-01T13:00:00Z","duration":1e999}]"#)],
         message: "\"duration\" 1e999 is out of range"),
    Case(name: "RescueTime daily feed of 1e999 hours", tool: "rt-read", arguments: ["in.json"],
         files: ["in.json": bytes(#"[{"id":1672473600,"date":"2022-12-31","total_hours":1e999}]"#)],
         message: "in.json:1:2: error:"),
    Case(name: "RescueTime CSV numbers as people write them", tool: "rt-read", arguments: ["--resolution", "hour", "in.csv"],
         files: ["in.csv": bytes("Date,Time Spent (seconds),Number of People,Activity,Category,Productivity\n2024-11-02T23:00:00,1800,01,Code,Editing,2\n2024-11-02T23:00:00,60,+1,Mail,Email,0\n2024-11-02T23:00:00,0x1p3,1,Chat,Email,0\n2024-11-02T23:00:00,-60,1,Web,Email,0\n")],
         message: "in.csv:3:1: error: Number of People \"+1\" is not a whole number"),
    Case(name: "a Toggl start before the year 1", tool: "toggl-read", arguments: ["in.json"],
         files: ["in.json": bytes(#"[{"id":1,"start":"0001-01-01T00:00:00+05:00","duration":60}]"#)],
         message: "the start falls outside the years 0001 to 9999"),

    // 5. Silent loss.
    Case(name: "Toggl to ManicTime's applications timeline", tool: "eidolon",
         arguments: ["convert", "--from", "toggl", "--to", "manictime", "--tz", "UTC", "in.csv"],
         files: ["in.csv": bytes(togglHeader + "Ann,a@x,,P,,D,No,2024-03-04,09:00:00,2024-03-04,10:00:00,01:00:00,\n")],
         message: "has no place on ManicTime's applications timeline", checkOutput: false),
    Case(name: "Toggl CSV that is not UTF-8", tool: "toggl-read", arguments: ["in.csv"],
         files: ["in.csv": bytes(togglHeader) + bytes("Ann,a@x,,P,,") + [0xFF, 0xFE] + bytes(",No,2024-03-04,09:00:00,,,01:00:00,\n")],
         message: "in.csv:2:1: error: field 6 of the row is not valid UTF-8"),
    Case(name: "ManicTime CSV that is not UTF-8", tool: "mt-read", arguments: ["--tz", "UTC", "in.csv"],
         files: ["in.csv": bytes("Name,Start,End,Duration,Process\nX") + [0xC3] + bytes(",2024-03-04 09:00:00,2024-03-04 09:01:00,0:01:00,P\n")],
         message: "in.csv:2:1: error: field 1 of the row is not valid UTF-8"),
    Case(name: "ManicTime XML with an element inside a field", tool: "mt-read", arguments: ["in.xml"],
         files: ["in.xml": bytes("<Timeline><Activities><Activity><DisplayName>foo<b>x</b>bar</DisplayName><StartTime>2024-03-04T09:00:00+01:00</StartTime><EndTime>2024-03-04T10:00:00+01:00</EndTime></Activity></Activities></Timeline>")],
         message: "<b> inside the field <displayname>"),
    Case(name: "ManicTime timesheet column whose date is not one", tool: "mt-read", arguments: ["--tz", "UTC", "in.csv"],
         files: ["in.csv": bytes("Tag 1,Notes,2024-02-28,2024-02-30,Total\nWork,,1.5,2.5,4\n")],
         message: "2024-02-30: \"2.5\" hours under a column whose date is not a valid date"),
    Case(name: "RescueTime CSV cut off in its last row", tool: "rt-read", arguments: ["--resolution", "hour", "in.csv"],
         files: ["in.csv": bytes("Date,Time Spent (seconds),Number of People,Activity,Category,Productivity\n2024-11-02T23:00:00,1800,1,Code,Editing,2\n2024-11-02T23:00:00,18")],
         message: "in.csv:3:1: error: the row has 2 fields where the header has 6"),
  ]

  @Test(arguments: cases)
  func refusedWithThePlaceAndTheReason(_ test: Case) throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, bytes) in test.files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
    let result = try ToolRunner.run(test.tool, test.arguments, directory: dir)
    #expect(result.status == test.status, "\(result.stderr)")
    #expect((result.stderr + result.stdout).contains(test.message), "\(result.stderr)")
    #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("crashed"))
    #expect(!result.stdout.contains(":inf") && !result.stdout.contains(":nan"))
    if test.checkOutput && !result.stdout.isEmpty {
      let check = try ToolRunner.run("eid-validate", ["-"], stdin: Data(result.stdout.utf8))
      #expect(check.status == 0, "\(check.stderr)")
    }
  }

  /// 3. Work per record linear in its columns, members and entries; 4. one record's size
  /// bounded. (Their time and memory are measured in formats/parsers.md, "Limits"; here
  /// only what comes out.)
  @Test func wideAndLongRecordsAreReadOrRefusedCleanly() throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let columns = 100_000
    let names = (0..<columns).map { "c\($0)" }.joined(separator: ",")
    let values = (0..<columns).map { "v\($0)" }.joined(separator: ",")
    try Data((Self.togglHeader.dropLast() + "," + names + "\n" + "Ann,a@x,,P,,D,No,2024-03-04,09:00:00,2024-03-04,10:00:00,01:00:00,," + values + "\n").utf8)
      .write(to: dir.appendingPathComponent("wide.csv"))
    let wide = try ToolRunner.run("toggl-read", ["wide.csv"], directory: dir)
    #expect(wide.status == 0 && wide.stdout.contains(#""c99999":"v99999""#), "\(wide.stderr)")

    let members = (0..<columns).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
    try Data(#"[{"id":1,"start":"2024-07-01T13:00:00Z","duration":60,\#(members)}]"#.utf8).write(to: dir.appendingPathComponent("wide.json"))
    let object = try ToolRunner.run("toggl-read", ["wide.json"], directory: dir)
    #expect(object.status == 0 && object.stdout.contains(#""k99999":99999"#), "\(object.stderr)")

    let entries = (0..<20_000).map { #"{"id":\#($0),"seconds":60,"start":"2024-07-01T13:00:00+02:00","stop":"2024-07-01T13:01:00+02:00"}"# }
    try Data(#"[{"user_id":1,"username":"a","time_entries":[\#(entries.joined(separator: ","))],"row_number":1}]"#.utf8)
      .write(to: dir.appendingPathComponent("group.json"))
    let group = try ToolRunner.run("toggl-read", ["group.json"], directory: dir)
    #expect(group.status == 0 && group.stdout.split(separator: "\n").count == 20_000, "\(group.stderr)")
    #expect(group.stdout.contains(#""row_number":1"#), "fields after the entries reach every entry")

    let many = #"{"id":"x:1","source":"x","kind":"window","start":"2024-01-01T00:00:00.000Z","duration":1,"attrs":{"a":[\#(Array(repeating: "0", count: 300_000).joined(separator: ","))]}}"#
    try Data((many + "\n").utf8).write(to: dir.appendingPathComponent("many.ndjson"))
    let refused = try ToolRunner.run("eid-validate", ["many.ndjson"], directory: dir)
    #expect(refused.status == 2 && refused.stderr.contains("many.ndjson:1:") && refused.stderr.contains("more than 250000 JSON values"), "\(refused.stderr)")

    let long = #"{"id":"x:1","source":"x","kind":"window","start":"2024-01-01T00:00:00.000Z","duration":1,"attrs":{"a":"\#(String(repeating: "x", count: 9 << 20))"}}"#
    try Data((long + "\n").utf8).write(to: dir.appendingPathComponent("long.ndjson"))
    let tooLong = try ToolRunner.run("aw-write", ["long.ndjson"], directory: dir)
    #expect(tooLong.status == 2 && tooLong.stderr.contains("longer than 8 MiB"), "\(tooLong.stderr)")

    try Data(#"{"id":"x:1","source":"x","kind":"window","start":"2000-01-01T00:00:00.000Z","duration":311040000}"#.utf8 + [0x0A])
      .write(to: dir.appendingPathComponent("span.ndjson"))
    let span = try ToolRunner.run("rt-write", ["--resolution", "minute", "span.ndjson"], directory: dir)
    #expect(span.status == 1 && span.stderr.contains("give a coarser --resolution"), "\(span.stderr)")
    #expect(try ToolRunner.run("rt-write", ["--resolution", "day", "span.ndjson"], directory: dir).status == 0)
  }

  @Test func rescueTimeNumbersAreWrittenAsJSONNumbers() throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("Date,Time Spent (seconds),Number of People,Activity,Category,Productivity,Efficiency (percent)\n2024-11-02T23:00:00,1800,01,Code,Editing,2,.5\n".utf8)
      .write(to: dir.appendingPathComponent("in.csv"))
    let result = try ToolRunner.run("rt-read", ["--resolution", "hour", "in.csv"], directory: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains(#""people":1"#) && result.stdout.contains(#""efficiency_percent":0.5"#), "\(result.stdout)")
  }

  @Test func anImportStoppedByABadNumberLeavesNoLoadRunning() throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(#"[{"id":1,"start":"2024-07-01T13:00:00Z","duration":1e999},{"id":2,"start":"2024-07-01T14:00:00Z","duration":60}]"#.utf8)
      .write(to: dir.appendingPathComponent("in.json"))
    let result = try ToolRunner.run("eidolon", ["migrate", "import", "--from", "toggl", "--db", "store.db", "in.json"], directory: dir)
    #expect(result.status == 1, "\(result.stderr)")
    let info = try ToolRunner.run("eidolon", ["db", "info", "store.db"], directory: dir)
    #expect(!info.stdout.contains("running") && info.stdout.contains(" done "), "\(info.stdout)")
    #expect(info.stdout.contains("1 events"), "\(info.stdout)")
  }
}
