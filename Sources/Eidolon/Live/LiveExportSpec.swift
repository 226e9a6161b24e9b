import Foundation

/// An export from a tracker's web API named in a team config (formats/migration.md,
/// "Exports in a team config"): which tracker, where its file goes, the range, where the
/// user's credential is. `migrate run` fetches it (or goes on with a stopped fetch) before
/// importing the file; `migrate sync` fetches what is new since the last fetch.
public struct LiveExportSpec: Sendable, Equatable {
  public enum Tracker: String, Sendable, CaseIterable {
    case rescuetime, toggl, manictime, activitywatch

    /// The reader that reads its files.
    public var format: String { rawValue }
    /// The environment variable the credential comes from when no token file is named.
    var variable: String {
      switch self {
      case .rescuetime: return "RESCUETIME_API_KEY"
      case .toggl: return "TOGGL_API_TOKEN"
      case .manictime: return "MANICTIME_TOKEN"
      case .activitywatch: return "AW_API_KEY"
      }
    }
  }

  public var tracker: Tracker
  /// The file the export writes (and the import reads).
  public var path: String
  public var since: LiveDay?
  /// The last day wanted; nil: through today.
  public var through: LiveDay?
  public var tokenFile: String?
  /// The API's or server's address, where not the tracker's default.
  public var url: String?

  public init(tracker: Tracker, path: String) {
    self.tracker = tracker
    self.path = path
  }

  /// What a fetch did, for the run's report.
  public struct Fetched: Sendable {
    public var records = 0
    public var first: LiveDay?
    public var skipped = false
  }

  /// Toggl's changes since `since` (seconds since 1970) into `output`, and the Toggl ids
  /// of the entries deleted since (TogglExporter.changes).
  public func togglChanges(since: Double, output: String, note: @escaping (String) -> Void) throws -> (changed: Int, deleted: [String]) {
    let token = try LiveSecret.resolve(option: nil, file: tokenFile, variable: tracker.variable, what: "toggl credential", optionName: "",
                                       environment: ProcessInfo.processInfo.environment, warn: note)
    let today = LiveDay.today(now: Date().timeIntervalSince1970)
    var options = TogglExporter.Options(since: today, through: today, today: today)
    if let url { options.apiURL = url }
    let result = try TogglExporter(options: options, token: token, note: note).changes(since: since, output: output)
    return (result.changed, result.deleted)
  }

  /// ManicTime Server's changes since the export (its state's `updatedactivities` links)
  /// into `output`, and per stream the activity ids whose stored events they replace.
  public func manicTimeChanges(links: [String: String], output: String, note: @escaping (String) -> Void) throws
    -> (activities: Int, replacedIDs: [String: [String]]) {
    let today = LiveDay.today(now: Date().timeIntervalSince1970)
    var options = ManicTimeExporter.Options(since: today, through: today)
    if let url { options.serverURL = url }
    let credentials = try ManicTimeExporter.Credentials.fromEnvironment(tokenFile: tokenFile)
    return try ManicTimeExporter(options: options, credentials: credentials, note: note).changes(links: links, output: output)
  }

  /// Fetches into `path`: goes on with a stopped fetch, does nothing when a fetch of the
  /// same range finished (unless `sinceLast`), or, with `sinceLast`, fetches from
  /// `overlapDays` before the last finished fetch's last day.
  public func fetch(sinceLast: Bool, overlapDays: Int = 3, now: Double = Date().timeIntervalSince1970,
                    note: @escaping (String) -> Void) throws -> Fetched {
    let state = try LiveExportState.load(forOutput: path)
    let today = LiveDay.today(now: now)
    let last = through ?? today
    var first = since
    var resume = false
    if let state, !state.finished, state.windows > 0 {
      resume = true
    } else if let state, state.finished, FileManager.default.fileExists(atPath: path) {
      guard sinceLast, let lastDay = state.lastDay else { return Fetched(skipped: true) }
      first = lastDay.adding(-overlapDays)
    }
    // A stopped fetch goes on with the range it asked for.
    var lastWanted = last
    if resume, let text = state?.parameters["since"], let day = LiveDay(text) { first = day }
    if resume, let text = state?.parameters["through"], let day = LiveDay(text) { lastWanted = day }
    let missingSince = EidolonError(.usage, "an export from \(tracker.rawValue) needs since: (the first day)")
    var policy = LiveFetcher.Policy()
    policy.maxWait = 900
    let environment = ProcessInfo.processInfo.environment
    func secret() throws -> String {
      try LiveSecret.resolve(option: nil, file: tokenFile, variable: tracker.variable, what: "\(tracker.rawValue) credential", optionName: "",
                             environment: environment, warn: note)
    }
    switch tracker {
    case .rescuetime:
      guard let first else { throw missingSince }
      var options = RescueTimeExporter.Options(since: first, through: lastWanted)
      if let url { options.apiURL = url }
      options.policy = policy
      let summary = try RescueTimeExporter(options: options, key: try secret(), note: note).run(output: path, resume: resume)
      return Fetched(records: summary.rows, first: first)
    case .toggl:
      guard let first else { throw missingSince }
      var options = TogglExporter.Options(since: first, through: lastWanted, today: today)
      if let url { options.apiURL = url }
      options.policy = policy
      let summary = try TogglExporter(options: options, token: try secret(), note: note).run(output: path, resume: resume)
      return Fetched(records: summary.entries, first: first)
    case .manictime:
      guard let first else { throw missingSince }
      var options = ManicTimeExporter.Options(since: first, through: lastWanted)
      if let url { options.serverURL = url }
      options.policy = policy
      let credentials = try ManicTimeExporter.Credentials.fromEnvironment(tokenFile: tokenFile, environment: environment)
      let summary = try ManicTimeExporter(options: options, credentials: credentials, note: note).run(output: path, resume: resume)
      return Fetched(records: summary.activities, first: first)
    case .activitywatch:
      var options = ActivityWatchExporter.Options()
      if resume, let state {
        options.sinceMillis = state.parameters["since"].flatMap { Timestamp.parse($0)?.epochMillis }
        options.untilMillis = state.parameters["until"].flatMap { Timestamp.parse($0)?.epochMillis }
      } else {
        if let first { options.sinceMillis = first.number * CivilTime.millisPerDay }
        if through != nil || first != nil { options.untilMillis = last.adding(1).number * CivilTime.millisPerDay }
      }
      if let url { options.serverURL = url }
      options.policy = policy
      let key = tokenFile != nil || environment[tracker.variable] != nil ? try secret() : nil
      let summary = try ActivityWatchExporter(options: options, apiKey: key, note: note).run(output: path, resume: resume)
      return Fetched(records: summary.events, first: first)
    }
  }
}
