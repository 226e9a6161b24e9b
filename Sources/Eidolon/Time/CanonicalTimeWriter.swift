/// `Timestamp.writeCanonical` with the last day's "YYYY-MM-DD" kept: a reader's events
/// come in time order, many to a day, so a time's date is copied (two stores), not worked
/// out from its day count again. Writes what `writeCanonical` writes (a test compares).
/// One per thread.
struct CanonicalTimeWriter {
  /// Days since 0001-01-01 of the date kept (none at first), and its ten bytes as loaded.
  private var day = UInt64.max
  private var dateWord: UInt64 = 0, dateTail: UInt16 = 0

  /// Writes `millis` in the canonical form at `out`, which has room for `Timestamp.canonicalLength`.
  @inline(__always)
  mutating func write(_ millis: Int64, to out: UnsafeMutablePointer<UInt8>) {
    // (As `writeCanonical`: clamped to the years 0001-9999, then unsigned.)
    let sinceYear1 = UInt64(truncatingIfNeeded: min(max(millis, Timestamp.firstMillis), Timestamp.lastMillis) &- Timestamp.firstMillis)
    let days = sinceYear1 / 86_400_000
    guard days == day else {
      Timestamp.writeCanonical(millis, to: out)
      day = days
      dateWord = UnsafeRawPointer(out).loadUnaligned(as: UInt64.self)
      dateTail = UnsafeRawPointer(out).loadUnaligned(fromByteOffset: 8, as: UInt16.self)
      return
    }
    let p = UnsafeMutableRawPointer(out)
    p.storeBytes(of: dateWord, as: UInt64.self)
    p.storeBytes(of: dateTail, toByteOffset: 8, as: UInt16.self)
    Timestamp.writeTimeOfDay(UInt32(truncatingIfNeeded: sinceYear1 &- days &* 86_400_000), to: out)
  }
}
