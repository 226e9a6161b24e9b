import Foundation

/// An answer the API gave that ends the request: not retried (a refused key, a bad
/// request), or retried until the attempts ran out. `status` 0: no answer at all.
public struct LiveHTTPError: Error, CustomStringConvertible {
  public let status: Int
  public let message: String
  public var description: String { message }
}

/// The API's quota (or --max-requests-per-hour) is spent for longer than the run will
/// wait: the export stops with its state saved, to be resumed after `until`.
public struct LiveQuotaError: Error, CustomStringConvertible {
  public let waitSeconds: Double
  public let message: String
  public var description: String { message }
}

/// An answer with a 2xx status that is not what the API sends (cut short, not JSON):
/// retried like a dropped connection, an error when it keeps coming.
public struct LiveBadAnswer: Error, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Requests with the faults real APIs have handled one way for every tracker: 429 and
/// quota answers wait as Retry-After says (else exponential back-off with jitter), 5xx,
/// dropped connections and cut-short answers are retried a bounded number of times, a
/// budget of requests per hour is kept, and nothing printed holds a credential.
public final class LiveFetcher {
  public struct Policy: Sendable {
    /// Tries per request, the first included.
    public var maxAttempts = 6
    /// The first back-off, in seconds; doubled each retry (with jitter), at most `maxDelay`.
    /// EIDOLON_LIVE_BASE_DELAY sets it (the tests' replay server uses 0.01).
    public var baseDelay: Double = 2
    public var maxDelay: Double = 120
    /// The longest one wait for a quota may be; past it the run stops, to be resumed.
    public var maxWait: Double = 900
    /// --max-requests-per-hour: a sliding hour, counted over resumed runs too.
    public var maxRequestsPerHour: Int?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
      if let text = environment["EIDOLON_LIVE_BASE_DELAY"], let value = Double(text), value.isFinite, value >= 0 {
        baseDelay = value
        maxDelay = max(value * 16, value)
      }
    }
  }

  public var policy: Policy
  /// The times (seconds since 1970) of the requests of the last hour: the budget's count,
  /// kept in an export's state so a resumed run honours it.
  public var recentRequests: [Double] = []
  public private(set) var requestCount = 0
  public private(set) var retryCount = 0
  public private(set) var waitedSeconds = 0.0
  /// Messages for the user (waits, retries), already redacted.
  public var note: (String) -> Void = { _ in }
  /// A wait (from Retry-After, or from request times a state file kept) that is not a
  /// finite positive number of seconds is no wait.
  public var sleep: (Double) -> Void = { seconds in if seconds.isFinite, seconds > 0 { usleep(useconds_t(min(seconds, 4000) * 1_000_000)) } }
  public var now: () -> Double = { Date().timeIntervalSince1970 }
  /// Says whether a 402 is a spent quota (Toggl's, since 2025) rather than a feature the
  /// plan lacks: by its body.
  public var isQuota402: (LiveResponse) -> Bool = { response in
    let text = response.bodyText.lowercased()
    return text.contains("quota") || text.contains("limit")
  }
  private let session: CurlSession
  private var random = SystemRandomNumberGenerator()

  public init(session: CurlSession, policy: Policy = Policy()) {
    self.session = session
    self.policy = policy
  }

  /// The 2xx answer to `request`, checked by `check` (which throws LiveBadAnswer for one
  /// to retry). `what` names the request in messages ("RescueTime 2024-01-01..2024-01-31").
  public func fetch<T>(_ request: LiveRequest, what: String, check: (LiveResponse) throws -> T) throws -> T {
    var attempt = 0
    while true {
      attempt += 1
      try keepBudget(what)
      var failure = ""
      var wait: Double?
      do {
        // Only the last hour counts (and only it is kept in the state file).
        let time = now()
        if let oldest = recentRequests.first, oldest <= time - 3600 { recentRequests.removeAll { $0 <= time - 3600 } }
        recentRequests.append(time)
        requestCount += 1
        let response = try session.perform(request)
        switch response.status {
        case 200..<300:
          do {
            return try check(response)
          } catch let bad as LiveBadAnswer {
            failure = bad.message
          }
        case 429:
          failure = "HTTP 429 (too many requests)"
          wait = retryAfter(response) ?? backoff(attempt)
          try checkQuotaWait(wait!, what: what, status: 429)
        case 402 where isQuota402(response):
          failure = "HTTP 402 (the quota of requests is spent)"
          wait = retryAfter(response) ?? backoff(attempt + 3)  // quotas refill slowly: start higher
          try checkQuotaWait(wait!, what: what, status: 402)
        case 500..<600:
          failure = "HTTP \(response.status)"
          wait = retryAfter(response)
        case 401, 403:
          throw LiveHTTPError(status: response.status, message: "\(what): HTTP \(response.status): the API refused the credentials; check the key or token (\(excerpt(response)))")
        case 402:
          throw LiveHTTPError(status: 402, message: "\(what): HTTP 402: the account's plan does not include this (\(excerpt(response)))")
        default:
          throw LiveHTTPError(status: response.status, message: "\(what): HTTP \(response.status) (\(excerpt(response)))")
        }
      } catch let error as LiveTransportError {
        failure = error.message
      }
      guard attempt < policy.maxAttempts else {
        throw LiveHTTPError(status: 0, message: "\(what): \(failure), \(attempt) times; giving up (the run can be resumed)")
      }
      let delay = wait ?? backoff(attempt)
      retryCount += 1
      note("\(what): \(failure); trying again in \(SecondsText.short(delay)) s (attempt \(attempt + 1) of \(policy.maxAttempts))")
      waitedSeconds += delay
      sleep(delay)
    }
  }

  /// Waits while the hour's budget is spent, or stops the run when that is longer than
  /// `maxWait`.
  private func keepBudget(_ what: String) throws {
    guard let limit = policy.maxRequestsPerHour else { return }
    let time = now()
    recentRequests.removeAll { $0 <= time - 3600 }
    guard recentRequests.count >= limit else { return }
    let wait = recentRequests[recentRequests.count - limit] + 3600 - time
    if wait > policy.maxWait {
      throw LiveQuotaError(waitSeconds: wait, message: "\(what): --max-requests-per-hour \(limit) is spent; \(LiveFetcher.resumeAdvice(wait, now: time))")
    }
    note("\(what): --max-requests-per-hour \(limit) is spent; waiting \(SecondsText.short(wait)) s")
    waitedSeconds += wait
    sleep(wait)
  }

  private func checkQuotaWait(_ wait: Double, what: String, status: Int) throws {
    if wait > policy.maxWait {
      throw LiveQuotaError(waitSeconds: wait, message: "\(what): HTTP \(status): the API's quota is spent; \(LiveFetcher.resumeAdvice(wait, now: now()))")
    }
  }

  static func resumeAdvice(_ wait: Double, now: Double) -> String {
    let until = Timestamp.canonical(Int64((now + wait) * 1000))
    return "it refills in \(Int((wait / 60).rounded(.up))) min (at \(until)): run the same command with --resume then"
  }

  /// Exponential back-off with jitter: half to all of base * 2^(attempt-1), capped.
  private func backoff(_ attempt: Int) -> Double {
    let full = min(policy.maxDelay, policy.baseDelay * pow(2, Double(min(attempt - 1, 30))))
    return full * Double.random(in: 0.5...1, using: &random)
  }

  /// Retry-After in seconds, or as an HTTP date.
  private func retryAfter(_ response: LiveResponse) -> Double? {
    guard let text = response.headers["retry-after"] else { return nil }
    if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return seconds }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: text) else { return nil }
    return max(0, date.timeIntervalSince1970 - now())
  }

  private func excerpt(_ response: LiveResponse) -> String {
    let text = LiveRedaction.text(String(response.bodyText.prefix(200))).replacingOccurrences(of: "\n", with: " ")
    return text.isEmpty ? "no body" : text
  }
}
