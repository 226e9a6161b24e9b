import Foundation
import Testing

/// `eidolon migrate import-files --data-dir`: every file under a folder by its format, one
/// load each, a file that is not a tracker's or that stops listed and the rest imported;
/// and the guide's names for assess.
@Suite struct EidolonImportFilesTests {
  @Test func aFolderOfMixedFilesImportsWhatItCanAndListsTheRest() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let folder = dir.appendingPathComponent("exports")
    let files = FileManager.default
    try files.createDirectory(at: folder.appendingPathComponent("bob/old"), withIntermediateDirectories: true)
    try files.createDirectory(at: folder.appendingPathComponent(".cache"), withIntermediateDirectories: true)
    try files.copyItem(atPath: EidolonMigrateTests.awExport, toPath: folder.appendingPathComponent("ann.json").path)
    let gz = try ToolRunner.shell("gzip -c '\(EidolonMigrateTests.rescueTime)' > '\(folder.path)/bob/old/rescuetime.json.gz'")
    #expect(gz.status == 0)
    try "shopping list\n".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
    try files.copyItem(atPath: ToolRunner.packageRoot.appendingPathComponent("corpus/activitywatch/truncated.json").path,
                       toPath: folder.appendingPathComponent("cy.json").path)
    try files.copyItem(atPath: EidolonMigrateTests.awExport, toPath: folder.appendingPathComponent(".cache/ann.json").path)
    let database = dir.appendingPathComponent("events.db").path

    let run = try ToolRunner.run("eidolon", ["migrate", "import-files", "--data-dir", folder.path, "--db", database, "--tz", "Europe/Berlin", "--json"])
    #expect(run.status == 1, "\(run.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let outcomes = try #require(report["files"] as? [[String: Any]])
    #expect(outcomes.map { ($0["path"] as! String).replacingOccurrences(of: folder.path + "/", with: "") }
            == ["ann.json", "bob/old/rescuetime.json.gz", "cy.json", "notes.txt"], "\(outcomes)")
    #expect(outcomes[0]["format"] as? String == "activitywatch" && outcomes[0]["inserted"] as? Int == 12)
    #expect(outcomes[1]["format"] as? String == "rescuetime" && outcomes[1]["inserted"] as? Int == 7)
    #expect(outcomes[2]["problem"] is String && outcomes[3]["problem"] as? String == "not a file of a tracker Eidolon reads", "\(outcomes)")
    #expect(report["imported"] as? Int == 2 && report["not_read"] as? Int == 2)
    #expect(run.stderr.contains("notes.txt: not read") && run.stderr.contains("4 files under"), "\(run.stderr)")

    // Again: nothing stored twice.
    let again = try ToolRunner.run("eidolon", ["migrate", "import-files", "--data-dir", folder.path, "--db", database, "--tz", "Europe/Berlin"])
    #expect(again.stderr.contains("ann.json (activitywatch): read 12, inserted 0, skipped 12"), "\(again.stderr)")
    let missing = try ToolRunner.run("eidolon", ["migrate", "import-files", "--data-dir", dir.appendingPathComponent("nowhere").path, "--db", database])
    #expect(missing.status == 2 && missing.stderr.contains("no such folder"), "\(missing.stderr)")
  }

  @Test func analyzeDataAndEstimateEffortAreAssess() throws {
    for name in ["analyze-data", "estimate-effort"] {
      let run = try ToolRunner.run("eidolon", ["migrate", name, "--input", EidolonMigrateTests.awExport, "--json"])
      #expect(run.status == 0, "\(name): \(run.stderr)")
      let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
      #expect(report["events"] as? Int == 12 || (report["totals"] as? [String: Any])?["events"] as? Int == 12, "\(name): \(run.stdout.prefix(300))")
    }
  }
}

/// `eidolon migrate validate-stage`: every user of a stage checked against their files, in
/// one report, nothing imported.
@Suite struct EidolonValidateStageTests {
  @Test func aStageIsValidatedUserByUser() throws {
    let dir = try EidolonTeamRunTests.team(store: "store: team.db")
    let config = dir.appendingPathComponent("migration.yaml").path
    let before = try ToolRunner.run("eidolon", ["migrate", "validate-stage", "--config", config, "--stage", "pilot", "--json"])
    #expect(before.status == 1, "\(before.stderr)")
    let none = try EidolonTeamRunTests.users(before.stdout)
    #expect(none.values.allSatisfy { ($0["reason"] as? String)?.contains("no such store") == true }, "\(none)")

    _ = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config])
    let after = try ToolRunner.run("eidolon", ["migrate", "validate-stage", "--config", config, "--stage", "pilot", "--json"])
    #expect(after.status == 1)
    let users = try EidolonTeamRunTests.users(after.stdout)
    #expect(users["ann"]?["verdict"] as? String == "match" && users["ann"]?["stored"] as? Int == 12, "\(users)")
    #expect(users["bob"]?["verdict"] as? String == "match", "\(users)")
    #expect(users["cy"]?["verdict"] as? String != "match" && !(users["cy"]?["reason"] as? String ?? "").isEmpty, "\(users)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
    #expect(report["verdict"] as? String == "mismatch" && report["validation_only"] as? Bool == true)
    let text = try ToolRunner.run("eidolon", ["migrate", "validate-stage", "--config", config])
    #expect(text.stdout.hasPrefix("MISMATCH: 2 of 3 users' stores hold their files"), "\(text.stdout)")
    // Nothing was imported by the validations: still the run's one load per user.
    #expect(try EidolonTeamRunTests.loads(dir.appendingPathComponent("team.db").path) == 3)
    let unknown = try ToolRunner.run("eidolon", ["migrate", "validate-stage", "--config", config, "--stage", "nope"])
    #expect(unknown.status == 2 && unknown.stderr.contains("no stage nope"))
    guard ReportPDFTests.available() else { return }
    let pdf = dir.appendingPathComponent("validation_report.pdf").path
    _ = try ToolRunner.run("eidolon", ["migrate", "validate-stage", "--config", config, "--stage", "pilot", "--report", pdf])
    let printed = try ReportPDFTests.text(pdf)
    #expect(printed.contains("Mismatch: 2 of 3 users") && printed.contains("ann"), "\(printed.prefix(500))")
  }
}

/// `--users user_list.csv` on run and assess: the people from a CSV (name, files or a
/// folder, zone, tracker, stage) instead of the config's users.
@Suite struct EidolonUserListTests {
  @Test func aUserListDrivesRunAndAssess() throws {
    let dir = try ToolRunner.temporaryDirectory()
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("bob-files"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: EidolonMigrateTests.awExport, toPath: dir.appendingPathComponent("ann.json").path)
    try FileManager.default.copyItem(atPath: EidolonMigrateTests.rescueTime, toPath: dir.appendingPathComponent("bob-files/rt.json").path)
    try "Name,Files,TZ,Tracker,Stage\nann,ann.json,,,pilot\nbob,bob-files,Europe/Berlin,rescuetime,rest\n"
      .write(to: dir.appendingPathComponent("user_list.csv"), atomically: true, encoding: .utf8)
    try "store: team.db\n".write(to: dir.appendingPathComponent("migration.yaml"), atomically: true, encoding: .utf8)
    let config = dir.appendingPathComponent("migration.yaml").path
    let list = dir.appendingPathComponent("user_list.csv").path

    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config, "--users", list, "--json"])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let users = try EidolonTeamRunTests.users(run.stdout)
    #expect(users["ann"]?["stage"] as? String == "pilot" && users["bob"]?["stage"] as? String == "rest", "\(users)")
    #expect(users["ann"]?["inserted"] as? Int == 12 && users["bob"]?["inserted"] as? Int == 7, "\(users)")
    #expect(users.values.allSatisfy { $0["verdict"] as? String == "match" })

    let assess = try ToolRunner.run("eidolon", ["migrate", "assess", "--users", list, "--json"])
    #expect(assess.status == 0, "\(assess.stderr)")
    #expect(assess.stdout.contains("rt.json") && assess.stdout.contains("ann.json") && assess.stdout.contains("rescuetime"), "\(assess.stdout.prefix(400))")

    try "name,files,colour\nann,ann.json,red\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
    let bad = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config, "--users", dir.appendingPathComponent("bad.csv").path])
    #expect(bad.status == 2 && bad.stderr.contains("column \"colour\""), "\(bad.stderr)")
  }
}

/// A team config's data_dir: a user's folder of files instead of listing them.
@Suite struct EidolonDataDirTests {
  @Test func usersFilesComeFromTheirFolders() throws {
    let dir = try ToolRunner.temporaryDirectory()
    for folder in ["exports/ann", "elsewhere/bob"] {
      try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
    }
    try FileManager.default.copyItem(atPath: EidolonMigrateTests.awExport, toPath: dir.appendingPathComponent("exports/ann/aw.json").path)
    try FileManager.default.copyItem(atPath: EidolonMigrateTests.rescueTime, toPath: dir.appendingPathComponent("elsewhere/bob/rt.json").path)
    try """
      store: team.db
      data_dir: exports
      defaults:
        tz: Europe/Berlin
      users:
        - name: ann
        - name: bob
          data_dir: elsewhere/bob

      """.write(to: dir.appendingPathComponent("migration.yaml"), atomically: true, encoding: .utf8)
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", dir.appendingPathComponent("migration.yaml").path, "--json"])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let users = try EidolonTeamRunTests.users(run.stdout)
    #expect(users["ann"]?["inserted"] as? Int == 12 && users["bob"]?["inserted"] as? Int == 7, "\(users)")
    try "store: team.db\ndata_dir: exports\nusers:\n  - name: cy\n".write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
    let bad = try ToolRunner.run("eidolon", ["migrate", "run", "--config", dir.appendingPathComponent("bad.yaml").path])
    #expect(bad.status == 2 && bad.stderr.contains("user cy: data_dir") && bad.stderr.contains("no such folder"), "\(bad.stderr)")
  }
}

/// `eidolon migrate generate-report`: a saved --json report shown again gives the text,
/// the JSON and the HTML page of the command that wrote it, for each kind of report.
@Suite struct EidolonGenerateReportTests {
  /// Runs `command` once for its JSON, its text (--report FILE.txt) and its page (--html),
  /// all of one report, and checks generate-report on the JSON gives each of them back.
  static func checkRoundTrip(_ command: [String], in dir: URL, name: String) throws {
    let page = dir.appendingPathComponent("\(name).html").path
    let textFile = dir.appendingPathComponent("\(name).txt").path
    let json = try ToolRunner.run("eidolon", command + ["--json", "--html", page, "--report", textFile])
    #expect(json.status != 2, "\(json.stderr)")
    let saved = dir.appendingPathComponent("\(name).json")
    try json.stdout.write(to: saved, atomically: true, encoding: .utf8)
    let text = try String(contentsOfFile: textFile, encoding: .utf8)

    #expect(try ToolRunner.run("eidolon", ["migrate", "generate-report", "--input", saved.path]).stdout == text, "\(name): text")
    #expect(try ToolRunner.run("eidolon", ["migrate", "generate-report", "--input", saved.path, "--json"]).stdout == json.stdout, "\(name): json")
    let again = dir.appendingPathComponent("\(name)-again.html").path
    #expect(try ToolRunner.run("eidolon", ["migrate", "generate-report", "--input", saved.path, "--html", again, "--quiet"]).status == 0)
    #expect(try String(contentsOfFile: again, encoding: .utf8) == String(contentsOfFile: page, encoding: .utf8), "\(name): html")
  }

  @Test func everyKindOfReportComesBackTheSame() throws {
    let dir = try ToolRunner.temporaryDirectory()
    // A validation with something missing and something extra.
    let store = try EidolonMigrateTests.importedStore()
    _ = try ToolRunner.run("eidolon", ["migrate", "import", "--input", EidolonMigrateTests.rescueTime, "--tz", "Europe/Berlin", "--db", store])
    try Self.checkRoundTrip(["migrate", "validate", "--source", EidolonMigrateTests.rescueTime, "--tz", "UTC", "--target", store], in: dir, name: "validation")
    // An assessment with rejected records and an unreadable input.
    let corpus = ToolRunner.packageRoot.appendingPathComponent("corpus")
    try Self.checkRoundTrip(["migrate", "assess", "--input", EidolonMigrateTests.awExport, corpus.appendingPathComponent("activitywatch/bad-events.json").path,
                             corpus.appendingPathComponent("activitywatch/truncated.json").path], in: dir, name: "assessment")
    // A team run where one user failed.
    let team = try EidolonTeamRunTests.team(store: "store: team.db")
    try Self.checkRoundTrip(["migrate", "run", "--config", team.appendingPathComponent("migration.yaml").path], in: dir, name: "team")

    try "{\"what\": 1}".write(to: dir.appendingPathComponent("other.json"), atomically: true, encoding: .utf8)
    let other = try ToolRunner.run("eidolon", ["migrate", "generate-report", "--input", dir.appendingPathComponent("other.json").path])
    #expect(other.status == 2 && other.stderr.contains("not a report"), "\(other.stderr)")
  }
}
