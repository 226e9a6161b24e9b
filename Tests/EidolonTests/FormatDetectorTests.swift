import Eidolon
import Foundation
import Testing

/// FormatDetector over the whole corpus: each sample is found as the format of its folder.
@Suite struct FormatDetectorTests {
  /// Samples that are not their folder's format on purpose, or need --from.
  static let undetectable: Set = [
    "rescuetime/not-rescuetime.csv", "toggl/not-toggl.csv", "manictime/not-manictime.csv",
    // A generic CSV is never guessed: it needs --from csv and a column map.
    "csv/homebrew.csv", "csv/start-end.csv",
  ]

  @Test(arguments: CorpusTests.cases())
  func everyCorpusSampleIsFoundAsItsFormat(_ sample: CorpusTests.Case) throws {
    let name = "\(sample.format)/\(sample.input.lastPathComponent)"
    let finding = try FormatDetector.detect(path: sample.input.path)
    if Self.undetectable.contains(name) {
      #expect(finding == nil, "\(name) was taken for \(finding?.format ?? "")")
    } else {
      #expect(finding?.format == sample.format, "\(name) was found as \(finding?.format ?? "nothing")")
    }
  }

  /// Every JSON sample, pretty-printed as people and other tools write JSON (a line and
  /// an indent per member, key order kept), is found as its format too.
  @Test(arguments: CorpusTests.cases().filter { $0.input.pathExtension == "json" })
  func prettyPrintedJSONIsFoundAsItsFormat(_ sample: CorpusTests.Case) throws {
    let name = "\(sample.format)/\(sample.input.lastPathComponent)"
    let pretty = FileManager.default.temporaryDirectory.appendingPathComponent("eidolon-pretty-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: pretty) }
    try Data(Self.prettyPrinted(try Data(contentsOf: sample.input))).write(to: pretty)
    #expect(try FormatDetector.detect(path: pretty.path)?.format == sample.format, "\(name) pretty-printed")
  }

  /// The Reports API v2's `data` array alone, pretty-printed (what its users save).
  @Test func aPrettyPrintedArrayOfTogglReportEntriesIsToggls() throws {
    let wrapper = try JSONSerialization.jsonObject(with: Data(contentsOf: CorpusTests.corpus.appendingPathComponent("toggl/reports-v2-details.json")))
    let entries = try #require((wrapper as? [String: Any])?["data"])
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("eidolon-v2-data-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: file) }
    try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys]).write(to: file)
    let finding = try FormatDetector.detect(path: file.path)
    #expect(finding?.format == "toggl" && finding?.variant == "api-json")
  }

  /// `json` with a line break and two spaces per level after every `{`, `[` and `,`
  /// outside strings, and a space after every `:`.
  static func prettyPrinted(_ json: Data) -> [UInt8] {
    var out: [UInt8] = []
    var depth = 0
    var inString = false, escaped = false
    func newline() { out.append(0x0A); out += Array(repeating: 0x20, count: 2 * depth) }
    for byte in json where inString || ![0x20, 0x0A, 0x0D, 0x09].contains(byte) {
      if inString {
        out.append(byte)
        if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
        continue
      }
      switch byte {
      case 0x22: inString = true; out.append(byte)
      case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; out.append(byte); newline()
      case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; newline(); out.append(byte)
      case UInt8(ascii: ","): out.append(byte); newline()
      case UInt8(ascii: ":"): out += [byte, 0x20]
      default: out.append(byte)
      }
    }
    return out
  }

  @Test func jsonMarkersThatComeFirstWin() throws {
    let dir = URL(fileURLWithPath: temporaryDirectory())
    // An ActivityWatch title that quotes Toggl's key does not make the file Toggl's.
    let aw = dir.appendingPathComponent("aw.json")
    try #"{"buckets": {"b": {"events": [{"data": {"title": "\"workspace_id\": 5"}}]}}}"#.write(to: aw, atomically: true, encoding: .utf8)
    #expect(try FormatDetector.detect(path: aw.path)?.format == "activitywatch")
    let unknown = dir.appendingPathComponent("other.json")
    try #"{"hello": "world"}"#.write(to: unknown, atomically: true, encoding: .utf8)
    #expect(try FormatDetector.detect(path: unknown.path) == nil)
  }
}
