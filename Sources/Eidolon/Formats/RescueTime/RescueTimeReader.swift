/// Picks the RescueTime reader an input needs from its first bytes (or
/// `options.variant`): a JSON array is the daily summary feed, a JSON object an
/// Analytic Data API response, a CSV whose first cell is a time the account export,
/// any other CSV an API response with its header.
public enum RescueTimeReader {
  public static func make(input: ByteReader, diagnostics: Diagnostics, options: RescueTimeReadOptions) throws -> EventReader & RescueTimeReaderCounts {
    switch try options.variant ?? detect(input) {
    case .apiJSON:
      return RescueTimeAPIReader(source: RescueTimeJSONRows(input: input), diagnostics: diagnostics, options: options)
    case .apiCSV:
      return RescueTimeAPIReader(source: RescueTimeCSVRows(input: input), diagnostics: diagnostics, options: options)
    case .accountExport:
      return RescueTimeHistoryReader(input: input, diagnostics: diagnostics, options: options)
    case .dailySummary:
      return RescueTimeDailySummaryReader(input: input, diagnostics: diagnostics, options: options)
    }
  }

  public static func detect(_ input: ByteReader) throws -> RescueTimeReadOptions.Variant {
    let head = try input.peekPastBOM(64)
    guard let first = ByteReader.firstSignificantByte(head) else { return .apiCSV }
    var i = head.firstIndex(of: first)!
    if head[i] == UInt8(ascii: "[") { return .dailySummary }
    if head[i] == UInt8(ascii: "{") { return .apiJSON }
    // The account export starts with a quoted time: "2017-09-22 13:00:00 -0700".
    if head[i] == UInt8(ascii: "\"") { i += 1 }
    let digits = (0..<4).allSatisfy { i + $0 < head.count && head[i + $0] >= 0x30 && head[i + $0] <= 0x39 }
    if digits, i + 4 < head.count, head[i + 4] == UInt8(ascii: "-") { return .accountExport }
    return .apiCSV
  }
}
