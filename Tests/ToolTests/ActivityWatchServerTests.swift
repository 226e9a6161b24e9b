import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real ActivityWatch server (aw-server 0.12.0 from PyPI, installed by .ci/aw-server
/// into .venv-aw), run on loopback with its folders in a temporary directory.
final class ActivityWatchServer {
  static let executable = ToolRunner.packageRoot.appendingPathComponent(".venv-aw/bin/aw-server")
  let port: Int
  let process = Process()
  let base: String

  static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

  /// True when the server can be run; otherwise says so and, where it must be there
  /// (.ci/run sets EIDOLON_REQUIRE_AW_SERVER), records a failure.
  static func availableForTest() -> Bool {
    if isInstalled { return true }
    let required = ProcessInfo.processInfo.environment["EIDOLON_REQUIRE_AW_SERVER"] == "1"
    #expect(!required, "the ActivityWatch server is not installed in .venv-aw; run 'bash .ci/aw-server'")
    print("skipped: the ActivityWatch server is not installed; run 'bash .ci/aw-server' (CI does)")
    return false
  }

  /// `storage`: "memory" (nothing left behind), or "peewee" (SQLite in the server's own
  /// temporary data directory) for many events: the memory storage finds each new event's id
  /// by looking at every event of its bucket, and took 65 s for 12,000 on this machine.
  init(storage: String = "memory") throws {
    port = try ActivityWatchServer.freePort()
    base = "http://127.0.0.1:\(port)/api/0"
    let home = try ToolRunner.temporaryDirectory()
    var environment = ProcessInfo.processInfo.environment
    for name in ["XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"] {
      environment[name] = home.appendingPathComponent(name).path
    }
    process.executableURL = ActivityWatchServer.executable
    process.arguments = ["--testing", "--host", "127.0.0.1", "--port", String(port), "--storage", storage]
    process.environment = environment
    process.standardOutput = try FileHandle(forWritingTo: ActivityWatchServer.logFile(home, "out"))
    process.standardError = try FileHandle(forWritingTo: ActivityWatchServer.logFile(home, "err"))
    try process.run()
    for _ in 0..<150 {
      if let info = try? get("/info"), !info.isEmpty { return }
      usleep(200_000)
    }
    stop()
    throw ServerError(message: "aw-server did not answer on port \(port) within 30 s (logs in \(home.path))")
  }

  deinit { stop() }

  func stop() {
    // SIGKILL, not terminate(): started from the test process the server outlived
    // SIGTERM and the wait hung; the memory storage has nothing to save.
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  struct ServerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
  }

  private static func logFile(_ dir: URL, _ name: String) throws -> URL {
    let url = dir.appendingPathComponent("server.\(name)")
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    return url
  }

  /// A port nobody listens on now: bind to port 0 and see what the kernel gave.
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw ServerError(message: "no free port on 127.0.0.1") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Runs curl against the server; returns the body, or throws on a status other than 200.
  @discardableResult
  func request(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
    let dir = try ToolRunner.temporaryDirectory()
    let out = dir.appendingPathComponent("body")
    var arguments = ["-s", "-o", out.path, "-w", "%{http_code}", "-X", method, "--max-time", "60", base + path]
    if let body {
      let file = dir.appendingPathComponent("request")
      try body.write(to: file)
      arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + file.path]
    }
    let result = try ToolRunner.runProgram("/usr/bin/curl", arguments)
    guard result.stdout == "200" else {
      throw ServerError(message: "\(method) \(path) answered \(result.stdout): \((try? String(contentsOf: out, encoding: .utf8))?.prefix(300) ?? "")")
    }
    return (try? Data(contentsOf: out)) ?? Data()
  }

  func get(_ path: String) throws -> Data { try request("GET", path) }

  func post(_ path: String, json: Any) throws {
    try request("POST", path, body: try JSONSerialization.data(withJSONObject: json))
  }
}

@Suite(.serialized) struct ActivityWatchServerTests {
  /// What the test puts into the first server, bucket by bucket.
  nonisolated(unsafe) static let inserted: [(id: String, type: String, events: [[String: Any]])] = [
    ("aw-watcher-window_it-host", "currentwindow", [
      ["timestamp": "2024-03-01T08:00:00.123+00:00", "duration": 12.5, "data": ["app": "Xcode", "title": "main.swift — MyProj"]],
      ["timestamp": "2024-03-01T10:00:12.500+02:00", "duration": 0, "data": ["app": "Safari", "title": "Ünïcødé ✓ \"quoted\" 😀"]],
      ["timestamp": "2024-03-01T03:01:00-05:00", "duration": 3.25, "data": ["app": "Terminal", "title": "zsh, with a comma"]],
    ]),
    ("aw-watcher-afk_it-host", "afkstatus", [
      ["timestamp": "2024-03-01T08:00:00Z", "duration": 300, "data": ["status": "not-afk"]],
      ["timestamp": "2024-03-01T08:05:00Z", "duration": 120.75, "data": ["status": "afk"]],
    ]),
    ("aw-watcher-web-firefox_it-host", "web.tab.current", [
      ["timestamp": "2024-03-01T08:00:30.001Z", "duration": 20.5,
       "data": ["url": "https://example.com/?q=é", "title": "Example", "audible": false, "incognito": false, "tabCount": 3]],
    ]),
  ]

  /// Expected (UTC start, duration) per bucket, sorted.
  static let expectedTimes: [String: [(String, Double)]] = [
    "aw-watcher-window_it-host": [("2024-03-01T08:00:00.123Z", 12.5), ("2024-03-01T08:00:12.500Z", 0), ("2024-03-01T08:01:00.000Z", 3.25)],
    "aw-watcher-afk_it-host": [("2024-03-01T08:00:00.000Z", 300), ("2024-03-01T08:05:00.000Z", 120.75)],
    "aw-watcher-web-firefox_it-host": [("2024-03-01T08:00:30.001Z", 20.5)],
  ]

  private func events(_ ndjson: String) throws -> [[String: Any]] {
    try ndjson.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
  }

  @Test func exportReadWriteImportExportReadGivesTheSameEvents() throws {
    guard ActivityWatchServer.availableForTest() else { return }
    let dir = try ToolRunner.temporaryDirectory()
    let first = try ActivityWatchServer()
    for bucket in Self.inserted {
      try first.post("/buckets/\(bucket.id)", json: ["client": "eidolon-test", "type": bucket.type, "hostname": "it-host"])
      try first.post("/buckets/\(bucket.id)/events", json: bucket.events)
    }
    let export = dir.appendingPathComponent("export.json")
    try first.get("/export").write(to: export)
    first.stop()

    // aw-read: counts, UTC times, durations and data as inserted.
    let read = try ToolRunner.run("aw-read", [export.path])
    #expect(read.status == 0, "\(read.stderr)")
    let readEvents = try events(read.stdout)
    #expect(readEvents.count == 6)
    for (bucket, times) in Self.expectedTimes {
      let got = readEvents.filter { $0["stream"] as? String == bucket }
        .map { ($0["start"] as! String, ($0["duration"] as! NSNumber).doubleValue) }.sorted { $0 < $1 }
      #expect(got.map(\.0) == times.map(\.0), "\(bucket)")
      #expect(got.map(\.1) == times.map(\.1), "\(bucket)")
    }
    let safari = try #require(readEvents.first { $0["app"] as? String == "Safari" })
    #expect(safari["title"] as? String == "Ünïcødé ✓ \"quoted\" 😀")
    #expect(safari["host"] as? String == "it-host")
    #expect(safari["kind"] as? String == "window")
    let web = try #require(readEvents.first { $0["kind"] as? String == "web" })
    #expect(web["url"] as? String == "https://example.com/?q=é")
    #expect(((web["attrs"] as? [String: Any])?["data"] as? [String: Any])?["tabCount"] as? Int == 3)
    let afk = readEvents.filter { $0["kind"] as? String == "afk" }
      .compactMap { ((($0["attrs"] as? [String: Any])?["data"] as? [String: Any])?["status"] as? String) }
    #expect(afk.sorted() == ["afk", "not-afk"])
    let ndjson = dir.appendingPathComponent("events.ndjson")
    try Data(read.stdout.utf8).write(to: ndjson)

    // aw-write, import into a fresh server, export again, aw-read: the same events.
    let written = try ToolRunner.run("aw-write", [ndjson.path, "-o", dir.appendingPathComponent("import.json").path])
    #expect(written.status == 0, "\(written.stderr)")
    let second = try ActivityWatchServer()
    try second.request("POST", "/import", body: try Data(contentsOf: dir.appendingPathComponent("import.json")))
    let again = dir.appendingPathComponent("again.json")
    try second.get("/export").write(to: again)
    second.stop()
    let reread = try ToolRunner.run("aw-read", [again.path])
    #expect(reread.status == 0, "\(reread.stderr)")
    let rereadEvents = try events(reread.stdout)
    // Ids come from bucket, start, duration and data: equal ids mean equal events.
    let firstIDs = readEvents.map { $0["id"] as! String }.sorted()
    let secondIDs = rereadEvents.map { $0["id"] as! String }.sorted()
    #expect(firstIDs == secondIDs)
    func key(_ e: [String: Any]) -> String {
      "\(e["id"]!) \(e["start"]!) \(e["duration"]!) \(e["app"] ?? "") \(e["title"] ?? "") \(e["url"] ?? "")"
    }
    #expect(readEvents.map(key).sorted() == rereadEvents.map(key).sorted())
  }
}

@Suite(.serialized) struct ActivityWatchServerImportTests {
  private func lines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
  }

  /// What an event is, without the bucket it is in: start, duration and data.
  private func content(_ events: [[String: Any]]) -> [String] {
    events.map { e in
      let data = ((e["attrs"] as? [String: Any])?["data"]).map {
        String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
      } ?? ""
      return "\(e["kind"]!) \(e["start"]!) \(e["duration"]!) \(e["app"] ?? "") \(e["title"] ?? "") \(e["url"] ?? "") \(data)"
    }.sorted()
  }

  @Test func awWriteServerThenAwReadServerAndBucketsThatExist() throws {
    guard ActivityWatchServer.availableForTest() else { return }
    let dir = try ToolRunner.temporaryDirectory()
    let sample = ToolRunner.packageRoot.appendingPathComponent("corpus/activitywatch/python-export.json").path
    let fromFile = try ToolRunner.run("aw-read", [sample])
    #expect(fromFile.status == 0, "\(fromFile.stderr)")
    let ndjson = dir.appendingPathComponent("events.ndjson").path
    try Data(fromFile.stdout.utf8).write(to: URL(fileURLWithPath: ndjson))
    let expected = lines(fromFile.stdout)
    #expect(expected.count > 5)

    let server = try ActivityWatchServer()
    defer { server.stop() }
    let url = "http://127.0.0.1:\(server.port)"

    // Batches of 2 events: the first creates the bucket by import, the rest are appended.
    let written = try ToolRunner.run("aw-write", [ndjson, "--server", url, "--batch-size", "2"])
    #expect(written.status == 0, "\(written.stderr)")
    #expect(written.stderr.contains("\(expected.count) events imported"))
    let live = try ToolRunner.run("aw-read", ["--server", url])
    #expect(live.status == 0, "\(live.stderr)")
    let liveEvents = lines(live.stdout)
    // Ids come from bucket, start, duration and data: the server gives back the same events.
    #expect(liveEvents.map { $0["id"] as! String }.sorted() == expected.map { $0["id"] as! String }.sorted())

    // Again, into buckets that are there now: nothing is sent, and the status says so.
    let again = try ToolRunner.run("aw-write", [ndjson, "--server", url])
    #expect(again.status == 2)
    #expect(again.stderr.contains("already on the server") && again.stderr.contains("nothing was imported"))
    #expect(lines(try ToolRunner.run("aw-read", ["--server", url]).stdout).count == expected.count)

    // --existing split: the same events in new buckets beside the old.
    let split = try ToolRunner.run("aw-write", [ndjson, "--server", url, "--existing", "split"])
    #expect(split.status == 0, "\(split.stderr)")
    #expect(split.stderr.contains("its events went to aw-watcher-window_ann-laptop-eidolon-1"))
    let splitEvents = lines(try ToolRunner.run("aw-read", ["--server", url, "--bucket", "*-eidolon-1"]).stdout)
    #expect(content(splitEvents) == content(expected))

    // --existing append: the bucket holds its events twice.
    let window = expected.filter { $0["stream"] as? String == "aw-watcher-window_ann-laptop" }
    let windowFile = dir.appendingPathComponent("window.ndjson").path
    let windowLines = fromFile.stdout.split(separator: "\n").filter { $0.contains("\"stream\":\"aw-watcher-window_ann-laptop\"") }
    #expect(windowLines.count == window.count)
    try Data((windowLines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: windowFile))
    let append = try ToolRunner.run("aw-write", [windowFile, "--server", url, "--existing", "append"])
    #expect(append.status == 0, "\(append.stderr)")
    let appended = lines(try ToolRunner.run("aw-read", ["--server", url, "--bucket", "aw-watcher-window_ann-laptop"]).stdout)
    #expect(appended.count == 2 * window.count)

    // Filters choose buckets before anything is downloaded.
    let afk = lines(try ToolRunner.run("aw-read", ["--server", url, "--type", "afkstatus"]).stdout)
    #expect(!afk.isEmpty && afk.allSatisfy { $0["kind"] as? String == "afk" })
  }

  /// export-activitywatch streams every bucket into one export file that reads as the
  /// server's own export does (a bucket of 12,000 events among them, past the 1 MB the
  /// exporter writes out at a time), and --date-range keeps the events starting in it.
  @Test func exportActivityWatchGivesTheServersOwnExport() throws {
    guard ActivityWatchServer.availableForTest() else { return }
    let dir = try ToolRunner.temporaryDirectory()
    let server = try ActivityWatchServer(storage: "peewee")
    for bucket in ActivityWatchServerTests.inserted {
      try server.post("/buckets/\(bucket.id)", json: ["client": "eidolon-test", "type": bucket.type, "hostname": "it-host"])
      try server.post("/buckets/\(bucket.id)/events", json: bucket.events)
    }
    try server.post("/buckets/big_it-host", json: ["client": "eidolon-test", "type": "currentwindow", "hostname": "it-host"])
    let many: [[String: Any]] = (0..<12_000).map { i -> [String: Any] in
      let day = 1 + i / 1440 % 28
      let timestamp = String(format: "2024-02-%02dT%02d:%02d:00Z", day, i / 60 % 24, i % 60)
      let data: [String: Any] = ["app": "App \(i % 7)", "title": "Window \(i)"]
      return ["timestamp": timestamp, "duration": Double(i % 50) + 0.5, "data": data]
    }
    try server.post("/buckets/big_it-host/events", json: many)
    let own = dir.appendingPathComponent("own.json")
    try server.get("/export").write(to: own)

    let output = dir.appendingPathComponent("aw-export.json").path
    let eidolon = ToolRunner.productsDirectory.appendingPathComponent("eidolon").path
    let exported = try ToolRunner.runProgram(eidolon, ["migrate", "export-activitywatch", "--server", "http://127.0.0.1:\(server.port)", "-o", output])
    #expect(exported.status == 0, "\(exported.stderr)")
    #expect(exported.stderr.contains("12006 events from 4 buckets"), "\(exported.stderr)")
    let fromOwn = try ToolRunner.run("aw-read", [own.path])
    let fromExport = try ToolRunner.run("aw-read", [output])
    #expect(fromExport.status == 0, "\(fromExport.stderr)")
    #expect(fromExport.stdout.split(separator: "\n").sorted() == fromOwn.stdout.split(separator: "\n").sorted())
    #expect(fromExport.stdout.split(separator: "\n").count == 12_006)

    let ranged = dir.appendingPathComponent("march.json").path
    let march = try ToolRunner.runProgram(eidolon, [
      "migrate", "export-activitywatch", "--server", "http://127.0.0.1:\(server.port)", "--date-range", "2024-03-01:2024-03-31", "-o", ranged,
    ])
    #expect(march.status == 0 && march.stderr.contains("6 events from 4 buckets") && march.stderr.contains("12000 events outside the range"), "\(march.stderr)")
    let marchEvents = try ToolRunner.run("aw-read", [ranged])
    #expect(marchEvents.stdout.split(separator: "\n").sorted() == fromOwn.stdout.split(separator: "\n").filter { $0.contains("\"start\":\"2024-03") }.sorted())
  }
}
