import Foundation

/// What every export from a web API does around its requests: the state file and the
/// partial output (a new run, or the stopped one `--resume` goes on with), a commit after
/// each window or page (bytes flushed, then the state that counts them), the move into
/// place at the end, and a stop that saves the state and says how to go on.
final class LiveExportRun {
  let output: String
  private(set) var state: LiveExportState
  let fetcher: LiveFetcher
  let resumedAt: String?
  private let file: LiveExportOutput

  init(output: String, resume: Bool, source: String, parameters: [String: String], firstDay: String, windowDays: Int,
       policy: LiveFetcher.Policy, note: @escaping (String) -> Void) throws {
    self.output = output
    state = try LiveExportState.startOrResume(output: output, resume: resume, source: source, parameters: parameters,
                                              firstDay: firstDay, windowDays: windowDays)
    resumedAt = resume && state.windows > 0 ? (state.cursor["at"] ?? state.nextDay) : nil
    file = try LiveExportOutput(path: LiveExportState.partialPath(forOutput: output), keeping: state.committedBytes)
    fetcher = LiveFetcher(session: try CurlSession(), policy: policy)
    fetcher.recentRequests = state.recentRequests
    fetcher.note = note
  }

  /// Appends `bytes`, flushes them to disk, then saves the state `advance` moves on.
  func commit(_ bytes: ByteBuffer, _ advance: (inout LiveExportState) -> Void) throws {
    try file.append(Array(bytes.bytes))
    try file.sync()
    state.committedBytes = file.length
    state.windows += 1
    advance(&state)
    state.recentRequests = fetcher.recentRequests
    try state.save(forOutput: output)
  }

  /// Bytes of a commit that is still growing (a streamed bucket): in the partial file,
  /// not yet counted by the state; `discardUncommitted` drops them again.
  func appendUncommitted(_ bytes: ByteBuffer) throws {
    try file.append(Array(bytes.bytes))
  }

  /// The partial output cut back to what the state counts (a stream that failed part-way).
  func discardUncommitted() throws {
    try file.truncate(to: state.committedBytes)
  }

  /// Changes the state without output (a smaller window), saved with the next commit.
  func update(_ change: (inout LiveExportState) -> Void) { change(&state) }

  /// The output's closing bytes, and the file moved into place; the state says it finished.
  func finish(_ trailer: String) throws {
    try file.append(Array(trailer.utf8))
    try file.sync()
    let partial = LiveExportState.partialPath(forOutput: output)
    guard rename(partial, output) == 0 else {
      throw EidolonError(.io, "cannot move the finished export into place: \(SystemCall.lastErrorMessage())", file: output)
    }
    state.nextDay = nil
    state.cursor = [:]
    state.finished = true
    state.committedBytes = 0
    state.recentRequests = fetcher.recentRequests
    try state.save(forOutput: output)
  }

  /// A request that ended the run: the state saved (the hour's requests with it), and
  /// the error as the user sees it, with how to go on.
  func stopped(by error: Error) -> Error {
    state.recentRequests = fetcher.recentRequests
    do { try state.save(forOutput: output) } catch { return error }
    switch error {
    case let quota as LiveQuotaError:
      return EidolonError(.io, quota.message)
    case let http as LiveHTTPError:
      let kept = state.windows > 0 ? "; what was fetched is kept: run the same command with --resume to go on" : ""
      return EidolonError(.io, http.message + kept)
    default:
      return error
    }
  }

  var requestCount: Int { fetcher.requestCount }
  var retryCount: Int { fetcher.retryCount }
  var waitedSeconds: Double { fetcher.waitedSeconds }
}
