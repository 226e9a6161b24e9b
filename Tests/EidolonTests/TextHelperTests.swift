import Testing

@testable import Eidolon

/// The text helpers the readers share, on the bytes where they can be.
@Suite struct TextHelperTests {
  /// Cells lose leading and trailing spaces and tabs; a space that a combining mark
  /// makes one Character with stays, as it did Character by Character.
  @Test func cellsLoseTheirSpacesButNotACharacterBuiltOnOne() {
    #expect(" \t Finder \t".trimmingSpaces() == "Finder")
    #expect("Finder".trimmingSpaces() == "Finder")
    #expect("  \t ".trimmingSpaces() == "")
    #expect("".trimmingSpaces() == "")
    #expect(" naïve café ".trimmingSpaces() == "naïve café")
    #expect(" \u{301}x ".trimmingSpaces() == " \u{301}x")
    #expect("  \u{301}x".trimmingSpaces() == " \u{301}x")
  }

  /// Well-formed UTF-8 becomes a String; overlongs, surrogates, cut and stray bytes do not.
  @Test func cellsAreCheckedAsUTF8() {
    func check(_ bytes: [UInt8]) -> String? { bytes.withUnsafeBytes { UTF8Check.string($0) } }
    #expect(check(Array("plain ascii, longer than eight".utf8)) == "plain ascii, longer than eight")
    #expect(check(Array("naïve 日本語 😀".utf8)) == "naïve 日本語 😀")
    #expect(check([0xC0, 0xAF]) == nil)              // overlong '/'
    #expect(check([0xED, 0xA0, 0x80]) == nil)        // a UTF-16 surrogate
    #expect(check([0x61, 0xE6, 0x97]) == nil)        // cut short
    #expect(check([0x61, 0x80, 0x62]) == nil)        // a stray continuation byte
    #expect(check([0xF4, 0x90, 0x80, 0x80]) == nil)  // past U+10FFFF
  }

  /// UTF8Check against Swift's own validation, on bytes near every edge of the
  /// rules (each lead byte, continuation bytes at their limits, cut at every length).
  @Test func utf8IsCheckedAsSwiftChecksIt() {
    var random = SplitMix(state: 29)
    let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                                0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
    let characters = ["é", "日", "😀", "\u{10FFFF}", "\u{FFFF}", "\u{800}", "\u{80}", "\u{D7FF}", "\u{E000}", "\u{10000}"].map { Array($0.utf8) }
    for _ in 0..<30_000 {
      var bytes: [UInt8] = []
      // Some long enough for the sixteen-byte steps, with characters across their edges.
      for _ in 0..<random.below(random.below(3) == 0 ? 48 : 14) {
        switch random.below(3) {
        case 0: bytes.append(0x61)
        case 1: bytes += characters[random.below(characters.count)]
        default: bytes.append(interesting[random.below(interesting.count)])
        }
      }
      let got = bytes.withUnsafeBytes { UTF8Check.isValid($0) }
      #expect(got == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
    }
    // Texts of 32 bytes or more (checked 32 at a time where the processor has AVX2,
    // eid_utf8_valid): three bytes near the edges of the rules at every offset over two
    // steps and the last one cut short, after ASCII or after a character.
    let leads: [UInt8] = [0x41, 0x80, 0xBF, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5]
    let nexts: [UInt8] = [0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0]
    for lead in leads {
      for second in nexts {
        for third in [UInt8(0x80), 0xBF, 0x41] {
          for offset in 0..<70 {
            for before in [[UInt8](), Array("日".utf8)] {
              var bytes = [UInt8](repeating: 0x61, count: offset) + before + [lead, second, third]
              for length in [bytes.count, bytes.count - 1, bytes.count + 2] where length >= 32 {
                if length > bytes.count { bytes += [0xC3, 0xA9] }
                let text = Array(bytes[..<length])
                let got = text.withUnsafeBytes { UTF8Check.isValid($0) }
                #expect(got == (String(validating: text, as: UTF8.self) != nil), "\(text)")
              }
            }
          }
        }
      }
    }
    // Every lead byte with second, third and fourth bytes at the edges of their ranges,
    // followed by more text (so the four-byte way reads them) and not.
    let edges: [UInt8] = [0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0]
    for lead in UInt8(0x80)...0xFF {
      for second in edges {
        for third in [UInt8(0x80), 0xBF, 0x7F, 0xC0] {
          for fourth in [UInt8(0x80), 0xBF, 0x41, 0xC0] {
            for bytes in [[lead, second, third, fourth, 0x61, 0x61], [0x61, lead, second, third, fourth], [lead, second, third]] {
              let got = bytes.withUnsafeBytes { UTF8Check.isValid($0) }
              #expect(got == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
            }
          }
        }
      }
    }
  }
}
