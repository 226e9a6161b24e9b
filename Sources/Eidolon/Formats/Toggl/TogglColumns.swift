/// Which column of a Toggl CSV holds what, found by header name through an alias
/// table, so the classic report, the data export and the new Reports UI (whose user
/// picks the columns) all read the same way (formats/toggl.md, "Columns").
public struct TogglColumns: Sendable {
  public enum Role: Int, CaseIterable, Sendable {
    case user, email, client, project, task, description, billable
    case startDate, startTime, endDate, endTime, duration, tags, amount, currency, id
  }

  /// Header names (lower case, trimmed) for each role. "Amount (USD)" and the like are
  /// matched by their start: see `role(for:)`.
  public static let aliases: [Role: [String]] = [
    .user: ["user", "member", "username"],
    .email: ["email"],
    .client: ["client"],
    .project: ["project"],
    .task: ["task"],
    .description: ["description"],
    .billable: ["billable"],
    .startDate: ["start date"],
    .startTime: ["start time"],
    .endDate: ["end date", "stop date"],
    .endTime: ["end time", "stop time"],
    .duration: ["duration"],
    .tags: ["tags", "tag"],
    .amount: ["amount"],
    .currency: ["currency"],
    .id: ["id", "time entry id", "entry id"],
  ]

  /// The column of each role found.
  public private(set) var index = ColumnIndex<Role>()
  /// The columns with no role, by the attrs key each is kept under (`attrsKey(forHeader:)`).
  public private(set) var others: [(index: Int, name: String)] = []
  /// The currency named in the Amount header ("Amount (EUR)"), when there is one.
  public private(set) var amountCurrency: String?
  public let header: [String]

  public init(header: [String]) throws {
    self.header = header
    var otherKeys = Set<String>()  // a set: headers of 100,000 columns are read (HostileRecordTests)
    for (i, raw) in header.enumerated() {
      let name = raw.trimmingSpaces()
      let key = name.lowercased()
      if let role = TogglColumns.role(for: key), index[role] == nil {
        index[role] = i
        if role == .amount, let open = name.firstIndex(of: "("), name.hasSuffix(")") {
          let inside = name[name.index(after: open)..<name.index(before: name.endIndex)]
          if !inside.isEmpty { amountCurrency = String(inside) }
        }
      } else {
        var key = TogglColumns.attrsKey(forHeader: name)
        while otherKeys.contains(key) { key = TogglColumns.keyPrefix + key }
        otherKeys.insert(key)
        others.append((i, key))
      }
    }
    var missing: [String] = []
    if index[.startDate] == nil { missing.append("Start date") }
    if index[.startTime] == nil { missing.append("Start time") }
    let hasEnd = index[.endDate] != nil && index[.endTime] != nil
    if !hasEnd && index[.duration] == nil { missing.append("End date and End time, or Duration") }
    if !missing.isEmpty {
      throw EidolonError(
        .syntax,
        "not a Toggl time-entry CSV: no \(missing.joined(separator: ", ")) column (the header has: \(header.prefix(8).joined(separator: ", ")))",
        position: SourcePosition(line: 1, column: 1, byteOffset: 0))
    }
  }

  /// The attrs keys the reader sets itself.
  static let readerKeys: Set<String> = ["billable", "email", "amount", "currency", "toggl_id", "running", "end"]
  /// Put before a column's header where the header alone would be a reader's key (or another column's).
  static let keyPrefix = "column:"

  /// The attrs key of a column with no role: its header as written, unless the reader sets
  /// that key itself (a column named `end`) or the header starts with `column:`; then
  /// `column:` and the header, so no value is stored over another. toggl-write takes one
  /// `column:` off again for the header (`header(forAttrsKey:)`).
  static func attrsKey(forHeader header: String) -> String {
    readerKeys.contains(header) || header.hasPrefix(keyPrefix) ? keyPrefix + header : header
  }

  /// The header toggl-write writes for an attrs key with no column of its own.
  static func header(forAttrsKey key: String) -> String {
    key.hasPrefix(keyPrefix) ? String(key.dropFirst(keyPrefix.count)) : key
  }

  static func role(for key: String) -> Role? {
    if key.hasPrefix("amount") { return .amount }
    return aliases.first { $0.value.contains(key) }?.key
  }
}
