import Eidolon
import Testing

/// The CSV reader finds a record's fields from marks taken 64 bytes at a time; these tests
/// hold it to a byte-at-a-time reading of the same rules on random text and at the edges of
/// its windows, and to its limit on fields.
@Suite struct CSVRecordScanTests {
  /// One record as the reader gives it, or the kind of error that stopped reading.
  struct Read: Equatable, CustomStringConvertible {
    var fields: [[UInt8]] = []
    var line = 0
    var raw: [UInt8] = []
    var error: EidolonError.Kind?
    var description: String {
      if let error { return "error \(error)" }
      return "line \(line) \(fields.map { String(decoding: $0, as: UTF8.self) }) raw \(raw)"
    }
  }

  static func readAll(_ input: ByteReader) -> [Read] {
    let csv = CSVReader(input: input)
    var out: [Read] = []
    do {
      while try csv.next() {
        out.append(Read(fields: (0..<csv.fieldCount).map { Array(csv.field($0)) }, line: csv.recordLine, raw: Array(csv.rawRecord)))
      }
    } catch let error as EidolonError {
      out.append(Read(error: error.kind))
    } catch {
      out.append(Read(error: .io))
    }
    return out
  }

  /// The rules of CSVReader's documentation, a byte at a time.
  static func expected(_ bytes: [UInt8]) -> [Read] {
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
    var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var line = 1
    var out: [Read] = []
    while i < bytes.count {
      if bytes[i] == lf || bytes[i] == cr {
        if bytes[i] == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
        i += 1
        line += 1
        continue
      }
      var record = Read(line: line)
      let start = i
      var lines = 0
      fields: while true {
        var field: [UInt8] = []
        if i < bytes.count && bytes[i] == quote {
          i += 1
          while true {
            guard i < bytes.count else { return out + [Read(error: .truncated)] }
            if bytes[i] == quote {
              if i + 1 < bytes.count && bytes[i + 1] == quote {
                field.append(quote)
                i += 2
                continue
              }
              i += 1
              break
            }
            if bytes[i] == lf { lines += 1 }
            field.append(bytes[i])
            i += 1
          }
          if i < bytes.count && ![comma, lf, cr].contains(bytes[i]) { return out + [Read(error: .syntax)] }
        } else {
          while i < bytes.count && ![comma, lf, cr].contains(bytes[i]) {
            field.append(bytes[i])
            i += 1
          }
        }
        record.fields.append(field)
        if i == bytes.count { break }
        if bytes[i] == comma {
          i += 1
          continue fields
        }
        if bytes[i] == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
        i += 1
        break
      }
      record.raw = Array(bytes[start..<i])
      line += lines + 1
      if String(validating: record.raw, as: UTF8.self) == nil { return out + [Read(error: .data)] }
      out.append(record)
    }
    return out
  }

  @Test func randomTextReadsAsTheRulesSay() {
    var random = SplitMix(state: 19)
    // Mostly text, with every byte the scan marks and some that are not ASCII (é, and a
    // lead byte alone now and then).
    let pieces: [[UInt8]] = [[0x61], [0x62], [0x61], [0x61, 0x62, 0x63], [0x2C], [0x2C], [0x22], [0x22], [0x0A], [0x0D],
                             [0x0D, 0x0A], [0xC3, 0xA9], [0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61]]
    var failures = 0
    for round in 0..<3000 {
      var bytes: [UInt8] = round % 50 == 0 ? [0xEF, 0xBB, 0xBF] : []
      let length = random.below(round % 3 == 0 ? 401 : 91)
      while bytes.count < length {
        bytes += pieces[random.below(pieces.count)]
        if random.below(2000) == 0 { bytes.append(0xC3) }
      }
      let want = CSVRecordScanTests.expected(bytes)
      for got in eachChunking(bytes, { CSVRecordScanTests.readAll($0) }) where got != want {
        failures += 1
        if failures <= 3 { Issue.record("input \(bytes):\nread     \(got)\nexpected \(want)") }
      }
    }
    #expect(failures == 0)
  }

  @Test func aByteThatIsNotASCIIIsCheckedInEveryWindowOfARecord() {
    // A lone lead byte in the first window, the second, the third, and in the last few
    // bytes of the input (read one at a time).
    for at in [0, 63, 64, 100, 127, 128, 190, 197] {
      var bytes = Array(repeating: UInt8(ascii: "a"), count: 199)
      bytes[at] = 0xC3
      for index in stride(from: 9, to: 199, by: 10) where index != at { bytes[index] = UInt8(ascii: ",") }
      let reads = eachChunking(bytes + [0x0A], { CSVRecordScanTests.readAll($0) })
      #expect(reads.allSatisfy { $0 == [Read(error: .data)] }, "lead byte at \(at)")
    }
  }

  @Test func aRecordOfMoreFieldsThanTheLimitIsRefused() throws {
    let most = CSVReader.maxFields
    let csv = CSVReader(input: reader(String(repeating: ",", count: most - 1) + "\n" + String(repeating: ",", count: most) + "\nz\n"))
    #expect(try csv.next())
    #expect(csv.fieldCount == most)
    let error = try #require(eidolonError { _ = try csv.next() })
    #expect(error.kind == .limit)
    #expect(error.message.contains("more than \(most) fields"))
  }
}
