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

  /// True when `event` starts inside the range.
  public func contains(_ event: Event) -> Bool {
    if let since = sinceMillis, event.start < since { return false }
    if let until = untilMillis, event.start >= until { return false }
    return true
  }

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
