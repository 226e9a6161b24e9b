import Foundation

/// `eidolon migrate export-toggl`: a Toggl Track account's time entries into one JSON
/// array that toggl-read and import-toggl read (formats/live-apis.md): the Reports API
/// v3's detailed groups, per workspace, for days older than `recentDays`, then API v9
/// time entries (`/me/time_entries`) for the recent ones. Project, client and tag names are
/// looked up once per workspace and written into each entry (`project_name`,
/// `client_name`, `tags`), so the file reads with names and without a workspace export.
public final class TogglExporter {
  public struct Options: Sendable {
    public var apiURL = "https://api.track.toggl.com"
    public var since: LiveDay
    public var through: LiveDay
    /// Days before today that come from /me/time_entries (Toggl: "use the Reports API
    /// for more than 3 months back").
    public var recentDays = 90
    /// Days per Reports API request (under a year) and per /me/time_entries request.
    public var reportWindowDays = 360
    public var recentWindowDays = 30
    public var pageSize = 50
    public var today: LiveDay
    public var policy = LiveFetcher.Policy()

    public init(since: LiveDay, through: LiveDay, today: LiveDay) {
      self.since = since
      self.through = through
      self.today = today
    }

    var parameters: [String: String] {
      ["api-url": apiURL, "since": since.description, "through": through.description, "recent-from": recentFrom.description]
    }

    /// The first day /me/time_entries gives.
    var recentFrom: LiveDay { today.adding(-recentDays) }
  }

  public struct Summary: Sendable {
    public var entries = 0
    public var workspaces = 0
    public var requests = 0
    public var retries = 0
    public var waitedSeconds = 0.0
    public var resumedAt: String?
  }

  /// v9 may cap an answer (v8 did at 1000 entries): a window that fills it is fetched in halves.
  static let recentAnswerCap = 1000

  private let options: Options
  private let authorization: String
  private let note: (String) -> Void

  public init(options: Options, token: String, note: @escaping (String) -> Void) {
    self.options = options
    authorization = "Authorization: Basic " + Data("\(token):api_token".utf8).base64EncodedString()
    self.note = note
  }

  /// The names of a workspace's projects, clients and tags, by id.
  struct Names {
    var projects: [String: (name: String, client: String?)] = [:]
    var clients: [String: String] = [:]
    var tags: [String: String] = [:]
  }

  public func run(output: String, resume: Bool) throws -> Summary {
    let run = try LiveExportRun(
      output: output, resume: resume, source: "toggl", parameters: options.parameters, firstDay: options.since.description,
      windowDays: options.reportWindowDays, policy: options.policy, note: note)
    var names: [String: Names] = [:]
    let workspaces: [String]
    do {
      workspaces = try fetchWorkspaces(run.fetcher)
      for workspace in workspaces { names[workspace] = try fetchNames(run.fetcher, workspace: workspace) }
    } catch {
      throw run.stopped(by: error)
    }
    // A resumed run keeps the first run's split between the two APIs (today may have moved on).
    let recentFrom = run.state.parameters["recent-from"].flatMap(LiveDay.init) ?? options.recentFrom
    let olderThrough = min(options.through, recentFrom.adding(-1))
    // The Reports API, per workspace, for the older days.
    while run.state.cursor["phase", default: "reports"] == "reports" {
      let index = Int(run.state.cursor["workspace"] ?? "0") ?? 0
      guard index < workspaces.count, let start = run.state.nextDay.flatMap(LiveDay.init), start <= olderThrough else {
        if index + 1 < workspaces.count, options.since <= olderThrough {
          try run.commit(ByteBuffer()) { state in
            state.cursor = ["phase": "reports", "workspace": String(index + 1), "at": "workspace \(workspaces[index + 1]) from \(options.since)"]
            state.nextDay = options.since.description
          }
        } else {
          let recentStart = max(options.since, recentFrom)
          try run.commit(ByteBuffer()) { state in
            state.cursor = ["phase": "recent", "at": recentStart.description]
            state.nextDay = recentStart.description
          }
        }
        continue
      }
      let workspace = workspaces[index]
      let end = min(start.adding(run.state.windowDays - 1), olderThrough)
      let firstID = run.state.cursor["first_id"]
      let firstRow = run.state.cursor["first_row_number"]
      let what = "Toggl workspace \(workspace) \(start)..\(end)" + (firstRow.map { " from row \($0)" } ?? "")
      let page: Page
      do {
        page = try run.fetcher.fetch(reportRequest(workspace, start, end, firstID: firstID, firstRow: firstRow), what: what) {
          try Page(body: $0.body, what: what, nextID: $0.headers["x-next-id"], nextRow: $0.headers["x-next-row-number"])
        }
      } catch {
        throw run.stopped(by: error)
      }
      if let nextRow = page.nextRow {
        guard !page.items.isEmpty else { throw EidolonError(.data, "\(what): an empty page that names a next one (row \(nextRow)); the export cannot go on") }
        guard nextRow != firstRow, let next = Int(nextRow), next > (Int(firstRow ?? "0") ?? 0) else {
          throw EidolonError(.data, "\(what): the API gave the same cursor (row \(nextRow)) again; the export stops rather than loop")
        }
      }
      let out = ByteBuffer(capacity: 1 << 16)
      var entries = run.state.rows
      var opened = run.state.committedBytes > 0
      for var group in page.items {
        Self.addNames(&group, names[workspace] ?? Names())
        out.append(opened ? ",\n" : "[\n")
        opened = true
        out.appendJSON(.object(group))
        entries += (group["time_entries"].flatMap { if case .array(let list) = $0 { return list.count } else { return nil } }) ?? 1
      }
      try run.commit(out) { state in
        state.rows = entries
        if let nextRow = page.nextRow {
          state.cursor["first_row_number"] = nextRow
          state.cursor["first_id"] = page.nextID
          state.cursor["at"] = "workspace \(workspace), \(start) row \(nextRow)"
        } else {
          state.cursor = ["phase": "reports", "workspace": String(index), "at": "workspace \(workspace) from \(end.adding(1))"]
          state.nextDay = end.adding(1).description
        }
      }
    }
    // /me/time_entries for the recent days, every workspace at once.
    while let start = run.state.nextDay.flatMap(LiveDay.init), start <= options.through {
      let windowDays = min(run.state.windowDays, options.recentWindowDays)
      let end = min(start.adding(windowDays - 1), options.through)
      let what = "Toggl time entries \(start)..\(end)"
      let items: [JSONObject]
      do {
        items = try run.fetcher.fetch(recentRequest(start, end), what: what) { try Page(body: $0.body, what: what).items }
      } catch {
        throw run.stopped(by: error)
      }
      if items.count >= Self.recentAnswerCap && windowDays > 1 {
        note("\(what): \(items.count) entries, as many as one answer may hold; fetching \(windowDays / 2)-day windows instead")
        run.update { $0.windowDays = windowDays / 2 }
        continue
      }
      let out = ByteBuffer(capacity: 1 << 16)
      var entries = run.state.rows
      var opened = run.state.committedBytes > 0
      for var entry in items {
        let workspace = entry["workspace_id"].map(Self.idText) ?? entry["wid"].map(Self.idText) ?? ""
        Self.addNames(&entry, names[workspace] ?? Names())
        out.append(opened ? ",\n" : "[\n")
        opened = true
        out.appendJSON(.object(entry))
        entries += 1
      }
      try run.commit(out) { state in
        state.rows = entries
        state.windowDays = windowDays
        state.nextDay = end.adding(1).description
        state.cursor = ["phase": "recent", "at": end.adding(1).description]
      }
    }
    try run.finish(run.state.committedBytes == 0 ? "[]\n" : "\n]\n")
    var summary = Summary()
    summary.entries = run.state.rows
    summary.workspaces = workspaces.count
    summary.requests = run.requestCount
    summary.retries = run.retryCount
    summary.waitedSeconds = run.waitedSeconds
    summary.resumedAt = run.resumedAt
    return summary
  }

  /// What changed in Toggl since a time (`GET /api/v9/me/time_entries?since=`, deletions
  /// included): the changed entries written to `output` as a v9 JSON array (names added),
  /// and the Toggl ids of the deleted ones.
  public func changes(since seconds: Double, output: String) throws -> (changed: Int, deleted: [String], requests: Int) {
    let fetcher = LiveFetcher(session: try CurlSession(), policy: options.policy)
    fetcher.note = note
    var names: [String: Names] = [:]
    for workspace in try fetchWorkspaces(fetcher) { names[workspace] = try fetchNames(fetcher, workspace: workspace) }
    // A minute early: Toggl's `at` has whole seconds, and a change twice does no harm.
    // (A state file's time outside 1970-9999 is not trusted: everything since 1970 is asked.)
    let since = seconds.isFinite && seconds > 60 && seconds < 253_402_300_800 ? Int64(seconds.rounded(.down)) - 60 : 0
    let items = try fetcher.fetch(get("/api/v9/me/time_entries?since=\(since)&meta=true"), what: "Toggl changes since \(Timestamp.canonical(since * 1000))") {
      try Page(body: $0.body, what: "Toggl changes").items
    }
    var deleted: [String] = []
    let out = ByteBuffer(capacity: 1 << 16)
    out.append("[")
    var changed = 0
    for var entry in items {
      if let mark = entry["server_deleted_at"], mark != .null {
        if let id = entry["id"].map(Self.idText), !id.isEmpty { deleted.append(id) }
        continue
      }
      let workspace = entry["workspace_id"].map(Self.idText) ?? entry["wid"].map(Self.idText) ?? ""
      Self.addNames(&entry, names[workspace] ?? Names())
      out.append(changed == 0 ? "\n" : ",\n")
      out.appendJSON(.object(entry))
      changed += 1
    }
    out.append("\n]\n")
    guard FileManager.default.createFile(atPath: output, contents: Data(out.bytes)) else {
      throw EidolonError(.io, "cannot write \(output)", file: output)
    }
    return (changed, deleted, fetcher.requestCount)
  }

  // MARK: Requests

  private var base: String { options.apiURL.hasSuffix("/") ? String(options.apiURL.dropLast()) : options.apiURL }

  private func get(_ path: String) -> LiveRequest {
    LiveRequest(url: base + path, headers: [authorization, "Accept: application/json"])
  }

  private func reportRequest(_ workspace: String, _ start: LiveDay, _ end: LiveDay, firstID: String?, firstRow: String?) -> LiveRequest {
    var body = JSONObject()
    body["start_date"] = .string(start.description)
    body["end_date"] = .string(end.description)
    body["page_size"] = .number(options.pageSize)
    body["enrich_response"] = .bool(true)
    if let firstID, let id = Int64(firstID) { body["first_id"] = .number(String(id)) }
    if let firstRow, let row = Int(firstRow) { body["first_row_number"] = .number(row) }
    let text = ByteBuffer()
    text.appendJSON(body)
    return LiveRequest(url: base + "/reports/api/v3/workspace/\(workspace)/search/time_entries", method: "POST",
                       headers: [authorization, "Accept: application/json", "Content-Type: application/json"], body: Array(text.bytes))
  }

  /// `end_date` is the first day not wanted (the API's end is exclusive for dates).
  private func recentRequest(_ start: LiveDay, _ end: LiveDay) -> LiveRequest {
    get("/api/v9/me/time_entries?start_date=\(start)&end_date=\(end.adding(1))&meta=true")
  }

  private func fetchWorkspaces(_ fetcher: LiveFetcher) throws -> [String] {
    let list = try fetcher.fetch(get("/api/v9/me/workspaces"), what: "Toggl workspaces") { try Page(body: $0.body, what: "Toggl workspaces").items }
    return list.compactMap { $0["id"].map(Self.idText) }
  }

  private func fetchNames(_ fetcher: LiveFetcher, workspace: String) throws -> Names {
    var names = Names()
    func list(_ what: String) throws -> [JSONObject] {
      try fetcher.fetch(get("/api/v9/workspaces/\(workspace)/\(what)"), what: "Toggl workspace \(workspace) \(what)") {
        try Page(body: $0.body, what: "Toggl \(what)").items
      }
    }
    for client in try list("clients") {
      if let id = client["id"].map(Self.idText), let name = client["name"]?.stringValue { names.clients[id] = name }
    }
    for project in try list("projects") {
      if let id = project["id"].map(Self.idText), let name = project["name"]?.stringValue {
        names.projects[id] = (name, project["client_id"].map(Self.idText).flatMap { names.clients[$0] })
      }
    }
    for tag in try list("tags") {
      if let id = tag["id"].map(Self.idText), let name = tag["name"]?.stringValue { names.tags[id] = name }
    }
    return names
  }

  // MARK: Answers

  /// An id as text, however the API wrote it (numbers as written).
  static func idText(_ value: JSONValue) -> String {
    switch value {
    case .number(let text): return text
    case .string(let text): return text
    default: return ""
    }
  }

  /// Names for the ids an entry or group has, where it has no name of its own.
  static func addNames(_ object: inout JSONObject, _ names: Names) {
    if object["project_name"] == nil, let id = (object["project_id"] ?? object["pid"]).map(idText), let project = names.projects[id] {
      object["project_name"] = .string(project.name)
      if object["client_name"] == nil, let client = project.client { object["client_name"] = .string(client) }
    }
    let hasTagNames: Bool = {
      if case .array(let list)? = object["tags"] { return !list.isEmpty }
      return false
    }()
    if !hasTagNames, case .array(let ids)? = object["tag_ids"], !ids.isEmpty {
      let found = ids.compactMap { names.tags[idText($0)] }
      if found.count == ids.count { object["tags"] = .array(found.map { .string($0) }) }
    }
  }

  /// The items of one answer as the export writes them (names added from the answer's
  /// own items read as projects and tags), or the error that answer gets: for the
  /// `live-answers` fuzz target.
  public static func writtenItems(ofAnswer body: [UInt8]) throws -> [UInt8] {
    let items = try Page(body: body, what: "answer").items
    var names = Names()
    for item in items {
      if let id = item["id"].map(idText), let name = item["name"]?.stringValue {
        names.projects[id] = (name, nil)
        names.tags[id] = name
      }
    }
    let out = ByteBuffer()
    for var item in items {
      addNames(&item, names)
      out.appendJSON(.object(item))
    }
    return Array(out.bytes)
  }

  /// A JSON array of objects (entries, groups, workspaces, projects, ...), and the next
  /// page's cursor from the headers.
  struct Page {
    var items: [JSONObject] = []
    var nextID: String?
    var nextRow: String?

    init(body: [UInt8], what: String, nextID: String? = nil, nextRow: String? = nil) throws {
      self.nextID = nextID
      self.nextRow = nextRow
      let tokenizer = JSONTokenizer(reader: ByteReader(source: MemorySource(body), name: what))
      do {
        let first = try tokenizer.next()
        if first == .null { return }  // v9 answers null for none
        guard first == .beginArray else { throw LiveBadAnswer("\(what): the answer is not a JSON array (\(RescueTimeExporter.Page.start(body)))") }
        while true {
          let token = try tokenizer.next()
          if token == .endArray { break }
          guard token == .beginObject else { throw LiveBadAnswer("\(what): an item is not an object") }
          items.append(try tokenizer.readObjectMembers())
        }
        guard try tokenizer.next() == .end else { throw LiveBadAnswer("\(what): data after the array") }
      } catch let error as EidolonError {
        throw LiveBadAnswer("\(what): the answer is not whole JSON (\(error.message))")
      }
    }
  }
}
