import Foundation
import Testing

/// Temporary files hold users' data: none may stay in TMPDIR, nor a half-written output
/// beside its target, after a run ends, whether it ends normally, by SIGINT or SIGTERM,
/// or by a crash signal.
@Suite struct TemporaryFileTests {
  /// NDJSON events of two buckets, enough to keep a debug build busy for a while.
  static func events(_ count: Int) -> Data {
    var text = ""
    text.reserveCapacity(count * 160)
    for i in 0..<count {
      let (hour, minute, second) = (i / 3600 % 24, i / 60 % 60, i % 60)
      func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
      let start = "2024-01-\(two(1 + i / 86_400 % 28))T\(two(hour)):\(two(minute)):\(two(second)).000Z"
      text += #"{"id":"t:\#(i)","source":"activitywatch","kind":"window","start":"\#(start)","duration":5,"stream":"b\#(i % 2)","app":"App","title":"Title \#(i)","attrs":{"n":\#(i)}}"# + "\n"
    }
    return Data(text.utf8)
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var tool: String
    var arguments: [String]
    var signal: Int32
    var testDescription: String { "\(tool) \(arguments.joined(separator: " ")) killed by \(signal)" }
  }

  static let cases: [Case] = [
    Case(tool: "toggl-write", arguments: ["in.ndjson", "-o", "out/out.csv"], signal: SIGTERM),
    Case(tool: "mt-write", arguments: ["--tz", "UTC", "in.ndjson", "-o", "out/out.csv"], signal: SIGINT),
    Case(tool: "aw-write", arguments: ["in.ndjson", "-o", "out/out.json"], signal: SIGTERM),
    Case(tool: "rt-write", arguments: ["in.ndjson", "-o", "out/out.json"], signal: SIGHUP),
    Case(tool: "eid-sort", arguments: ["--memory", "1M", "in.ndjson", "-o", "out/out.ndjson"], signal: SIGINT),
    Case(tool: "eidolon", arguments: ["migrate", "assess", "--from", "eidolon", "in.ndjson"], signal: SIGTERM),
    Case(tool: "eidolon", arguments: ["migrate", "import", "--dry-run", "--db", "out/none.db", "in.ndjson"], signal: SIGTERM),
    Case(tool: "aw-write", arguments: ["in.ndjson", "-o", "out/out.json"], signal: SIGSEGV),
  ]

  @Test(arguments: cases)
  func nothingStaysAfterASignal(_ test: Case) throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let tmp = dir.appendingPathComponent("tmp")
    let out = dir.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try Self.events(150_000).write(to: dir.appendingPathComponent("in.ndjson"))

    // The test runner may start its children with these signals ignored: back to the
    // default, as in a shell.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["--default-signal=HUP,INT,QUIT,TERM,SEGV",
                         ToolRunner.productsDirectory.appendingPathComponent(test.tool).path] + test.arguments
    process.currentDirectoryURL = dir
    var environment = ProcessInfo.processInfo.environment
    environment["TMPDIR"] = tmp.path
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    let errors = dir.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: errors.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: errors)
    try process.run()
    // Until it has something on disk to lose: a named temporary file, or a while.
    var waited = 0
    while process.isRunning, waited < 3000 {
      let named = (try FileManager.default.contentsOfDirectory(atPath: tmp.path)).count + (try FileManager.default.contentsOfDirectory(atPath: out.path)).count
      if named > 0 && waited >= 300 { break }
      usleep(10_000)
      waited += 10
    }
    let wasRunning = process.isRunning
    kill(process.processIdentifier, test.signal)
    process.waitUntilExit()
    let said = try String(contentsOf: errors, encoding: .utf8)
    #expect(wasRunning, "the run ended before the signal: make the input bigger")
    // Under AddressSanitizer a SIGSEGV is reported and ends the run with status 1.
    #expect(process.terminationReason == .uncaughtSignal || (test.signal == SIGSEGV && process.terminationStatus != 0), "\(said)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == [])
    #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == [])
  }

  @Test func nothingStaysAfterANormalEnd() throws {
    let dir = try ToolRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let tmp = dir.appendingPathComponent("tmp")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    try Self.events(3000).write(to: dir.appendingPathComponent("in.ndjson"))
    let runs: [(String, [String])] = [
      ("toggl-write", ["in.ndjson", "-o", "a.csv"]), ("mt-write", ["--tz", "UTC", "in.ndjson", "-o", "b.csv"]),
      ("aw-write", ["in.ndjson", "-o", "c.json"]), ("eid-sort", ["--memory", "1M", "in.ndjson", "-o", "d.ndjson"]),
      ("eid-validate", ["in.ndjson"]), ("eidolon", ["migrate", "assess", "--from", "eidolon", "in.ndjson"]),
      ("eidolon", ["migrate", "import", "--dry-run", "--db", "none.db", "in.ndjson"]),
    ]
    for (tool, arguments) in runs {
      let result = try ToolRunner.shell("cd '\(dir.path)' && TMPDIR='\(tmp.path)' \(tool) \(arguments.joined(separator: " ")) >/dev/null")
      #expect(result.status == 0, "\(tool): \(result.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == [], "\(tool)")
    }
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") || $0 == "none.db" }
    #expect(left == [])
  }
}
