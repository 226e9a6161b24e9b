import ArgumentParser
import Eidolon

extension ArgumentHelp {
  /// A reader tool's option for a reader setting: its help as ReaderSettings describes it,
  /// so the tool, `eidolon --set` and formats/migration.md say the same.
  /// `format` names the reader where the command reads several (eidolon's --columns).
  public static func setting(_ setting: ReaderSetting, of format: String? = nil) -> ArgumentHelp {
    ArgumentHelp((format.map { "\($0): " } ?? "") + setting.helpWithDefault, valueName: setting.valueName)
  }
}
