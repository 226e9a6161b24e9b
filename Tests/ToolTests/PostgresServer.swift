import Eidolon
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server (Debian's postgresql package): initdb into a temporary
/// folder, listening only on a Unix socket in that folder, stopped when the test ends. As
/// root (CI), the server runs as the postgres user, which initdb requires.
final class PostgresServer {
  /// The folder of initdb and pg_ctl, when a server is installed.
  static let binaries: String? = {
    let root = "/usr/lib/postgresql"
    let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
    return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
  }()

  /// True when a server can run; otherwise says so, and fails the test under CI (.ci/setup
  /// installs postgresql there, so the PostgreSQL tests never skip in CI).
  static func availableForTest() -> Bool {
    if binaries != nil { return true }
    #expect(ProcessInfo.processInfo.environment["CI"] == nil, "PostgreSQL is not installed; run 'bash .ci/setup'")
    print("skipped: PostgreSQL is not installed; run 'bash .ci/setup' (CI does)")
    return false
  }

  let folder: String
  /// A libpq URI for the database `postgres` as user eidolon over the socket.
  let uri: String

  init() throws {
    guard let binaries = PostgresServer.binaries else { throw ActivityWatchServer.ServerError(message: "PostgreSQL is not installed") }
    // In /tmp itself, whatever TMPDIR says: the postgres user must reach it, and a Unix
    // socket's path must stay under 108 bytes.
    var template = Array("/tmp/eidolon-pg-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw ActivityWatchServer.ServerError(message: "cannot make a folder in /tmp for PostgreSQL")
    }
    folder = String(decoding: UnsafeRawBufferPointer(start: made, count: strlen(made)), as: UTF8.self)
    let asRoot = getuid() == 0
    if asRoot, let account = getpwnam("postgres") { chown(folder, account.pointee.pw_uid, account.pointee.pw_gid) }
    func run(_ tool: String, _ arguments: [String]) throws {
      let command = asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", "\(binaries)/\(tool)"] + arguments : ["\(binaries)/\(tool)"] + arguments
      let result = try ToolRunner.runProgram(command[0], Array(command.dropFirst()))
      guard result.status == 0 else {
        throw ActivityWatchServer.ServerError(message: "\(tool) failed (\(result.status)): \(result.stderr.prefix(600))")
      }
    }
    try run("initdb", ["-D", folder + "/data", "-A", "trust", "-U", "eidolon", "-E", "UTF8", "--no-sync", "--no-instructions"])
    // The server itself as the child (not pg_ctl's daemon, which would keep the test's
    // process handles open): setpriv changes user and execs, so the pid is the server's.
    let server = asRoot
      ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", "\(binaries)/postgres"]
      : ["\(binaries)/postgres"]
    process.executableURL = URL(fileURLWithPath: server[0])
    process.arguments = Array(server.dropFirst()) + ["-D", folder + "/data", "-k", folder, "-c", "listen_addresses=", "-F"]
    let log = folder + "/server.log"
    FileManager.default.createFile(atPath: log, contents: nil)
    if asRoot, let account = getpwnam("postgres") { chown(log, account.pointee.pw_uid, account.pointee.pw_gid) }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    uri = "postgresql://eidolon@/postgres?host=\(folder)"
    // Ready when a connection succeeds.
    for _ in 0..<150 {
      if (try? Eidolon.PostgresConnection(uri)) != nil { return }
      usleep(100_000)
    }
    stop()
    throw ActivityWatchServer.ServerError(message: "PostgreSQL did not start within 15 s: \((try? String(contentsOfFile: log, encoding: .utf8))?.suffix(600) ?? "")")
  }

  private let process = Process()

  deinit { stop() }

  func stop() {
    // SIGQUIT: the server's immediate shutdown (the data is thrown away anyway).
    if process.isRunning {
      kill(process.processIdentifier, SIGQUIT)
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(atPath: folder)
  }
}
