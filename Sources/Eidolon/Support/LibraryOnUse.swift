import CLibrariesOnUse

/// The C libraries Eidolon opens when a run first needs one instead of linking them
/// (CLibrariesOnUse says why): each names the Debian package that holds it, for the
/// message when it cannot be opened.
public enum LibraryOnUse: String, Sendable {
  case libcurl, libpq, libcrypto

  /// Opens the library if no call has yet; throws when it cannot be opened.
  public func load() throws {
    let failure: UnsafePointer<CChar>?
    let package: String
    switch self {
    case .libcurl: (failure, package) = (eid_libcurl_load(), "libcurl4")
    case .libpq: (failure, package) = (eid_libpq_load(), "libpq5")
    case .libcrypto: (failure, package) = (eid_libcrypto_load(), "libssl3")
    }
    guard let failure else { return }
    throw EidolonError(.io, "cannot open \(rawValue) (\(String(cString: failure))); install it with apt-get install \(package)")
  }
}
