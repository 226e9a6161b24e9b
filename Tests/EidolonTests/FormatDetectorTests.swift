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

  @Test func jsonMarkersThatComeFirstWin() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eidolon-detect-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    // An ActivityWatch title that quotes Toggl's key does not make the file Toggl's.
    let aw = dir.appendingPathComponent("aw.json")
    try #"{"buckets": {"b": {"events": [{"data": {"title": "\"workspace_id\": 5"}}]}}}"#.write(to: aw, atomically: true, encoding: .utf8)
    #expect(try FormatDetector.detect(path: aw.path)?.format == "activitywatch")
    let unknown = dir.appendingPathComponent("other.json")
    try #"{"hello": "world"}"#.write(to: unknown, atomically: true, encoding: .utf8)
    #expect(try FormatDetector.detect(path: unknown.path) == nil)
  }
}
