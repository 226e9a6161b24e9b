import ArgumentParser
import Eidolon
import EidolonCLI

extension EidLoad {
  /// A `postgresql://` store (formats/postgresql.md): append or replace through COPY, any
  /// number of loaders at once. replace-range, fail, --resume, --upgrade and --rollback
  /// are SQLite's only, so far.
  func loadIntoPostgres(_ diagnostics: Diagnostics) throws {
    guard !load.resume, !upgrade, rollback == nil else {
      throw ValidationError("a PostgreSQL store takes no --resume, --upgrade or --rollback, so far (formats/postgresql.md)")
    }
    let store = try PostgresEventStore(database)
    let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
    let names = common.inputPaths.map(InputOpener.displayName).joined(separator: ", ")
    let append = try PostgresEventStore.Append(into: store, inputs: names, batchSize: load.batchSize, strategy: load.mergeStrategy)
    try inputs.forEach { event, _ in try append.add(event) }
    let counts = try append.finish(rejected: diagnostics.rejectCount)
    diagnostics.note("eid-load: \(store.displayName) load \(append.importNumber) (\(load.mergeStrategy.rawValue)): read \(counts.read), inserted \(counts.inserted), skipped \(counts.skipped), replaced \(counts.replaced), rejected \(counts.rejected)")
    try diagnostics.finish()
    if counts.rejected > 0 { throw ExitCode(1) }
  }
}
