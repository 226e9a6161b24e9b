/// The bucket sizes of the Analytic Data API (resolution_time). "minute" means
/// 5-minute buckets, the finest the API gives. Buckets are wall-clock spans in the
/// account's zone; weeks start on Sunday, months on the 1st (formats/rescuetime.md).
public enum RescueTimeResolution: String, CaseIterable, Sendable {
  case minute, hour, day, week, month

  /// The bucket holding a wall-clock time: its first instant, on the same clock.
  public func bucket(of local: LocalDateTime) -> LocalDateTime {
    switch self {
    case .minute: return LocalDateTime(year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute / 5 * 5)
    case .hour: return LocalDateTime(year: local.year, month: local.month, day: local.day, hour: local.hour)
    case .day: return LocalDateTime(year: local.year, month: local.month, day: local.day)
    case .week:
      let days = CivilTime.daysFromCivil(year: local.year, month: local.month, day: local.day)
      // weekday counts from Monday (0); Sunday is 6.
      let sunday = days - Int64((CivilTime.weekday(days: days) + 1) % 7)
      let (y, m, d) = CivilTime.civilFromDays(sunday)
      return LocalDateTime(year: y, month: m, day: d)
    case .month: return LocalDateTime(year: local.year, month: local.month, day: 1)
    }
  }

  /// The first wall-clock time after the bucket that starts at `start`.
  public func end(ofBucket start: LocalDateTime) -> LocalDateTime {
    guard self != .month else {
      return start.month == 12 ? LocalDateTime(year: start.year + 1, month: 1, day: 1) : LocalDateTime(year: start.year, month: start.month + 1, day: 1)
    }
    return LocalDateTime(secondsAsIfUTC: endWall(ofBucket: start, wall: start.secondsAsIfUTC))
  }

  /// `end(ofBucket:)` as its `secondsAsIfUTC`, given the start's (`wall`): most sizes are
  /// a fixed step, with no date made.
  func endWall(ofBucket start: LocalDateTime, wall: Int64) -> Int64 {
    switch self {
    case .minute: return wall + 300
    case .hour: return wall + 3600
    case .day: return wall + 86_400
    case .week: return wall + 7 * 86_400
    case .month: return end(ofBucket: start).secondsAsIfUTC
    }
  }

  /// The shortest a bucket of this size can be, in seconds (a month: 28 days; a day
  /// shortened by a clock change: 23 hours).
  public var shortestSeconds: Double {
    switch self {
    case .minute: return 300
    case .hour: return 3600
    case .day: return 23 * 3600
    case .week: return 7 * 86_400 - 3600
    case .month: return 28 * 86_400 - 3600
    }
  }

  /// The name of a bucket in messages.
  public var bucketName: String { self == .minute ? "5-minute" : rawValue }

  /// True when `local` is where a bucket of this size starts.
  public func isBucketStart(_ local: LocalDateTime) -> Bool { bucket(of: local) == local }

  /// Names on the command line: minute (5-minute buckets, as the API calls them) or 5min.
  public init?(argument: String) {
    switch argument.lowercased() {
    case "5min", "5m", "minute", "5-minute": self = .minute
    default:
      guard let value = RescueTimeResolution(rawValue: argument.lowercased()) else { return nil }
      self = value
    }
  }

  /// The finest resolution whose bucket starts all the dates fit, judged from the
  /// smallest step between distinct dates and their alignment; nil when the dates
  /// cannot tell (fewer than two distinct dates).
  public static func infer(from dates: [LocalDateTime]) -> RescueTimeResolution? {
    let seconds = Set(dates.map(\.secondsAsIfUTC)).sorted()
    guard seconds.count >= 2 else { return nil }
    var step = Int64.max
    for i in 1..<seconds.count { step = min(step, seconds[i] - seconds[i - 1]) }
    let aligned = { (resolution: RescueTimeResolution) in dates.allSatisfy(resolution.isBucketStart) }
    if step < 3600 || !aligned(.hour) { return .minute }
    if step < 86_400 || !aligned(.day) { return .hour }
    if aligned(.month), step >= 28 * 86_400 { return .month }
    if aligned(.week), step >= 7 * 86_400 { return .week }
    return .day
  }
}
