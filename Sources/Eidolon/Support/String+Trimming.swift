/// Small text helpers the readers share.
extension String {
  /// Without leading and trailing spaces and tabs; the same String (no copy) when it
  /// has none, as most cells. (On the UTF-8 bytes: Character by Character it took a
  /// twentieth of rt-read's time.)
  func trimmingSpaces() -> String {
    let bytes = utf8
    guard let first = bytes.first, let last = bytes.last else { return self }
    let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
    guard isSpace(first) || isSpace(last) else { return self }
    guard let from = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
    // A combining mark after a leading space makes one Character with it, which is kept:
    // past ASCII, go Character by Character as before.
    guard bytes[from] < 0x80 else { return trimmingSpaceCharacters() }
    let to = bytes.lastIndex(where: { !isSpace($0) })!
    return String(self[from...to])
  }

  private func trimmingSpaceCharacters() -> String {
    var characters = Substring(self)
    while let first = characters.first, first == " " || first == "\t" { characters.removeFirst() }
    while let last = characters.last, last == " " || last == "\t" { characters.removeLast() }
    return String(characters)
  }

  func stripping(suffix: String) -> String? {
    hasSuffix(suffix) ? String(dropLast(suffix.count)).trimmingSpaces() : nil
  }
}

extension Character {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
