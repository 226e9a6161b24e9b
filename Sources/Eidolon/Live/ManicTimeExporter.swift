import Foundation

/// `eidolon migrate export-manictime`: every timeline of a ManicTime Server into one JSON
/// file of the API's v2 shape (`{"timelines": [<timeline with activities and groups>,
/// ...]}`) that mt-read and import-manictime read (formats/live-apis.md). Each timeline's
/// activities are asked for in windows of whole days (`/api/timelines/<key>/activities
/// ?fromTime=&toTime=`); an activity that overlaps two windows comes in both answers and
/// is written once (by its activityId).
public final class ManicTimeExporter {
  public struct Options: Sendable {
    public var serverURL = "http://localhost:8080"
    public var since: LiveDay
    public var through: LiveDay
    public var windowDays = 7
    public var policy = LiveFetcher.Policy()

    public init(since: LiveDay, through: LiveDay) {
      self.since = since
      self.through = through
    }

    var parameters: [String: String] {
      ["server": serverURL, "since": since.description, "through": through.description]
    }
  }

  /// How to sign in: a token, or a ManicTime user's name and password (POST /api/token).
  public enum Credentials: Sendable {
    case token(String)
    case password(username: String, password: String)

    /// MANICTIME_TOKEN or the token file; else MANICTIME_USERNAME with MANICTIME_PASSWORD.
    public static func fromEnvironment(tokenFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Credentials {
      if tokenFile == nil, environment["MANICTIME_TOKEN"] == nil, let username = environment["MANICTIME_USERNAME"] {
        guard let password = environment["MANICTIME_PASSWORD"] else { throw EidolonError(.usage, "MANICTIME_USERNAME is set: set MANICTIME_PASSWORD too") }
        return .password(username: username, password: password)
      }
      return .token(try LiveSecret.resolve(option: nil, file: tokenFile, variable: "MANICTIME_TOKEN", what: "ManicTime Server token (or MANICTIME_USERNAME and MANICTIME_PASSWORD)",
                                           optionName: "", environment: environment, warn: { _ in }))
    }
  }

  public struct Summary: Sendable {
    public var activities = 0
    public var timelines = 0
    public var repeated = 0
    public var requests = 0
    public var retries = 0
    public var resumedAt: String?
  }

  static let accept = "Accept: application/vnd.manictime.v2+json"
  private let options: Options
  private let credentials: Credentials
  private let note: (String) -> Void

  public init(options: Options, credentials: Credentials, note: @escaping (String) -> Void) {
    self.options = options
    self.credentials = credentials
    self.note = note
  }

  public func run(output: String, resume: Bool) throws -> Summary {
    let run = try LiveExportRun(output: output, resume: resume, source: "manictime", parameters: options.parameters,
                                firstDay: options.since.description, windowDays: options.windowDays, policy: options.policy, note: note)
    var summary = Summary()
    summary.resumedAt = run.resumedAt
    let authorization: String
    let timelines: [String]
    do {
      authorization = "Authorization: Bearer " + (try token(run.fetcher))
      timelines = try run.fetcher.fetch(LiveRequest(url: base + "/api/timelines", headers: [authorization, Self.accept]), what: "ManicTime timelines") {
        try Self.timelineKeys($0.body)
      }
    } catch {
      throw run.stopped(by: error)
    }
    while let index = Int(run.state.cursor["timeline"] ?? "0"), index < timelines.count {
      let key = timelines[index]
      guard let start = run.state.nextDay.flatMap(LiveDay.init), start <= options.through else {
        let next = index + 1
        try run.commit(ByteBuffer()) { state in
          state.cursor = ["timeline": String(next), "at": next < timelines.count ? "timeline \(timelines[next])" : "the end"]
          state.nextDay = options.since.description
        }
        continue
      }
      let end = min(start.adding(run.state.windowDays - 1), options.through)
      let what = "ManicTime \(key) \(start)..\(end)"
      let request = LiveRequest(
        url: base + "/api/timelines/\(ActivityWatchServerClient.pathSegment(key))/activities?fromTime=\(start)&toTime=\(end.adding(1))",
        headers: [authorization, Self.accept])
      var timeline: JSONObject
      do {
        timeline = try run.fetcher.fetch(request, what: what) { try Self.timelineObject($0.body, what: what) }
      } catch let error as LiveHTTPError where run.state.windowDays > 1 && (error.status == 0 || error.status >= 500) {
        let smaller = max(1, run.state.windowDays / 2)
        note("\(error.message); fetching \(smaller)-day windows instead")
        run.update { $0.windowDays = smaller }
        continue
      } catch {
        throw run.stopped(by: error)
      }
      // Activities the previous window of this timeline wrote (those that reach into this one come again).
      let before = Set((run.state.cursor["written"] ?? "").split(separator: "\u{1F}").map(String.init))
      var written: [String] = []
      var repeated = 0
      if case .array(let list)? = timeline["activities"] {
        let kept = list.filter { item in
          guard case .object(let activity) = item, let id = activity["activityId"].map(TogglExporter.idText), !id.isEmpty else { return true }
          if before.contains(id) {
            repeated += 1
            return false
          }
          written.append(id)
          return true
        }
        timeline["activities"] = .array(kept)
      }
      summary.repeated += repeated
      let out = ByteBuffer(capacity: 1 << 16)
      out.append(run.state.committedBytes == 0 ? "{\"timelines\":[\n" : ",\n")
      out.appendJSON(timeline)
      let count = written.count
      let changeLink = Self.link(timeline, rel: "updatedactivities")
      try run.commit(out) { state in
        state.rows += count
        if let changeLink { state.changeLinks = (state.changeLinks ?? [:]).merging([key: changeLink]) { $1 } }
        state.nextDay = end.adding(1).description
        state.cursor = ["timeline": String(index), "written": written.joined(separator: "\u{1F}"), "at": "timeline \(key) from \(end.adding(1))"]
      }
    }
    try run.finish(run.state.committedBytes == 0 ? "{\"timelines\":[]}\n" : "\n]}\n")
    summary.activities = run.state.rows
    summary.timelines = timelines.count
    summary.requests = run.requestCount
    summary.retries = run.retryCount
    return summary
  }

  private var base: String { options.serverURL.hasSuffix("/") ? String(options.serverURL.dropLast()) : options.serverURL }

  /// The bearer token: given, or from POST /api/token with the user's name and password.
  private func token(_ fetcher: LiveFetcher) throws -> String {
    switch credentials {
    case .token(let token): return token
    case .password(let username, let password):
      let form = "grant_type=password&username=\(LiveExportState.percentEncoded(username))&password=\(LiveExportState.percentEncoded(password))"
      let request = LiveRequest(url: base + "/api/token", method: "POST", headers: ["Content-Type: application/x-www-form-urlencoded", Self.accept],
                                body: Array(form.utf8))
      return try fetcher.fetch(request, what: "ManicTime sign-in") { response in
        let items = try TogglExporter.Page(body: Array("[".utf8) + response.body + Array("]".utf8), what: "ManicTime sign-in").items
        guard let token = items.first?["token"]?.stringValue ?? items.first?["access_token"]?.stringValue, !token.isEmpty else {
          throw LiveBadAnswer("ManicTime sign-in: the answer has no token")
        }
        return token
      }
    }
  }

  /// A link of an answer's `links` by its `rel` (its `href`).
  static func link(_ object: JSONObject, rel: String) -> String? {
    guard case .array(let links)? = object["links"] else { return nil }
    for case .object(let link) in links where link["rel"]?.stringValue?.lowercased() == rel {
      return link["href"]?.stringValue
    }
    return nil
  }

  /// What changed on the server since an export: each timeline's `updatedactivities` link
  /// (kept in the export's state) asked, the answers written to `output` as
  /// `{"timelines": [...]}` (the changed and new activities), and per timeline type the
  /// activity ids changed or deleted (whose stored events are to go before the changes
  /// are loaded: a ManicTime event's id is made from its content, so an edited activity
  /// has a new one).
  public func changes(links: [String: String], output: String) throws -> (activities: Int, replacedIDs: [String: [String]]) {
    let fetcher = LiveFetcher(session: try CurlSession(), policy: options.policy)
    fetcher.note = note
    let authorization = "Authorization: Bearer " + (try token(fetcher))
    let out = ByteBuffer(capacity: 1 << 16)
    out.append("{\"timelines\":[")
    var activities = 0
    var replaced: [String: [String]] = [:]
    for (index, key) in links.keys.sorted().enumerated() {
      let href = links[key]!
      let url = href.hasPrefix("http://") || href.hasPrefix("https://") ? href : base + (href.hasPrefix("/") ? href : "/" + href)
      let what = "ManicTime \(key) changes"
      let timeline = try fetcher.fetch(LiveRequest(url: url, headers: [authorization, Self.accept]), what: what) {
        try Self.timelineObject($0.body, what: what, requireActivities: false)
      }
      let stream = (timeline["timelineType"].flatMap { value -> String? in
        if case .object(let type) = value { return type["typeName"]?.stringValue }
        return nil
      }) ?? key
      var ids: [String] = []
      if case .array(let list)? = timeline["activities"] {
        for case .object(let activity) in list { if let id = activity["activityId"].map(TogglExporter.idText) { ids.append(id) } }
        activities += list.count
      }
      if case .array(let list)? = timeline["deletedActivityIds"] { ids += list.map(TogglExporter.idText) }
      replaced[stream, default: []] += ids
      out.append(index == 0 ? "\n" : ",\n")
      out.appendJSON(timeline)
    }
    out.append("\n]}\n")
    guard FileManager.default.createFile(atPath: output, contents: Data(out.bytes)) else { throw EidolonError(.io, "cannot write \(output)", file: output) }
    return (activities, replaced)
  }

  /// The timelines' keys, sorted: `{"timelines": [...]}` or a bare array.
  static func timelineKeys(_ body: [UInt8]) throws -> [String] {
    let object = try timelineObject(body, what: "ManicTime timelines", requireActivities: false)
    guard case .array(let list)? = object["timelines"] else { throw LiveBadAnswer("ManicTime timelines: no \"timelines\" list") }
    return list.compactMap { item -> String? in
      guard case .object(let timeline) = item else { return nil }
      return timeline["timelineKey"]?.stringValue ?? timeline["timelineId"]?.stringValue
    }.sorted()
  }

  /// One answer's object (a timeline with its activities, or the timelines list).
  static func timelineObject(_ body: [UInt8], what: String, requireActivities: Bool = true) throws -> JSONObject {
    let tokenizer = JSONTokenizer(reader: ByteReader(source: MemorySource(body), name: what))
    do {
      guard try tokenizer.next() == .beginObject else { throw LiveBadAnswer("\(what): the answer is not a JSON object (\(RescueTimeExporter.Page.start(body)))") }
      let object = try tokenizer.readObjectMembers()
      guard try tokenizer.next() == .end else { throw LiveBadAnswer("\(what): data after the object") }
      if requireActivities, object["activities"] == nil { throw LiveBadAnswer("\(what): the answer has no activities") }
      return object
    } catch let error as EidolonError {
      throw LiveBadAnswer("\(what): the answer is not whole JSON (\(error.message))")
    }
  }
}
