/// The literal strings one of which any match of a regular expression must contain, as
/// RE2 and ripgrep find them: `^(plan|notes) \w+` needs "plan" or "notes", `draft.*v2$`
/// needs "draft" (and "v2"; the longer is kept). The word index looks for them in one
/// pass for all rules, so the regex engine runs only on text that could match.
///
/// It reads the ICU syntax NSRegularExpression takes, and answers nil (no prefilter:
/// the regex runs on every event) for anything it does not follow exactly: inline flags,
/// \Q...\E, escapes that stand for characters (\x41, \u00e9, \N{...}), or a branch
/// with no literal that must appear. A wrong answer here would lose matches, so every
/// doubt is a nil.
enum RequiredLiterals {
  static func of(_ pattern: String) -> [String]? {
    var parser = Parser(scalars: Array(pattern.unicodeScalars))
    guard let alternatives = parser.alternation(), parser.atEnd else { return nil }
    guard let literals = best(alternatives), !literals.contains(where: \.isEmpty) else { return nil }
    return literals
  }

  /// One atom of a sequence and whether it must appear once (no quantifier).
  fileprivate enum Atom {
    case scalar(Unicode.Scalar)
    case group([[Item]])
    /// Anything that is not a literal: `.`, a class, `\w`, an anchor, a lookaround.
    case other
  }

  fileprivate struct Item {
    var atom: Atom
    /// False when the atom may be absent (`?`, `*`, `{0,n}`).
    var required: Bool
    /// True when it appears exactly once (no quantifier, or {1}).
    var once: Bool
  }

  /// A set of literals one of which every match of any of the alternatives holds.
  private static func best(_ alternatives: [[Item]]) -> [String]? {
    var union: [String] = []
    for sequence in alternatives {
      guard let literals = best(sequence) else { return nil }
      union.append(contentsOf: literals)
    }
    return union
  }

  /// The best set for one sequence: the run of required literal characters, or the
  /// required group, whose shortest literal is longest.
  private static func best(_ sequence: [Item]) -> [String]? {
    var candidates: [[String]] = []
    var run = ""
    func endRun() {
      if !run.isEmpty { candidates.append([run]) }
      run = ""
    }
    for item in sequence {
      switch item.atom {
      case .scalar(let scalar) where item.required:
        run.unicodeScalars.append(scalar)
        if !item.once { endRun() }  // `ab+c` holds "ab", and then "bc" only maybe
      case .group(let alternatives) where item.required:
        endRun()
        if let literals = best(alternatives) { candidates.append(literals) }
      default: endRun()
      }
    }
    endRun()
    return candidates.max { shortest($0) < shortest($1) }
  }

  private static func shortest(_ literals: [String]) -> Int { literals.map(\.utf8.count).min() ?? 0 }

  private struct Parser {
    let scalars: [Unicode.Scalar]
    var at = 0

    var atEnd: Bool { at == scalars.count }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      at + offset < scalars.count ? scalars[at + offset] : nil
    }

    /// Alternatives up to the end or an unmatched `)`; nil when the syntax is not followed.
    mutating func alternation() -> [[Item]]? {
      var alternatives: [[Item]] = [[]]
      while let c = peek(), c != ")" {
        if c == "|" {
          at += 1
          alternatives.append([])
          continue
        }
        guard let atom = atom() else { return nil }
        guard let (required, once) = quantifier() else { return nil }
        alternatives[alternatives.count - 1].append(Item(atom: atom, required: required, once: once))
      }
      return alternatives
    }

    private mutating func atom() -> Atom? {
      let c = scalars[at]
      at += 1
      switch c {
      case ".", "^", "$": return .other
      case "[": return characterClass() ? .other : nil
      case "\\": return escape()
      case "(": return group()
      case "*", "+", "?", "{": return nil  // a quantifier with nothing before it
      default: return .scalar(c)
      }
    }

    private mutating func escape() -> Atom? {
      guard let c = peek() else { return nil }
      at += 1
      if "wWdDsSbBAzZGhHvVRX".unicodeScalars.contains(c) { return .other }
      // Other letters and digits stand for characters, back references or properties.
      if c.properties.isAlphabetic || ("0"..."9").contains(c) { return nil }
      return c.isASCII ? .scalar(c) : nil
    }

    /// Skips a class `[...]` (nested classes, escapes, a leading `]`); false if unclosed.
    private mutating func characterClass() -> Bool {
      var depth = 1
      var first = true
      while let c = peek() {
        at += 1
        switch c {
        case "\\": at += 1
        case "^" where first: continue
        case "]" where first: break
        case "[": depth += 1
        case "]":
          depth -= 1
          if depth == 0 { return true }
        default: break
        }
        first = false
      }
      return false
    }

    private mutating func group() -> Atom? {
      var lookaround = false
      if peek() == "?" {
        switch (peek(1), peek(2)) {
        case (":", _), (">", _): at += 2
        case ("=", _), ("!", _):
          at += 2
          lookaround = true
        case ("<", "="), ("<", "!"):
          at += 3
          lookaround = true
        case ("<", _):
          at += 2
          while let c = peek(), c != ">" { at += 1 }
          guard peek() == ">" else { return nil }
          at += 1
        default: return nil  // inline flags (?i), comments (?#...)
        }
      }
      guard let inner = alternation(), peek() == ")" else { return nil }
      at += 1
      return lookaround ? .other : .group(inner)
    }

    /// The quantifier after an atom, if any: (the atom is required, appears once).
    private mutating func quantifier() -> (Bool, Bool)? {
      var result: (Bool, Bool)
      switch peek() {
      case "?", "*":
        at += 1
        result = (false, false)
      case "+":
        at += 1
        result = (true, false)
      case "{":
        at += 1
        var low = ""
        while let c = peek(), ("0"..."9").contains(c) { low.unicodeScalars.append(c); at += 1 }
        var bounded = true
        var high = low
        if peek() == "," {
          at += 1
          high = ""
          while let c = peek(), ("0"..."9").contains(c) { high.unicodeScalars.append(c); at += 1 }
          bounded = !high.isEmpty
        }
        guard peek() == "}", let minimum = Int(low) else { return nil }
        at += 1
        result = (minimum > 0, minimum == 1 && bounded && Int(high) == 1)
      default: return (true, true)
      }
      if peek() == "?" || peek() == "+" { at += 1 }  // lazy or possessive
      return result
    }
  }
}
