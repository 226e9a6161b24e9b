import Foundation
import Yams

/// A team's migration, as `eidolon migrate run --config migration.yaml` reads it
/// (formats/migration.md, "Team runs"): the people, their files and settings, the
/// stages, and where the events go. Paths are relative to the config file's folder.
public struct TeamConfig {
  public struct User {
    public var name: String
    public var inputs: [MigrationPlan.Input]
    public var rules: [String]
    /// Inputs fetched from a tracker's web API into their file before it is read.
    public var exports: [LiveExportSpec] = []
  }

  public struct Stage {
    public var name: String
    public var users: [String]
  }

  /// One store for everyone (events carry `user`), or one per user ("{user}" in the name).
  public enum Stores: Equatable {
    case shared(String)
    case perUser(String)

    public func path(for user: String) -> String {
      switch self {
      case .shared(let path): return path
      case .perUser(let pattern): return pattern.replacingOccurrences(of: "{user}", with: user)
      }
    }

    public var isShared: Bool { if case .shared = self { return true } else { return false } }
  }

  public var path: String
  public var stores: Stores
  public var users: [User]
  public var stages: [Stage]
  public var statePath: String
  public var batchSize = EventLoader.Options().batchSize
  public var strategy = EventLoader.Strategy.append
  public var parallelWorkers = 1
  public var tolerance = MigrationValidator.Tolerance()

  /// `userList`: a CSV of the people (UserList), taken as the config's users and, when it
  /// names stages, its stages; the config then needs no `users:`.
  public static func load(path: String, userList: String? = nil) throws -> TeamConfig {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw EidolonError(.io, "cannot read the config: \(error.localizedDescription)", file: path)
    }
    return try parse(text, path: path, userList: try userList.map(UserList.load))
  }

  /// A config's text; `path` names it in messages and anchors its relative paths.
  public static func parse(_ text: String, path: String, userList: [UserList.Entry]? = nil) throws -> TeamConfig {
    let root: Any?
    root = try YAMLDocument.load(text, file: path)
    guard var top = root as? [String: Any] else { throw EidolonError(.usage, "the config is a mapping with users: and store: (or store_per_user:)", file: path) }
    let folder = (path as NSString).deletingLastPathComponent
    func resolve(_ file: String) -> String {
      file.hasPrefix("/") || folder.isEmpty ? file : (folder as NSString).appendingPathComponent(file)
    }
    func fail(_ message: String) -> EidolonError { EidolonError(.usage, message, file: path) }
    if let userList {
      let (users, stages) = UserList.nodes(userList)
      top["users"] = users
      if !stages.isEmpty { top["stages"] = stages }
    }
    let known: Set = ["store", "store_per_user", "users", "stages", "defaults", "state", "batch_size", "merge_strategy", "parallel_workers", "tolerance",
                      "data_dir"]
    if let unknown = top.keys.filter({ !known.contains($0) }).sorted().first {
      throw fail("unknown key \(unknown) (known: \(known.sorted().joined(separator: ", ")))")
    }

    let stores: Stores
    switch (top["store"] as? String, top["store_per_user"] as? String) {
    case (let shared?, nil):
      // A postgresql:// URI names a database all the users load into at once.
      stores = .shared(EventStores.isPostgres(shared) ? shared : resolve(shared))
    case (nil, let pattern?):
      guard pattern.contains("{user}") else { throw fail("store_per_user needs {user} in it, e.g. stores/{user}.db") }
      stores = .perUser(EventStores.isPostgres(pattern) ? pattern : resolve(pattern))
    default: throw fail("give store: FILE (one store for everyone) or store_per_user: stores/{user}.db, not both")
    }

    let defaults = top["defaults"] as? [String: Any] ?? [:]
    func settings(_ node: [String: Any]) -> [String: String] {
      var out: [String: String] = [:]
      if let tz = node["tz"] { out["tz"] = "\(tz)" }
      for (key, value) in node["set"] as? [String: Any] ?? [:] { out[key] = "\(value)" }
      if let columns = node["columns"] as? [String: Any] { out["columns"] = columns.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",") }
      return out
    }
    func list(_ value: Any?) -> [String] {
      if let one = value as? String { return [one] }
      return (value as? [Any])?.map { "\($0)" } ?? []
    }

    /// An input fetched from an API: `export: toggl`, `path:` (its file), `since:`,
    /// `until:` (the first day not wanted), `token_file:`, `url:`.
    func exportSpec(_ entry: [String: Any], tracker: String, user name: String) throws -> LiveExportSpec {
      guard let kind = LiveExportSpec.Tracker(rawValue: tracker) else {
        throw fail("user \(name): export: takes \(LiveExportSpec.Tracker.allCases.map(\.rawValue).joined(separator: ", ")), not \(tracker)")
      }
      guard let file = entry["path"] as? String else { throw fail("user \(name): an export: needs path: (where its file goes)") }
      let knownKeys: Set = ["export", "path", "since", "until", "token_file", "url", "tz", "set", "columns"]
      if let unknown = entry.keys.filter({ !knownKeys.contains($0) }).sorted().first { throw fail("user \(name): unknown key \(unknown) in an export") }
      var spec = LiveExportSpec(tracker: kind, path: resolve(file))
      func day(_ key: String) throws -> LiveDay? {
        guard let value = entry[key] else { return nil }
        guard let day = LiveDay("\(value)") else { throw fail("user \(name): \(key): takes a day as YYYY-MM-DD, not \(value)") }
        return day
      }
      spec.since = try day("since")
      spec.through = try day("until")?.adding(-1)
      spec.tokenFile = (entry["token_file"] as? String).map(resolve)
      spec.url = entry["url"] as? String
      if spec.since == nil && kind != .activitywatch { throw fail("user \(name): an export from \(kind.rawValue) needs since: (the first day)") }
      return spec
    }

    guard let userNodes = top["users"] as? [Any], !userNodes.isEmpty else { throw fail("users: lists the people to migrate, each with name: and inputs:") }
    var users: [User] = []
    for node in userNodes {
      guard let user = node as? [String: Any], let name = user["name"].map({ "\($0)" }), !name.isEmpty else { throw fail("each user needs a name:") }
      guard !name.contains("/") else { throw fail("user \(name): a name may not hold '/' (it goes in front of each event's id)") }
      guard !users.contains(where: { $0.name == name }) else { throw fail("user \(name) is listed twice") }
      let userSettings = settings(defaults).merging(settings(user)) { $1 }
      do { try FormatRegistry.checkSettingNames(userSettings.keys) } catch let error as EidolonError { throw fail("user \(name): \(error.message)") }
      var inputs: [MigrationPlan.Input] = []
      var exports: [LiveExportSpec] = []
      for input in user["inputs"] as? [Any] ?? [] {
        if let file = input as? String {
          inputs.append(MigrationPlan.Input(path: resolve(file), format: nil, settings: userSettings))
        } else if let entry = input as? [String: Any], let tracker = entry["export"].map({ "\($0)" }) {
          let spec = try exportSpec(entry, tracker: tracker, user: name)
          let inputSettings = userSettings.merging(settings(entry)) { $1 }
          do { try FormatRegistry.checkSettingNames(inputSettings.keys) } catch let error as EidolonError { throw fail("user \(name): \(error.message)") }
          exports.append(spec)
          inputs.append(MigrationPlan.Input(path: spec.path, format: spec.tracker.format, settings: inputSettings))
        } else if let entry = input as? [String: Any], let file = entry["path"] as? String {
          let format = entry["from"] as? String
          if let format, FormatRegistry.reader(named: format) == nil { throw fail("user \(name): unknown format \(format)") }
          let inputSettings = userSettings.merging(settings(entry)) { $1 }
          do { try FormatRegistry.checkSettingNames(inputSettings.keys) } catch let error as EidolonError { throw fail("user \(name): \(error.message)") }
          inputs.append(MigrationPlan.Input(path: resolve(file), format: format, settings: inputSettings))
        } else {
          throw fail("user \(name): each input is a path, path: with from:, tz:, set:, or export: TRACKER with path: and since:")
        }
      }
      // A folder of files (import-files' way): the user's data_dir:, or, for a user who
      // lists no inputs, the folder named after them under the config's data_dir:.
      var folder = (user["data_dir"] as? String).map(resolve)
      if folder == nil, inputs.isEmpty, user["inputs"] == nil, let top = top["data_dir"] as? String {
        folder = (resolve(top) as NSString).appendingPathComponent(name)
      }
      if let folder {
        do {
          inputs += try DataFolder.files(under: folder).map { MigrationPlan.Input(path: $0, format: nil, settings: userSettings) }
        } catch let error as EidolonError { throw fail("user \(name): data_dir \(folder): \(error.message)") }
      }
      guard !inputs.isEmpty else { throw fail("user \(name) has no inputs: (nor files under a data_dir:)") }
      let rules = (list(defaults["rules"]) + list(user["rules"])).map(resolve)
      users.append(User(name: name, inputs: inputs, rules: rules, exports: exports))
    }

    var stages: [Stage] = []
    for node in top["stages"] as? [Any] ?? [] {
      guard let stage = node as? [String: Any], let name = stage["name"] as? String else { throw fail("each stage needs a name: and users:") }
      let members = list(stage["users"])
      for member in members where !users.contains(where: { $0.name == member }) { throw fail("stage \(name) names \(member), who is not under users:") }
      stages.append(Stage(name: name, users: members))
    }
    let staged = Set(stages.flatMap(\.users))
    let unstaged = users.map(\.name).filter { !staged.contains($0) }
    if stages.isEmpty {
      stages = [Stage(name: "all", users: unstaged)]
    } else if !unstaged.isEmpty {
      throw fail("\(unstaged.joined(separator: ", ")) \(unstaged.count == 1 ? "is" : "are") in no stage (put every user in one)")
    }

    var config = TeamConfig(path: path, stores: stores, users: users, stages: stages,
                            statePath: (top["state"] as? String).map(resolve) ?? path + ".state.json")
    for key in ["batch_size", "parallel_workers"] where top[key] != nil && !((top[key] as? Int).map { $0 >= 1 } ?? false) {
      throw fail("\(key) takes a whole number of 1 or more, not \(top[key]!)")
    }
    if let size = top["batch_size"] as? Int { config.batchSize = size }
    if let text = top["merge_strategy"] as? String {
      guard let strategy = EventLoader.Strategy(rawValue: text) else { throw fail("merge_strategy takes append, replace, replace-range or fail") }
      config.strategy = strategy
    }
    if let workers = top["parallel_workers"] as? Int { config.parallelWorkers = max(1, workers) }
    if let text = top["tolerance"].map({ "\($0)" }) {
      guard let tolerance = MigrationValidator.Tolerance(argument: text) else { throw fail("tolerance takes seconds (2) or a percentage (0.5%)") }
      config.tolerance = tolerance
    }
    return config
  }

  public func user(named name: String) -> User? { users.first { $0.name == name } }

  /// The user's plan: their inputs and rules, and their name on each event in a shared store.
  public func plan(for user: User) -> MigrationPlan {
    var plan = MigrationPlan(inputs: user.inputs)
    plan.rulesPaths = user.rules
    if stores.isShared { plan.user = user.name }
    return plan
  }
}
