import Foundation
import Testing

/// The README's migration with rules, run as a user would on corpus/migration: RescueTime's
/// categories learned, applied to an ActivityWatch export with its afk time cut out, and
/// loaded; the store then holds every active second, filed the way RescueTime filed it.
@Suite struct MigrationWithRulesTests {
  static let folder = ToolRunner.packageRoot.appendingPathComponent("corpus/migration")

  /// The events of a store, from eid-dump, as JSON objects.
  private func dump(_ database: String) throws -> [[String: Any]] {
    let dumped = try ToolRunner.run("eid-dump", [database])
    #expect(dumped.status == 0, "\(dumped.stderr)")
    return try dumped.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  @Test func learnedRescueTimeCategoriesFileActivityWatchEventsInTheStore() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let rules = dir.appendingPathComponent("rules.yaml").path
    let afk = dir.appendingPathComponent("afk.ndjson").path
    let database = dir.appendingPathComponent("events.db").path
    let folder = Self.folder.path

    let learned = try ToolRunner.shell("cd '\(folder)' && rt-read rescuetime.json --tz Europe/Berlin | eid-transform learn -o '\(rules)'")
    #expect(learned.status == 0, "\(learned.stderr)")
    #expect(learned.stderr.contains("6 activities from 7 events"))
    #expect(learned.stderr.contains("filed in more than one way: 1"))
    let rulesText = try String(contentsOfFile: rules, encoding: .utf8)
    #expect(rulesText.components(separatedBy: "  - name:").count - 1 == 6)
    #expect(rulesText.contains("# \"youtube.com\": productivity -2 83%, also productivity 1 17%"))

    let pipeline = """
      cd '\(folder)' && aw-read aw-export.json --type afkstatus | eid-sort -o '\(afk)' &&
      aw-read aw-export.json | eid-sort | eid-transform --rules '\(rules)' --not-afk '\(afk)' | eid-load '\(database)'
      """
    let loaded = try ToolRunner.shell(pipeline)
    #expect(loaded.status == 0, "\(loaded.stderr)")
    #expect(loaded.stderr.contains("12 events in, 11 out"))
    #expect(loaded.stderr.contains("inserted 11"))

    let events = try dump(database)
    var secondsByCategory: [String: Double] = [:]
    var secondsByKind: [String: Double] = [:]
    for event in events {
      let seconds = try #require(event["duration"] as? Double)
      secondsByCategory[event["category"] as? String ?? "(none)", default: 0] += seconds
      secondsByKind[event["kind"] as? String ?? "?", default: 0] += seconds
    }
    #expect(secondsByCategory == [
      "Editing & IDEs": 3900, "Browsers": 1200, "Instant Message": 600, "Systems Operations": 300,
      "General Software Development": 300, "Video": 900, "(none)": 7200,
    ])
    // Window time in the export is 7200 s; Spotify's 1200 s fell while the user was away.
    #expect(secondsByKind == ["window": 6000, "web": 1200, "afk": 7200])
    #expect(!events.contains { $0["app"] as? String == "Spotify" })
    let youtube = try #require(events.first { ($0["url"] as? String)?.contains("youtube") == true })
    #expect(youtube["productivity"] as? Int == -2)

    // The transform keeps ids, so the same migration again stores nothing twice.
    let again = try ToolRunner.shell(pipeline)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("inserted 0, skipped 11"))
  }
}
