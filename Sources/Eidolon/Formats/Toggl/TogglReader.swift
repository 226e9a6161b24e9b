/// Picks the Toggl reader an input needs from its first bytes: JSON (an array or an
/// object) for the API variants, CSV for the rest.
public enum TogglReader {
  public struct Options {
    public var csv = TogglCSVReader.Options()
    public var json = TogglJSONReader.Options()
    public init() {}
  }

  public static func make(input: ByteReader, diagnostics: Diagnostics, options: Options) throws -> EventReader & TogglReaderCounts {
    let first = ByteReader.firstSignificantByte(try input.peekPastBOM(64))
    if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") {
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
