import Eidolon

/// One fuzz target per reader and parser: what it feeds the input to, and which seeds
/// of corpus/ start it (Fuzz/run copies them). A target's run must end in events or
/// errors, never a crash, a leak or a hang; every event a reader hands out must keep the
/// spec and come back the same through the NDJSON writer and reader.
struct FuzzTarget: Sendable {
  let name: String
  /// Globs under corpus/ (relative to the repository) for the seed corpus.
  let seeds: [String]
  let run: @Sendable ([UInt8]) -> Void

  static func reader(_ name: String, format: String, settings: [String: String] = [:], seeds: [String]) -> FuzzTarget {
    FuzzTarget(name: name, seeds: seeds) { bytes in
      FuzzChecks.readAll(bytes, format: format, settings: settings)
    }
  }

  static let all: [FuzzTarget] = [
    .reader("eidolon-ndjson", format: "eidolon", seeds: ["corpus/eidolon/*.ndjson"]),
    .reader("activitywatch", format: "activitywatch", seeds: ["corpus/activitywatch/*.json", "corpus/migration/aw-export.json"]),
    .reader("toggl-csv", format: "toggl", settings: ["tz": "Europe/Berlin", "running": "now", "now": "2024-07-02T12:00:00Z"],
            seeds: ["corpus/toggl/*.csv"]),
    .reader("toggl-json", format: "toggl", settings: ["running": "now", "now": "2024-07-02T12:00:00Z"], seeds: ["corpus/toggl/*.json"]),
    .reader("rescuetime-csv", format: "rescuetime", settings: ["tz": "America/New_York"], seeds: ["corpus/rescuetime/*.csv"]),
    .reader("rescuetime-json", format: "rescuetime", settings: ["tz": "America/New_York"],
            seeds: ["corpus/rescuetime/*.json", "corpus/migration/rescuetime.json"]),
    .reader("rescuetime-layout", format: "rescuetime", settings: ["resolution": "hour", "layout": "true", "since": "2024-01-01", "until": "2024-02-01"],
            seeds: ["corpus/rescuetime/api-activity*.csv", "corpus/rescuetime/rank*.csv"]),
    .reader("manictime-csv", format: "manictime", settings: ["tz": "Europe/Berlin"], seeds: ["corpus/manictime/*.csv"]),
    .reader("manictime-xml", format: "manictime", settings: ["tz": "Europe/Berlin"], seeds: ["corpus/manictime/*.xml"]),
    .reader("manictime-json", format: "manictime", settings: ["tz": "Europe/Berlin"], seeds: ["corpus/manictime/*.json"]),
    .reader("generic-csv", format: "csv",
            settings: ["columns": "start=When,duration=Seconds,app=Program,title=Window,project=Project,tags=Tags,billable=Billable,productivity=Productivity,end=End,id=Id",
                       "tz": "Europe/Berlin"],
            seeds: ["corpus/csv/*.csv"]),
    FuzzTarget(name: "ndjson-view", seeds: ["corpus/eidolon/*.ndjson", "corpus/transform/*.ndjson", "Fuzz/seeds/ndjson-view/*"]) {
      FuzzChecks.ndjsonView($0)
    },
    FuzzTarget(name: "ndjson-blocks", seeds: ["corpus/eidolon/*.ndjson", "corpus/transform/*.ndjson", "Fuzz/seeds/ndjson-view/*"]) {
      FuzzChecks.validateBlocks($0)
    },
    FuzzTarget(name: "aw-view", seeds: ["corpus/activitywatch/*.json", "corpus/migration/aw-export.json"]) {
      FuzzChecks.activityWatchView($0)
    },
    FuzzTarget(name: "aw-blocks", seeds: ["corpus/activitywatch/*.json", "corpus/migration/aw-export.json"]) {
      FuzzChecks.activityWatchBlocks($0)
    },
    FuzzTarget(name: "toggl-view", seeds: ["corpus/toggl/*.csv"]) { FuzzChecks.togglView($0) },
    FuzzTarget(name: "rt-view", seeds: ["corpus/rescuetime/*.csv"]) { FuzzChecks.rescueTimeView($0, variant: .apiCSV) },
    FuzzTarget(name: "rt-json-view", seeds: ["corpus/rescuetime/*.json"]) { FuzzChecks.rescueTimeView($0, variant: .apiJSON) },
    FuzzTarget(name: "mt-view", seeds: ["corpus/manictime/*.csv"]) { FuzzChecks.manicTimeView($0) },
    FuzzTarget(name: "mt-xml-blocks", seeds: ["corpus/manictime/*.xml"]) { FuzzChecks.manicTimeXMLBlocks($0) },
    FuzzTarget(name: "csv-blocks", seeds: ["corpus/toggl/*.csv", "corpus/manictime/*.csv", "corpus/rescuetime/*.csv"]) { FuzzChecks.csvRowBlocks($0) },
    FuzzTarget(name: "writers", seeds: ["corpus/eidolon/*.ndjson", "corpus/transform/*.ndjson"]) { FuzzChecks.writeAll($0) },
    FuzzTarget(name: "rules", seeds: ["corpus/transform/*.yaml", "corpus/transform/*.json"]) { FuzzChecks.rules($0) },
    FuzzTarget(name: "team-config", seeds: ["Fuzz/seeds/team-config/*"]) { FuzzChecks.teamConfig($0) },
    FuzzTarget(name: "http-response", seeds: ["Fuzz/seeds/http-response/*"]) { FuzzChecks.httpResponse($0) },
    FuzzTarget(name: "live-answers", seeds: ["Fuzz/seeds/live-answers/*", "corpus/rescuetime/*.json", "corpus/toggl/*.json"]) {
      FuzzChecks.liveAnswers($0)
    },
  ]

  static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
