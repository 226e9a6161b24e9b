import Foundation
import Testing

/// `eidolon migrate run --config`: three users, one with a corrupt file; the others finish,
/// the report says why the third did not, and a re-run after the fix completes only it.
@Suite struct EidolonTeamRunTests {
  static let corpus = ToolRunner.packageRoot.appendingPathComponent("corpus")

  /// A team folder: ann's ActivityWatch export, bob's RescueTime response, cy's export cut short.
  static func team(store: String) throws -> URL {
    let dir = try ToolRunner.temporaryDirectory()
    let files = FileManager.default
    try files.copyItem(atPath: corpus.appendingPathComponent("migration/aw-export.json").path, toPath: dir.appendingPathComponent("ann.json").path)
    try files.copyItem(atPath: corpus.appendingPathComponent("migration/rescuetime.json").path, toPath: dir.appendingPathComponent("bob.json").path)
    try files.copyItem(atPath: corpus.appendingPathComponent("activitywatch/truncated.json").path, toPath: dir.appendingPathComponent("cy.json").path)
    try """
      \(store)
      parallel_workers: 2
      defaults:
        tz: Europe/Berlin
      stages:
        - name: pilot
          users: [ann, bob, cy]
      users:
        - name: ann
          inputs: [ann.json]
        - name: bob
          inputs:
            - path: bob.json
              from: rescuetime
        - name: cy
          inputs: [cy.json]

      """.write(to: dir.appendingPathComponent("migration.yaml"), atomically: true, encoding: .utf8)
    return dir
  }

  static func users(_ stdout: String) throws -> [String: [String: Any]] {
    let report = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    let users = try #require(report["users"] as? [[String: Any]])
    return Dictionary(uniqueKeysWithValues: users.map { ($0["user"] as! String, $0) })
  }

  static func loads(_ database: String) throws -> Int {
    let info = try ToolRunner.run("eidolon", ["db", "info", database, "--json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
    return (object["loads"] as? [Any])?.count ?? -1
  }

  @Test func aCorruptFileStopsOnlyItsUserAndARerunFinishesOnlyThem() throws {
    let dir = try Self.team(store: "store_per_user: stores/{user}.db")
    let config = dir.appendingPathComponent("migration.yaml").path
    let html = dir.appendingPathComponent("report.html").path
    let first = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config, "--json", "--html", html])
    #expect(first.status == 1, "\(first.stderr)")
    var users = try Self.users(first.stdout)
    #expect(users["ann"]?["status"] as? String == "done" && users["ann"]?["verdict"] as? String == "match")
    #expect(users["bob"]?["status"] as? String == "done" && users["bob"]?["inserted"] as? Int == 7)
    #expect(users["cy"]?["status"] as? String == "failed")
    #expect((users["cy"]?["reason"] as? String)?.contains("cy.json:1:268: error: the input ends inside a string") == true)
    let page = try String(contentsOfFile: html, encoding: .utf8)
    #expect(page.contains("data-key=\"users.2.status\" class=\"bad\">failed<"))
    let annStore = dir.appendingPathComponent("stores/ann.db").path
    #expect(try Self.loads(annStore) == 1)

    // The text report says the same, and how to go on.
    let text = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config])
    #expect(text.status == 1 && text.stdout.contains("cy: ") && text.stdout.contains("run the same command again"))

    try FileManager.default.removeItem(at: dir.appendingPathComponent("cy.json"))
    try FileManager.default.copyItem(atPath: Self.corpus.appendingPathComponent("activitywatch/python-export.json").path,
                                     toPath: dir.appendingPathComponent("cy.json").path)
    let second = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config, "--json"])
    #expect(second.status == 0, "\(second.stdout)")
    users = try Self.users(second.stdout)
    #expect(users["ann"]?["status"] as? String == "done earlier" && users["bob"]?["status"] as? String == "done earlier")
    #expect(users["cy"]?["status"] as? String == "done" && users["cy"]?["verdict"] as? String == "match")
    // ann's and bob's stores were not touched: still the one load each.
    #expect(try Self.loads(annStore) == 1)
    #expect(try Self.loads(dir.appendingPathComponent("stores/bob.db").path) == 1)
  }

  @Test func aSharedStoreKeepsEachUsersEventsApart() throws {
    let dir = try Self.team(store: "store: team.db")
    try FileManager.default.copyItem(atPath: dir.appendingPathComponent("ann.json").path, toPath: dir.appendingPathComponent("cy.json.fixed").path)
    try FileManager.default.removeItem(at: dir.appendingPathComponent("cy.json"))
    // cy has the same export as ann: in one store they stay two people's events.
    try FileManager.default.moveItem(at: dir.appendingPathComponent("cy.json.fixed"), to: dir.appendingPathComponent("cy.json"))
    let config = dir.appendingPathComponent("migration.yaml").path
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config, "--json", "--parallel-workers", "3"])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let store = dir.appendingPathComponent("team.db").path
    let info = try JSONSerialization.jsonObject(with: Data(try ToolRunner.run("eidolon", ["db", "info", store, "--json"]).stdout.utf8)) as? [String: Any]
    #expect(info?["events"] as? Int == 31)
    #expect(info?["users"] as? [String] == ["ann", "bob", "cy"])
    let annOnly = try ToolRunner.run("eidolon", ["migrate", "export", "--db", store, "--user", "ann", "--to", "eidolon"])
    let lines = annOnly.stdout.split(separator: "\n")
    #expect(lines.count == 12 && lines.allSatisfy { $0.contains("\"id\":\"ann/") && $0.contains("\"user\":\"ann\"") })
    let validated = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", dir.appendingPathComponent("cy.json").path,
                                                   "--user", "cy", "--target", store])
    #expect(validated.status == 0, "\(validated.stdout)")
  }

  @Test func aRunKilledBeforeItsStateWasWrittenResumesTheStoppedImport() throws {
    let dir = try ToolRunner.temporaryDirectory()
    var lines: [String] = []
    for i in 0..<20 {
      lines.append(i == 12 ? "{\"id\":\"bad\"}"
                   : "{\"id\":\"x:\(i)\",\"source\":\"custom\",\"kind\":\"window\",\"start\":\"2024-03-01T\(i < 10 ? "0" : "")\(i):00:00.000Z\",\"duration\":60}")
    }
    let input = dir.appendingPathComponent("dee.ndjson")
    try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
    try "store_per_user: stores/{user}.db\nbatch_size: 5\nusers:\n  - name: dee\n    inputs: [dee.ndjson]\n"
      .write(to: dir.appendingPathComponent("migration.yaml"), atomically: true, encoding: .utf8)
    // As a run that was killed mid-import would leave it: ten events committed, no state file.
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("stores"), withIntermediateDirectories: true)
    let store = dir.appendingPathComponent("stores/dee.db").path
    let stopped = try ToolRunner.run("eidolon", ["migrate", "import", "--input", input.path, "--db", store, "--batch-size", "5", "--strict"])
    #expect(stopped.status == 1)
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", dir.appendingPathComponent("migration.yaml").path, "--json"])
    #expect(run.status == 1, "one record is bad")
    let dee = try #require(try Self.users(run.stdout)["dee"])
    #expect(dee["resumed"] as? Bool == true && dee["verdict"] as? String == "match" && dee["rejected"] as? Int == 1)
    #expect(try Self.loads(store) == 1, "the stopped import was continued, not started again")
  }

  @Test func configMistakesAreUsageErrors() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let config = dir.appendingPathComponent("bad.yaml")
    try "store: a.db\nusers:\n  - name: ann\n    inputs: [a.json]\nstages:\n  - name: pilot\n    users: [bob]\n".write(to: config, atomically: true, encoding: .utf8)
    let result = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path])
    #expect(result.status == 2 && result.stderr.contains("stage pilot names bob"), "\(result.stderr)")
    let stage = try ToolRunner.run("eidolon", ["migrate", "staged-import", "--config", config.path, "--stage", "nope"])
    #expect(stage.status == 2)
    // A list used as a key (found by fuzzing: Yams' load trapped on it).
    try "store: a.db\n? [a, b]\n: x\nusers:\n  - name: ann\n    inputs: [a.json]\n".write(to: config, atomically: true, encoding: .utf8)
    let key = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path])
    #expect(key.status == 2 && key.stderr.contains("bad.yaml:2:") && key.stderr.contains("a key that is not plain text"), "\(key.stderr)")
    // A sexagesimal number past Int's range (found by fuzzing: Yams trapped on it).
    try "store: a.db\nparallel_workers: 99999999999999:59:59\nusers:\n  - name: ann\n    inputs: [a.json]\n".write(to: config, atomically: true, encoding: .utf8)
    let workers = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path])
    #expect(workers.status == 2 && workers.stderr.contains("parallel_workers takes a whole number"), "\(workers.stderr)")
  }
}
