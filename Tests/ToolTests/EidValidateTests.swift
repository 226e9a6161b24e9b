import Foundation
import Testing

private let good = #"{"id":"t:1","source":"toggl","kind":"time_entry","start":"2024-03-01T08:00:00.000Z","duration":3600,"project":"Eidolon"}"#
private let good2 = #"{"id":"t:2","source":"toggl","kind":"time_entry","start":"2024-03-01T09:00:00.000Z","duration":1800.5}"#

@Suite struct EidValidateTests {
  @Test func aValidStreamExitsZeroWithASummary() throws {
    let result = try ToolRunner.run("eid-validate", [], stdin: Data((good + "\n" + good2 + "\n").utf8))
    #expect(result.status == 0)
    #expect(result.stdout.contains("events         2"))
    #expect(result.stdout.contains("from           2024-03-01T08:00:00.000Z"))
    #expect(result.stdout.contains("to             2024-03-01T09:30:00.500Z"))
    #expect(result.stdout.contains("total          5400.500 s (1.5 h)"))
    #expect(result.stderr.isEmpty)
  }

  @Test func jsonSummary() throws {
    let result = try ToolRunner.run("eid-validate", ["--json", "-"], stdin: Data((good + "\n").utf8))
    #expect(result.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["events"] as? Int == 1)
    #expect((object?["by_source"] as? [String: Any])?["toggl"] != nil)
  }

  @Test func badRecordsExitOneWithPlacesAndRejects() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let input = dir.appendingPathComponent("in.ndjson")
    let sameIDOtherEvent = good.replacingOccurrences(of: "\"duration\":3600", with: "\"duration\":60")
    try Data((good + "\n{\"id\":\"x\"}\n" + sameIDOtherEvent + "\n" + good + "\n").utf8).write(to: input)
    let rejects = dir.appendingPathComponent("rejects.ndjson")
    let result = try ToolRunner.run("eid-validate", [input.path, "--rejects", rejects.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("\(input.path):2:1: error: missing required field \"source\""))
    #expect(result.stderr.contains("\(input.path):3:1: error: duplicate id \"t:1\" (first at \(input.path):1) on a different event"))
    #expect(result.stderr.contains("\(input.path):4:1: warning: the same event as at \(input.path):1"))
    #expect(result.stdout.contains("rejected       1"))
    #expect(result.stdout.contains("duplicate ids  1"))
    #expect(result.stdout.contains("repeated       1"))
    let rejected = try String(contentsOf: rejects, encoding: .utf8)
    #expect(rejected.contains(#""raw":"{\"id\":\"x\"}""#))
  }

  @Test func strictStopsAtTheFirstBadRecord() throws {
    let result = try ToolRunner.run("eid-validate", ["--strict"], stdin: Data("{}\n{}\n".utf8))
    #expect(result.status == 1)
    #expect(result.stderr.components(separatedBy: "error:").count == 2)
    #expect(result.stderr.contains("--strict"))
  }

  @Test func gzipInputIsRecognisedByContent() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let plain = dir.appendingPathComponent("events")
    try Data((good + "\n").utf8).write(to: plain)
    let zipped = try ToolRunner.shell("gzip -c '\(plain.path)' > '\(dir.path)/events.data' && eid-validate --quiet '\(dir.path)/events.data' && echo ok")
    #expect(zipped.status == 0)
    #expect(zipped.stdout == "ok\n")
  }

  @Test func usageAndIOErrorsExitTwo() throws {
    let usage = try ToolRunner.run("eid-validate", ["--no-such-option"])
    #expect(usage.status == 2)
    #expect(usage.stderr.contains("Unknown option"))
    let missing = try ToolRunner.run("eid-validate", ["/nonexistent.ndjson"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("/nonexistent.ndjson: error: cannot open for reading"))
    let truncatedGzip = try ToolRunner.shell("printf '\\x1f\\x8b\\x08' | eid-validate")
    #expect(truncatedGzip.status == 2)
  }

  @Test func helpAndVersionExitZero() throws {
    let help = try ToolRunner.run("eid-validate", ["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("Examples:"))
    let version = try ToolRunner.run("eid-validate", ["--version"])
    #expect(version.status == 0)
    #expect(!version.stdout.isEmpty)
  }

  @Test func aClosedPipeEndsQuietlyWithStatusZero() throws {
    // 20000 bad lines to a rejects file that is our stdout, read by `head -1`, which leaves early.
    let dir = try ToolRunner.temporaryDirectory().path
    let result = try ToolRunner.shell("""
      awk 'BEGIN { for (i = 0; i < 20000; i++) print "{}" }' > \(dir)/bad.ndjson
      eid-validate --max-messages 1 --rejects /dev/stdout < \(dir)/bad.ndjson 2>\(dir)/err | head -1
      """)
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix(#"{"file":"<stdin>","line":1"#))
    #expect(try String(contentsOfFile: "\(dir)/err", encoding: .utf8).components(separatedBy: "\n").count <= 2)
  }

  @Test func outputFileIsWrittenWhole() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let out = dir.appendingPathComponent("summary.json")
    let result = try ToolRunner.run("eid-validate", ["--json", "-o", out.path], stdin: Data((good + "\n").utf8))
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    #expect(try String(contentsOf: out, encoding: .utf8).hasPrefix(#"{"events":1"#))
  }
}

@Suite struct ProgressTests {
  @Test func progressIsShownWhenAskedAndNeverInAPipeOtherwise() throws {
    var lines = ""
    for i in 0..<20_000 {
      lines += #"{"id":"p:\#(i)","source":"toggl","kind":"time_entry","start":"2024-03-01T08:00:00.000Z","duration":1}"# + "\n"
    }
    let asked = try ToolRunner.run("eid-validate", ["--progress", "--quiet"], stdin: Data(lines.utf8))
    #expect(asked.status == 0)
    #expect(asked.stderr.contains("records,"))
    #expect(asked.stderr.contains("MB/s"))
    let piped = try ToolRunner.run("eid-validate", ["--quiet"], stdin: Data(lines.utf8))
    #expect(piped.stderr.isEmpty)
  }
}
