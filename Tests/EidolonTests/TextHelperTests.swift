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
}
