/// What eid-transform is asked to do; `EventTransformer` runs it in the fixed order
/// formats/rules.md gives ("The order of the steps").
public struct TransformOptions {
  public enum WhereTest: Sendable {
    case equals(String)
    case notEquals(String)
  }

  public var assumeZone: ZoneConverter?
  public var shiftMillis: Int64 = 0
  public var since: Int64?
  public var until: Int64?
  public var sources: Set<String> = []
  public var kinds: Set<String> = []
  public var wheres: [(field: EventField, test: WhereTest)] = []
  public var ruleSets: [RuleSet] = []
  public var notAfk: EventReader?
  public var dedupe = false
  public var mergeGapSeconds: Double?
  public var mergeOn: [EventField]?
  public var clipOverlaps = false
  /// Split at local midnight in this zone (UTC when the zone is nil).
  public var splitAtMidnight: (enabled: Bool, zone: ZoneConverter?) = (false, nil)
  public var minDuration: Double?
  public var redact: [EventField] = []
  public var hash: [EventField] = []
  public var salt = ""
  public var domainOnly = false

  public init() {}

  /// Fields --redact and --hash take: the optional text fields, tags and attrs.NAME (and id for --hash).
  public static func isPrivacyField(_ field: EventField, hashing: Bool) -> Bool {
    switch field {
    case .text, .tags, .attr: return true
    case .id: return hashing
    default: return false
    }
  }

  /// `--where FIELD=VALUE` or `FIELD!=VALUE`; nil when it is neither, or FIELD is no field.
  public static func whereTest(_ text: String) -> (field: EventField, test: WhereTest)? {
    let negated = text.contains("!=")
    let parts = text.components(separatedBy: negated ? "!=" : "=")
    guard parts.count >= 2, let field = EventField(name: parts[0]) else { return nil }
    let value = parts.dropFirst().joined(separator: negated ? "!=" : "=")
    return (field, negated ? .notEquals(value) : .equals(value))
  }

  /// Which fields a list option takes: any (--merge-on), or `isPrivacyField`s (--redact;
  /// --hash, which takes id too).
  public enum FieldChoice: Sendable { case any, privacy, hashing }

  /// A comma-separated field list of `option`; a usage error names the one it does not take.
  public static func fields(_ list: String, option: String, taking choice: FieldChoice) throws -> [EventField] {
    try list.split(separator: ",").map { part in
      let name = String(part).trimmingSpaces()
      guard let field = EventField(name: name) else {
        throw EidolonError(.usage, "\(option): unknown field \"\(name)\" (fields: \(EventField.names.joined(separator: ", ")))")
      }
      let hashing = choice == .hashing
      guard choice == .any || isPrivacyField(field, hashing: hashing) else {
        throw EidolonError(.usage, "\(option) takes text fields, tags or attrs.NAME\(hashing ? " or id" : ""), not \(name)")
      }
      return field
    }
  }

  /// Names given as repeated options, each maybe a comma-separated list (--source a,b --source c).
  public static func names(_ values: [String]) -> Set<String> {
    Set(values.flatMap { $0.split(separator: ",").map { String($0).trimmingSpaces() } })
  }
}
