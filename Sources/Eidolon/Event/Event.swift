/// One activity-tracking event in the canonical form (Eidolon NDJSON v1,
/// formats/eidolon-ndjson.md): what every reader produces and every writer takes.
public struct Event: Sendable, Equatable {
  /// Deterministic: the same source record always gives the same id.
  public var id: String
  /// "activitywatch", "rescuetime", "toggl", "manictime", or a custom name.
  public var source: String
  /// "window", "afk", "web", "editor", "time_entry", "summary", "usage", "tag", ...
  public var kind: String
  /// Milliseconds since the Unix epoch, UTC.
  public var start: Int64
  /// Seconds, >= 0.
  public var duration: Double

  public var stream: String?
  public var host: String?
  public var user: String?
  public var app: String?
  public var title: String?
  public var url: String?
  public var file: String?
  public var project: String?
  public var client: String?
  public var task: String?
  public var description: String?
  public var category: String?
  public var subcategory: String?
  /// -2 (very distracting) to 2 (very productive).
  public var productivity: Int?
  public var tags: [String]?
  public var billable: Bool?
  /// The source's local UTC offset, "+02:00", where known.
  public var offset: String?
  /// Every source field with no canonical slot.
  public var attrs: JSONObject

  public init(id: String, source: String, kind: String, start: Int64, duration: Double) {
    self.id = id
    self.source = source
    self.kind = kind
    self.start = start
    self.duration = duration
    attrs = JSONObject()
  }

  /// Milliseconds since the epoch at which the event ends (start + duration).
  public var endMillis: Int64 { start + Int64((duration * 1000).rounded()) }

  /// The optional string fields, in the order the spec and the writer list them.
  nonisolated(unsafe) public static let optionalStringFields: [(name: String, keyPath: WritableKeyPath<Event, String?>)] = [
    ("stream", \.stream), ("host", \.host), ("user", \.user), ("app", \.app), ("title", \.title),
    ("url", \.url), ("file", \.file), ("project", \.project), ("client", \.client), ("task", \.task),
    ("description", \.description), ("category", \.category), ("subcategory", \.subcategory),
  ]
}
