import ArgumentParser
import Eidolon
import EidolonCLI

struct EidolonCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eidolon",
    abstract: "Whole migrations in one command: import, validate, assess, export, team runs, and the store.",
    discussion: """
      The small tools (aw-read, eid-load, ...) compose in pipes; eidolon runs the same \
      readers, rules and loader in one process and tells you whether it worked. \
      formats/migration.md describes every command.

      Examples:
        eidolon migrate import --input aw-export.json.gz --db events.db
        eidolon migrate import-rescuetime --input rescuetime_data.json \\
            --tz Europe/Berlin --db events.db
        eidolon migrate validate --source aw-export.json.gz \\
            --target events.db --html check.html
        eidolon migrate assess --input *.json *.csv
        eidolon migrate run --config migration.yaml --parallel-workers 2
        eidolon convert --from toggl --to activitywatch toggl.csv \\
            --tz Europe/Berlin -o for-aw.json
        eidolon db info events.db
      """,
    version: EidolonVersion.description,
    subcommands: [Migrate.self, Convert.self, Database.self])
}

struct Migrate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Import, validate, assess, export; team runs from a config file.",
    discussion: """
      The migration guide's spellings work too: import-activitywatch, import-rescuetime, \
      import-toggl, import-manictime, import-json (Eidolon NDJSON) and import-csv are \
      'import --from FORMAT'; import-database is import with --database and --query or \
      --table; compare-data is validate (its --source may be a store, SQLite or \
      PostgreSQL, as may any input); analyze-data and estimate-effort are assess; \
      bulk-export is export (with --config: every user's API \
      exports); staged-import is run. \
      export-rescuetime, export-toggl, export-manictime and export-activitywatch fetch \
      from the trackers' web APIs (and a running ActivityWatch server).
      """,
    subcommands: [MigrateImport.self, MigrateValidate.self, MigrateAssess.self, MigrateExport.self, MigrateRun.self,
                  MigrateExportRescueTime.self, MigrateExportToggl.self, MigrateExportActivityWatch.self,
                  MigrateExportManicTime.self, MigrateSync.self, MigrateBulkExport.self, MigrateCopyStore.self, MigrateImportFiles.self, MigrateValidateStage.self, MigrateGenerateReport.self])
}

/// The guide's command names, turned into the commands they stand for.
func expandingAliases(_ arguments: [String]) -> [String] {
  guard arguments.count >= 2, arguments[0] == "migrate" else { return arguments }
  let formats = ["import-activitywatch": "activitywatch", "import-rescuetime": "rescuetime", "import-toggl": "toggl",
                 "import-manictime": "manictime", "import-json": "eidolon", "import-csv": "csv"]
  if let format = formats[arguments[1]] { return ["migrate", "import", "--from", format] + arguments.dropFirst(2) }
  // bulk-export with a team config fetches every user's API exports; without, it is export.
  if arguments[1] == "bulk-export", !arguments.contains("--config") { return ["migrate", "export"] + arguments.dropFirst(2) }
  // Two stores (or a store and files) compared: validate reads a store given as a source as its events.
  if arguments[1] == "compare-data" { return ["migrate", "validate"] + arguments.dropFirst(2) }
  // The guide's names for assess.
  if arguments[1] == "analyze-data" || arguments[1] == "estimate-effort" { return ["migrate", "assess"] + arguments.dropFirst(2) }
  if arguments[1] == "import-database" { return ["migrate", "import"] + arguments.dropFirst(2) }
  if arguments[1] == "staged-import" { return ["migrate", "run"] + arguments.dropFirst(2) }
  return arguments
}

ToolMain.run(EidolonCommand.self, arguments: expandingAliases(Array(CommandLine.arguments.dropFirst())))
