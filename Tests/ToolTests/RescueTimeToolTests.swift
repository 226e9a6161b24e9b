import Foundation
import Testing

/// rt-read and rt-write as a user runs them: notes, rejects and exit codes, pipes.
@Suite struct RescueTimeToolTests {
  private func corpus(_ name: String) -> String {
    ToolRunner.packageRoot.appendingPathComponent("corpus/rescuetime/\(name)").path
  }

  @Test func withoutTzItSaysLoudlyThatItAssumesUTC() throws {
    let result = try ToolRunner.run("rt-read", [corpus("api-document.json")])
    #expect(result.status == 0)
    #expect(result.stderr.contains("no --tz given: the API's dates are read as UTC"))
    #expect(result.stderr.contains("hour buckets, inferred from the dates"))
    #expect(result.stdout.contains("\"start\":\"2024-03-04T09:00:00.000Z\""))
    let zoned = try ToolRunner.run("rt-read", [corpus("api-document.json"), "--tz", "Europe/Berlin", "--resolution", "hour"])
    #expect(!zoned.stderr.contains("no --tz") && !zoned.stderr.contains("inferred"))
    #expect(zoned.stdout.contains("\"start\":\"2024-03-04T08:00:00.000Z\"") && zoned.stdout.contains("\"offset\":\"+01:00\""))
    let unknown = try ToolRunner.run("rt-read", [corpus("api-document.json"), "--tz", "Mars/Olympus"])
    #expect(unknown.status == 2 && unknown.stderr.contains("not a time zone"))
  }

  @Test func badRowsGoToRejectsAndTheRestConverts() throws {
    let rejects = try ToolRunner.temporaryDirectory().appendingPathComponent("rejects.ndjson")
    let result = try ToolRunner.run("rt-read", [corpus("bad-rows.csv"), "--rejects", rejects.path])
    #expect(result.status == 1)
    #expect(result.stdout.split(separator: "\n").count == 2)
    #expect(result.stderr.contains("2 events; 5 rejected"))
    let lines = try String(contentsOf: rejects, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 5)
    #expect(lines.contains { $0.contains("\"line\":4") && $0.contains("Productivity") })
    let strict = try ToolRunner.run("rt-read", [corpus("bad-rows.csv"), "--strict"])
    #expect(strict.status == 1)
  }

  @Test func whatCannotBeReadStopsWithStatus2() throws {
    let other = try ToolRunner.run("rt-read", [corpus("not-rescuetime.csv")])
    #expect(other.status == 2 && other.stderr.contains("not a RescueTime Analytic Data API header"))
    let kind = try ToolRunner.run("rt-read", [corpus("api-activity.json"), "--kind", "overview"])
    #expect(kind.status == 2 && kind.stderr.contains("--kind overview does not fit"))
  }

  @Test func layoutCutsRowsAtTheBucketEndAndSaysHowMany() throws {
    let result = try ToolRunner.run("rt-read", [corpus("layout.csv"), "--layout", "--resolution", "5min"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("rows cut at their bucket's end by --layout: 1, 120 s"))
    #expect(result.stdout.contains("\"start\":\"2024-05-01T10:04:00.000Z\",\"duration\":60"))
  }

  @Test func rankReportsTakeTheirRangeFromSinceAndUntil() throws {
    let result = try ToolRunner.run("rt-read", [corpus("rank.csv"), "--since", "2024-01-01", "--until", "2024-02-01", "--tz", "Europe/Berlin"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("\"start\":\"2023-12-31T23:00:00.000Z\",\"duration\":36000"))
    let missing = try ToolRunner.run("rt-read", [corpus("rank.csv")])
    #expect(missing.status == 1 && missing.stderr.contains("give the range the report covers with --since and --until"))
  }

  @Test func readWriteReadThroughPipesGivesTheSameEvents() throws {
    let result = try ToolRunner.shell("""
      set -e; cd "$(mktemp -d)"
      rt-read '\(corpus("api-activity-csv.csv"))' --tz America/New_York 2>/dev/null > a.ndjson
      rt-write --variant api-csv < a.ndjson > again.csv
      rt-read again.csv --tz America/New_York 2>/dev/null > b.ndjson
      sort a.ndjson | md5sum; sort b.ndjson | md5sum
      diff <(tail -n +2 '\(corpus("api-activity-csv.csv"))') <(tail -n +2 again.csv) && echo same-rows
      """)
    #expect(result.status == 0, "\(result.stderr)")
    let sums = result.stdout.split(separator: "\n")
    #expect(sums.count == 3 && sums[0] == sums[1] && sums[2] == "same-rows")
  }

  @Test func outOfOrderInputIsSaidAndStillSummed() throws {
    let result = try ToolRunner.shell("""
      set -e; cd "$(mktemp -d)"
      rt-read '\(corpus("api-overview-csv.csv"))' --kind overview 2>/dev/null | tac > reversed.ndjson
      rt-write --variant api-csv < reversed.ndjson
      """)
    #expect(result.status == 0)
    #expect(result.stderr.contains("the input was not in start order"))
    let expected = try String(contentsOfFile: corpus("api-overview-csv.csv"), encoding: .utf8)
    #expect(result.stdout == expected)
  }

  @Test func accountExportRoundTripsAndUnknownOptionsAreUsageErrors() throws {
    let result = try ToolRunner.shell("rt-read '\(corpus("account-export.csv"))' | rt-write --variant account-export")
    #expect(result.status == 0)
    #expect(result.stdout == (try String(contentsOfFile: corpus("account-export.csv"), encoding: .utf8)))
    let usage = try ToolRunner.run("rt-write", ["--variant", "account-export", "--resolution", "day"])
    #expect(usage.status == 2 && usage.stderr.contains("the account export is hourly"))
  }
}
