import Foundation
import Testing

/// A team config's `export:` inputs: `migrate run` fetches each user's file from the
/// tracker's API (the replay server) before importing and validating it, a second run
/// fetches nothing again, and `migrate sync` fetches the last days again and stores them
/// with replace-range, so the store still holds each record once.
@Suite(.serialized) struct LiveTeamExportTests {
  @Test func runFetchesEachUsersExportAndSyncStoresWhatIsNewOnce() throws {
    let server = try ReplayServer(scenario: """
      {"rescuetime": {"key": "rt-team-key"}, "toggl": {"token": "toggl-team-token"}}
      """)
    let dir = try ToolRunner.temporaryDirectory()
    try "rt-team-key\n".write(to: dir.appendingPathComponent("bob-rt.key"), atomically: true, encoding: .utf8)
    try "toggl-team-token\n".write(to: dir.appendingPathComponent("ann-toggl.token"), atomically: true, encoding: .utf8)
    let since = LiveExportTogglTests.day(-40)
    let config = dir.appendingPathComponent("migration.yaml")
    try """
      store_per_user: stores/{user}.db
      users:
        - name: ann
          inputs:
            - export: toggl
              path: ann/toggl.json
              since: \(since)
              token_file: ann-toggl.token
              url: \(server.url)
        - name: bob
          inputs:
            - export: rescuetime
              path: bob/rescuetime.json
              since: 2024-01-01
              until: 2024-02-01
              token_file: bob-rt.key
              url: \(server.url)

      """.write(to: config, atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("ann"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("bob"), withIntermediateDirectories: true)

    // bulk-export --config fetches every user's files and loads nothing; run then fetches nothing again.
    let bulk = try ToolRunner.run("eidolon", ["migrate", "bulk-export", "--config", config.path])
    #expect(bulk.status == 0 && bulk.stderr.contains("ann: toggl:") && bulk.stderr.contains("bob: rescuetime:"), "\(bulk.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("stores/ann.db").path))
    let requestsAfterBulk = try server.requests().count
    let bulkAgain = try ToolRunner.run("eidolon", ["migrate", "bulk-export", "--config", config.path])
    let requestsAfterBulkAgain = try server.requests().count
    #expect(bulkAgain.stderr.contains("is already fetched") && requestsAfterBulkAgain == requestsAfterBulk, "\(bulkAgain.stderr)")

    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path, "--json"])
    #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
    #expect(run.stdout.contains("\"match\""), "\(run.stdout)")
    let requestsAfterRun = try server.requests().count
    #expect(requestsAfterRun == requestsAfterBulk)
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ann/toggl.json").path))

    let again = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try server.requests().count == requestsAfterRun, "a finished fetch is not repeated by run")

    let sync = try ToolRunner.run("eidolon", ["migrate", "sync", "--config", config.path])
    #expect(sync.status == 0, "\(sync.stderr)")
    #expect(sync.stderr.contains("bob: rescuetime:") && sync.stderr.contains("from 2024-01-28"), "\(sync.stderr)")
    #expect(try server.requests().count > requestsAfterRun)

    // Bob's store: the API's seconds per day for January, each row once.
    let dumped = try ToolRunner.run("eid-dump", [dir.appendingPathComponent("stores/bob.db").path])
    var perDay: [String: Int] = [:]
    for line in dumped.stdout.split(separator: "\n") {
      let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      perDay[String((event["start"] as! String).prefix(10)), default: 0] += (event["duration"] as! NSNumber).intValue
    }
    #expect(perDay == (try LiveExportTests.truth(server, "2024-01-01", "2024-01-31")).secondsPerDay)
    // Ann's: every entry once.
    let ann = try ToolRunner.run("eid-dump", [dir.appendingPathComponent("stores/ann.db").path])
    let want = try LiveExportTogglTests.truth(server, since, LiveExportTogglTests.day(0))
    #expect(ann.stdout.split(separator: "\n").count == want.entries)
    for file in ["ann/toggl.json.state.json", "bob/rescuetime.json.state.json", "migration.yaml.state.json"] {
      let text = (try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)) ?? ""
      #expect(!text.contains("rt-team-key") && !text.contains("toggl-team-token"), "\(file)")
    }
  }

  /// Toggl entries edited or deleted after the first fetch, on days long before the
  /// overlap: `migrate sync` asks Toggl for its changes since then (`since=`), stores the
  /// edit and removes the deleted entry from the store.
  @Test func syncTakesTogglsEditsAndDeletionsOfOldEntries() throws {
    try Self.togglSync(storeLine: "store: team.db") { $0.appendingPathComponent("team.db").path }
  }

  /// The Toggl sync above into a store `storeLine` names (`store` gives its name for eid-dump).
  static func togglSync(storeLine: String, store name: (URL) -> String) throws {
    let server = try ReplayServer(scenario: #"{"toggl": {"token": "toggl-team-token"}}"#)
    let dir = try ToolRunner.temporaryDirectory()
    try "toggl-team-token\n".write(to: dir.appendingPathComponent("ann-toggl.token"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("ann"), withIntermediateDirectories: true)
    let config = dir.appendingPathComponent("migration.yaml")
    try """
      \(storeLine)
      users:
        - name: ann
          inputs:
            - export: toggl
              path: ann/toggl.json
              since: \(LiveExportTogglTests.day(-200))
              token_file: ann-toggl.token
              url: \(server.url)

      """.write(to: config, atomically: true, encoding: .utf8)
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path])
    #expect(run.status == 0, "\(run.stderr)")
    let store = name(dir)
    func stored() throws -> [String: [String: Any]] {
      var byTogglID: [String: [String: Any]] = [:]
      for line in try ToolRunner.run("eid-dump", [store]).stdout.split(separator: "\n") {
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        byTogglID["\((event["attrs"] as! [String: Any])["toggl_id"]!)"] = event
      }
      return byTogglID
    }
    let before = try stored()
    // Two entries of the oldest days (from the Reports API part of the file).
    let exported = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("ann/toggl.json"))) as? [[String: Any]])
    let ids = exported.prefix(2).map { "\((($0["time_entries"] as! [[String: Any]])[0])["id"]!)" }
    #expect(ids.count == 2 && before[ids[0]] != nil && before[ids[1]] != nil)
    let change = try JSONSerialization.data(withJSONObject: ["modify": [["id": Int(ids[0])!, "description": "edited in Toggl"]], "delete": [Int(ids[1])!]])
    let control = dir.appendingPathComponent("change.json")
    try change.write(to: control)
    #expect(try ToolRunner.runProgram("/usr/bin/curl", ["-sf", "-X", "POST", "--data-binary", "@" + control.path, server.url + "/_control/toggl"]).status == 0)

    let sync = try ToolRunner.run("eidolon", ["migrate", "sync", "--config", config.path])
    #expect(sync.status == 0, "\(sync.stderr)")
    #expect(sync.stderr.contains("changed in Toggl since the last fetch") && sync.stderr.contains("1 deleted"), "\(sync.stderr)")
    let after = try stored()
    #expect(after.count == before.count - 1)
    #expect(after[ids[0]]?["description"] as? String == "edited in Toggl")
    #expect(after[ids[1]] == nil)
    #expect(after[ids[0]]?["id"] as? String == before[ids[0]]?["id"] as? String, "the edit replaced the entry, under its id")
  }

  /// ManicTime activities edited or deleted on the server after the first fetch, before the
  /// overlap: `migrate sync` follows each timeline's `updatedactivities` link, removes the
  /// stored events of the changed and deleted activities and stores the changes.
  @Test func syncFollowsManicTimesUpdatedActivities() throws {
    try Self.manicTimeSync(storeLine: "store_per_user: stores/{user}.db") { $0.appendingPathComponent("stores/cy.db").path }
  }

  /// The ManicTime sync above into a store `storeLine` names (`store` gives cy's for eid-dump).
  static func manicTimeSync(storeLine: String, store name: (URL) -> String) throws {
    let server = try ReplayServer(scenario: #"{"manictime": {"token": "mt-team-token"}}"#)
    let dir = try ToolRunner.temporaryDirectory()
    try "mt-team-token\n".write(to: dir.appendingPathComponent("cy-mt.token"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("cy"), withIntermediateDirectories: true)
    let config = dir.appendingPathComponent("migration.yaml")
    try """
      \(storeLine)
      users:
        - name: cy
          inputs:
            - export: manictime
              path: cy/manictime.json
              since: \(LiveExportTogglTests.day(-30))
              token_file: cy-mt.token
              url: \(server.url)

      """.write(to: config, atomically: true, encoding: .utf8)
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path])
    #expect(run.status == 0, "\(run.stderr)")
    let store = name(dir)
    func stored() throws -> [String: String] {
      var byActivity: [String: String] = [:]
      for line in try ToolRunner.run("eid-dump", [store]).stdout.split(separator: "\n") {
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        byActivity["\((event["attrs"] as! [String: Any])["activity_id"]!)"] = String(line)
      }
      return byActivity
    }
    let before = try stored()
    let exported = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("cy/manictime.json"))) as? [String: Any])
    let firstWindow = try #require((exported["timelines"] as? [[String: Any]])?.first?["activities"] as? [[String: Any]])
    let ids = firstWindow.prefix(2).map { $0["activityId"] as! String }
    #expect(ids.count == 2 && before[ids[0]] != nil && before[ids[1]] != nil)
    let change = try JSONSerialization.data(withJSONObject: ["modify": [["activityId": ids[0], "displayName": "Edited on the server"]], "delete": [ids[1]]])
    let control = dir.appendingPathComponent("change.json")
    try change.write(to: control)
    #expect(try ToolRunner.runProgram("/usr/bin/curl", ["-sf", "-X", "POST", "--data-binary", "@" + control.path, server.url + "/_control/manictime"]).status == 0)

    let sync = try ToolRunner.run("eidolon", ["migrate", "sync", "--config", config.path])
    #expect(sync.status == 0, "\(sync.stderr)")
    #expect(sync.stderr.contains("changed on the server since the last fetch: 2 stored activities replaced or deleted, 1 stored"), "\(sync.stderr)")
    let after = try stored()
    #expect(after.count == before.count - 1)
    #expect(after[ids[0]]?.contains("Edited on the server") == true, "\(after[ids[0]] ?? "-")")
    #expect(after[ids[1]] == nil)
  }
}
