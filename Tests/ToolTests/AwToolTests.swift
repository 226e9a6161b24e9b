import Foundation
import Testing

/// aw-read and aw-write run as a user would: exit codes, rejects, pipes, usage errors.
@Suite struct AwToolTests {
  private func corpus(_ name: String) -> String {
    ToolRunner.packageRoot.appendingPathComponent("corpus/activitywatch/\(name)").path
  }

  @Test func badEventsAreReportedRejectedAndCounted() throws {
    let rejects = try ToolRunner.temporaryDirectory().appendingPathComponent("rejects.ndjson")
    let result = try ToolRunner.run("aw-read", [corpus("bad-events.json"), "--rejects", rejects.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("bad-events.json:5:3: error: bucket \"b1\": \"duration\" must be a number of seconds"))
    #expect(result.stderr.contains("7 rejected"))
    #expect(result.stdout.split(separator: "\n").count == 2)
    let rejected = try String(contentsOf: rejects, encoding: .utf8).split(separator: "\n")
    #expect(rejected.count == 7)
    #expect(rejected[1].contains("\"raw\":\"{\\\"timestamp\\\""))
    #expect(try ToolRunner.run("aw-read", [corpus("bad-events.json"), "--strict"]).status == 1)
  }

  @Test func aTruncatedFileIsFatalAfterTheEventsBeforeIt() throws {
    let result = try ToolRunner.run("aw-read", [corpus("truncated.json")])
    #expect(result.status == 2)
    #expect(result.stderr.contains("truncated.json:1:268: error: the input ends inside a string"))
    #expect(result.stdout.split(separator: "\n").count == 1)
  }

  @Test func readWriteReadThroughPipesKeepsTheEvents() throws {
    let once = try ToolRunner.run("aw-read", [corpus("export.json.gz")])
    let twice = try ToolRunner.shell(
      "'\(ToolRunner.productsDirectory.path)/aw-read' '\(corpus("export.json.gz"))' | '\(ToolRunner.productsDirectory.path)/aw-write' | '\(ToolRunner.productsDirectory.path)/aw-read'")
    #expect(once.status == 0 && twice.status == 0, "\(twice.stderr)")
    func ids(_ text: String) -> [Substring] {
      text.split(separator: "\n").map { $0.dropFirst(7).prefix(while: { $0 != "\"" }) }.sorted()
    }
    #expect(ids(once.stdout).count == 30)
    #expect(ids(once.stdout) == ids(twice.stdout))
  }

  @Test func aClosedPipeEndsQuietly() throws {
    let result = try ToolRunner.shell("'\(ToolRunner.productsDirectory.path)/aw-read' '\(corpus("export.json.gz"))' | head -1")
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
  }

  @Test func usageAndConnectionErrorsExitTwo() throws {
    let both = try ToolRunner.run("aw-read", ["--server", "http://127.0.0.1:5600", corpus("rust-export.json")])
    #expect(both.status == 2 && both.stderr.contains("not both"))
    let existing = try ToolRunner.run("aw-write", ["--existing", "split"], stdin: Data())
    #expect(existing.status == 2 && existing.stderr.contains("--existing goes with --server"))
    let https = try ToolRunner.run("aw-read", ["--server", "https://example.com"])
    #expect(https.status == 2 && https.stderr.contains("https is not supported"))
    let refused = try ToolRunner.run("aw-write", ["--server", "http://127.0.0.1:9"], stdin: Data())
    #expect(refused.status == 2 && refused.stderr.contains("cannot connect"))
  }
}
