#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes events as an ActivityWatch import file, `{"buckets": {...}}`, that both
/// servers' POST /api/0/import accept (formats/activitywatch.md, "Writing").
///
/// Events go to their bucket's temporary file as they come, so input that
/// interleaves buckets needs no memory per event; `finish()` then writes each bucket's
/// fields followed by its events. Events that came from ActivityWatch return to
/// their own bucket with their data restored; others are grouped one bucket per
/// source, kind and host.
public final class ActivityWatchWriter: EventWriter {
  /// Open bucket files at most; others are closed and reopened for appending.
  static let maxOpenFiles = 64

  private let sink: OutputSink?
  private let directory: String
  private var buckets: [String: PendingBucket] = [:]
  private var openOrder: [String] = []
  private var clock = 0
  public private(set) var eventCount = 0

  /// `sink` receives the import file from `finish()`; nil when the buckets go to a server.
  public init(sink: OutputSink?) throws {
    self.sink = sink
    directory = try TemporaryFile.makeDirectory("aw-write", holding: "the buckets")
  }

  deinit {
    for bucket in buckets.values { bucket.close() }
    TemporaryPaths.remove(directory)
  }

  /// A bucket's fields, and its events waiting in a file.
  final class PendingBucket {
    let header: ActivityWatchBucket
    let path: String
    var sink: OutputSink?
    var fd: Int32 = -1
    var count = 0
    var earliest: Int64 = .max
    var lastUse = 0

    init(header: ActivityWatchBucket, path: String) {
      self.header = header
      self.path = path
    }

    func open() throws {
      guard sink == nil else { return }
      fd = SystemCall.retrying { Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) }
      guard fd >= 0 else {
        throw EidolonError(.io, "cannot write a temporary bucket file: \(SystemCall.lastErrorMessage())", file: path)
      }
      sink = OutputSink(fd: fd, name: path)
    }

    func flushAndClose() throws {
      try sink?.flush()
      close()
    }

    func close() {
      sink = nil  // (before the descriptor: OutputSink.handsOverWhenDropped)
      if fd >= 0 { Glibc.close(fd) }
      fd = -1
    }
  }

  public func write(_ event: Event) throws {
    try EventSpec.checkBeforeWriting(event)
    let header = ActivityWatchWriter.bucket(for: event)
    let bucket: PendingBucket
    if let existing = buckets[header.id] {
      bucket = existing
    } else {
      bucket = PendingBucket(header: header, path: "\(directory)/\(buckets.count).events")
      TemporaryPaths.register(bucket.path)
      buckets[header.id] = bucket
    }
    clock += 1
    bucket.lastUse = clock  // before any eviction, so this bucket is never the one closed
    if bucket.sink == nil {
      try bucket.open()
      openOrder.append(header.id)
      if openOrder.count > ActivityWatchWriter.maxOpenFiles { try closeLeastRecentlyUsed() }
    }
    bucket.count += 1
    bucket.earliest = min(bucket.earliest, event.start)
    let out = bucket.sink!.buffer
    ActivityWatchWriter.appendEvent(event, bucketType: header.type ?? "", to: out)
    out.append(0x0A)
    try bucket.sink!.flushIfFull()
    eventCount += 1
  }

  private func closeLeastRecentlyUsed() throws {
    guard let (index, id) = openOrder.enumerated().min(by: { buckets[$0.element]!.lastUse < buckets[$1.element]!.lastUse })
      .map({ ($0.offset, $0.element) })
    else { return }
    try buckets[id]!.flushAndClose()
    openOrder.remove(at: index)
  }

  /// The ids of the buckets written to so far.
  public var bucketIDs: [String] { buckets.keys.sorted() }

  /// Each bucket in id order: its fields, the start of its earliest event (for a missing
  /// "created"), and its events, one JSON object per line.
  public func forEachBucket(_ body: (_ header: ActivityWatchBucket, _ earliest: Int64, _ events: ByteReader) throws -> Void) throws {
    for id in bucketIDs {
      let bucket = buckets[id]!
      try bucket.flushAndClose()
      let events = ByteReader(source: try FileDescriptorSource(path: bucket.path), name: bucket.path)
      try body(bucket.header, bucket.earliest, events)
    }
  }

  /// Writes the import file to the sink.
  public func finish() throws {
    guard let sink else { return }
    let out = sink.buffer
    out.append("{\"buckets\": {")
    var first = true
    try forEachBucket { header, earliest, events in
      if !first { out.append(",") }
      first = false
      out.append("\n")
      out.appendJSONString(header.id)
      out.append(": ")
      ActivityWatchWriter.appendBucketFields(header, earliest: earliest, to: out)
      out.append(",\"events\":[")
      var firstEvent = true
      while let line = try events.readLine() {
        if !firstEvent { out.append(UInt8(ascii: ",")) }
        firstEvent = false
        out.append(line)
        try sink.flushIfFull()
      }
      out.append("]}")
      try sink.flushIfFull()
    }
    out.append("\n}}\n")
    try sink.finish()
  }

  // MARK: Mapping

  /// Kind to bucket type for events from other trackers.
  public static let typeByKind: [String: String] = [
    "window": "currentwindow", "usage": "currentwindow", "afk": "afkstatus", "web": "web.tab.current",
    "editor": "app.editor.activity", "time_entry": "general.stopwatch", "stopwatch": "general.stopwatch",
    "input": "os.hid.input", "media": "media.playback",
  ]

  /// The bucket an event goes to: its own for ActivityWatch events, else one per source, kind and host.
  static func bucket(for event: Event) -> ActivityWatchBucket {
    if event.source == ActivityWatchMapping.source, let stream = event.stream {
      var bucket = ActivityWatchBucket(id: stream)
      bucket.type = event.attrs["bucket_type"]?.stringValue ?? typeByKind[event.kind] ?? "eidolon.\(event.kind)"
      bucket.client = event.attrs["client"]?.stringValue ?? "eidolon"
      bucket.hostname = event.host ?? "unknown"
      bucket.created = event.attrs["created"]
      bucket.name = event.attrs["name"]
      if case .object(let data)? = event.attrs["bucket_data"] { bucket.data = data }
      if case .object(let extra)? = event.attrs["bucket_fields"] { bucket.extraFields = extra }
      return bucket
    }
    let host = event.host ?? "unknown"
    var bucket = ActivityWatchBucket(id: "eidolon-\(event.source)-\(event.kind)_\(host)")
    bucket.type = typeByKind[event.kind] ?? "eidolon.\(event.kind)"
    bucket.client = "eidolon"
    bucket.hostname = host
    return bucket
  }

  static func appendBucketFields(_ bucket: ActivityWatchBucket, earliest: Int64, to out: ByteBuffer) {
    out.append("{\"id\":")
    out.appendJSONString(bucket.id)
    // Python's import needs "created" with an offset; the bucket's own, or its first event.
    out.append(",\"created\":")
    if let created = bucket.created, created != .null {
      out.appendJSON(created)
    } else {
      out.append(UInt8(ascii: "\""))
      Timestamp.appendCanonical(earliest == .max ? 0 : earliest, to: out)
      out.append(UInt8(ascii: "\""))
    }
    if let name = bucket.name {
      out.append(",\"name\":")
      out.appendJSON(name)
    }
    out.append(",\"type\":")
    out.appendJSONString(bucket.type ?? "")
    out.append(",\"client\":")
    out.appendJSONString(bucket.client ?? "eidolon")
    out.append(",\"hostname\":")
    out.appendJSONString(bucket.hostname ?? "unknown")
    out.append(",\"data\":")
    out.appendJSON(bucket.data ?? JSONObject())
    for member in bucket.extraFields.members {
      out.append(UInt8(ascii: ","))
      out.appendJSONString(member.key)
      out.append(UInt8(ascii: ":"))
      out.appendJSON(member.value)
    }
  }

  /// One event as ActivityWatch JSON: timestamp, duration, data; no id (see the spec).
  static func appendEvent(_ event: Event, bucketType: String, to out: ByteBuffer) {
    out.append("{\"timestamp\":\"")
    if case .string(let original)? = event.attrs["timestamp"] {
      out.append(original)  // the source's own, finer than a millisecond
    } else {
      Timestamp.appendCanonical(event.start, to: out)
    }
    out.append("\",\"duration\":")
    out.appendJSONNumber(event.duration)
    out.append(",\"data\":")
    out.appendJSON(data(for: event, bucketType: bucketType))
    if case .object(let extra)? = event.attrs["event_fields"] {
      for member in extra.members {
        out.append(UInt8(ascii: ","))
        out.appendJSONString(member.key)
        out.append(UInt8(ascii: ":"))
        out.appendJSON(member.value)
      }
    }
    out.append(UInt8(ascii: "}"))
  }

  /// The event's data object: the canonical fields ActivityWatch knows, then the rest.
  static func data(for event: Event, bucketType: String) -> JSONObject {
    var data = JSONObject()
    for (key, field) in ActivityWatchMapping.dataFields {
      if let value = event.optionalString(field) { data.members.append(.init(key, .string(value))) }
    }
    if event.source == ActivityWatchMapping.source {
      if bucketType == "general.stopwatch", let label = event.description {
        data.members.append(.init(ActivityWatchMapping.stopwatchLabel, .string(label)))
      }
      if case .object(let rest)? = event.attrs["data"] { data.members.append(contentsOf: rest.members) }
      return data
    }
    // From another tracker: what ActivityWatch's views use, and everything else beside it.
    if bucketType == "general.stopwatch" {
      let label = event.description ?? event.project ?? event.title ?? event.kind
      data.members.insert(.init("label", .string(label)), at: 0)
      data.members.append(.init("running", .bool(false)))
    }
    for (index, name) in Event.optionalStringNames.enumerated() where !["stream", "host", "app", "title", "url", "file", "project"].contains(name) {
      if let value = event.optionalString(index) { data.members.append(.init(name, .string(value))) }
    }
    if let productivity = event.productivity { data.members.append(.init("productivity", .number(productivity))) }
    if let tags = event.tags { data.members.append(.init("tags", .array(tags.map { .string($0) }))) }
    if let billable = event.billable { data.members.append(.init("billable", .bool(billable))) }
    data.members.append(.init("eidolon_source", .string(event.source)))
    data.members.append(.init("eidolon_id", .string(event.id)))
    if !event.attrs.isEmpty { data.members.append(.init("attrs", .object(event.attrs))) }
    return data
  }
}
