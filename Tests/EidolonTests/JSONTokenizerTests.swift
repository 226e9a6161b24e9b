import Eidolon
import Testing

/// Every token of a document, with key, string and number texts.
private func tokens(_ r: ByteReader, multiple: Bool = false) throws -> [String] {
  let t = JSONTokenizer(reader: r, allowsMultipleValues: multiple)
  var out: [String] = []
  while true {
    let token = try t.next()
    switch token {
    case .key: out.append("key:" + t.stringValue())
    case .string: out.append("str:" + t.stringValue())
    case .number: out.append("num:" + t.stringValue())
    case .end: return out
    default: out.append(token.description)
    }
  }
}

private func tokenError(_ text: String, maxDepth: Int = JSONTokenizer.defaultMaxDepth) -> EidolonError? {
  eidolonError {
    let t = JSONTokenizer(reader: reader(text), maxDepth: maxDepth)
    while try t.next() != .end {}
  }
}

@Suite struct JSONTokenizerTests {
  @Test func tokensOfADocument() throws {
    let doc = #"{"a": [1, -2.5e3, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"}, "e": []}"#
    let expected = [
      "an object", "key:a", "an array", "num:1", "num:-2.5e3", "a boolean", "a boolean", "null", "']'",
      "key:b", "an object", "key:c", "str:d\né😀", "'}'", "key:e", "an array", "']'", "'}'",
    ]
    for result in try eachChunking(Array(doc.utf8), { try tokens($0) }) {
      #expect(result == expected)
    }
  }

  @Test func rawUTF8AndEscapesAgreeAcrossChunkBoundaries() throws {
    let doc = "[\"Ünïcødé ✓ 😀 \\\"q\\\" \\\\ \\/ \\t\"]"
    for result in try eachChunking(Array(doc.utf8), { try tokens($0) }) {
      #expect(result == ["an array", "str:Ünïcødé ✓ 😀 \"q\" \\ / \t", "']'"])
    }
  }

  @Test func concatenatedValuesWhenAllowed() throws {
    #expect(try tokens(reader("1 2\n[3]"), multiple: true) == ["num:1", "num:2", "an array", "num:3", "']'"])
    #expect(try tokens(reader(""), multiple: true) == [])
  }

  @Test func byteOrderMarkAtTheStartIsSkipped() throws {
    #expect(try tokens(reader("\u{FEFF}{}")) == ["an object", "'}'"])
  }

  @Test func truncatedDocumentsAreTruncatedErrors() {
    for text in ["{\"a\": [1, 2", "{\"a\"", "\"abc", "[tru", "{\"a\":", "[1,", ""] {
      let error = tokenError(text)
      #expect(error?.kind == .truncated, "\(text)")
    }
  }

  @Test func syntaxErrorsNameLineAndColumn() throws {
    let error = try #require(tokenError("{\n  \"a\": 1,\n  \"b\" 2\n}"))
    #expect(error.kind == .syntax)
    #expect(error.position?.line == 3)
    #expect(error.position?.column == 7)
    #expect(error.message.contains("expected ':'"))
  }

  @Test func trailingGarbageIsRefused() throws {
    let error = try #require(tokenError("{} x"))
    #expect(error.message.contains("after the end of the JSON value"))
    #expect(error.position?.column == 4)
  }

  @Test func badNumbersAreRefused() {
    for text in ["01", "-", "1.", "1e", ".5", "+1", "[1.e3]", "[-]"] {
      #expect(tokenError(text) != nil, "\(text)")
    }
  }

  @Test func invalidUTF8IsRefused() throws {
    let cases: [[UInt8]] = [
      [0x22, 0xFF, 0x22],  // never valid
      [0x22, 0xC0, 0xAF, 0x22],  // overlong
      [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
      [0x22, 0xE2, 0x82, 0x22],  // cut short
      [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
    ]
    for bytes in cases {
      let error = eidolonError {
        let t = JSONTokenizer(reader: ByteReader(source: MemorySource(bytes), name: "x"))
        while try t.next() != .end {}
      }
      #expect(error?.kind == .syntax, "\(bytes)")
    }
  }

  @Test func loneSurrogatesAndBadEscapesAreRefused() {
    #expect(tokenError(#""\ud800""#)?.message.contains("lone high surrogate") == true)
    #expect(tokenError(#""\udc00x""#)?.message.contains("lone low surrogate") == true)
    #expect(tokenError(#""\ud800\u0041""#)?.message.contains("lone high surrogate") == true)
    #expect(tokenError(#""\x""#)?.message.contains("invalid escape") == true)
    #expect(tokenError(#""\u12g4""#)?.message.contains("four hex digits") == true)
  }

  @Test func controlCharactersInStringsAreRefused() {
    #expect(tokenError("\"a\nb\"")?.message.contains("line break inside a string") == true)
    #expect(tokenError("\"a\u{01}b\"")?.message.contains("control character 0x01") == true)
  }

  @Test func nesting100000DeepIsRefusedWithoutACrash() throws {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let error = try #require(tokenError(deep))
    #expect(error.kind == .limit)
    #expect(error.message.contains("nested deeper than 512"))
    let objects = String(repeating: "{\"a\":", count: 100_000)
    #expect(tokenError(objects)?.kind == .limit)
  }

  @Test func skipContainerSkipsWholeValues() throws {
    let t = JSONTokenizer(reader: reader(#"{"skip": {"a": [1, {"b": 2}]}, "keep": 3}"#))
    #expect(try t.next() == .beginObject)
    #expect(try t.next() == .key)
    try t.skip(try t.next())
    #expect(try t.next() == .key)
    #expect(t.stringValue() == "keep")
    #expect(try t.next() == .number)
    #expect(t.int64Value() == 3)
  }

  @Test func numbersAsValues() throws {
    let t = JSONTokenizer(reader: reader("[9007199254740993, 1.5, 1e400, -0]"))
    _ = try t.next()
    _ = try t.next()
    #expect(t.int64Value() == 9_007_199_254_740_993)
    _ = try t.next()
    #expect(t.doubleValue() == 1.5)
    #expect(t.int64Value() == nil)
    _ = try t.next()
    #expect(t.doubleValue() == nil)
    _ = try t.next()
    #expect(t.int64Value() == 0)
  }

  @Test func valuesRoundTripThroughTheWriter() throws {
    let doc = #"{"n":1.50,"s":"a\"b\\c\n\u0001é","a":[true,null,{}],"o":{"x":-0.0}}"#
    let t = JSONTokenizer(reader: reader(doc))
    let value = try t.readValue(startingWith: try t.next())
    let out = ByteBuffer()
    out.appendJSON(value)
    #expect(String(decoding: out.bytes, as: UTF8.self) == #"{"n":1.50,"s":"a\"b\\c\n\u0001é","a":[true,null,{}],"o":{"x":-0.0}}"#)
  }

  @Test func duplicateKeysInAnObjectAreRefused() {
    let error = eidolonError {
      let t = JSONTokenizer(reader: reader(#"{"a":1,"a":2}"#))
      _ = try t.readValue(startingWith: try t.next())
    }
    #expect(error?.message.contains("duplicate key") == true)
  }

  @Test func aHugeStringIsRefused() {
    let text = "\"" + String(repeating: "x", count: 2000) + "\""
    let error = eidolonError {
      let t = JSONTokenizer(reader: reader(text), maxStringBytes: 1000)
      _ = try t.next()
    }
    #expect(error?.kind == .limit)
  }
}

/// An endless-looking JSON array made on the fly: `[{"n":0,"s":"…"},{"n":1,…},…]`.
private final class GeneratedArraySource: ByteSource {
  private let count: Int
  private var index = -1
  private var pending: [UInt8] = []
  private var offset = 0

  init(count: Int) { self.count = count }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if offset == pending.count {
      offset = 0
      if index == -1 {
        pending = Array("[".utf8)
      } else if index < count {
        pending = Array(((index > 0 ? "," : "") + #"{"n":\#(index),"s":"Ünïcødé \"x\" \#(String(repeating: "y", count: index % 50))"}"#).utf8)
      } else if index == count {
        pending = Array("]".utf8)
      } else {
        return 0
      }
      index += 1
    }
    let n = min(buffer.count, pending.count - offset)
    pending.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
    offset += n
    return n
  }
}

@Suite struct JSONStreamingTests {
  @Test func aLargeDocumentIsReadWithoutTheBufferGrowing() throws {
    let input = ByteReader(source: GeneratedArraySource(count: 300_000), name: "big", capacity: 1 << 12)
    let t = JSONTokenizer(reader: input)
    var objects = 0
    var lastNumber: Int64 = -1
    while true {
      let token = try t.next()
      if token == .end { break }
      if token == .beginObject { objects += 1 }
      if token == .number { lastNumber = t.int64Value() ?? -1 }
    }
    #expect(objects == 300_000)
    #expect(lastNumber == 299_999)
    #expect(input.capacity == 1 << 12)
    #expect(input.consumedOffset > 15_000_000)
  }
}
