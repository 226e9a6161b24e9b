import Foundation

/// Runs one of the built executables the way a user would, and captures what it did.
struct ToolResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum ToolRunner {
  /// The folder `swift build` put the executables in: the one this test binary is in.
  static var productsDirectory: URL {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
  }

  /// The repository root (for corpus/).
  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  static func run(_ tool: String, _ arguments: [String], stdin: Data? = nil, directory: URL? = nil) throws -> ToolResult {
    try runProgram(productsDirectory.appendingPathComponent(tool).path, arguments, stdin: stdin, directory: directory)
  }

  /// Runs any program by path, the same way.
  static func runProgram(_ path: String, _ arguments: [String], stdin: Data? = nil, directory: URL? = nil) throws -> ToolResult {
    // Files, not pipes, for the three streams: nothing can block, whatever the tool writes.
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let paths = ["in", "out", "err"].map { dir.appendingPathComponent($0) }
    try (stdin ?? Data()).write(to: paths[0])
    FileManager.default.createFile(atPath: paths[1].path, contents: nil)
    FileManager.default.createFile(atPath: paths[2].path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.standardInput = try FileHandle(forReadingFrom: paths[0])
    process.standardOutput = try FileHandle(forWritingTo: paths[1])
    process.standardError = try FileHandle(forWritingTo: paths[2])
    try process.run()
    process.waitUntilExit()
    return ToolResult(status: process.terminationStatus,
                      stdout: try String(contentsOf: paths[1], encoding: .utf8),
                      stderr: try String(contentsOf: paths[2], encoding: .utf8))
  }

  /// Runs a shell pipeline (for `| head -1` and friends) and returns its status and stdout.
  static func shell(_ script: String) throws -> ToolResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", "set -o pipefail; " + script]
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = productsDirectory.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    let stderrData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolResult(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
  }

  /// A fresh folder for one test, under the test process's own folder (removed with
  /// everything in it when the process exits: tens of thousands were left in /tmp).
  static func temporaryDirectory() throws -> URL {
    let url = processDirectory.appendingPathComponent("t-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  private static let processDirectory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("eidolon-tool-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: ToolRunner.processDirectory) }
    return url
  }()
}
