import ArgumentParser
import Eidolon

/// The end every reading tool shares: the output flushed, the messages finished, one
/// summary line when anything was rejected or warned about, status 1 when records
/// were rejected (README, "Conventions").
public enum ReaderToolEnd {
  public static func finish(_ tool: String, writer: EventWriter, diagnostics: Diagnostics, progress: Progress, summary: String) throws {
    progress.clear()
    try writer.finish()
    try diagnostics.finish()
    if diagnostics.rejectCount > 0 || diagnostics.warningCount > 0 {
      diagnostics.note("\(tool): \(summary); \(diagnostics.rejectCount) rejected, \(diagnostics.warningCount) warnings")
    }
    if diagnostics.rejectCount > 0 { throw ExitCode(1) }
  }
}
