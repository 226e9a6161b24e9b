import Foundation

/// A CSV of the people to migrate (`--users user_list.csv` on `migrate assess` and `migrate
/// run`, the guide's spelling; formats/migration.md, "A list of users"): a header row, then
/// one row per person. Columns (any order; names case-insensitive): `name` (or `user`),
/// `files` (or `folder`, `path`: paths separated by ';', each a file or a folder whose
/// files are all taken), and optionally `tz` (or `zone`), `tracker` (or `format`, `from`:
/// the reader, else found from each file) and `stage`. Paths are relative to the CSV's folder.
public enum UserList {
  public struct Entry: Sendable {
    public var name: String
    public var files: [String]
    public var tz: String?
    public var tracker: String?
    public var stage: String?
  }

  static let columns: [String: String] = [
    "name": "name", "user": "name", "files": "files", "folder": "files", "path": "files", "tz": "tz", "zone": "tz",
    "tracker": "tracker", "format": "tracker", "from": "tracker", "stage": "stage",
  ]

  public static func load(_ path: String) throws -> [Entry] {
    let csv = CSVReader(input: try InputOpener.open(path))
    guard try csv.next() else { throw EidolonError(.usage, "the user list is empty (a header row of name,files,tz,tracker,stage, then a row per person)", file: path) }
    var index: [String: Int] = [:]
    for (column, header) in csv.strings.enumerated() {
      let name = header.trimmingCharacters(in: .whitespaces).lowercased()
      guard let field = columns[name] else {
        throw EidolonError(.usage, "the user list has a column \"\(header)\"; its columns are name, files, tz, tracker and stage", file: path)
      }
      index[field] = column
    }
    guard index["name"] != nil, index["files"] != nil else {
      throw EidolonError(.usage, "the user list needs the columns name and files", file: path)
    }
    let folder = (path as NSString).deletingLastPathComponent
    func resolve(_ file: String) -> String { file.hasPrefix("/") || folder.isEmpty ? file : (folder as NSString).appendingPathComponent(file) }
    var entries: [Entry] = []
    while try csv.next() {
      func cell(_ field: String) -> String? {
        guard let column = index[field], column < csv.fieldCount else { return nil }
        let text = csv.string(column).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
      }
      let line = SourcePosition(line: csv.recordLine, column: 1, byteOffset: 0)
      guard let name = cell("name") else {
        if csv.strings.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
        throw EidolonError(.usage, "a row without a name", file: path, position: line)
      }
      var files: [String] = []
      for item in (cell("files") ?? "").split(separator: ";").map({ resolve($0.trimmingCharacters(in: .whitespaces)) }) where !item.isEmpty {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: item, isDirectory: &isFolder), isFolder.boolValue {
          files += try DataFolder.files(under: item)
        } else {
          files.append(item)
        }
      }
      guard !files.isEmpty else { throw EidolonError(.usage, "\(name) has no files (or an empty folder)", file: path, position: line) }
      entries.append(Entry(name: name, files: files, tz: cell("tz"), tracker: cell("tracker"), stage: cell("stage")))
    }
    return entries
  }

  /// The entries as a config's `users:` nodes and `stages:` (those named in the list, in
  /// the order they first appear), for TeamConfig to read as if written there.
  static func nodes(_ entries: [Entry]) -> (users: [Any], stages: [Any]) {
    var users: [Any] = []
    var stageOrder: [String] = []
    var members: [String: [String]] = [:]
    for entry in entries {
      var user: [String: Any] = ["name": entry.name]
      user["inputs"] = entry.files.map { file -> Any in entry.tracker.map { ["path": file, "from": $0] } ?? file }
      if let tz = entry.tz { user["tz"] = tz }
      users.append(user)
      if let stage = entry.stage {
        if members[stage] == nil { stageOrder.append(stage) }
        members[stage, default: []].append(entry.name)
      }
    }
    return (users, stageOrder.map { ["name": $0, "users": members[$0]!] as [String: Any] })
  }
}
