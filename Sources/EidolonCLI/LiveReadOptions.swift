import ArgumentParser
import Eidolon
import Foundation

/// A reading tool's live source (`rt-read --api`, `toggl-read --api`, `mt-read --server`):
/// the tracker's web API instead of files (the tool declares the option that asks for it). The answers go through `eidolon migrate export-*`'s exporter
/// into a temporary file of the run's own (removed at its end), which the tool then reads
/// as any saved file. The credential comes from the environment or --token-file only.
public struct LiveReadOptions: ParsableArguments {
  @Option(name: .customLong("token-file"), help: ArgumentHelp("Reading from the API: the key or token from this file (else from the environment).", valueName: "file"))
  public var tokenFile: String?

  @Option(name: .customLong("api-url"), help: ArgumentHelp("Reading from the API: its address (a replay server's for tests).", valueName: "url"))
  public var apiURL: String?

  @Option(name: .customLong("max-requests-per-hour"), help: ArgumentHelp("Reading from the API: at most this many requests in any hour.", valueName: "n"))
  public var maxRequestsPerHour: Int?

  public init() {}

  /// The first and last day: --since's date, and the day before --until's (else today).
  public func days(_ range: TimeRangeOptions) throws -> (first: LiveDay, last: LiveDay) {
    guard let since = range.since, let first = LiveDay(since) else {
      throw ValidationError("reading from the API needs --since with a date (YYYY-MM-DD): the first day to fetch")
    }
    let last = try range.until.map { text -> LiveDay in
      guard let day = LiveDay(text) else { throw ValidationError("--until takes a date (YYYY-MM-DD) when reading from the API") }
      return day.adding(-1)
    } ?? LiveDay.today(now: Date().timeIntervalSince1970)
    guard first <= last else { throw ValidationError("--until is not after --since") }
    return (first, last)
  }

  public var policy: LiveFetcher.Policy {
    var policy = LiveFetcher.Policy()
    policy.maxRequestsPerHour = maxRequestsPerHour
    return policy
  }

  public func secret(variable: String, what: String) throws -> String {
    try LiveSecret.resolve(option: nil, file: tokenFile, variable: variable, what: what, optionName: "",
                           environment: ProcessInfo.processInfo.environment, warn: { _ in })
  }

  /// Runs `export` into a temporary file of the run's own and returns its path.
  public func fetch(_ tool: String, _ export: (String) throws -> Void) throws -> String {
    let path = try LiveExportState.temporaryOutput(tool)
    try export(path)
    return path
  }
}
