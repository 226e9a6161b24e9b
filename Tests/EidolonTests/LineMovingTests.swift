@testable import Eidolon
import Testing

/// `ByteReader.moveLines`, which cuts NDJSON into blocks (`LineBlocks`): the lines, line
/// numbers and offsets `readLine()` gives one at a time, whatever the block size, the
/// chunking of the input and the buffer's capacity.
@Suite struct LineMovingTests {
  /// Lines of 0 to 90 bytes, CRs kept, and one longer than every block size below.
  private static func text(lastLF: Bool) -> [UInt8] {
    var text: [UInt8] = []
    for n in 0..<60 {
      text += [UInt8](repeating: UInt8(ascii: "a") + UInt8(n % 26), count: (n * 37) % 91)
      if n % 11 == 3 { text.append(0x0D) }
      if n == 40 { text += [UInt8](repeating: 0x62, count: 3000) }
      text.append(0x0A)
    }
    text += Array("the last line".utf8)
    if lastLF { text.append(0x0A) }
    return text
  }

  /// What `readLine()` gives, each line with its LF, and where each line ends.
  private static func oneAtATime(_ text: [UInt8]) throws -> (bytes: [UInt8], ends: [Int64]) {
    let reader = ByteReader(source: MemorySource(text), name: "t")
    var bytes: [UInt8] = []
    var ends: [Int64] = []
    while let line = try reader.readLine() {
      bytes += Array(line) + [0x0A]
      ends.append(reader.consumedOffset)
    }
    return (bytes, ends)
  }

  @Test func movedLinesAreTheLinesReadOneAtATime() throws {
    for lastLF in [true, false] {
      let text = LineMovingTests.text(lastLF: lastLF)
      let expected = try LineMovingTests.oneAtATime(text)
      for chunk in [1, 7, 100, Int.max] {
        for capacity in [16, 256, 1 << 16] {
          for size in [1, 10, 64, 500, 1 << 20] {
            let reader = ByteReader(source: MemorySource(text, chunkLimit: chunk), name: "t", capacity: capacity)
            let out = ByteBuffer()
            var linesBefore = 0
            var countBefore = 0
            while try reader.moveLines(into: out, size: size) {
              // Whole lines each time: the count and the offset are those after the last.
              #expect(out.bytes.last == 0x0A)
              let lines = out.bytes.count { $0 == 0x0A }
              #expect(reader.lineNumber == lines)
              #expect(reader.consumedOffset == expected.ends[lines - 1])
              // No more than `size` bytes, but for one line longer than that (however much
              // the reader holds after growing for a long line).
              #expect(out.count - countBefore <= size || lines - linesBefore == 1)
              (linesBefore, countBefore) = (lines, out.count)
            }
            #expect(out.array == expected.bytes, "chunk \(chunk), capacity \(capacity), size \(size), last LF \(lastLF)")
            #expect(try reader.readLine() == nil)
          }
        }
      }
    }
  }

  @Test func whatWasReadAlreadyComesFirst() throws {
    let reader = ByteReader(source: MemorySource("{}\n{\"a\":1}\npart", chunkLimit: 3), name: "t", linesBefore: 5, offset: 100)
    _ = try reader.peek(2)
    #expect(try reader.readLine().map(Array.init) == Array("{}".utf8))
    let out = ByteBuffer()
    #expect(try reader.moveLines(into: out, size: 1 << 10))
    #expect(String(decoding: out.bytes, as: UTF8.self) == "{\"a\":1}\n")
    #expect(reader.lineNumber == 7)
    #expect(reader.consumedOffset == 111)
    // The last line, without its LF, at the end of the input.
    #expect(try reader.moveLines(into: out, size: 1 << 10))
    #expect(String(decoding: out.bytes, as: UTF8.self) == "{\"a\":1}\npart\n")
    #expect(reader.lineNumber == 8)
    #expect(reader.consumedOffset == 115)
    #expect(try !reader.moveLines(into: out, size: 1 << 10))
  }

  @Test func aLineLongerThanTheBlockIsHeldWholeAndRefusedPastTheLimit() throws {
    let long = [UInt8](repeating: 0x61, count: 900) + [0x0A]
    let reader = ByteReader(source: MemorySource(long + long, chunkLimit: 50), name: "t", capacity: 64, maxRecordBytes: 1024)
    let out = ByteBuffer()
    #expect(try reader.moveLines(into: out, size: 100))
    #expect(out.array == long)
    let endless = ByteReader(source: MemorySource([UInt8](repeating: 0x61, count: 5000)), name: "t", capacity: 64, maxRecordBytes: 1024)
    #expect(eidolonError { _ = try endless.moveLines(into: ByteBuffer(), size: 100) }?.kind == .limit)
  }

  /// A source that gives its bytes a few at a time, then fails (a truncated gzip member).
  private final class EndsInAnError: ByteSource {
    private let bytes = MemorySource("one\ntwo\nthr", chunkLimit: 4)
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
      let n = try bytes.read(into: buffer)
      if n == 0 { throw EidolonError(.truncated, "the input ends early", file: "t") }
      return n
    }
  }

  @Test func aFailingSourceLeavesTheWholeLinesBeforeIt() {
    let reader = ByteReader(source: EndsInAnError(), name: "t")
    let out = ByteBuffer()
    #expect(eidolonError { _ = try reader.moveLines(into: out, size: 1 << 10) }?.kind == .truncated)
    #expect(String(decoding: out.bytes, as: UTF8.self) == "one\ntwo\n")
    #expect(reader.lineNumber == 2)
    #expect(reader.consumedOffset == 8)
  }

  @Test func borrowedBytesAreNotWrittenTo() throws {
    var bytes = Array("one\ntwo\nthree".utf8)
    let copy = bytes
    let out = ByteBuffer()
    let moves = try bytes.withUnsafeMutableBytes { raw throws -> [Bool] in
      let reader = ByteReader(borrowing: raw, name: "t")
      return try (0..<4).map { _ in try reader.moveLines(into: out, size: 5) }
    }
    #expect(moves == [true, true, true, false])
    #expect(String(decoding: out.bytes, as: UTF8.self) == "one\ntwo\nthree\n")
    #expect(bytes == copy)
  }

  /// The sixteen-bytes-a-step helpers against a byte loop, at every length and place.
  @Test func lineFeedsAreFoundAtEveryPlace() {
    for length in 0..<80 {
      for places in [[], [0], [length - 1], [7, 8, 15, 16, 17], Array(stride(from: 0, to: length, by: 3))] {
        var bytes = [UInt8](repeating: 0x61, count: length)
        for place in places where place >= 0 && place < length { bytes[place] = 0x0A }
        bytes.withUnsafeBytes { raw in
          #expect(ByteReader.lineFeeds(in: raw) == bytes.count { $0 == 0x0A })
          #expect(ByteReader.lastLineFeed(in: raw) == bytes.lastIndex(of: 0x0A))
        }
      }
    }
    let many = [UInt8](repeating: 0x0A, count: 16 * 600 + 5)
    many.withUnsafeBytes { #expect(ByteReader.lineFeeds(in: $0) == many.count) }
  }
}
