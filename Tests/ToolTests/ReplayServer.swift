import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Our replay server for the trackers' web APIs (Tests/replay/replay-server): their
/// documented shapes and the faults a scenario names, on a loopback port, every request
/// logged.
final class ReplayServer {
  static let script = ToolRunner.packageRoot.appendingPathComponent("Tests/replay/replay-server")
  let port: Int
  let url: String
  let log: URL
  private let process = Process()

  init(scenario: String) throws {
    let dir = try ToolRunner.temporaryDirectory()
    let scenarioFile = dir.appendingPathComponent("scenario.json")
    try scenario.write(to: scenarioFile, atomically: true, encoding: .utf8)
    log = dir.appendingPathComponent("requests.ndjson")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    port = try ActivityWatchServer.freePort()
    url = "http://127.0.0.1:\(port)"
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", ReplayServer.script.path, "--port", String(port), "--scenario", scenarioFile.path, "--log", log.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: { () -> URL in
      let err = dir.appendingPathComponent("server.err")
      FileManager.default.createFile(atPath: err.path, contents: nil)
      return err
    }())
    try process.run()
    for _ in 0..<100 {
      if (try? get("/_truth/rescuetime?restrict_begin=2024-01-01&restrict_end=2024-01-01")) != nil { return }
      usleep(100_000)
    }
    stop()
    throw ActivityWatchServer.ServerError(message: "the replay server did not answer on port \(port)")
  }

  deinit { stop() }

  func stop() {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// A GET answered with JSON.
  func get(_ path: String) throws -> [String: Any] {
    let result = try ToolRunner.runProgram("/usr/bin/curl", ["-sf", url + path])
    guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
      throw ActivityWatchServer.ServerError(message: "GET \(path): curl status \(result.status)")
    }
    return object
  }

  /// The requests the server got, in order.
  func requests() throws -> [[String: Any]] {
    try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
  }
}
