/// Every format Eidolon reads, by name: how tools and the corpus test find a
/// reader. A new format is a Reader (and Writer) pair plus one entry here.
public enum FormatRegistry {
  public struct ReaderFormat: Sendable {
    /// The name used on command lines and as the folder under corpus/.
    public let name: String
    public let summary: String
    public let make: @Sendable (ByteReader, Diagnostics) throws -> EventReader
  }

  public static let readers: [ReaderFormat] = [
    ReaderFormat(name: "eidolon", summary: "Eidolon NDJSON v1 (formats/eidolon-ndjson.md)") { input, diagnostics in
      EidolonNDJSONReader(input: input, diagnostics: diagnostics)
    },
    ReaderFormat(name: "activitywatch", summary: "ActivityWatch exports (formats/activitywatch.md)") { input, diagnostics in
      ActivityWatchReader(input: input, diagnostics: diagnostics)
    },
  ]

  public static func reader(named name: String) -> ReaderFormat? {
    readers.first { $0.name == name }
  }
}
