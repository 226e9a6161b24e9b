/// The version every tool reports with --version, and that the loader records.
public enum EidolonVersion {
  public static let current = "0.1.0"
}
