@testable import Eidolon
import Testing

/// `RescueTimeRowTails` on its own: a tail found by its bytes only, dropped when the
/// buckets' `writing` count changes, emptied when full, and resting after a full set that
/// was found fewer times than it holds.
@Suite struct RescueTimeRowTailsTests {
  private func keep(_ tails: RescueTimeRowTails, _ key: String) {
    var key = key
    key.withUTF8 { bytes in
      let raw = UnsafeRawBufferPointer(bytes)
      tails.keep(raw, hash: RescueTimeRowTails.hash(raw), line: raw, idInput: UnsafeRawBufferPointer(rebasing: raw[1...]))
    }
  }

  /// The line kept for `key`, as text.
  private func find(_ tails: RescueTimeRowTails, _ key: String) -> String? {
    var key = key
    return key.withUTF8 { bytes in
      let raw = UnsafeRawBufferPointer(bytes)
      return tails.find(raw, hash: RescueTimeRowTails.hash(raw)).map { String(decoding: $0.line, as: UTF8.self) }
    }
  }

  @Test func aTailIsFoundByItsBytesOnly() {
    let tails = RescueTimeRowTails()
    #expect(tails.use(writing: 0) == false)  // (the first count)
    let keys = [",1,Slack,Work,2\n", ",1,Slack,Work,2\r\n", ",1,\"Mail, Inbox\",Work,1\n", ",1,Slack,Work,1\n",
                ",1," + String(repeating: "x", count: 40) + ",Work,0\n", ",1,a,b,0\n"]
    for key in keys { keep(tails, key) }
    for key in keys { #expect(find(tails, key) == key) }
    #expect(find(tails, ",1,Slack,Work,0\n") == nil)
    #expect(find(tails, ",1,Slack,Work,2") == nil)
    #expect(tails.use(writing: 0))
    #expect(tails.use(writing: 1) == false)  // another offset or resolution: all dropped
    for key in keys { #expect(find(tails, key) == nil) }
  }

  @Test func aFullSetFoundOftenIsEmptiedAndKeptOn() {
    let tails = RescueTimeRowTails()
    _ = tails.use(writing: 0)
    for k in 0..<RescueTimeRowTails.maxEntries {
      keep(tails, ",\(k),App,Work,0\n")
      _ = find(tails, ",\(k),App,Work,0\n")
    }
    #expect(tails.count == RescueTimeRowTails.maxEntries)
    keep(tails, ",new,App,Work,0\n")
    #expect(tails.count == 1)
    #expect(find(tails, ",new,App,Work,0\n") != nil)
    #expect(tails.inUse())
  }

  @Test func aFullSetFoundSeldomRests() {
    let tails = RescueTimeRowTails()
    _ = tails.use(writing: 0)
    for k in 0...RescueTimeRowTails.maxEntries { keep(tails, ",\(k),App,Work,0\n") }
    #expect(tails.count == 0)
    for _ in 0..<RescueTimeRowTails.restRows { #expect(tails.inUse() == false) }
    #expect(tails.inUse())
    keep(tails, ",again,App,Work,0\n")
    #expect(find(tails, ",again,App,Work,0\n") != nil)
  }
}
