import Foundation
import Testing

@testable import Eidolon

/// The literals a regex must contain (RequiredLiterals) let rules skip the regex engine;
/// a wrong literal would lose matches, so these tests hold it to a real engine.
@Suite struct RegexPrefilterTests {
  @Test func requiredLiteralsOfCommonPatterns() {
    #expect(RequiredLiterals.of("^(plan|notes) \\w+") == ["plan", "notes"])
    #expect(RequiredLiterals.of("draft.*v2$") == ["draft"])
    #expect(RequiredLiterals.of("résumé.*naïve café$") == ["naïve café"])
    #expect(RequiredLiterals.of("ab+c") == ["ab"])
    #expect(RequiredLiterals.of("colou?r") == ["colo"])
    #expect(RequiredLiterals.of("(?:Pull|Merge) requests? · \\w+") == [" request"])
    #expect(RequiredLiterals.of("[Gg]it[Hh]ub") == ["it"])
    #expect(RequiredLiterals.of("a\\.b|c\\+\\+") == ["a.b", "c++"])
    #expect(RequiredLiterals.of("x{2,}yz") == ["yz"])
    #expect(RequiredLiterals.of("(abc)+d") == ["abc"])
    #expect(RequiredLiterals.of("foo(?=bar)") == ["foo"])
  }

  @Test func patternsItCannotFollowGetNoPrefilter() {
    for pattern in ["(?i)abc", "\\x41bc", "\\u00e9t\\u00e9", "\\Qa.b\\E", "a|", "(a|)", ".*", "\\d+", "[abc]", "a?",
                    "(ab)?", "ab|\\w", "\\p{L}+", "\\N{LATIN SMALL LETTER A}", "a(?#comment)b", "\\1", "(?<n>x)\\k<n>"] {
      #expect(RequiredLiterals.of(pattern) == nil, "\(pattern)")
    }
  }

  /// The characters the index leaves to the engine are all those that ICU's
  /// case-insensitive matching equates with ASCII letters (in the BMP, where all are).
  @Test func foldsToASCIIKnowsEveryCharacterTheEngineFoldsToASCII() throws {
    let probes = (97...122).map { String(UnicodeScalar(UInt8($0))) } + ["ss", "ff", "fi", "fl", "ffi", "ffl", "st"]
    let regexes = try probes.map { try NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }
    var missed: [String] = []
    for value in 0x80...0xFFFF {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let text = String(Character(scalar))
      let range = NSRange(location: 0, length: (text as NSString).length)
      if regexes.contains(where: { $0.firstMatch(in: text, range: range) != nil }), !RuleIndex.foldsToASCII(text) {
        missed.append(String(format: "U+%04X", value))
      }
    }
    #expect(missed.isEmpty, "folded to ASCII by the engine but not by foldsToASCII: \(missed)")
    #expect(RuleIndex.foldsToASCII("Stra\u{DF}e") && RuleIndex.foldsToASCII("x\u{FB06}") && !RuleIndex.foldsToASCII("Strase — é ü"))
  }

  /// Random patterns over random titles: a rule with the prefilter matches exactly when
  /// NSRegularExpression finds the pattern, with case and without.
  @Test func rulesWithThePrefilterMatchExactlyWhatTheRegexEngineMatches() throws {
    let pieces = ["ab", "c", "é", "ß", "K", "k", "ss", "Straße", "x", ".", "\\w", "\\d", "[a-c]", "[^x]", "\\.", " ", "ü"]
    let quantifiers = ["", "", "", "?", "*", "+", "{2}", "{0,1}", "{1,3}"]
    let texts = ["", "abc", "ABC", "Straße", "STRASSE", "strasse", "\u{212A}", "k", "a.b", "xx", "éé", "ÉÉ", "cab ü",
                 "x1 ab", "ssß", "abab c", "12", "a b c", "Kab", "ü ab", "ABCABC é", "—ab—"]
    var generator = SplitMix(state: 7)
    var checked = 0
    for _ in 0..<400 {
      var branches: [String] = []
      for _ in 0..<(1 + generator.below(3)) {
        var branch = ""
        for _ in 0..<(1 + generator.below(4)) {
          var piece = pieces[generator.below(pieces.count)]
          if generator.below(5) == 0 { piece = "(\(piece)|\(pieces[generator.below(pieces.count)]))" }
          branch += piece + quantifiers[generator.below(quantifiers.count)]
        }
        branches.append(branch)
      }
      let pattern = branches.joined(separator: "|")
      for ignoreCase in [false, true] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: ignoreCase ? [.caseInsensitive] : []) else { continue }
        var parser = RuleParser(fileName: "random.yaml")
        let quoted = pattern.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let rules = try parser.parse("rules:\n  - {match: {title: {regex: \"\(quoted)\", ignore_case: \(ignoreCase)}}, set: {category: hit}}\n")
        for text in texts {
          var event = Event(id: "x", source: "t", kind: "window", start: 0, duration: 0)
          event.title = text
          _ = rules.apply(&event)
          let expected = regex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
          #expect((event.category == "hit") == expected, "\(pattern) on \"\(text)\", ignore case \(ignoreCase)")
          checked += 1
        }
      }
    }
    #expect(checked > 10_000)
  }
}
