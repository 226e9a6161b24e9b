import Dispatch
import Foundation

/// Runs a team's migration: each user's import then validation, `workers` users at a
/// time, a failed user never stopping the others. What each user reached is kept in the
/// state file after every user, so running the config again goes on where it stopped:
/// users done with unchanged files are left alone, a stopped import resumes, and a user
/// whose files changed is imported again (append stores nothing twice).
public final class TeamRunner: @unchecked Sendable {
  public enum Status: String, Sendable {
    case done, failed
    /// Done by an earlier run, with the same files: not touched.
    case doneEarlier = "done earlier"
    /// An earlier stage did not end clean, so this one was not started.
    case waiting
  }

  public struct Outcome: Sendable {
    public var user: String
    public var stage: String
    public var store: String
    public var status: Status
    public var read = 0, inserted = 0, skipped = 0, rejected = 0, dropped = 0
    /// The store's events the validation compared (validate-stage).
    public var stored = 0
    public var resumed = false
    /// "match" or "mismatch" from the validation; nil when it did not run.
    public var verdict: String?
    public var problems: [String] = []
    public var error: String?
    /// The first messages the user's files gave (bad records and warnings).
    public var messages: [String] = []
    public var seconds = 0.0

    public var isClean: Bool { (status == .done || status == .doneEarlier) && verdict == "match" }
  }

  public let config: TeamConfig
  private let stageName: String?
  private let workers: Int
  private let display: TeamProgress
  private let lock = NSLock()
  /// A shared SQLite store takes one load at a time (its loads' resume bookkeeping is per store).
  private let storeLock = NSLock()
  private var state: [String: Any]
  private var outcomes: [String: Outcome] = [:]

  public init(config: TeamConfig, stage: String?, workers: Int?, showProgress: Bool) throws {
    self.config = config
    if let stage, !config.stages.contains(where: { $0.name == stage }) {
      throw EidolonError(.usage, "no stage \(stage) in the config (stages: \(config.stages.map(\.name).joined(separator: ", ")))", file: config.path)
    }
    stageName = stage
    self.workers = max(1, workers ?? config.parallelWorkers)
    display = TeamProgress(enabled: showProgress)
    state = TeamRunner.readState(config.statePath)
  }

  /// Runs the stages (or the one asked for) and returns every user's outcome, in config order.
  public func run() -> [Outcome] {
    var blockedBy: String?
    for stage in config.stages where stageName == nil || stage.name == stageName {
      if let blocker = blockedBy {
        for user in stage.users {
          outcomes[user] = Outcome(user: user, stage: stage.name, store: EventStores.displayName(config.stores.path(for: user)), status: .waiting,
                                   error: "stage \(blocker) did not end clean: fix it and run again, or run --stage \(stage.name)")
        }
        continue
      }
      runStage(stage)
      if stage.users.contains(where: { outcomes[$0]?.isClean != true }) { blockedBy = stage.name }
    }
    display.clear()
    return config.users.compactMap { outcomes[$0.name] }
  }

  /// The stage being run, guarded by `lock`.
  private var queue: [String] = []
  private var running: [String] = []
  private var doneCount = 0, failedCount = 0

  private func runStage(_ stage: TeamConfig.Stage) {
    let stageName = stage.name
    let total = stage.users.count
    queue = stage.users
    running = []
    doneCount = 0
    failedCount = 0
    display.update(stage: stageName, done: 0, failed: 0, total: total, running: [])
    // Threads of their own, not Dispatch's pool: that one runs no more at once than there
    // are cores, and --parallel-workers is a promise of how many users run at a time.
    let finished = DispatchGroup()
    for _ in 0..<min(workers, max(1, total)) {
      finished.enter()
      let thread = Thread { [self] in
        defer { finished.leave() }
        work(stage: stageName, total: total)
      }
      thread.stackSize = 8 << 20
      thread.start()
    }
    finished.wait()
  }

  /// One worker: takes the next user of the stage until none is left.
  private func work(stage stageName: String, total: Int) {
    while true {
      lock.lock()
      guard !queue.isEmpty else {
        lock.unlock()
        return
      }
      let name = queue.removeFirst()
      running.append(name)
      display.update(stage: stageName, done: doneCount, failed: failedCount, total: total, running: running)
      let user = config.user(named: name)!
      lock.unlock()

      let outcome = migrate(user, stage: stageName)

      lock.lock()
      outcomes[name] = outcome
      running.removeAll { $0 == name }
      if outcome.isClean { doneCount += 1 } else { failedCount += 1 }
      remember(outcome)
      display.update(stage: stageName, done: doneCount, failed: failedCount, total: total, running: running)
      lock.unlock()
    }
  }

  // MARK: One user

  private func migrate(_ user: TeamConfig.User, stage: String) -> Outcome {
    let store = config.stores.path(for: user.name)
    // Reports and the state file name the store without a password.
    var outcome = Outcome(user: user.name, stage: stage, store: EventStores.displayName(store), status: .failed)
    let started = Progress.now()
    defer { outcome.seconds = Progress.now() - started }
    // Inputs from a tracker's API: fetched first (a stopped fetch goes on; a finished one
    // is not repeated: `migrate sync` fetches what is new).
    var fetchNotes: [String] = []
    do {
      for spec in user.exports {
        _ = try spec.fetch(sinceLast: false) { message in if fetchNotes.count < 5 { fetchNotes.append(message) } }
      }
    } catch {
      outcome.error = "\(error)"
      outcome.messages = fetchNotes
      return outcome
    }
    let fingerprints = TeamRunner.fingerprints(user.inputs)
    let before = lockedState(user.name)
    let sameFiles = before?["inputs"] as? [String] == fingerprints
    // Done and matching with the same files: nothing to do. Done with a mismatch is checked
    // again (the store may have been mended), after an import that stores only what is missing.
    if sameFiles, before?["status"] as? String == Status.done.rawValue, before?["verdict"] as? String == "match" {
      var earlier = TeamRunner.outcome(from: before!, user: user.name, stage: stage, store: EventStores.displayName(store))
      earlier.status = .doneEarlier
      return earlier
    }
    let diagnostics = Diagnostics(toolName: "eidolon migrate run")
    var messages: [String] = fetchNotes
    diagnostics.messageHandler = { if messages.count < 5 { messages.append($0) } }
    do {
      let folder = EventStores.isPostgres(store) ? "" : (store as NSString).deletingLastPathComponent
      if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
      let plan = config.plan(for: user)
      var options = EventLoader.Options()
      options.strategy = config.strategy
      options.batchSize = config.batchSize
      // A load of these files that stopped (a failed user, or a run that was killed before
      // it could say so): go on after its last batch. Changed files (the fix of a bad one)
      // are read from the start; append skips what is stored.
      let stopped = before == nil || (sameFiles && before?["status"] as? String == Status.failed.rawValue)
      // PostgreSQL takes the users' loads side by side (formats/postgresql.md).
      let takesTurns = config.stores.isShared && !EventStores.isPostgres(store)
      if takesTurns { storeLock.lock() }
      defer { if takesTurns { storeLock.unlock() } }
      options.resume = stopped && EventStores.hasUnfinishedLoad(store, inputs: plan.inputs.map(\.displayName))
      outcome.resumed = options.resume
      let result: MigrationImport.Result
      do {
        result = try MigrationImport.run(plan: plan, database: store, options: options, diagnostics: diagnostics,
                                         progress: Progress(enabled: false))
      } catch where options.resume && EventLoader.isResumeMismatch(error) {
        // The files changed after the run that stopped: from the start, storing what is missing.
        messages.append("eidolon: \(user.name)'s files changed since their import stopped; imported again from the start")
        options.resume = false
        outcome.resumed = false
        result = try MigrationImport.run(plan: plan, database: store, options: options, diagnostics: diagnostics,
                                         progress: Progress(enabled: false))
      }
      outcome.read = result.counts.read + result.dropped
      outcome.inserted = result.counts.inserted
      outcome.skipped = result.counts.skipped
      outcome.rejected = result.counts.rejected
      outcome.dropped = result.dropped
      var validation = MigrationValidator.Options()
      validation.tolerance = config.tolerance
      let quiet = Diagnostics(toolName: "eidolon migrate run")
      quiet.messageHandler = { _ in }
      let report = try MigrationValidator.run(plan: plan, database: store, options: validation, diagnostics: quiet)
      outcome.verdict = report.matches ? "match" : "mismatch"
      outcome.problems = report.problems
      outcome.status = .done
    } catch {
      outcome.error = "\(error)"
      if let error = error as? Diagnostics.StrictStop { outcome.error = error.error.description }
    }
    outcome.messages = messages
    return outcome
  }

  // MARK: State

  /// Each input as "path size mtime": a changed file is a new input.
  static func fingerprints(_ inputs: [MigrationPlan.Input]) -> [String] {
    inputs.map { input in
      let attributes = try? FileManager.default.attributesOfItem(atPath: input.path)
      let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
      let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
      return "\(input.path) \(size) \(Int64(modified * 1000))"
    }
  }

  private func lockedState(_ user: String) -> [String: Any]? {
    lock.lock()
    defer { lock.unlock() }
    return (state["users"] as? [String: Any])?[user] as? [String: Any]
  }

  static func readState(_ path: String) -> [String: Any] {
    guard let data = FileManager.default.contents(atPath: path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [:] }
    return object
  }

  /// Called with `lock` held: the user's outcome into the state file, written whole and renamed into place.
  private func remember(_ outcome: Outcome) {
    guard outcome.status == .done || outcome.status == .failed else { return }
    var users = state["users"] as? [String: Any] ?? [:]
    var entry: [String: Any] = [
      "status": outcome.status.rawValue, "stage": outcome.stage, "store": outcome.store,
      "read": outcome.read, "inserted": outcome.inserted, "skipped": outcome.skipped, "rejected": outcome.rejected,
      "dropped": outcome.dropped, "problems": outcome.problems, "messages": outcome.messages,
      "finished": Timestamp.canonical(Timestamp.nowMillis()),
    ]
    entry["inputs"] = TeamRunner.fingerprints(config.user(named: outcome.user)?.inputs ?? [])
    if let verdict = outcome.verdict { entry["verdict"] = verdict }
    if let error = outcome.error { entry["error"] = error }
    users[outcome.user] = entry
    state["users"] = users
    state["config"] = config.path
    guard let data = try? JSONSerialization.data(withJSONObject: state, options: [.prettyPrinted, .sortedKeys]) else { return }
    let temporary = config.statePath + ".tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: data), rename(temporary, config.statePath) == 0 else {
      stateError = "cannot write the state file \(config.statePath) (\(SystemCall.lastErrorMessage())): a run of the config again starts everyone over; set state: in the config to a writable place"
      return
    }
  }

  /// Set when the state file could not be written (said once, at the end).
  public private(set) var stateError: String?

  static func outcome(from entry: [String: Any], user: String, stage: String, store: String) -> Outcome {
    var outcome = Outcome(user: user, stage: stage, store: store, status: .done)
    outcome.read = entry["read"] as? Int ?? 0
    outcome.inserted = entry["inserted"] as? Int ?? 0
    outcome.skipped = entry["skipped"] as? Int ?? 0
    outcome.rejected = entry["rejected"] as? Int ?? 0
    outcome.dropped = entry["dropped"] as? Int ?? 0
    outcome.verdict = entry["verdict"] as? String
    outcome.problems = entry["problems"] as? [String] ?? []
    outcome.messages = entry["messages"] as? [String] ?? []
    return outcome
  }
}

/// The team run's one-line display on a terminal: stage, users done and failed, who is running.
final class TeamProgress: @unchecked Sendable {
  private let enabled: Bool
  private var drawn = false

  init(enabled: Bool) { self.enabled = enabled }

  func update(stage: String, done: Int, failed: Int, total: Int, running: [String]) {
    guard enabled else { return }
    let line = "\r\u{1B}[K[\(stage)] \(done)/\(total) users done, \(failed) failed\(running.isEmpty ? "" : "; running: " + running.joined(separator: ", "))"
    FileHandle.standardError.write(Data(line.utf8))
    drawn = true
  }

  func clear() {
    guard enabled, drawn else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    drawn = false
  }
}
