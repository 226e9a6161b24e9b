#if canImport(Glibc)
import Glibc
#endif

/// `eidolon migrate import`: a plan's inputs read by their formats' readers, shaped, and
/// loaded by the same EventLoader as eid-load, all in one process (formats/migration.md).
public enum MigrationImport {
  public struct Result: Sendable {
    public var database: String
    public var importID: Int64
    public var counts: EventLoader.Counts
    /// Events the rules dropped.
    public var dropped: Int
    public var formats: [String]
    public var resumedFrom: (importID: Int64, inputIndex: Int, events: Int)?
    public var dryRun: Bool
    public var seconds: Double
  }

  public static func run(plan: MigrationPlan, database: String, options: EventLoader.Options,
                         diagnostics: Diagnostics, progress: Progress) throws -> Result {
    let formats = try plan.formats()
    // Rules first: a mistake in them stops the import before anything is stored.
    let rules = try plan.loadRules()
    // A dry run against a store that does not exist yet runs against an empty one made
    // for it, so nothing is left behind.
    var storePath = database
    var scratchStore: String?
    if options.dryRun && !EventStores.exists(database) {
      let path = try TemporaryFile.databasePath("dry-run", holding: "the dry run's empty store")
      storePath = path
      scratchStore = path
    }
    defer {
      if let scratchStore { TemporaryPaths.remove(scratchStore) }
    }
    let store = try EventStores.open(storePath)
    let loader = try EventLoader(store: store, inputs: plan.inputs.map(\.displayName), options: options, diagnostics: diagnostics)
    var found = formats.map(\.format)
    let inputs = plan.inputs.enumerated().map { index, input in
      EventLoader.EventInput(name: input.displayName) {
        // Standard input's format is found as it is opened.
        let opened = try MigrationPlan.openReader(input, format: found[index], diagnostics: diagnostics)
        found[index] = opened.format
        return opened.events
      }
    }
    if progress.isEnabled { progress.totalBytes = plan.totalBytes() }
    let started = Progress.now()
    var dropped = 0
    do {
      // Nothing to shape: events are stored as they were read (the loader's faster way).
      let shape: ((inout Event) throws -> Bool)? = rules.isEmpty && plan.user == nil ? nil : { event in
        let kept = MigrationPlan.shape(&event, rules: rules, user: plan.user)
        if !kept { dropped += 1 }
        return kept
      }
      try loader.load(inputs: inputs, transform: shape, progress: progress)
      _ = try loader.finish()
    } catch {
      loader.abandon()
      throw error
    }
    return Result(
      database: EventStores.displayName(database), importID: loader.importID, counts: loader.counts, dropped: dropped, formats: found.map { $0 ?? "unknown" },
      resumedFrom: loader.resumedFrom.map { ($0.importID, $0.inputIndex, $0.lines) }, dryRun: options.dryRun,
      seconds: Progress.now() - started)
  }
}
