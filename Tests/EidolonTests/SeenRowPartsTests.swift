@testable import Eidolon
import Testing

/// `SeenRowParts` on its own (keys and pieces as RescueTime's tails): an entry found by its
/// bytes only, dropped when the generation changes, emptied when full, and resting after a
/// full set that was found fewer times than it holds.
@Suite struct SeenRowPartsTests {
  private func keep(_ tails: SeenRowParts, _ key: String) {
    var key = key
    key.withUTF8 { bytes in
      let raw = UnsafeRawBufferPointer(bytes)
      tails.keep(raw, hash: SeenRowParts.hash(raw), raw, UnsafeRawBufferPointer(rebasing: raw[1...]))
    }
  }

  /// The line kept for `key`, as text.
  private func find(_ tails: SeenRowParts, _ key: String) -> String? {
    var key = key
    return key.withUTF8 { bytes in
      let raw = UnsafeRawBufferPointer(bytes)
      return tails.find(raw, hash: SeenRowParts.hash(raw)).map { String(decoding: $0.piece(0), as: UTF8.self) }
    }
  }

  @Test func aTailIsFoundByItsBytesOnly() {
    let tails = SeenRowParts()
    #expect(tails.use(generation: 0) == false)  // (the first count)
    let keys = [",1,Slack,Work,2\n", ",1,Slack,Work,2\r\n", ",1,\"Mail, Inbox\",Work,1\n", ",1,Slack,Work,1\n",
                ",1," + String(repeating: "x", count: 40) + ",Work,0\n", ",1,a,b,0\n"]
    for key in keys { keep(tails, key) }
    for key in keys { #expect(find(tails, key) == key) }
    #expect(find(tails, ",1,Slack,Work,0\n") == nil)
    #expect(find(tails, ",1,Slack,Work,2") == nil)
    #expect(tails.use(generation: 0))
    #expect(tails.use(generation: 1) == false)  // another offset or resolution: all dropped
    for key in keys { #expect(find(tails, key) == nil) }
  }

  @Test func aFullSetFoundOftenIsEmptiedAndKeptOn() {
    let tails = SeenRowParts()
    _ = tails.use(generation: 0)
    for k in 0..<SeenRowParts.maxEntries {
      keep(tails, ",\(k),App,Work,0\n")
      _ = find(tails, ",\(k),App,Work,0\n")
    }
    #expect(tails.count == SeenRowParts.maxEntries)
    keep(tails, ",new,App,Work,0\n")
    #expect(tails.count == 1)
    #expect(find(tails, ",new,App,Work,0\n") != nil)
    #expect(tails.inUse())
  }

  @Test func aFullSetFoundSeldomRests() {
    let tails = SeenRowParts()
    _ = tails.use(generation: 0)
    for k in 0...SeenRowParts.maxEntries { keep(tails, ",\(k),App,Work,0\n") }
    #expect(tails.count == 0)
    for _ in 0..<SeenRowParts.restRows { #expect(tails.inUse() == false) }
    #expect(tails.inUse())
    keep(tails, ",again,App,Work,0\n")
    #expect(find(tails, ",again,App,Work,0\n") != nil)
  }

  @Test func fourPiecesComeBackInTurn() {
    let parts = SeenRowParts()
    let pieces = ["line", "", "id input", "0123456789abcdef"].map { Array($0.utf8) }
    let key = Array("Ann,a@example.com,,P,,".utf8)
    key.withUnsafeBytes { key in
      pieces[0].withUnsafeBytes { p0 in
        pieces[1].withUnsafeBytes { p1 in
          pieces[2].withUnsafeBytes { p2 in
            pieces[3].withUnsafeBytes { p3 in parts.keep(key, hash: SeenRowParts.hash(key), p0, p1, p2, p3) }
          }
        }
      }
      let entry = parts.find(key, hash: SeenRowParts.hash(key))
      #expect(entry != nil)
      if let entry { #expect((0..<4).map { Array(entry.piece($0)) } == pieces) }
    }
  }
}
