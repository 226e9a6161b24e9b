import Eidolon
import Foundation
import Testing

/// A reader's setting does the same through its small tool's option, `eidolon migrate
/// import --set`, and a team config's `set:`; a name no reader takes is refused.
@Suite struct ReaderSettingsTests {
  struct Case: CustomStringConvertible, Sendable {
    let format: String
    let file: String
    /// The small tool and its options (nil: the format has no small tool).
    let tool: (name: String, options: [String])?
    /// The same, as settings.
    let settings: [String: String]
    var description: String { format }
  }

  static let cases = [
    Case(format: "activitywatch", file: "activitywatch/python-export.json", tool: ("aw-read", ["--bucket", "aw-watcher-afk*"]),
         settings: ["bucket": "aw-watcher-afk*"]),
    Case(format: "toggl", file: "toggl/classic.csv", tool: ("toggl-read", ["--tz", "America/New_York", "--running", "skip"]),
         settings: ["tz": "America/New_York", "running": "skip"]),
    Case(format: "rescuetime", file: "rescuetime/api-activity.json", tool: ("rt-read", ["--tz", "Asia/Tokyo", "--layout"]),
         settings: ["tz": "Asia/Tokyo", "layout": "true"]),
    Case(format: "manictime", file: "manictime/gui-ambiguous-dmy.csv", tool: ("mt-read", ["--tz", "Europe/London", "--date-order", "mdy"]),
         settings: ["tz": "Europe/London", "date-order": "mdy"]),
    Case(format: "csv", file: "csv/homebrew.csv", tool: nil,
         settings: ["columns": "start=When,duration=Seconds,app=Program", "tz": "Asia/Tokyo", "source-name": "brew"]),
  ]

  static func corpus(_ file: String) -> String { ToolRunner.packageRoot.appendingPathComponent("corpus/\(file)").path }

  /// The store's events as sorted NDJSON lines.
  static func dump(_ database: String) throws -> [String] {
    let dumped = try ToolRunner.run("eid-dump", [database])
    #expect(dumped.status == 0, "\(dumped.stderr)")
    return dumped.stdout.split(separator: "\n").map(String.init).sorted()
  }

  @Test(arguments: cases)
  func aSettingDoesTheSameThroughTheToolSetAndATeamConfig(_ sample: Case) throws {
    let dir = try ToolRunner.temporaryDirectory()
    let file = Self.corpus(sample.file)
    let sets = sample.settings.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }

    let imported = dir.appendingPathComponent("set.db").path
    let viaSet = try ToolRunner.run("eidolon", ["migrate", "import", "--from", sample.format, "--input", file, "--db", imported, "--quiet"] + sets)
    #expect(viaSet.status <= 1, "\(viaSet.stderr)")
    let stored = try Self.dump(imported)
    #expect(!stored.isEmpty)
    if let tool = sample.tool {
      let read = try ToolRunner.run(tool.name, tool.options + [file])
      #expect(read.stdout.split(separator: "\n").map(String.init).sorted() == stored, "\(tool.name) \(tool.options)")
      // The setting made a difference: without it the events differ.
      let plain = try ToolRunner.run(tool.name, [file] + (sample.settings["tz"] == nil ? [] : ["--tz", "UTC"]))
      #expect(plain.stdout.split(separator: "\n").map(String.init).sorted() != stored)
    }

    // A team config's `set:` is the same as --set with --user (a team's events carry their user).
    let withUser = dir.appendingPathComponent("user.db").path
    let user = try ToolRunner.run(
      "eidolon", ["migrate", "import", "--from", sample.format, "--input", file, "--db", withUser, "--user", "ann", "--quiet"] + sets)
    #expect(user.status <= 1, "\(user.stderr)")
    let team = dir.appendingPathComponent("team.db").path
    let setLines = sample.settings.sorted { $0.key < $1.key }.map { "          \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
    let config = dir.appendingPathComponent("migration.yaml")
    try """
      store: \(team)
      users:
        - name: ann
          inputs:
            - path: \(file)
              from: \(sample.format)
              set:
      \(setLines)

      """.write(to: config, atomically: true, encoding: .utf8)
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path, "--quiet"])
    #expect(run.status <= 1, "\(run.stderr)")
    let teamEvents = try Self.dump(team)
    let userEvents = try Self.dump(withUser)
    #expect(!teamEvents.isEmpty && teamEvents == userEvents)
  }

  @Test func aSettingNoReaderTakesIsAUsageErrorThatNamesTheSettings() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let file = Self.corpus("activitywatch/python-export.json")
    let result = try ToolRunner.run(
      "eidolon", ["migrate", "import", "--input", file, "--db", dir.appendingPathComponent("x.db").path, "--set", "buckets=a*"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("no reader takes a setting \"buckets\""), "\(result.stderr)")
    #expect(result.stderr.contains("activitywatch: bucket, type") && result.stderr.contains("toggl: tz, running"))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.db").path))

    let config = dir.appendingPathComponent("migration.yaml")
    try """
      store: \(dir.appendingPathComponent("team.db").path)
      users:
        - name: ann
          inputs:
            - path: \(file)
              set:
                workspace_export: here

      """.write(to: config, atomically: true, encoding: .utf8)
    let run = try ToolRunner.run("eidolon", ["migrate", "run", "--config", config.path])
    #expect(run.status == 2)
    #expect(run.stderr.contains("user ann: no reader takes a setting \"workspace_export\""), "\(run.stderr)")
  }

  /// Each small reader tool's options for reader settings are made from ReaderSettings:
  /// the same name, value name and help (with the default), as --experimental-dump-help
  /// shows them.
  @Test(arguments: [("activitywatch", "aw-read"), ("toggl", "toggl-read"), ("rescuetime", "rt-read"), ("manictime", "mt-read")])
  func theToolsOptionsAreTheSettingsDescription(_ format: String, _ tool: String) throws {
    let reader = try #require(FormatRegistry.reader(named: format))
    let dumped = try ToolRunner.run(tool, ["--experimental-dump-help"])
    #expect(dumped.status == 0, "\(dumped.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(dumped.stdout.utf8)) as? [String: Any])
    let arguments = try #require((json["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
    func option(_ name: String) -> [String: Any]? {
      arguments.first { (($0["names"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "long" && $0["name"] as? String == name } }
    }
    let inTool = reader.settings.filter(\.inTool)
    #expect(!inTool.isEmpty)
    for setting in reader.settings {
      let found = option(setting.name)
      guard setting.inTool else {
        // since/until are the tool's range options; the others are not the tool's.
        #expect(found == nil || ["since", "until"].contains(setting.name), "\(tool) --\(setting.name)")
        continue
      }
      let argument = try #require(found, "\(tool) has no --\(setting.name)")
      #expect(argument["abstract"] as? String == setting.helpWithDefault, "\(tool) --\(setting.name)")
      #expect(argument["kind"] as? String == (setting.valueName == nil ? "flag" : "option"), "\(tool) --\(setting.name)")
      if let valueName = setting.valueName { #expect(argument["valueName"] as? String == valueName, "\(tool) --\(setting.name)") }
    }
  }

  /// formats/migration.md's table of settings is the one ReaderSettings makes
  /// (EIDOLON_UPDATE_GOLDEN=1 writes it there).
  @Test func theDocsTableIsTheSettingsDescription() throws {
    let path = ToolRunner.packageRoot.appendingPathComponent("formats/migration.md")
    let text = try String(contentsOf: path, encoding: .utf8)
    let begin = try #require(text.range(of: "<!-- reader-settings: begin"))
    let afterBegin = try #require(text.range(of: "-->\n", range: begin.upperBound..<text.endIndex))
    let end = try #require(text.range(of: "<!-- reader-settings: end -->", range: afterBegin.upperBound..<text.endIndex))
    let table = ReaderSettings.markdownTable()
    if ProcessInfo.processInfo.environment["EIDOLON_UPDATE_GOLDEN"] == "1" {
      try (text[..<afterBegin.upperBound] + table + text[end.lowerBound...]).write(to: path, atomically: true, encoding: .utf8)
      return
    }
    #expect(String(text[afterBegin.upperBound..<end.lowerBound]) == table, "formats/migration.md: run with EIDOLON_UPDATE_GOLDEN=1")
  }
}
