@testable import Eidolon
import Testing

/// `CSVReader.cutRecords` on its own, with reads of a few bytes at a time: where it ends a
/// block, what it moves, the lines it counts, and the records it leaves to `next()`.
@Suite struct CSVRecordCuttingTests {
  private func reader(_ text: String, chunk: Int) -> CSVReader {
    CSVReader(input: ByteReader(source: MemorySource(Array(text.utf8), chunkLimit: chunk), name: "cut.csv", capacity: 16))
  }

  /// Cuts `csv` to its end; the blocks' texts, and whether every cut but the last was one
  /// `mayEnd` allowed.
  private func cut(_ csv: CSVReader, size: Int, mayEnd: ((CSVBlockRow, CSVReader) -> Bool)?) throws -> (blocks: [String], allowed: Bool) {
    let probe = CSVCutProbe(for: csv)
    var blocks: [String] = [], allowed = true
    while true {
      let block = ByteBuffer()
      let cut = try csv.cutRecords(into: block, size: size, limit: 1 << 20, probe: probe, mayEnd: mayEnd)
      if block.count > 0 { blocks.append(String(decoding: block.bytes, as: UTF8.self)) }
      switch cut {
      case .endOfInput: return (blocks, allowed)
      case .block(let isAllowed): allowed = allowed && isAllowed
      case .irregular:
        Issue.record("no record here is irregular")
        return (blocks, false)
      }
    }
  }

  /// Records of a number, a quoted field with a line break and doubled quotes, and a CRLF.
  private static let records = (0..<50).map { "\($0),\"q\($0)\n\"\"\"\r\n" }

  @Test(arguments: [1, 3, 64, 1 << 20])
  func blocksEndAtTheFirstRecordEndPastTheirSize(chunk: Int) throws {
    let csv = reader(Self.records.joined(), chunk: chunk)
    let (blocks, allowed) = try cut(csv, size: 40, mayEnd: nil)
    var expected: [String] = [], current = ""
    for record in Self.records {
      current += record
      if current.utf8.count >= 40 {
        expected.append(current)
        current = ""
      }
    }
    if !current.isEmpty { expected.append(current) }
    #expect(blocks == expected)
    #expect(allowed)
    #expect(csv.line == 1 + 2 * Self.records.count)
  }

  @Test(arguments: [1, 3, 64, 1 << 20])
  func blocksEndOnlyWhereMayEndAllows(chunk: Int) throws {
    let csv = reader(Self.records.joined(), chunk: chunk)
    let (blocks, allowed) = try cut(csv, size: 40) { last, next in
      // Each record read whole, the one before and the one after.
      Int(last.string(0))! + 1 == Int(next.string(0))! && Int(next.string(0))! % 10 == 0 && last.string(1).hasSuffix("\n\"")
    }
    #expect(blocks == stride(from: 0, to: 50, by: 10).map { Self.records[$0..<($0 + 10)].joined() })
    #expect(allowed)
  }

  @Test(arguments: [1, 3, 64, 1 << 20])
  func cuttingStopsBeforeARecordItCannotPlace(chunk: Int) throws {
    let head = "a,b\nc,\"d\ne\"\r\n\n\"x\"\"y\",z\n"  // lines 1 to 5
    for (rest, fields) in [("f,g\rh,i\n", ["f", "g"]), ("\"f\"g,h\n", nil), ("f,\"never closed\n", nil)] as [(String, [String]?)] {
      let csv = reader(head + rest, chunk: chunk)
      let block = ByteBuffer()
      let cut = try csv.cutRecords(into: block, size: 1 << 20, limit: 1 << 20, probe: CSVCutProbe(for: csv), mayEnd: nil)
      guard case .irregular = cut else {
        Issue.record("\(rest.debugDescription): \(cut), not irregular")
        continue
      }
      #expect(String(decoding: block.bytes, as: UTF8.self) == head)
      #expect(csv.line == 6)
      if let fields {
        #expect(try csv.next() && csv.strings == fields && csv.recordLine == 6)
      } else {
        #expect(throws: EidolonError.self) { try csv.next() }
      }
    }
  }
}
