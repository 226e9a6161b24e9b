#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress report on stderr (records, bytes, rate), redrawn at most
/// twice a second. On when stderr is a terminal or when asked; never in a pipe.
public final class Progress {
  public let isEnabled: Bool
  private let started: Double
  private var lastDrawn: Double = 0
  private var drawn = false
  private var calls = 0

  public init(enabled: Bool) {
    isEnabled = enabled
    started = Progress.now()
  }

  /// On for a terminal, or when `forced`.
  public static func automatic(forced: Bool) -> Progress {
    Progress(enabled: forced || isatty(STDERR_FILENO) == 1)
  }

  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// Cheap enough to call for every record.
  @inline(__always)
  public func update(records: Int, bytes: Int64) {
    guard isEnabled else { return }
    calls &+= 1
    if calls & 4095 != 0 { return }
    updateNow(records: records, bytes: bytes)
  }

  /// `update` for a caller that reports seldom (once per block of records): the clock is
  /// read on every call.
  public func updateNow(records: Int, bytes: Int64) {
    guard isEnabled else { return }
    let time = Progress.now()
    if time - lastDrawn < 0.5 { return }
    lastDrawn = time
    draw(records: records, bytes: bytes, time: time)
  }

  /// The bytes the whole run will read, when known (plain files): the line then starts
  /// with a bar, the share done and the time left at the rate so far.
  public var totalBytes: Int64?

  private func draw(records: Int, bytes: Int64, time: Double) {
    let elapsed = max(time - started, 0.001)
    let megabytes = Double(bytes) / 1_000_000
    var bar = ""
    if let total = totalBytes, total > 0 {
      let share = min(1, Double(bytes) / Double(total))
      let filled = Int(share * 24)
      let left = share > 0 ? elapsed / share - elapsed : 0
      bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled) + "] \(Int(share * 100))%, \(Int(left.rounded())) s left, "
    }
    let line = "\r\u{1B}[K\(bar)\(records) records, \(format(megabytes)) MB, \(format(megabytes / elapsed)) MB/s, \(Int(Double(records) / elapsed)) records/s"
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    drawn = true
  }

  private func format(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }

  /// Clears the line so the next message starts clean.
  public func clear() {
    guard drawn else { return }
    let erase = Array("\r\u{1B}[K".utf8)
    _ = erase.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    drawn = false
  }
}
