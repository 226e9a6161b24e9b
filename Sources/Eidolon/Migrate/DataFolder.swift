import Foundation

/// `eidolon migrate import-files --data-dir DIR`: every file under a folder (recursively,
/// .gz ones too; names starting with '.' skipped) found by its format, each imported as a
/// load of its own, with an outcome per file; a file that cannot be read is listed with
/// why and the others go on (formats/migration.md, "A folder of files").
public enum DataFolder {
  public struct FileOutcome: Sendable {
    public var path: String
    public var format: String?
    /// The import's summary, when it ran to its end.
    public var result: MigrationImport.Result?
    /// Why the file was not (wholly) imported: its format unknown, or the error that stopped it.
    public var problem: String?
  }

  /// The regular files under `folder`, in path order.
  public static func files(under folder: String) throws -> [String] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
      throw EidolonError(.usage, "no such folder", file: folder)
    }
    guard let walker = FileManager.default.enumerator(atPath: folder) else { throw EidolonError(.io, "cannot read the folder", file: folder) }
    var found: [String] = []
    while let relative = walker.nextObject() as? String {
      let name = (relative as NSString).lastPathComponent
      if name.hasPrefix(".") {
        walker.skipDescendants()
        continue
      }
      let path = (folder as NSString).appendingPathComponent(relative)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { found.append(path) }
    }
    return found.sorted()
  }

  /// Imports each file under `folder` into `database` with `template`'s settings, rules
  /// and user; `onEach` hears of every file as it is done.
  public static func importAll(folder: String, template: MigrationPlan, database: String, options: EventLoader.Options,
                               diagnostics: Diagnostics, onEach: (FileOutcome) -> Void) throws -> [FileOutcome] {
    var outcomes: [FileOutcome] = []
    for path in try files(under: folder) {
      var outcome = FileOutcome(path: path)
      do {
        guard let finding = try FormatDetector.detect(path: path) else {
          outcome.problem = "not a file of a tracker Eidolon reads"
          outcomes.append(outcome)
          onEach(outcome)
          continue
        }
        outcome.format = finding.format
        var plan = template
        plan.inputs = [MigrationPlan.Input(path: path, format: finding.format, settings: template.inputs.first?.settings ?? [:])]
        let result = try MigrationImport.run(plan: plan, database: database, options: options, diagnostics: diagnostics,
                                             progress: Progress(enabled: false))
        outcome.result = result
      } catch let error as EidolonError {
        outcome.problem = error.message
      } catch let stop as Diagnostics.StrictStop {
        outcome.problem = stop.error.message
      }
      outcomes.append(outcome)
      onEach(outcome)
    }
    return outcomes
  }
}
