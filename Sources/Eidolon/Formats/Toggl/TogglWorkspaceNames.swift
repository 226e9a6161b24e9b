#if canImport(Glibc)
import Glibc
#endif

/// Names for the ids in Toggl's API JSON, from the JSON files of a workspace data export
/// (`--workspace-export DIR`: projects.json, clients.json, tags.json, tasks.json,
/// users.json or workspace_users.json; any may be missing). Small: held in memory.
public struct TogglWorkspaceNames: Sendable {
  public var projects: [String: (name: String, clientID: String?)] = [:]
  public var clients: [String: String] = [:]
  public var tags: [String: String] = [:]
  public var tasks: [String: String] = [:]
  public var users: [String: String] = [:]

  public init() {}

  public init(directory: String) throws {
    var found = 0
    for (file, fill) in [
      ("projects.json", { (names: inout TogglWorkspaceNames, id: String, object: JSONObject) in
        if let name = object["name"]?.stringValue { names.projects[id] = (name, object["client_id"].flatMap(TogglWorkspaceNames.idText)) }
      }),
      ("clients.json", { names, id, object in names.clients[id] = object["name"]?.stringValue }),
      ("tags.json", { names, id, object in names.tags[id] = object["name"]?.stringValue }),
      ("tasks.json", { names, id, object in names.tasks[id] = object["name"]?.stringValue }),
      ("users.json", { names, id, object in names.users[id] = (object["fullname"] ?? object["name"])?.stringValue }),
      ("workspace_users.json", { names, id, object in names.users[id] = (object["name"] ?? object["fullname"])?.stringValue }),
    ] as [(String, (inout TogglWorkspaceNames, String, JSONObject) -> Void)] {
      let path = directory + "/" + file
      guard access(path, R_OK) == 0 else { continue }
      found += 1
      let tokenizer = JSONTokenizer(reader: try InputOpener.open(path))
      guard case .array(let items) = try tokenizer.readValue(startingWith: try tokenizer.next()) else {
        throw EidolonError(.syntax, "a workspace export file is a JSON array", file: path)
      }
      for case .object(let object) in items {
        // workspace_users.json names the user "uid"; the others "id".
        guard let id = (file == "workspace_users.json" ? object["uid"] ?? object["id"] : object["id"]).flatMap(TogglWorkspaceNames.idText) else { continue }
        fill(&self, id, object)
      }
    }
    if found == 0 {
      throw EidolonError(.usage, "no projects.json, clients.json, tags.json, tasks.json or users.json here: is this an unpacked Toggl workspace export?", file: directory)
    }
  }

  /// An id as text, from a number or a string.
  static func idText(_ value: JSONValue) -> String? {
    switch value {
    case .number(let text), .string(let text): return text
    default: return nil
    }
  }

  /// Fills the names an entry lacks from its ids.
  func resolve(_ event: inout Event) {
    func id(_ names: String...) -> String? {
      for name in names { if let value = event.attrs[name], let text = TogglWorkspaceNames.idText(value) { return text } }
      return nil
    }
    if let projectID = id("project_id", "pid"), let project = projects[projectID] {
      if event.project == nil { event.project = project.name }
      if event.client == nil, let clientID = project.clientID { event.client = clients[clientID] }
    }
    if event.task == nil, let taskID = id("task_id", "tid") { event.task = tasks[taskID] }
    if event.user == nil, let userID = id("user_id", "uid") { event.user = users[userID] }
    if event.tags == nil, case .array(let ids)? = event.attrs["tag_ids"] {
      let names = ids.compactMap { TogglWorkspaceNames.idText($0).flatMap { tags[$0] } }
      if !names.isEmpty { event.tags = names }
    }
  }
}
