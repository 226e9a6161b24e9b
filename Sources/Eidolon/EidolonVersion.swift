import CEidolonBuild

/// The version every tool reports with --version, and that the loader records.
public enum EidolonVersion {
  public static let current = "0.1.0"

  /// The commit the build was made from, when its maker said (scripts/install,
  /// scripts/release); nil for a plain `swift build`.
  public static let commit: String? = {
    let text = String(cString: eidolon_build_commit())
    return text == "unknown" || text.isEmpty ? nil : text
  }()

  /// What --version prints: the version, and the commit when known.
  public static let description = commit.map { "\(current) (commit \($0))" } ?? current
}
