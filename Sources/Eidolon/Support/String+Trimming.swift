/// Small text helpers the readers share.
extension String {
  func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(scalars)
  }

  func stripping(suffix: String) -> String? {
    hasSuffix(suffix) ? String(dropLast(suffix.count)).trimmingSpaces() : nil
  }
}

extension Character {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
