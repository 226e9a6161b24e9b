/// Picks the Toggl reader an input needs from its first bytes: JSON (an array or an
/// object) for the API variants, CSV for the rest.
public enum TogglReader {
  public struct Options {
    public var csv = TogglCSVReader.Options()
    public var json = TogglJSONReader.Options()
    public init() {}
  }

  public static func make(input: ByteReader, diagnostics: Diagnostics, options: Options) throws -> EventReader & TogglReaderCounts {
    let head = try input.peek(64)
    var i = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    while i < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[i]) { i += 1 }
    if i < head.count, head[i] == UInt8(ascii: "[") || head[i] == UInt8(ascii: "{") {
      return TogglJSONReader(input: input, diagnostics: diagnostics, options: options.json)
    }
    return TogglCSVReader(input: input, diagnostics: diagnostics, options: options.csv)
  }
}

/// What either Toggl reader reports for the summary.
public protocol TogglReaderCounts: AnyObject {
  var bytesRead: Int64 { get }
  /// Entries the server marked deleted, left out.
  var skippedDeleted: Int { get }
}

extension TogglCSVReader: TogglReaderCounts {
  public var skippedDeleted: Int { 0 }
}

extension TogglJSONReader: TogglReaderCounts {}
