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
}
