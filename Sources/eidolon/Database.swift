import ArgumentParser
import Eidolon
import EidolonCLI

struct Database: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "db",
    abstract: "Look at a store, upgrade it to this version's schema, or put a backup back.",
    subcommands: [Info.self, Upgrade.self, Rollback.self])

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What a store holds: schema version, events per source, users, its loads.")

    @Argument(help: ArgumentHelp("The SQLite store, or a postgresql:// URI.", valueName: "database"))
    var database = StorePath.defaultName

    @Flag(help: "Print it as JSON.")
    var json = false

    func run() throws {
      let info = try StoreInfo.read(path: StorePath.resolve(database))
      if json {
        try ReportOutput.write(ReportText.json(ReportText.object([
          ("database", .string(info.path)), ("schema_version", .number(Int(info.schemaVersion))),
          ("current_schema_version", .number(Int(info.currentVersion))), ("bytes", .number(Int(info.bytes))),
          ("events", .number(Int(info.events))), ("first", ReportText.optionalTime(info.first)), ("last", ReportText.optionalTime(info.last)),
          ("indexes_complete", .bool(info.indexesComplete)), ("users", .array(info.users.map { .string($0) })),
          ("sources", .array(info.sources.map {
            ReportText.object([("source", .string($0.source)), ("events", .number(Int($0.events))), ("seconds", .number(ReportText.number($0.seconds)))])
          })),
          ("loads", .array(info.loads.map {
            ReportText.object([
              ("id", .number(Int($0.id))), ("started", .string($0.started)), ("finished", $0.finished.map { .string($0) } ?? .null),
              ("status", .string($0.status)), ("inputs", .string($0.inputs)), ("strategy", .string($0.strategy)),
              ("read", .number(Int($0.read))), ("inserted", .number(Int($0.inserted))), ("skipped", .number(Int($0.skipped))),
              ("rejected", .number(Int($0.rejected))),
            ])
          })),
        ])) + "\n", to: nil)
        return
      }
      var out = "\(info.path): Eidolon store, schema version \(info.schemaVersion)"
      out += info.isCurrent ? " (current)\n" : " (this version writes \(info.currentVersion): 'eidolon db upgrade \(info.path)')\n"
      out += "  \(info.bytes / 1024) KiB, \(info.events) events, \(ReportText.time(info.first)) to \(ReportText.time(info.last))\n"
      if !info.indexesComplete { out += "  indexes not built (a load into the empty store stopped; the next load builds them)\n" }
      if !info.users.isEmpty { out += "  users: \(info.users.joined(separator: ", "))\n" }
      if !info.sources.isEmpty {
        out += "\n" + ReportText.table(["source", "events", "time"], info.sources.map { [$0.source, "\($0.events)", SecondsText.clock($0.seconds)] })
      }
      if !info.loads.isEmpty {
        out += "\nLoads:\n" + ReportText.table(["id", "started", "status", "read", "inserted", "skipped", "rejected", "inputs"], info.loads.map {
          ["\($0.id)", $0.started, $0.status, "\($0.read)", "\($0.inserted)", "\($0.skipped)", "\($0.rejected)", $0.inputs]
        })
      }
      try ReportOutput.write(out, to: nil)
    }
  }

  struct Upgrade: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring a store made by an older Eidolon to this schema version (a backup is made first).")

    @Argument(help: ArgumentHelp("The SQLite store, or a postgresql:// URI.", valueName: "database"))
    var database = StorePath.defaultName

    @Option(help: ArgumentHelp("Where the backup goes (SQLite: default DATABASE.backup-vN; PostgreSQL: a pg_dump, made only when given).", valueName: "file"))
    var backup: String?

    func run() throws {
      let store = try EventStores.open(StorePath.resolve(database), upgrade: true)
      let (from, made) = try store.upgrade(backup: backup)
      let notes = Diagnostics(toolName: "eidolon")
      let name = store.displayName
      if from < store.currentSchemaVersion {
        let kept = made.map { "; the old one is in \($0) ('eidolon db rollback \(name) --backup \($0)' puts it back)" } ?? " in one transaction"
        notes.note("eidolon: upgraded \(name) from schema version \(from) to \(store.currentSchemaVersion)\(kept)")
      } else {
        notes.note("eidolon: \(name) is already at schema version \(from)")
      }
    }
  }

  struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put a store back as it was in a backup made by upgrade.")

    @Argument(help: ArgumentHelp("The SQLite store, or a postgresql:// URI.", valueName: "database"))
    var database = StorePath.defaultName

    @Option(help: ArgumentHelp("The backup to put back.", valueName: "file"))
    var backup: String

    func run() throws {
      let path = StorePath.resolve(database)
      try EventStores.rollback(path, backup: backup)
      Diagnostics(toolName: "eidolon").note("eidolon: \(EventStores.displayName(path)) is back as it was in \(backup)")
    }
  }
}

#if canImport(Glibc)
import Glibc
#endif
