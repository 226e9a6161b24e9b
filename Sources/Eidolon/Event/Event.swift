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

  /// Milliseconds since the epoch at which the event ends (start + duration). An event
  /// that EventSpec would refuse (a duration not finite, or past any date) ends at
  /// Int64.max instead of trapping, so the check can say so.
  public var endMillis: Int64 { Event.endMillis(start: start, duration: duration) }

  /// `endMillis` of any start and duration.
  public static func endMillis(start: Int64, duration: Double) -> Int64 {
    guard duration.magnitude < 1e15, start.magnitude < 1 << 60 else { return duration.isNaN || duration < 0 ? start : .max }
    return start + Int64((duration * 1000).rounded())
  }

  /// The optional string fields' names, in the order the spec and the writer list them;
  /// `optionalString(_:)` and `setOptionalString(_:_:)` take an index into it. (Switches,
  /// not key paths: key paths cost a quarter of a reader's time.)
  public static let optionalStringNames = [
    "stream", "host", "user", "app", "title", "url", "file", "project", "client", "task",
    "description", "category", "subcategory",
  ]

  public enum OptionalString {
    public static let stream = 0, host = 1, user = 2, app = 3, title = 4, url = 5, file = 6, project = 7
    public static let client = 8, task = 9, description = 10, category = 11, subcategory = 12
  }

  @inline(__always)
  public func optionalString(_ index: Int) -> String? {
    switch index {
    case 0: return stream
    case 1: return host
    case 2: return user
    case 3: return app
    case 4: return title
    case 5: return url
    case 6: return file
    case 7: return project
    case 8: return client
    case 9: return task
    case 10: return description
    case 11: return category
    default: return subcategory
    }
  }

  @inline(__always)
  public mutating func setOptionalString(_ index: Int, _ value: String?) {
    switch index {
    case 0: stream = value
    case 1: host = value
    case 2: user = value
    case 3: app = value
    case 4: title = value
    case 5: url = value
    case 6: file = value
    case 7: project = value
    case 8: client = value
    case 9: task = value
    case 10: description = value
    case 11: category = value
    default: subcategory = value
    }
  }
}
