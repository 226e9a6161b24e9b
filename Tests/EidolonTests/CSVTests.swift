import Eidolon
import Testing

private func records(_ r: ByteReader, dialect: CSVDialect = .standard) throws -> [[String]] {
  let csv = CSVReader(input: r, dialect: dialect)
  var out: [[String]] = []
  while try csv.next() { out.append(csv.strings) }
  return out
}

@Suite struct CSVTests {
  @Test func rfc4180WithBOMAndCRLF() throws {
    let text = "\u{FEFF}User,Description,Tags\r\nAnn,\"Fix, \"\"quoted\"\" bug\",\"a, b\"\r\nBob,\"two\r\nlines\",\r\n"
    for result in try eachChunking(Array(text.utf8), { try records($0) }) {
      #expect(result == [["User", "Description", "Tags"], ["Ann", "Fix, \"quoted\" bug", "a, b"], ["Bob", "two\r\nlines", ""]])
    }
  }

  @Test func lfCrAndNoFinalNewline() throws {
    #expect(try records(reader("a,b\nc,d\re,f")) == [["a", "b"], ["c", "d"], ["e", "f"]])
  }

  @Test func blankLinesAreSkippedAndEmptyFieldsKept() throws {
    #expect(try records(reader("a,,b\n\n\r\n,\n")) == [["a", "", "b"], ["", ""]])
  }

  @Test func backslashIsLiteralAndStrayQuotesInUnquotedFieldsToo() throws {
    #expect(try records(reader("C:\\dir\\,say \"hi\"\n")) == [["C:\\dir\\", "say \"hi\""]])
  }

  @Test func aCharacterSplitByADelimiterIsNotUTF8() throws {
    // "é" is C3 A9: cut by a comma, neither field is UTF-8, though the two run together are.
    let bytes: [UInt8] = Array("a,b\n".utf8) + [0x78, 0xC3, 0x2C, 0xA9, 0x79, 0x0A]
    let csv = CSVReader(input: ByteReader(source: MemorySource(bytes), name: "t.csv"))
    #expect(try csv.next())
    let error = try #require(eidolonError { _ = try csv.next() })
    #expect(error.kind == .data && error.message.contains("field 1"))
  }

  @Test func otherDelimiters() throws {
    #expect(try records(reader("a\tb,c\n"), dialect: .tab) == [["a", "b,c"]])
    #expect(try records(reader("a;\"b;c\"\n"), dialect: CSVDialect(delimiter: UInt8(ascii: ";"))) == [["a", "b;c"]])
  }

  @Test func anUnbalancedQuoteNamesWhereItOpened() throws {
    let error = try #require(eidolonError { _ = try records(reader("a,b\nc,\"never closed\nmore\n")) })
    #expect(error.kind == .truncated)
    #expect(error.position?.line == 2)
    #expect(error.position?.column == 3)
    #expect(error.message.contains("unbalanced quote"))
  }

  @Test func textAfterAClosingQuoteIsAnError() throws {
    let error = try #require(eidolonError { _ = try records(reader("\"a\"b,c\n")) })
    #expect(error.kind == .syntax)
    #expect(error.position?.column == 4)
  }

  @Test func recordLinesCountLineBreaksInsideQuotes() throws {
    let csv = CSVReader(input: reader("h\n\"x\ny\"\nz\n"))
    var lines: [Int] = []
    while try csv.next() { lines.append(csv.recordLine) }
    #expect(lines == [1, 2, 4])
  }

  @Test func rawRecordIsTheTextAsWritten() throws {
    let csv = CSVReader(input: reader("a,\"b\"\"c\"\r\nd\n"))
    #expect(try csv.next())
    #expect(String(decoding: csv.rawRecord, as: UTF8.self) == "a,\"b\"\"c\"\r\n")
  }

  @Test func writerQuotesOnlyWhatNeedsIt() throws {
    let dir = temporaryDirectory()
    let path = "\(dir)/out.csv"
    let writer = CSVWriter(sink: try OutputSink.open(path), dialect: CSVDialect(lineTerminator: [0x0D, 0x0A], writesBOM: true))
    let rows = [["plain", "with, comma", "with \"quote\"", "two\nlines", "", "C:\\x"]]
    for row in rows { try writer.writeRecord(row) }
    try writer.finish()
    let bytes = try #require(readFile(path))
    #expect(String(decoding: bytes, as: UTF8.self) == "\u{FEFF}plain,\"with, comma\",\"with \"\"quote\"\"\",\"two\nlines\",,C:\\x\r\n")
    #expect(try records(ByteReader(source: MemorySource(bytes), name: "t")) == rows)
  }

  @Test func writerQuoteAll() throws {
    let dir = temporaryDirectory()
    let writer = CSVWriter(sink: try OutputSink.open("\(dir)/q.csv"), dialect: CSVDialect(quoteAll: true))
    try writer.writeRecord(["a", ""])
    try writer.finish()
    #expect(readFile("\(dir)/q.csv") == Array("\"a\",\"\"\n".utf8))
  }
}
