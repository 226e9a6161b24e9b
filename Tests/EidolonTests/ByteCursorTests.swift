@testable import Eidolon
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// JSON's escaping, a byte at a time: what `appendJSONString` and `ByteCursor` must write.
enum JSONEscapeRule {
  static func quoted(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x22]
    for c in bytes {
      switch c {
      case 0x22: out += [0x5C, 0x22]
      case 0x5C: out += [0x5C, 0x5C]
      case 0x0A: out += Array("\\n".utf8)
      case 0x0D: out += Array("\\r".utf8)
      case 0x09: out += Array("\\t".utf8)
      case 0x08: out += Array("\\b".utf8)
      case 0x0C: out += Array("\\f".utf8)
      case 0..<0x20: out += Array("\\u00".utf8) + Array(String(format: "%02x", c).utf8)
      default: out.append(c)
      }
    }
    return out + [0x22]
  }

  /// Random texts, a quarter of their bytes ones that need escaping or are not ASCII.
  static func text(_ random: inout SplitMix, length: Int) -> [UInt8] {
    let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0x22, 0x5C, 0x0A, 0x01, 0x1F, 0x7F, 0xC3, 0xA9, 0x21, 0x5B]
    return (0..<length).map { _ in random.below(4) == 0 ? alphabet[random.below(alphabet.count)] : 0x61 }
  }
}

@Suite struct ByteCursorTests {
  /// Two pages, the second unreadable: a text placed at the end of the first is where a
  /// 16-byte load past the text would fault, which the short copies must not make.
  final class GuardedPage {
    let base: UnsafeMutableRawPointer
    let size = Int(sysconf(Int32(_SC_PAGESIZE)))
    init() {
      base = mmap(nil, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
      mprotect(base + size, size, PROT_NONE)
    }
    deinit { munmap(base, 2 * size) }
    /// `bytes` copied to end just before the unreadable page.
    func atEnd(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
      let at = base + size - bytes.count
      bytes.withUnsafeBytes { at.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
      return UnsafeRawBufferPointer(start: at, count: bytes.count)
    }
  }

  @Test func shortTextsAtThePagesEndAreCopiedAndEscapedWithoutReadingPastIt() {
    let page = GuardedPage()
    var random = SplitMix(state: 7)
    for length in 1...40 {
      for _ in 0..<20 {
        let bytes = JSONEscapeRule.text(&random, length: length)
        let text = page.atEnd(bytes)
        let out = ByteBuffer(capacity: 64)
        out.appendJSONString(text)
        out.append(text)
        #expect(out.array == JSONEscapeRule.quoted(bytes) + bytes, "bytes \(bytes)")
      }
    }
  }

  /// A text longer than `appendJSONString` takes in one step, escapes on both sides of
  /// each piece's end.
  @Test func longTextsAreEscapedPieceByPiece() {
    var random = SplitMix(state: 11)
    let piece = ByteBuffer.jsonStringPiece
    for length in [piece + 1, 2 * piece + 7, 3 * piece] {
      var bytes = JSONEscapeRule.text(&random, length: length)
      for at in stride(from: piece, to: length, by: piece) {
        bytes[at - 1] = 0x22
        bytes[at] = 0x01
      }
      let out = ByteBuffer(capacity: 64)
      bytes.withUnsafeBytes { out.appendJSONString($0) }
      #expect(out.array == JSONEscapeRule.quoted(bytes), "length \(length)")
    }
  }

  /// A cursor writes what the buffer's own appends would, its room made piece by piece
  /// from a buffer far too small (each `ensure` that grows keeps what was written).
  @Test func aCursorWritesWhatAppendsWould() {
    var random = SplitMix(state: 23)
    for _ in 0..<500 {
      let viaCursor = ByteBuffer(capacity: 64), viaAppends = ByteBuffer(capacity: 64)
      viaCursor.append(literal: "head")
      viaAppends.append(literal: "head")
      var cursor = viaCursor.cursor(room: 8)
      for _ in 0..<random.below(30) {
        let bytes = JSONEscapeRule.text(&random, length: random.below(random.below(8) == 0 ? 300 : 20))
        bytes.withUnsafeBytes { text in
          switch random.below(4) {
          case 0:
            cursor.ensure(ByteCursor.jsonStringRoom(text.count), in: viaCursor)
            cursor.putJSONString(text)
            viaAppends.appendJSONString(text)
          case 1:
            cursor.ensure(max(16, text.count), in: viaCursor)
            cursor.put(text)
            viaAppends.append(text)
          case 2:
            let value = Int64(bitPattern: random.next()) >> random.below(64)
            cursor.ensure(20, in: viaCursor)
            cursor.put(integer: value)
            viaAppends.append(integer: value)
          default:
            cursor.ensure(16, in: viaCursor)
            cursor.put(literal: ",\"user\":")
            cursor.put(0x7D)
            viaAppends.append(literal: ",\"user\":")
            viaAppends.append(0x7D)
          }
        }
      }
      viaCursor.commit(cursor)
      #expect(viaCursor.array == viaAppends.array)
    }
  }

  /// Integers as Swift writes them, the general way and as millisecond counts: every
  /// power of ten and its neighbours, the extremes and random ones of every length.
  @Test func integersAreWrittenAsSwiftWritesThem() {
    var values: [Int64] = [0, Int64.max, Int64.min, Int64.min + 1]
    var power: Int64 = 1
    for _ in 0..<19 {
      values += [power - 1, power, power + 1, -power, -(power - 1)]
      if power <= Int64.max / 10 { power *= 10 }
    }
    var random = SplitMix(state: 7)
    for _ in 0..<20_000 { values.append(Int64(bitPattern: random.next()) >> random.below(64)) }
    // Millisecond counts (13 digits, written in a fixed pattern), their zeros anywhere.
    for _ in 0..<5_000 {
      var digits = Int64(random.below(9) + 1)
      for _ in 0..<12 { digits = digits * 10 + (random.below(3) == 0 ? 0 : Int64(random.below(10))) }
      values.append(digits)
    }
    let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 20)
    defer { out.deallocate() }
    let viaCursor = ByteBuffer(capacity: 64)
    for value in values {
      let length = ByteCursor.writeInteger(value, to: out)
      #expect(String(decoding: UnsafeBufferPointer(start: out, count: length), as: UTF8.self) == String(value))
      viaCursor.removeAll()
      var cursor = viaCursor.cursor(room: 20)
      cursor.put(millisecondCount: value)
      viaCursor.commit(cursor)
      #expect(viaCursor.array == Array(String(value).utf8))
    }
  }

  /// Under AddressSanitizer (`.ci/asan`, the fuzz targets) a buffer's bytes past the room a
  /// writer reserved are poisoned, so a write past its room is reported however much spare
  /// capacity the buffer has; elsewhere nothing is marked.
  @Test func roomPastWhatWasReservedIsPoisonedUnderAddressSanitizer() throws {
    let sanitizer = ProcessInfo.processInfo.environment["EIDOLON_SANITIZER"]
    guard sanitizer == "address" else {
      if sanitizer == nil { #expect(SanitizerPoisoning.poison == nil, "ASan's interface found in a build without it") }
      return
    }
    let isPoisoned = try #require(SanitizerPoisoning.isPoisoned, "the ASan suite runs without ASan's interface")
    let buffer = ByteBuffer(capacity: 4096)
    buffer.append(Array("twelve bytes".utf8))
    #expect(isPoisoned(buffer.base + 11) == 0)
    #expect(isPoisoned(buffer.base + 15) == 0, "a short append reserves 16 bytes")
    #expect(isPoisoned(buffer.base + 16) != 0)
    let at = buffer.reserve(100)
    #expect(isPoisoned(at + 99) == 0)
    #expect(isPoisoned(at + 100) != 0)
    #expect(isPoisoned(buffer.base + 4095) != 0)
    var cursor = buffer.cursor(room: 40)
    #expect(isPoisoned(cursor.at + 39) == 0)
    #expect(isPoisoned(cursor.at + 40) != 0)
    cursor.put(literal: "done")
    buffer.commit(cursor)
    buffer.append(0x0A)
    #expect(buffer.array == Array("twelve bytesdone\n".utf8))
    #expect(isPoisoned(buffer.base + buffer.count) != 0)
    // Grown: the copy keeps its bytes usable and poisons the rest of the new room.
    _ = buffer.reserve(10_000)
    #expect(buffer.capacity >= 10_017)
    #expect(isPoisoned(buffer.base + buffer.count + 9_999) == 0)
    #expect(isPoisoned(buffer.base + buffer.count + 10_000) != 0)
    // Cut and emptied: what was the buffer's is poisoned from its new count on.
    buffer.truncate(to: 5)
    #expect(isPoisoned(buffer.base + 4) == 0)
    #expect(isPoisoned(buffer.base + 5) != 0)
    buffer.removeAll()
    #expect(isPoisoned(buffer.base) != 0)
  }
}
