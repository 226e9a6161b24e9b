/// How RescueTime names what was used, shared by the readers and the writer.
public enum RescueTimeActivity {
  /// RescueTime writes this where an activity has no document or detail.
  public static let noDetails = "No Details"

  /// True for names like "github.com" or "docs.google.com": RescueTime names sites by
  /// their domain (without "www."), apps by name ("Finder", "telegram", "node").
  public static func looksLikeDomain(_ name: String) -> Bool {
    let labels = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    guard labels.count >= 2, name.utf8.count <= 253 else { return false }
    for label in labels {
      guard !label.isEmpty, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
        label.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") })
      else { return false }
    }
    // The last label looks like a top-level domain: two or more letters. A heuristic
    // ("node.js" passes too); url only copies app, so nothing is lost either way.
    let tld = labels.last!
    return tld.count >= 2 && tld.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) })
  }

  /// The activity name a site is listed under: its host without "www.".
  public static func domain(ofURL url: String) -> String {
    var rest = Substring(url)
    if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
    if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
    if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
    if let colon = rest.lastIndex(of: ":"), !rest.contains("]") { rest = rest[..<colon] }
    var host = rest.lowercased()
    if host.hasPrefix("www.") { host.removeFirst(4) }
    return host
  }
}
