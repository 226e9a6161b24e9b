import CByteMarks

/// Sites by their domain: what RescueTime lists a site under, what `domain` rules match,
/// and how an activity name is told to be a site or an app.
public enum WebDomain {
  /// True for names like "github.com" or "docs.google.com": RescueTime names sites by
  /// their domain (without "www."), apps by name ("Finder", "telegram", "node"); rules
  /// and writers tell sites from apps the same way.
  public static func looksLikeDomain(_ name: String) -> Bool {
    var name = name
    return name.withUTF8 { looksLikeDomain(bytes: UnsafeRawBufferPointer($0)) }
  }

  /// The same test on bytes in memory: a name of up to 16 bytes (most) by masks of its
  /// bytes' kinds, 16 at once (`eid_domain_bytes16`), a longer one a byte at a time.
  static func looksLikeDomain(bytes: UnsafeRawBufferPointer) -> Bool {
    let n = bytes.count
    guard let start = bytes.baseAddress, n > 0 else { return false }
    var dots: UInt32 = 0, hyphens: UInt32 = 0, letters: UInt32 = 0, digits: UInt32 = 0
    guard n <= 16 else {
      // A longer name's first 16 bytes by the masks too: most long names hold a space,
      // and only those without one are walked a byte at a time.
      eid_domain_bytes16(start.assumingMemoryBound(to: UInt8.self), 16, &dots, &hyphens, &letters, &digits)
      return dots | hyphens | letters | digits == 0xFFFF && looksLikeDomain(bytes: bytes[...])
    }
    eid_domain_bytes16(start.assumingMemoryBound(to: UInt8.self), UInt32(truncatingIfNeeded: n), &dots, &hyphens, &letters, &digits)
    let all: UInt32 = (1 << UInt32(n)) &- 1
    let last: UInt32 = 1 << UInt32(n &- 1)
    // Only letters, digits, '-' and '.'; a dot, none first and no two together; no '-' at
    // either end of a label.
    guard dots | hyphens | letters | digits == all, dots != 0, dots & 1 == 0, dots & (dots >> 1) == 0,
      hyphens & (1 | last | dots << 1 | dots >> 1) == 0
    else { return false }
    // The last label: two or more letters.
    let lastDot = UInt32(31 &- dots.leadingZeroBitCount)
    let lastLabel = all & ~((2 << lastDot) &- 1)
    return lastLabel.nonzeroBitCount >= 2 && letters & lastLabel == lastLabel
  }

  /// The same test on a name's UTF-8 bytes, a byte at a time.
  static func looksLikeDomain<Bytes: Collection<UInt8>>(bytes: Bytes) -> Bool {
    // One pass over the bytes: labels of letters, digits and '-' (not at either end),
    // two or more of them, the last of two or more letters.
    guard bytes.count <= 253 else { return false }
    var labels = 0, length = 0, lettersOnly = true
    var previous: UInt8 = 0
    for byte in bytes {
      if byte == UInt8(ascii: ".") {
        guard length > 0, previous != UInt8(ascii: "-") else { return false }
        labels += 1
        length = 0
        lettersOnly = true
      } else {
        let letter = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
        guard letter || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") else { return false }
        if length == 0 && byte == UInt8(ascii: "-") { return false }
        if !letter { lettersOnly = false }
        length += 1
      }
      previous = byte
    }
    // The last label looks like a top-level domain: two or more letters. A heuristic
    // ("node.js" passes too); url only copies app, so nothing is lost either way.
    return labels >= 1 && length >= 2 && previous != UInt8(ascii: "-") && lettersOnly
  }

  /// The name a site goes by (RescueTime lists it so, rules match it): its host without "www.".
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
