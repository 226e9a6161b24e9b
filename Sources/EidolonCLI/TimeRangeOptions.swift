import ArgumentParser
import Eidolon

/// `--since` and `--until`, as every tool that filters by time takes them: an event is
/// kept when since <= start < until. Times are RFC 3339, or a date (midnight UTC).
public struct TimeRangeOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Keep events starting at or after this time (RFC 3339, or YYYY-MM-DD for midnight UTC).", valueName: "time"))
  public var since: String?

  @Option(help: ArgumentHelp("Keep events starting before this time (RFC 3339, or YYYY-MM-DD).", valueName: "time"))
  public var until: String?

  public init() {}

  public var sinceMillis: Int64? { since.flatMap(TimeRangeOptions.parse) }
  public var untilMillis: Int64? { until.flatMap(TimeRangeOptions.parse) }

  /// The range as milliseconds, parsed once: take it before a loop over events (each
  /// read of an option goes through ArgumentParser's generic storage, which was a
  /// twelfth of aw-read when done per event).
  public var bounds: TimeBounds { TimeBounds(since: sinceMillis, until: untilMillis) }

  static func parse(_ text: String) -> Int64? {
    if let parsed = Timestamp.parse(text) { return parsed.epochMillis }
    return Timestamp.parse(text + "T00:00:00Z")?.epochMillis
  }

  public func validate() throws {
    for (name, value) in [("--since", since), ("--until", until)] {
      if let value, TimeRangeOptions.parse(value) == nil {
        throw ValidationError("\(name) takes an RFC 3339 time or a date (YYYY-MM-DD), not \"\(value)\"")
      }
    }
  }
}

/// Where a `--since`/`--until` range starts and ends, in UTC milliseconds.
public struct TimeBounds: Sendable {
  public let since: Int64?
  public let until: Int64?

  /// True when an event starting at `start` is inside: since <= start < until.
  @inline(__always)
  public func contains(start: Int64) -> Bool {
    if let since, start < since { return false }
    if let until, start >= until { return false }
    return true
  }
}
