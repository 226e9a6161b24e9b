@testable import Eidolon
import Testing

private struct Outcome: Equatable {
  var lines: [String]
  var rejects: Int
}

private func roundTrip(_ r: ByteReader, options: EidolonNDJSONReader.Options = .init()) throws -> Outcome {
  let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
  let reader = EidolonNDJSONReader(input: r, diagnostics: diagnostics, options: options)
  var lines: [String] = []
  while let event = try reader.next() {
    let out = ByteBuffer()
    EidolonNDJSONWriter.append(event, to: out)
    lines.append(String(decoding: out.bytes, as: UTF8.self))
  }
  return Outcome(lines: lines, rejects: diagnostics.rejectCount)
}

@Suite struct EidolonNDJSONTests {
  @Test func everyFieldRoundTripsInCanonicalOrder() throws {
    let line = #"{"id":"toggl:1","source":"toggl","kind":"time_entry","start":"2024-03-01T08:00:00.000Z","duration":3600.5,"stream":"s","host":"h","user":"u","app":"a","title":"t","url":"https://x/","file":"f","project":"p","client":"c","task":"k","description":"Ünï \"q\"\n","category":"cat","subcategory":"sub","productivity":-2,"tags":["a","b, c"],"billable":true,"offset":"+02:00","attrs":{"amount":12.50,"nested":{"x":[1,null]}}}"# + "\n"
    for outcome in try eachChunking(Array(line.utf8), { try roundTrip($0) }) {
      #expect(outcome == Outcome(lines: [line], rejects: 0))
    }
  }

  @Test func inputIsNormalised() throws {
    let input = #"{ "attrs": {"k": "v"}, "duration": 60, "start": "2024-03-01T10:00:00+02:00", "kind": "window", "source": "activitywatch", "id": "aw:1", "app": "Finder", "title": null, "tags": [] }"#
    let outcome = try roundTrip(reader(input))
    #expect(outcome.lines == [#"{"id":"aw:1","source":"activitywatch","kind":"window","start":"2024-03-01T08:00:00.000Z","duration":60,"app":"Finder","tags":[],"attrs":{"k":"v"}}"# + "\n"])
  }

  @Test func badLinesAreRejectedAndTheRestRead() throws {
    let lines = [
      #"{"id":"1","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1}"#,
      #"{"id":"2","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z"}"#,  // no duration
      #"{"id":"3","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":"1"}"#,
      #"{"id":"4","source":"s","kind":"k","start":"2024-03-01T08:00:00","duration":1}"#,  // no offset
      #"{"id":"5","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1,"productivity":3}"#,
      #"{"id":"6","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1,"id":"6"}"#,
      #"{"id":"7","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1,"extra":1}"#,
      #"{"id":"8","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1} {}"#,
      #"[1]"#,
      #"{"id":"9","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1,"tags":[1]}"#,
      #"{"id":"10","source":"s","kind":"k","start":"2024-03-01T08:00:00.0001Z","duration":1}"#,
      #"{"id":"","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1}"#,
      #"{"id":"11","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1"#,
      "",
      "   ",
      #"{"id":"13","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1e300}"#,
      #"{"id":"12","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":2}"#,
    ]
    let outcome = try roundTrip(reader(lines.joined(separator: "\n")))
    #expect(outcome.rejects == 13)
    #expect(outcome.lines.count == 2)
  }

  @Test func rejectsKeepTheRawLineWithItsPlace() throws {
    let dir = temporaryDirectory()
    let rejects = try RejectWriter.open("\(dir)/rejects.ndjson")
    let diagnostics = Diagnostics(toolName: "test", rejects: rejects, messageLimit: 0)
    let input = "{\"id\":\"1\"}\n\n{\"id\":\"2\",\"source\":\"s\",\"kind\":\"k\",\"start\":\"2024-03-01T08:00:00.000Z\",\"duration\":-1}\n\u{FF}\n"
    var bytes = Array(input.utf8)
    bytes[bytes.count - 3] = 0xFF  // not UTF-8
    let reader = EidolonNDJSONReader(input: ByteReader(source: MemorySource(bytes), name: "in.ndjson"), diagnostics: diagnostics)
    while try reader.next() != nil {}
    try diagnostics.finish()
    let text = String(decoding: try #require(readFile("\(dir)/rejects.ndjson")), as: UTF8.self)
    let rows = text.split(separator: "\n")
    #expect(rows.count == 3)
    #expect(rows[0] == #"{"file":"in.ndjson","line":1,"column":1,"error":"missing required field \"source\"","raw":"{\"id\":\"1\"}"}"#)
    #expect(rows[1].contains(#""line":3,"column":"#))
    #expect(rows[1].contains("must not be negative"))
    #expect(rows[2].contains(#""raw_base64":""#))
  }

  @Test func strictStopsAtTheFirstBadRecord() throws {
    let diagnostics = Diagnostics(toolName: "test", strict: true, messageLimit: 0)
    let reader = EidolonNDJSONReader(input: reader("{}\n{}\n"), diagnostics: diagnostics)
    #expect(throws: Diagnostics.StrictStop.self) { _ = try reader.next() }
    #expect(diagnostics.rejectCount == 1)
  }

  @Test func aNewerFormatVersionStopsTheRead() throws {
    let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
    let line = #"{"v":2,"id":"1","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1}"#
    let reader = EidolonNDJSONReader(input: reader(line), diagnostics: diagnostics)
    let error = eidolonError { _ = try reader.next() }
    #expect(error?.kind == .unsupported)
    #expect(error?.message.contains("v2") == true)
    let v1 = #"{"v":1,"id":"1","source":"s","kind":"k","start":"2024-03-01T08:00:00.000Z","duration":1}"#
    #expect(try roundTrip(ByteReader(source: MemorySource(v1), name: "t")).lines.count == 1)
  }

  @Test func canonicalStartCanBeRequired() throws {
    var options = EidolonNDJSONReader.Options()
    options.requireCanonicalStart = true
    let line = #"{"id":"1","source":"s","kind":"k","start":"2024-03-01T08:00:00Z","duration":1}"#
    #expect(try roundTrip(reader(line), options: options).rejects == 1)
    #expect(try roundTrip(reader(line)).rejects == 0)
  }
}

@Suite struct EventIDTests {
  @Test func murmurHashMatchesTheReference() {
    // Values from the reference implementation (Python's mmh3.hash_bytes, halves as little-endian 64-bit).
    let cases: [(String, UInt64, UInt64)] = [
      ("", 0, 0),
      ("a", 0x8555_5565_f659_7889, 0xe6b5_3a48_510e_895a),
      ("hello", 0xcbd8_a7b3_41bd_9b02, 0x5b1e_906a_48ae_1d19),
      ("The quick brown fox jumps over the lazy dog", 0xe34b_bc7b_bc07_1b6c, 0x7a43_3ca9_c49a_9347),
      ("0123456789abcdefXYZ", 0x99d3_7502_6c4a_901d, 0x4e69_e256_eaf8_9cf3),
    ]
    for (text, h1, h2) in cases {
      let hash = Array(text.utf8).withUnsafeBytes { MurmurHash3.x64_128($0) }
      #expect(hash.0 == h1 && hash.1 == h2, "\(text)")
    }
  }

  /// Every length from 0 to 80 (each tail size, with and without whole blocks), random
  /// bytes, each in an allocation of exactly its size (AddressSanitizer would see a read
  /// outside it): as the reference's byte-at-a-time tail gives it.
  @Test func murmurHashTailsMatchTheByteByByteRule() {
    func reference(_ data: [UInt8]) -> (UInt64, UInt64) {
      let c1: UInt64 = 0x87c3_7b91_1142_53d5, c2: UInt64 = 0x4cf5_ad43_2745_937f
      func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
      func fmix(_ k: UInt64) -> UInt64 {
        var k = k
        k ^= k >> 33; k &*= 0xff51_afd7_ed55_8ccd; k ^= k >> 33; k &*= 0xc4ce_b9fe_1a85_ec53; k ^= k >> 33
        return k
      }
      func word(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(data[at + $1]) << UInt64(8 * $1) } }
      var h1: UInt64 = 0, h2: UInt64 = 0
      let blocks = data.count / 16
      for i in 0..<blocks {
        var k1 = word(16 * i), k2 = word(16 * i + 8)
        k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
        h1 = rotl(h1, 27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52dc_e729
        k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
        h2 = rotl(h2, 31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5ab5
      }
      let tail = blocks * 16, rest = data.count & 15
      var k1: UInt64 = 0, k2: UInt64 = 0
      if rest > 8 {
        for i in 8..<rest { k2 ^= UInt64(data[tail + i]) << UInt64((i - 8) * 8) }
        k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
      }
      if rest > 0 {
        for i in 0..<min(rest, 8) { k1 ^= UInt64(data[tail + i]) << UInt64(i * 8) }
        k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
      }
      h1 ^= UInt64(data.count); h2 ^= UInt64(data.count)
      h1 &+= h2; h2 &+= h1
      h1 = fmix(h1); h2 = fmix(h2)
      h1 &+= h2; h2 &+= h1
      return (h1, h2)
    }
    var random = SystemRandomNumberGenerator()
    for count in 0...80 {
      for _ in 0..<8 {
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
        let exact = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { exact.deallocate() }
        exact.copyBytes(from: bytes)
        let got = MurmurHash3.x64_128(UnsafeRawBufferPointer(exact))
        let expected = reference(bytes)
        #expect(got.0 == expected.0 && got.1 == expected.1, "\(count) bytes")
        // Gone on from the state after a prefix's whole blocks (`TogglCSVRowScanner`'s heads).
        let prefix = Int.random(in: 0...count, using: &random)
        let state = MurmurHash3.state(after: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(exact)[..<prefix]))
        let resumed = MurmurHash3.x64_128(UnsafeRawBufferPointer(exact), after: prefix, state: state)
        #expect(resumed.0 == expected.0 && resumed.1 == expected.1, "\(count) bytes after \(prefix)")
      }
    }
  }

  @Test func idsAreDeterministicAndFieldBoundariesMatter() {
    let a = EventID.make(prefix: "aw", fields: ["bucket", "2024-03-01T08:00:00.000Z"])
    #expect(a == EventID.make(prefix: "aw", fields: ["bucket", "2024-03-01T08:00:00.000Z"]))
    #expect(a.hasPrefix("aw:") && a.count == 35)
    #expect(EventID.make(prefix: "x", fields: ["ab", "c"]) != EventID.make(prefix: "x", fields: ["a", "bc"]))
  }
}
