/// `eidolon migrate copy-store`: every event of one store loaded into another, either
/// engine to either (formats/postgresql.md, "Copying a store"). The source is read in
/// start order (ties in load order) as one input of the loader, so the copy is resumable
/// like any load (its checkpoint counts events; the checksum of what a resumed copy reads
/// again proves the source has not changed). A copy into a store that held nothing is
/// then checked: both stores read back, event for event, must give the same lines.
public enum StoreCopy {
  public struct Result: Sendable {
    public var load: MigrationImport.Result
    /// The events compared after the copy; nil when the target held events before (a
    /// merge, which `migrate validate` or a dump checks), or on a dry run.
    public var verified: Int?
  }

  public static func run(from source: String, to target: String, options: EventLoader.Options, diagnostics: Diagnostics,
                         progress: Progress) throws -> Result {
    guard EventStores.isPostgres(source) || EventStores.exists(source) else { throw EidolonError(.io, "no such database", file: source) }
    guard EventStores.displayName(source) != EventStores.displayName(target) else {
      throw EidolonError(.usage, "--from and --to name the same store", file: EventStores.displayName(source))
    }
    let from = try EventStores.open(source, readOnly: true)
    let into = try EventStores.open(target)
    let loader = try EventLoader(store: into, inputs: [inputName(from)], options: options, diagnostics: diagnostics)
    let started = Progress.now()
    do {
      let input = EventLoader.EventInput(name: inputName(from)) { try from.events(EventDumper.Filter()) }
      try loader.load(inputs: [input], transform: nil, progress: progress)
      _ = try loader.finish()
    } catch {
      loader.abandon()
      throw error
    }
    let load = MigrationImport.Result(
      database: into.displayName, importID: loader.importID, counts: loader.counts, dropped: 0, formats: ["store"],
      resumedFrom: loader.resumedFrom.map { ($0.importID, $0.inputIndex, $0.lines) }, dryRun: options.dryRun,
      seconds: Progress.now() - started)
    // Checked when the target holds exactly what the copy inserted (over all its runs).
    guard !options.dryRun, try into.count() == loader.counts.inserted else { return Result(load: load, verified: nil) }
    return Result(load: load, verified: try compare(from, into))
  }

  /// The source as the target's imports table names it.
  static func inputName(_ store: EventStorage) -> String { "store:" + store.displayName }

  /// Both stores' events, in order, as canonical lines: the number compared, or an error
  /// at the first that differs.
  static func compare(_ a: EventStorage, _ b: EventStorage) throws -> Int {
    let left = try a.events(EventDumper.Filter()), right = try b.events(EventDumper.Filter())
    var compared = 0
    while true {
      // Each view is valid until its own reader's next record: both are read in place.
      let one = try left.nextView()?.canonicalLine
      let other = try right.nextView()?.canonicalLine
      if one == nil && other == nil { return compared }
      guard let one, let other, one.elementsEqual(other) else {
        let what = one.map { String(decoding: $0, as: UTF8.self) } ?? "nothing"
        throw EidolonError(.data, "the copy differs from its source at event \(compared + 1) (the source has \(what.prefix(200)))", file: b.displayName)
      }
      compared += 1
    }
  }
}
