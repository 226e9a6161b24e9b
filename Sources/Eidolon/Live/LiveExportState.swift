import Foundation

/// An export's progress, in a file beside its output (`OUTPUT.state.json`), written
/// atomically after each finished window or page: what was asked (a resume must ask the
/// same), how many bytes of the partial output (`OUTPUT.partial`) are whole, where to go
/// on, and the requests of the last hour (the budget counts over runs). No credential is
/// ever in it.
public struct LiveExportState: Codable, Equatable {
  public var format = 1
  public var source: String
  /// The request's parameters, which a --resume must repeat (dates, resolution, kind, URL).
  public var parameters: [String: String]
  /// The partial output's length at the last finished window: what a resume keeps.
  public var committedBytes: Int64 = 0
  /// The first day (YYYY-MM-DD) not yet fetched; nil once every window is in.
  public var nextDay: String?
  public var windowDays: Int
  /// Where a paged request goes on (Toggl's next id and row number, the workspace), and
  /// `at`, what a resume says it goes on from.
  public var cursor: [String: String] = [:]
  public var rows = 0
  public var windows = 0
  public var recentRequests: [Double] = []
  public var finished = false
  public var updated = ""
  /// When this export's first run began (seconds since 1970): Toggl's changes since then
  /// are what the next `migrate sync` asks for (`since=`).
  public var startedAt: Double?
  /// Where to ask for what changed since (ManicTime's `updatedactivities` link per
  /// timeline key, from the last answer of each).
  public var changeLinks: [String: String]?

  public init(source: String, parameters: [String: String], nextDay: String?, windowDays: Int) {
    startedAt = Date().timeIntervalSince1970
    self.source = source
    self.parameters = parameters
    self.nextDay = nextDay
    self.windowDays = windowDays
  }

  public static func path(forOutput output: String) -> String { output + ".state.json" }

  /// The last day a finished export covered: its `through`, else the day before its
  /// `until`, else (a whole-history export) the day it finished.
  public var lastDay: LiveDay? {
    if let through = parameters["through"].flatMap(LiveDay.init) { return through }
    if let until = parameters["until"].flatMap(LiveDay.init) { return until.adding(-1) }
    return LiveDay(updated)
  }

  /// An output path in a temporary folder of the run's own, for a reading tool's --api:
  /// the folder, the output and the files an export makes beside it are removed at the
  /// end of the run (TemporaryPaths).
  public static func temporaryOutput(_ name: String) throws -> String {
    let folder = try TemporaryFile.makeDirectory(name, holding: "the API's answers")
    let output = folder + "/answers.json"
    TemporaryPaths.register(output, suffixes: ["", ".partial", ".state.json", ".state.json.tmp"])
    return output
  }
  public static func partialPath(forOutput output: String) -> String { output + ".partial" }

  /// The state beside `output`, or nil when there is none.
  public static func load(forOutput output: String) throws -> LiveExportState? {
    let path = path(forOutput: output)
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    do {
      return try JSONDecoder().decode(LiveExportState.self, from: data)
    } catch {
      throw EidolonError(.usage, "\(path) is not an export state this version reads (\(error)); remove it to start over")
    }
  }

  /// Written to a temporary file, flushed, and renamed over the old state.
  public mutating func save(forOutput output: String) throws {
    updated = Timestamp.canonical(Int64(Date().timeIntervalSince1970 * 1000))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try encoder.encode(self)
    let path = LiveExportState.path(forOutput: output)
    let temporary = path + ".tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
      throw EidolonError(.io, "cannot write \(temporary)", file: temporary)
    }
    let fd = open(temporary, O_RDONLY)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
    guard rename(temporary, path) == 0 else {
      throw EidolonError(.io, "cannot put the export state in place: \(SystemCall.lastErrorMessage())", file: path)
    }
  }
}

/// The partial output an export appends to: cut back to its committed length on a
/// resume, flushed to disk before the state that counts its bytes is saved.
final class LiveExportOutput {
  let path: String
  private let handle: FileHandle
  private(set) var length: Int64

  init(path: String, keeping committed: Int64) throws {
    self.path = path
    if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forUpdatingAtPath: path) else { throw EidolonError(.io, "cannot open \(path) for writing", file: path) }
    self.handle = handle
    try handle.truncate(atOffset: UInt64(committed))
    try handle.seekToEnd()
    length = committed
  }

  deinit { try? handle.close() }

  func append(_ bytes: [UInt8]) throws {
    try handle.write(contentsOf: Data(bytes))
    length += Int64(bytes.count)
  }

  func sync() throws { try handle.synchronize() }

  func truncate(to length: Int64) throws {
    try handle.truncate(atOffset: UInt64(length))
    try handle.seekToEnd()
    self.length = length
  }
}
