/// `eidolon migrate export-activitywatch`: every bucket of a running ActivityWatch server
/// (Python or Rust) into one export file (`{"buckets": {...}}`) that aw-read and
/// import-activitywatch read (formats/live-apis.md).
///
/// Each bucket comes from its export endpoint (`/api/0/buckets/<id>/export`), streamed:
/// events are copied as they arrive, one in memory at a time. Not the events endpoint in
/// windows: both servers cut the events of a window at its edges, and the Python server's
/// SQLite storage does not return an event that began more than 24 hours before a
/// window's start, so windows would split long events and lose their continuations. A
/// bucket that fails part-way is fetched again from its start (the output cut back to the
/// last whole bucket); each finished bucket is committed for `--resume`.
public final class ActivityWatchExporter {
  public struct Options: Sendable {
    public var serverURL = "http://localhost:5600"
    /// Keep events starting in [since, until) (milliseconds); nil: no bound.
    public var sinceMillis: Int64?
    public var untilMillis: Int64?
    public var policy = LiveFetcher.Policy()

    public init() {}

    var parameters: [String: String] {
      ["server": serverURL, "since": sinceMillis.map { Timestamp.canonical($0) } ?? "-", "until": untilMillis.map { Timestamp.canonical($0) } ?? "-"]
    }
  }

  public struct Summary: Sendable {
    public var events = 0
    public var buckets = 0
    public var outOfRange = 0
    public var retries = 0
    public var resumedAt: String?
  }

  private let options: Options
  private let client: ActivityWatchServerClient
  private let note: (String) -> Void

  /// `apiKey`: the server's optional `[auth] api_key`, sent as a bearer token.
  public init(options: Options, apiKey: String?, note: @escaping (String) -> Void) throws {
    self.options = options
    client = try ActivityWatchServerClient(url: options.serverURL)
    if let apiKey { client.http.extraHeaders = ["Authorization: Bearer \(apiKey)"] }
    self.note = note
  }

  public func run(output: String, resume: Bool) throws -> Summary {
    let run = try LiveExportRun(output: output, resume: resume, source: "activitywatch", parameters: options.parameters,
                                firstDay: "-", windowDays: 1, policy: options.policy, note: note)
    let buckets = try client.buckets().map(\.id).sorted()
    var summary = Summary()
    summary.resumedAt = run.resumedAt
    while let index = Int(run.state.cursor["bucket"] ?? "0"), index < buckets.count {
      let id = buckets[index]
      let out = ByteBuffer(capacity: 1 << 20)
      var attempt = 1
      var counts = (events: 0, outOfRange: 0)
      while true {
        out.removeAll()
        out.append(index == 0 ? "{\"buckets\":{\n" : ",\n")
        do {
          counts = try copyBucket(id, to: out, committing: run)
          break
        } catch let error as EidolonError where (error.kind == .io || error.kind == .truncated || error.kind == .syntax) && attempt < options.policy.maxAttempts {
          try run.discardUncommitted()
          attempt += 1
          summary.retries += 1
          let delay = min(options.policy.maxDelay, options.policy.baseDelay * Double(1 << min(attempt - 2, 20)))
          note("ActivityWatch bucket \(id): \(error.message); fetching it again in \(SecondsText.short(delay)) s (attempt \(attempt) of \(options.policy.maxAttempts))")
          run.fetcher.sleep(delay)
        } catch {
          throw run.stopped(by: error)
        }
      }
      out.append("]}")
      let next = index + 1
      try run.commit(out) { state in
        state.rows += counts.events
        state.cursor = ["bucket": String(next), "at": next < buckets.count ? "bucket \(buckets[next])" : "the end"]
      }
      summary.outOfRange += counts.outOfRange
    }
    try run.finish(buckets.isEmpty ? "{\"buckets\":{}}\n" : "\n}}\n")
    summary.events = run.state.rows
    summary.buckets = buckets.count
    return summary
  }

  /// Writes `"<id>":{<the bucket's fields>,"events":[<its events in range>` to `out`,
  /// flushing to the partial output (uncommitted) as it grows.
  private func copyBucket(_ id: String, to out: ByteBuffer, committing run: LiveExportRun) throws -> (events: Int, outOfRange: Int) {
    let input = try client.openExport(bucketID: id)
    let tokenizer = JSONTokenizer(reader: input)
    var events = 0
    var outOfRange = 0
    func expect(_ token: JSONToken, _ what: String) throws {
      guard try tokenizer.next() == token else {
        throw EidolonError(.syntax, "bucket \(id)'s export: expected \(what)", file: input.name, position: tokenizer.tokenPosition)
      }
    }
    try expect(.beginObject, "an object")
    // {"buckets": {"<id>": {...}}}: find the bucket's object.
    var found = false
    while try tokenizer.next() == .key {
      guard tokenizer.text.bytes.elementsEqual("buckets".utf8) else {
        try tokenizer.skip(try tokenizer.next())
        continue
      }
      try expect(.beginObject, "the buckets object")
      while try tokenizer.next() == .key {
        let key = String(decoding: tokenizer.text.bytes, as: UTF8.self)
        try expect(.beginObject, "a bucket object")
        guard !found else {
          try tokenizer.skipRestOfObject()
          continue
        }
        found = true
        out.appendJSONString(key)
        out.append(":{")
        var members = 0
        var sawEvents = false
        while try tokenizer.next() == .key {
          let name = String(decoding: tokenizer.text.bytes, as: UTF8.self)
          let first = try tokenizer.next()
          out.append(members == 0 ? "" : ",")
          members += 1
          out.appendJSONString(name)
          out.append(":")
          guard name == "events", first == .beginArray else {
            out.appendJSON(try tokenizer.readValue(startingWith: first))
            continue
          }
          sawEvents = true
          out.append("[")
          while true {
            let token = try tokenizer.next()
            if token == .endArray { break }
            let position = tokenizer.tokenPosition
            guard token == .beginObject else { throw EidolonError(.data, "an event is not an object", file: input.name, position: position) }
            let event = try tokenizer.readObjectMembers()
            guard let text = event["timestamp"]?.stringValue, let start = Timestamp.parse(text)?.epochMillis else {
              throw EidolonError(.data, "an event without an RFC 3339 timestamp", file: input.name, position: position)
            }
            if let since = options.sinceMillis, start < since { outOfRange += 1; continue }
            if let until = options.untilMillis, start >= until { outOfRange += 1; continue }
            out.append(events == 0 ? "\n" : ",\n")
            out.appendJSON(event)
            events += 1
            if out.count > 1 << 20 {
              try run.appendUncommitted(out)
              out.removeAll()
            }
          }
          out.append("\n]")
        }
        if !sawEvents { out.append(members == 0 ? "\"events\":[" : ",\"events\":[") } else { out.commit(-1) }
      }
    }
    guard found else { throw EidolonError(.data, "bucket \(id)'s export holds no bucket", file: input.name) }
    return (events, outOfRange)
  }
}
