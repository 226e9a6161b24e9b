/// What rt-read's options tell the RescueTime readers (formats/rescuetime.md).
public struct RescueTimeReadOptions: Sendable {
  public enum Variant: String, CaseIterable, Sendable {
    /// Analytic Data API response, format=json.
    case apiJSON = "api-json"
    /// Analytic Data API response, format=csv.
    case apiCSV = "api-csv"
    /// The account's "your data" export, rescuetime-activity-history.csv.
    case accountExport = "account-export"
    /// /anapi/daily_summary_feed.
    case dailySummary = "daily-summary"
  }

  /// nil: found from the first bytes.
  public var variant: Variant?
  /// The account's time zone; nil reads naive times as UTC.
  public var zoneIdentifier: String?
  /// The API's bucket size; nil: inferred from the dates.
  public var resolution: RescueTimeResolution?
  /// The restrict_kind the response was asked with, where the header cannot tell.
  public var kind: RescueTimeColumns.Report?
  /// Lay the rows of one bucket end to end inside it, not all at its start.
  public var layout = false
  /// The range rank and member reports cover (their rows carry no date): UTC milliseconds.
  public var rangeStart: Int64?
  public var rangeEnd: Int64?
  /// API CSV rows of the usual shape read straight from their bytes. False: every row
  /// through an Event (the reference the tests and fuzzers hold the fast way to).
  public var scansRows = true
  public init() {}

  /// A --since or --until for the range of a rank report: RFC 3339, or a date, which is
  /// midnight in `zone` (the account's days) or UTC without one.
  public static func rangeMillis(_ text: String, zone: ZoneConverter?) -> Int64? {
    if let parsed = Timestamp.parse(text) {
      if parsed.offsetSeconds == nil, let zone { return zone.toUTCMillis(parsed.local).millis }
      return parsed.epochMillis
    }
    guard let day = Timestamp.parse(text + "T00:00:00") else { return nil }
    if let zone { return zone.toUTCMillis(day.local).millis }
    return day.epochMillis
  }
}

/// What every RescueTime reader reports for the summary.
public protocol RescueTimeReaderCounts: AnyObject {
  var bytesRead: Int64 { get }
  /// Rows `--layout` cut at the end of their bucket, and the seconds cut.
  var clampedRows: Int { get }
  var clampedSeconds: Double { get }
}

extension RescueTimeReaderCounts {
  public var clampedRows: Int { 0 }
  public var clampedSeconds: Double { 0 }
}
