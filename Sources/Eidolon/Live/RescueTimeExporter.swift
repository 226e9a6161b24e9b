import Foundation

/// `eidolon migrate export-rescuetime`: the Analytic Data API's interval data, fetched in
/// windows of whole days and written as one response-shaped JSON file
/// (`{"notes", "row_headers", "rows"}`) that rt-read and import-rescuetime read as any
/// saved response (formats/live-apis.md). The API has no paging, so a window that fails
/// is fetched again in halves, down to one day.
public final class RescueTimeExporter {
  public struct Options: Sendable {
    public var apiURL = "https://www.rescuetime.com"
    public var since: LiveDay
    /// The last day wanted (inclusive, as the API's restrict_end).
    public var through: LiveDay
    /// resolution_time: minute (5-minute buckets), hour, day, week or month.
    public var resolution = "minute"
    /// restrict_kind: activity (each activity with its category and productivity), category, overview, productivity, document.
    public var kind = "activity"
    public var windowDays = 30
    public var policy = LiveFetcher.Policy()

    public init(since: LiveDay, through: LiveDay) {
      self.since = since
      self.through = through
    }

    /// What a resume must ask again: everything but the key.
    var parameters: [String: String] {
      ["api-url": apiURL, "since": since.description, "through": through.description, "resolution": resolution, "kind": kind]
    }
  }

  public struct Summary: Sendable {
    public var rows = 0
    public var windows = 0
    public var requests = 0
    public var retries = 0
    public var waitedSeconds = 0.0
    public var resumedAt: String?
  }

  private let options: Options
  private let key: String
  private let note: (String) -> Void

  public init(options: Options, key: String, note: @escaping (String) -> Void) {
    self.options = options
    self.key = key
    self.note = note
  }

  /// Fetches what is not fetched yet into `output` (through `OUTPUT.partial` and its state
  /// file); `resume` goes on from the state a stopped run left.
  public func run(output: String, resume: Bool) throws -> Summary {
    let run = try LiveExportRun(
      output: output, resume: resume, source: "rescuetime", parameters: options.parameters, firstDay: options.since.description,
      windowDays: options.windowDays, policy: options.policy, note: note)
    var headers: [String]? = run.state.parameters["row-headers"].map {
      $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    }
    while let nextText = run.state.nextDay, let start = LiveDay(nextText), start <= options.through {
      let windowDays = run.state.windowDays
      let end = min(start.adding(windowDays - 1), options.through)
      let what = "RescueTime \(start)..\(end)"
      let page: Page
      do {
        page = try run.fetcher.fetch(request(start, end), what: what) { try Page(body: $0.body, what: what) }
      } catch let error as LiveHTTPError where windowDays > 1 && (error.status == 0 || error.status == 400 || error.status == 413 || error.status >= 500) {
        let smaller = max(1, windowDays / 2)
        note("\(error.message); fetching \(smaller)-day windows instead")
        run.update { $0.windowDays = smaller }
        continue
      } catch {
        throw run.stopped(by: error)
      }
      let out = ByteBuffer(capacity: 1 << 16)
      if let known = headers {
        guard known == page.headers || page.rows.isEmpty else {
          throw EidolonError(.data, "\(what): the columns changed (\(page.headers.joined(separator: ", ")) after \(known.joined(separator: ", "))); the answers cannot go in one file")
        }
      } else {
        headers = page.headers
        out.append("{\"notes\":")
        out.appendJSON(.string(page.notes))
        out.append(",\"row_headers\":")
        out.appendJSON(.array(page.headers.map { .string($0) }))
        out.append(",\"rows\":[")
      }
      var rows = run.state.rows
      for row in page.rows {
        out.append(rows == 0 ? "\n" : ",\n")
        out.appendJSON(row)
        rows += 1
      }
      try run.commit(out) { state in
        state.rows = rows
        state.nextDay = end.adding(1).description
        if state.parameters["row-headers"] == nil { state.parameters["row-headers"] = page.headers.joined(separator: "\u{1F}") }
      }
    }
    // An empty range: a response with no rows.
    try run.finish((headers == nil ? "{\"notes\":\"\",\"row_headers\":[],\"rows\":[" : "") + "\n]}\n")
    var summary = Summary()
    summary.rows = run.state.rows
    summary.windows = run.state.windows
    summary.requests = run.requestCount
    summary.retries = run.retryCount
    summary.waitedSeconds = run.waitedSeconds
    summary.resumedAt = run.resumedAt
    return summary
  }

  private func request(_ start: LiveDay, _ end: LiveDay) -> LiveRequest {
    let base = options.apiURL.hasSuffix("/") ? String(options.apiURL.dropLast()) : options.apiURL
    let query = [
      "key=\(LiveExportState.percentEncoded(key))", "format=json", "perspective=interval", "resolution_time=\(options.resolution)",
      "restrict_kind=\(options.kind)", "restrict_begin=\(start)", "restrict_end=\(end)",
    ].joined(separator: "&")
    return LiveRequest(url: "\(base)/anapi/data?\(query)", headers: ["Accept: application/json"])
  }

  /// The rows of one answer as the export writes them, or the error that answer gets:
  /// for the `live-answers` fuzz target.
  public static func writtenRows(ofAnswer body: [UInt8]) throws -> [UInt8] {
    let page = try Page(body: body, what: "answer")
    let out = ByteBuffer()
    for row in page.rows { out.appendJSON(row) }
    return Array(out.bytes)
  }

  /// One answer: its notes, column names and rows (each row an array, kept as read).
  struct Page {
    var notes = ""
    var headers: [String] = []
    var rows: [JSONValue] = []

    init(body: [UInt8], what: String) throws {
      let tokenizer = JSONTokenizer(reader: ByteReader(source: MemorySource(body), name: what))
      do {
        guard try tokenizer.next() == .beginObject else { throw LiveBadAnswer("\(what): the answer is not a JSON object (\(Page.start(body)))") }
        var sawRows = false
        while try tokenizer.next() == .key {
          let key = String(decoding: tokenizer.text.bytes, as: UTF8.self)
          let first = try tokenizer.next()
          switch key {
          case "notes": notes = (try tokenizer.readValue(startingWith: first)).stringValue ?? ""
          case "row_headers":
            guard case .array(let names) = try tokenizer.readValue(startingWith: first) else { throw LiveBadAnswer("\(what): row_headers is not an array") }
            headers = names.map { $0.stringValue ?? $0.cellText }
          case "rows":
            guard first == .beginArray else { throw LiveBadAnswer("\(what): rows is not an array") }
            sawRows = true
            while true {
              let token = try tokenizer.next()
              if token == .endArray { break }
              guard token == .beginArray else { throw LiveBadAnswer("\(what): a row is not an array (\(token.description))") }
              rows.append(try tokenizer.readValue(startingWith: token))
            }
          default: _ = try tokenizer.readValue(startingWith: first)
          }
        }
        guard sawRows else { throw LiveBadAnswer("\(what): the answer has no rows (\(Page.start(body)))") }
      } catch let error as EidolonError {
        // Cut short or not JSON: asked again.
        throw LiveBadAnswer("\(what): the answer is not whole JSON (\(error.message))")
      }
    }

    static func start(_ body: [UInt8]) -> String {
      let text = LiveRedaction.text(String(decoding: body.prefix(80), as: UTF8.self)).replacingOccurrences(of: "\n", with: " ")
      return text.isEmpty ? "an empty body" : "it starts \(text)"
    }
  }
}

extension LiveExportState {
  /// A new state, or the one a stopped run left (with --resume, when it asked the same).
  static func startOrResume(output: String, resume: Bool, source: String, parameters: [String: String], firstDay: String,
                            windowDays: Int) throws -> LiveExportState {
    let existing = try load(forOutput: output)
    if resume {
      guard var state = existing, !state.finished else {
        throw EidolonError(.usage, "nothing to resume: \(path(forOutput: output)) \(existing == nil ? "is not there" : "says the export finished")")
      }
      // Kept by the run itself, not asked: the columns seen, Toggl's split between its APIs.
      let ownKeys: Set = ["row-headers", "recent-from"]
      let asked = state.parameters.filter { !ownKeys.contains($0.key) }
      guard asked == parameters.filter({ !ownKeys.contains($0.key) }), state.source == source else {
        let differ = parameters.keys.sorted().filter { asked[$0] != parameters[$0] }.map { "\($0) \(asked[$0] ?? "-") then, \(parameters[$0] ?? "-") now" }
        throw EidolonError(.usage, "the stopped export asked for something else (\(differ.joined(separator: "; "))): give the same, or remove \(path(forOutput: output)) to start over")
      }
      state.windowDays = min(state.windowDays, windowDays)
      return state
    }
    if let existing, !existing.finished, existing.windows > 0 {
      throw EidolonError(.usage, "an export into \(output) stopped before it finished: --resume goes on with it, or remove \(path(forOutput: output)) to start over")
    }
    // A run that stopped before its first window has nothing to keep but its requests,
    // which still count against the hour's budget.
    var state = LiveExportState(source: source, parameters: parameters, nextDay: firstDay, windowDays: windowDays)
    if let existing, !existing.finished { state.recentRequests = existing.recentRequests }
    return state
  }

  /// A query value with everything but unreserved characters percent-encoded.
  static func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
  }
}
