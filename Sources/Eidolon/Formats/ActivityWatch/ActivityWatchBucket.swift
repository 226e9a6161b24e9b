/// What an ActivityWatch bucket says about itself: the context every one of its
/// events carries into the canonical stream (formats/activitywatch.md).
public struct ActivityWatchBucket: Sendable, Equatable {
  /// The bucket's own "id", or the map key when it has none (the servers use the id).
  public var id: String
  public var type: String?
  public var client: String?
  public var hostname: String?
  /// As the export wrote it (a string; Rust may write null).
  public var created: JSONValue?
  public var name: JSONValue?
  public var data: JSONObject?
  /// Bucket fields no server writes (hand-made files), kept for the round trip.
  public var extraFields = JSONObject()

  public init(id: String) { self.id = id }

  /// The fields the server derives, not the user's data: not carried into events.
  static let derivedFields: Set<String> = ["metadata", "last_updated"]

  /// True once the fields that shape every event are known, so events can stream.
  var isComplete: Bool {
    type != nil && client != nil && hostname != nil && created != nil && data != nil
  }

  /// Sets a bucket field read from the export. Returns false for a derived field (ignored).
  @discardableResult
  mutating func set(_ key: String, _ value: JSONValue) -> Bool {
    switch key {
    case "id": if case .string(let s) = value { id = s } else { extraFields[key] = value }
    case "type": type = value.stringValue ?? type
    case "client": client = value.stringValue ?? client
    case "hostname": hostname = value.stringValue ?? hostname
    case "created": created = value
    case "name": name = value
    case "data":
      if case .object(let object) = value { data = object } else { extraFields[key] = value }
    default:
      if ActivityWatchBucket.derivedFields.contains(key) { return false }
      extraFields[key] = value
    }
    return true
  }
}
