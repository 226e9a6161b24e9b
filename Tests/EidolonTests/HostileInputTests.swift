import Eidolon
import Testing

/// Mutated and random inputs: every reader must answer with events or errors, never crash or hang.
@Suite struct HostileInputTests {
  static let seedLines = [
    #"{"id":"aw:1","source":"activitywatch","kind":"window","start":"2024-03-01T08:00:00.123Z","duration":12.5,"title":"Ünï \"q\" 😀","tags":["a"],"attrs":{"n":[1,{"x":null}]}}"#,
    "User,Description,Tags\r\nAnn,\"Fix, \"\"quoted\"\" bug\",\"a, b\"\r\n",
    "<r a=\"1\"><b>t&amp;x</b><![CDATA[c]]></r>",
  ]

  static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
    var out = bytes
    for _ in 0..<(1 + rng.below(4)) {
      guard !out.isEmpty else { break }
      let at = rng.below(out.count)
      switch rng.below(5) {
      case 0: out[at] = UInt8(truncatingIfNeeded: rng.next())
      case 1: out.remove(at: at)
      case 2: out.insert([0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x0A, 0xF0, 0xED, 0x00][rng.below(11)], at: at)
      case 3: out = Array(out.prefix(at))
      default: out.insert(contentsOf: out[at...].prefix(8), at: at)
      }
    }
    return out
  }

  @Test func mutatedInputsGiveEventsOrErrorsNeverACrash() throws {
    var rng = SplitMix(state: 20_261_125)
    // Each reader ends every input, with records or with an EidolonError (never another
    // error, never a loop); over the rounds both outcomes occur for each.
    var outcomes: [String: (ended: Int, refused: Int)] = [:]
    func drain(_ what: String, _ step: () throws -> Bool) {
      var steps = 0
      do {
        while try step() {
          steps += 1
          if steps > 100_000 {
            Issue.record("\(what) did not end")
            return
          }
        }
        outcomes[what, default: (0, 0)].ended += 1
      } catch is EidolonError {
        outcomes[what, default: (0, 0)].refused += 1
      } catch {
        Issue.record("\(what) threw \(error), not an EidolonError")
      }
    }
    for round in 0..<3000 {
      let seed = Array(Self.seedLines[round % Self.seedLines.count].utf8)
      let bytes = Self.mutate(seed, &rng)
      let chunk = 1 + rng.below(9)
      // NDJSON events (a bad line is rejected and counted; the reader goes on)
      let diagnostics = Diagnostics(toolName: "fuzz", messageLimit: 1)
      diagnostics.messageHandler = { _ in }
      let events = EidolonNDJSONReader(
        input: ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "f", capacity: 16), diagnostics: diagnostics)
      drain("ndjson") { try events.next() != nil }
      if diagnostics.rejectCount > 0 { outcomes["ndjson", default: (0, 0)].refused += 1 }
      // JSON tokens
      let tokenizer = JSONTokenizer(reader: ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "f", capacity: 16))
      drain("json") { try tokenizer.next() != .end }
      // CSV records
      let csv = CSVReader(input: ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "f", capacity: 16))
      drain("csv") { try csv.next() }
      // XML nodes
      drain("xml") {
        let xml = try XMLPullReader(source: MemorySource(bytes, chunkLimit: chunk), fileName: "f")
        while try xml.next() {}
        return false
      }
    }
    for what in ["ndjson", "json", "xml"] {
      let seen = outcomes[what] ?? (0, 0)
      #expect(seen.ended > 0 && seen.refused > 0, "\(what): \(seen)")
    }
    // CSV takes any bytes as records (quotes aside): it must at least end every input.
    #expect((outcomes["csv"]?.ended ?? 0) + (outcomes["csv"]?.refused ?? 0) == 3000)
  }

  @Test func randomBytesAreRefusedAsJSON() {
    var rng = SplitMix(state: 7)
    var refused = 0
    for _ in 0..<500 {
      let bytes = (0..<(1 + rng.below(200))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      let error = eidolonError {
        let t = JSONTokenizer(reader: ByteReader(source: MemorySource(bytes), name: "r"))
        while try t.next() != .end {}
      }
      if error != nil { refused += 1 }
    }
    #expect(refused >= 495)
  }
}
