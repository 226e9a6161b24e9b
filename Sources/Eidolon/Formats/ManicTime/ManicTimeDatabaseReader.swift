#if canImport(Glibc)
import Glibc
#endif

/// Reads ManicTime's own database, `ManicTimeReports.db` (ManicTime 4 and later;
/// formats/manictime.md, "The database"): every timeline's activities (`Ar_Activity`
/// with its `Ar_Timeline` and `Ar_Group`), one row at a time from one query. The file is
/// opened read-only, never changed, and may be in use by ManicTime.
///
/// The schema is not documented and drifts between versions, so the columns are looked
/// up: the few the events need must be there; the rest are read where present.
public final class ManicTimeDatabaseReader: EventReader, InputCounting {
  private let database: SQLiteDatabase
  private let statement: SQLiteStatement
  private let diagnostics: Diagnostics
  private let path: String
  /// The query's optional columns by name, as their index in the row.
  private var column: [String: Int32] = [:]
  public private(set) var rows: Int64 = 0

  /// The activity columns read where present, after the ones every row needs.
  static let optionalActivityColumns = ["EndLocalTime", "Notes", "IsActive", "IsBillable", "CommonGroupId", "Other"]
  static let optionalGroupColumns = ["Key", "Color", "Other"]

  /// `timeline`: only that timeline's activities (by schema name), else all.
  public init(path: String, diagnostics: Diagnostics, timeline: ManicTimeCSVReader.Timeline?) throws {
    self.path = path
    self.diagnostics = diagnostics
    database = try SQLiteDatabase(path: path, mode: .readOnly)
    let activityColumns = try ManicTimeDatabaseReader.columns(database, "Ar_Activity")
    let timelineColumns = try ManicTimeDatabaseReader.columns(database, "Ar_Timeline")
    let groupColumns = try ManicTimeDatabaseReader.columns(database, "Ar_Group")
    let needed = ["ActivityId", "ReportId", "Name", "GroupId", "StartUtcTime", "EndUtcTime", "StartLocalTime"]
    let missing = needed.filter { !activityColumns.contains($0) } + (["ReportId", "SchemaName", "Name"].filter { !timelineColumns.contains($0) }.map { "Ar_Timeline.\($0)" })
    guard missing.isEmpty else {
      throw EidolonError(.syntax, "not a ManicTimeReports.db this reader knows: \(activityColumns.isEmpty ? "it has no Ar_Activity table" : "missing \(missing.joined(separator: ", "))")",
                         file: path)
    }
    var select = ["a.ActivityId", "a.ReportId", "t.SchemaName", "t.Name", "a.Name", "a.GroupId", "a.StartUtcTime", "a.EndUtcTime", "a.StartLocalTime"]
    for name in ManicTimeDatabaseReader.optionalActivityColumns where activityColumns.contains(name) {
      column[name] = Int32(select.count)
      select.append("a.\(name)")
    }
    var join = ""
    if groupColumns.contains("GroupId"), groupColumns.contains("Name") {
      column["GroupName"] = Int32(select.count)
      select.append("g.Name")
      for name in ManicTimeDatabaseReader.optionalGroupColumns where groupColumns.contains(name) {
        column["Group" + name] = Int32(select.count)
        select.append("g.\(name)")
      }
      join = "LEFT JOIN Ar_Group g ON g.GroupId = a.GroupId" + (groupColumns.contains("ReportId") ? " AND g.ReportId = a.ReportId" : "")
    }
    let filter = timeline == nil ? "" : "WHERE t.SchemaName = ?1"
    statement = try database.prepare("""
      SELECT \(select.joined(separator: ", ")) FROM Ar_Activity a JOIN Ar_Timeline t ON t.ReportId = a.ReportId \(join)
      \(filter) ORDER BY a.ReportId, a.StartUtcTime, a.ActivityId
      """)
    if let timeline { statement.bind(1, timeline.schemaName) }
  }

  /// True when the file at `path` is an SQLite database (its first 16 bytes say so).
  public static func isDatabase(path: String) -> Bool {
    guard path != "-", let file = fopen(path, "rb") else { return false }
    defer { fclose(file) }
    var header = [UInt8](repeating: 0, count: 16)
    return fread(&header, 1, 16, file) == 16 && header == Array("SQLite format 3\0".utf8)
  }

  /// The names of a table's columns (none when there is no such table).
  static func columns(_ database: SQLiteDatabase, _ table: String) throws -> Set<String> {
    let statement = try database.prepare("SELECT name FROM pragma_table_info(?1)")
    statement.bind(1, table)
    var names: Set<String> = []
    while try statement.step() { if let name = statement.string(0) { names.insert(name) } }
    return names
  }

  /// Rows read, for progress (a database has no byte stream).
  public var bytesRead: Int64 { rows }

  private func text(_ name: String) -> String? {
    guard let index = column[name], !statement.isNull(index) else { return nil }
    return statement.string(index)
  }

  /// `YYYY-MM-DD HH:MM:SS[.fff]` as ManicTime stores times, read as if UTC, in milliseconds.
  private static func millis(_ text: String?) -> Int64? {
    guard let text, let local = ManicTimeDateTime.parse(text, order: nil)?.local else { return nil }
    return local.secondsAsIfUTC * 1000 + Int64(local.nanosecond / 1_000_000)
  }

  public func next() throws -> Event? {
    while try statement.step() {
      rows += 1
      do {
        if let event = try event() {
          try EventSpec.check(event)
          return event
        }
      } catch var error as EidolonError where error.isRecordError {
        error.file = path
        try diagnostics.reject(error, raw: nil)
      }
    }
    return nil
  }

  private func event() throws -> Event? {
    let activityID = statement.string(0) ?? ""
    func fail(_ message: String) -> EidolonError { EidolonError(.data, "activity \(activityID): \(message)") }
    guard let start = ManicTimeDatabaseReader.millis(statement.string(6)) else { throw fail("StartUtcTime \"\(statement.string(6) ?? "")\" is not a time") }
    guard let end = ManicTimeDatabaseReader.millis(statement.string(7)) else { throw fail("EndUtcTime \"\(statement.string(7) ?? "")\" is not a time") }
    guard end >= start else { throw fail("it ends before it starts") }
    let schemaName = statement.string(2) ?? ""
    let timeline = ManicTimeMapping.timeline(schemaName: schemaName)
    let name = statement.string(4) ?? ""
    var event = Event(id: "", source: "manictime", kind: "activity", start: start, duration: Double(end - start) / 1000)
    event.stream = schemaName
    ManicTimeMapping.apply(name: name, to: &event, timeline: timeline)
    // The local time beside the UTC one gives the offset ManicTime recorded.
    if let local = ManicTimeDatabaseReader.millis(statement.string(8)) {
      let seconds = Int((local - start) / 1000)
      if abs(seconds) <= 18 * 3600 { event.offset = Timestamp.formatOffset(seconds - seconds % 60) }
    }
    event.attrs["activity_id"] = .string(activityID)
    event.attrs["report_id"] = .string(statement.string(1) ?? "")
    if let timelineName = statement.string(3) { event.attrs["timeline_name"] = .string(timelineName) }
    if let groupID = statement.string(5) { event.attrs["group_id"] = .string(groupID) }
    if let notes = text("Notes"), !notes.isEmpty { event.description = notes }
    if let billable = text("IsBillable") { event.billable = billable == "1" || billable.lowercased() == "true" }
    if let active = text("IsActive") { event.attrs["is_active"] = .string(active) }
    if let common = text("CommonGroupId") { event.attrs["common_group_id"] = .string(common) }
    if let other = text("Other"), !other.isEmpty { event.attrs["other"] = .string(other) }
    if let groupName = text("GroupName") {
      switch timeline {
      case .applications?: event.app = groupName
      case .documents?: event.attrs["domain"] = .string(groupName)
      default: event.attrs["group"] = .string(groupName)
      }
      if let key = text("GroupKey"), !key.isEmpty { event.attrs["group_key"] = .string(key) }
      if let color = text("GroupColor"), !color.isEmpty { event.attrs["group_color"] = .string(color) }
      if let other = text("GroupOther"), !other.isEmpty { event.attrs["group_other"] = .string(other) }
    }
    event.id = ManicTimeMapping.id(event, name: name)
    return event
  }
}
