import ArgumentParser
import Eidolon
import EidolonCLI
import Foundation

/// What every export from a tracker's web API takes: where to write, the range, resume,
/// the request budget, and where the credential comes from.
struct LiveExportOptions: ParsableArguments {
  @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The file to write (in the tracker's own response shape).", valueName: "file"))
  var output: String

  @Option(help: ArgumentHelp("The first day to fetch (YYYY-MM-DD).", valueName: "date"))
  var since: String?

  @Option(help: ArgumentHelp("Fetch the days before this one (YYYY-MM-DD; default: through today, UTC).", valueName: "date"))
  var until: String?

  @Option(name: .customLong("date-range"), help: ArgumentHelp("The migration guide's form: FIRST:LAST, both days included (2024-01-01:2025-07-20).", valueName: "range"))
  var dateRange: String?

  @Flag(help: "Go on from where a stopped export left off (its OUTPUT.state.json): no finished window is fetched again.")
  var resume = false

  @Flag(name: .customLong("since-last"), help: "Fetch only what is new since the export that last finished into this output (its OUTPUT.state.json), from --overlap-days before its last day (data arrives late) through today or --until; then load it with --merge-strategy replace-range.")
  var sinceLast = false

  @Option(name: .customLong("overlap-days"), help: ArgumentHelp("With --since-last: days before the last export's last day fetched again.", valueName: "n"))
  var overlapDays = 3

  @Option(name: .customLong("max-requests-per-hour"), help: ArgumentHelp("At most this many requests in any hour (counted across resumed runs); waits, or stops to be resumed when the wait is long.", valueName: "n"))
  var maxRequestsPerHour: Int?

  @Option(name: .customLong("max-wait"), help: ArgumentHelp("The longest one wait for a quota may be before the export stops to be resumed (seconds).", valueName: "seconds"))
  var maxWait: Double = 900

  @Option(name: .customLong("token-file"), help: ArgumentHelp("Read the API key or token from this file.", valueName: "file"))
  var tokenFile: String?

  @Flag(name: [.short, .long], help: "Print nothing but errors.")
  var quiet = false

  func validate() throws {
    if dateRange != nil && (since != nil || until != nil) { throw ValidationError("give --date-range or --since/--until, not both") }
    if sinceLast && (dateRange != nil || since != nil || resume) { throw ValidationError("--since-last takes the first day from the last export: not with --since, --date-range or --resume") }
    if !(0...366).contains(overlapDays) { throw ValidationError("--overlap-days takes 0 to 366") }
    if let maxRequestsPerHour, maxRequestsPerHour < 1 { throw ValidationError("--max-requests-per-hour takes a number from 1") }
    if !maxWait.isFinite || maxWait < 0 { throw ValidationError("--max-wait takes seconds, 0 or more") }
  }

  /// The first and last day wanted.
  func days() throws -> (first: LiveDay, last: LiveDay) {
    func day(_ text: String, _ option: String) throws -> LiveDay {
      guard let day = LiveDay(text) else { throw ValidationError("\(option) takes a day as YYYY-MM-DD, not \(text)") }
      return day
    }
    if let dateRange {
      let parts = dateRange.split(separator: ":", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { throw ValidationError("--date-range takes FIRST:LAST (2024-01-01:2025-07-20), not \(dateRange)") }
      let range = (try day(parts[0], "--date-range"), try day(parts[1], "--date-range"))
      guard range.0 <= range.1 else { throw ValidationError("--date-range: \(parts[1]) is before \(parts[0])") }
      return range
    }
    let first: LiveDay
    if sinceLast {
      guard let state = try LiveExportState.load(forOutput: output), state.finished, let last = state.lastDay else {
        throw ValidationError("--since-last needs an export that finished into \(output) (its \(LiveExportState.path(forOutput: output)))")
      }
      first = last.adding(-overlapDays)
    } else {
      guard let since else { throw ValidationError("give the first day to fetch: --since YYYY-MM-DD (or --date-range FIRST:LAST, or --since-last)") }
      first = try day(since, "--since")
    }
    let last = try until.map { try day($0, "--until").adding(-1) } ?? LiveDay.today(now: Date().timeIntervalSince1970)
    guard first <= last else { throw ValidationError("--until \(until ?? "") is not after the first day, \(first)") }
    return (first, last)
  }

  var policy: LiveFetcher.Policy {
    var policy = LiveFetcher.Policy()
    policy.maxRequestsPerHour = maxRequestsPerHour
    policy.maxWait = maxWait
    return policy
  }

  func note(_ message: String) {
    guard !quiet else { return }
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }
}
