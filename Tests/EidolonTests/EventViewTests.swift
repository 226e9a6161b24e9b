@testable import Eidolon
import Foundation
import Testing

/// What reading `bytes` line by line gives through `nextView()` against `next()`.
private struct ViewComparison {
  var events = 0
  /// Lines the view found canonical as they stood.
  var canonical = 0
  var rejects = 0
}

/// Reads `bytes` both ways and checks, line by line, that the view makes the same event
/// as the full decoder, that its canonical line is the writer's line for that event, and
/// that it calls the input canonical exactly when the input is that line.
private func compareViews(_ bytes: [UInt8], chunk: Int = .max) throws -> ViewComparison {
  func makeReader(_ diagnostics: Diagnostics, scanning: Bool) -> EidolonNDJSONReader {
    var options = EidolonNDJSONReader.Options()
    options.scansCanonicalLines = scanning
    return EidolonNDJSONReader(input: ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "t", capacity: chunk == .max ? 1 << 16 : 64),
                               diagnostics: diagnostics, options: options)
  }
  let eventDiagnostics = Diagnostics(toolName: "test", messageLimit: 0)
  let viewDiagnostics = Diagnostics(toolName: "test", messageLimit: 0)
  let scannedDiagnostics = Diagnostics(toolName: "test", messageLimit: 0)
  // The full decoder is the reference; views and the Events `next()` makes with the
  // scanner must both agree with it.
  let eventReader = makeReader(eventDiagnostics, scanning: false)
  let viewReader = makeReader(viewDiagnostics, scanning: true)
  let scannedReader = makeReader(scannedDiagnostics, scanning: true)
  var result = ViewComparison()
  let written = ByteBuffer()
  while true {
    let event = try eventReader.next()
    let view = try viewReader.nextView()
    guard let event, let view else {
      #expect(event == nil && view == nil, "one way read more events than the other")
      break
    }
    result.events += 1
    #expect(try view.makeEvent() == event)
    #expect(try scannedReader.next() == event)
    written.removeAll()
    EidolonNDJSONWriter.append(event, to: written)
    written.commit(-1)
    #expect(Array(view.canonicalLine) == written.array, "line \(viewReader.lastPosition.line)")
    let inputIsCanonical = Array(viewReader.lastRaw) == written.array
    #expect(view.inputIsCanonical == inputIsCanonical, "line \(viewReader.lastPosition.line): \(String(decoding: viewReader.lastRaw, as: UTF8.self))")
    if view.inputIsCanonical { result.canonical += 1 }
  }
  #expect(try scannedReader.next() == nil)
  #expect(eventDiagnostics.rejectCount == viewDiagnostics.rejectCount && scannedDiagnostics.rejectCount == viewDiagnostics.rejectCount)
  result.rejects = viewDiagnostics.rejectCount
  return result
}

private func lines(_ texts: [String]) -> [UInt8] { Array(texts.joined(separator: "\n").utf8) + [0x0A] }

private let head = #"{"id":"a:1","source":"activitywatch","kind":"window","start":"2024-03-01T08:00:00.000Z","duration":"#

@Suite struct EventViewTests {
  @Test func canonicalLinesAreTakenAsTheyStand() throws {
    let canonical = [
      head + #"60}"#,
      head + #"0}"#,
      head + #"9.583,"app":"Firefox","title":"tab\there \"q\" \\ \u001f é 😀"}"#,
      head + #"123456789.125,"stream":"s","host":"h","user":"u","app":"a","title":"t","url":"u","file":"f","project":"p","client":"c","task":"k","description":"d","category":"c","subcategory":"s","productivity":-2,"tags":["x","y\n"],"billable":false,"offset":"+05:30","attrs":{"n":-0.5e+10,"o":{"a":[1,true,null,{}],"b":[]},"s":"\b\f\r"}}"#,
      head + #"1,"tags":[],"billable":true}"#,
      head + #"0.5,"productivity":0}"#,
      head + #"1,"attrs":{"k":"v","K":"v"}}"#,
      // The day of the line before is reused only for the same date.
      #"{"id":"a:2","source":"activitywatch","kind":"window","start":"2024-01-15T08:00:00.000Z","duration":1}"#,
      #"{"id":"a:3","source":"activitywatch","kind":"window","start":"3024-01-05T08:00:00.000Z","duration":1}"#,
      #"{"id":"a:4","source":"activitywatch","kind":"window","start":"2024-02-29T23:59:59.999Z","duration":1}"#,
      #"{"id":"a:5","source":"activitywatch","kind":"window","start":"0001-01-01T00:00:00.000Z","duration":1}"#,
      // The scanner leaves these to the full decoder, which finds them canonical.
      head + #"0.0001}"#,
      head + #"0.30000000000000004}"#,
    ]
    let result = try compareViews(lines(canonical))
    #expect(result.events == canonical.count && result.canonical == canonical.count && result.rejects == 0)
  }

  @Test func otherValidLinesGoTheLongWayAndComeOutCanonical() throws {
    let other = [
      head + #" 60}"#,  // a space
      head + #"60.0}"#,  // a whole number with a fraction
      head + #"60.50}"#,  // a trailing zero
      head + #"1e2}"#,  // an exponent
      head + #"0.00001}"#,  // written with an exponent by the writer
      head + #"1,"app":null}"#,  // null for an absent field
      head + #"1,"attrs":{}}"#,  // empty attrs are left out
      head + #"1,"v":1}"#,  // the version is not written
      head + #"1,"title":"a\/b"}"#,  // an escape the writer does not write
      head + #"1,"title":"\u00e9"}"#,
      head + #"1,"title":"\u000A"}"#,
      head + #"1,"title":"\ud83d\ude00"}"#,
      head + #"1,"title":"t","app":"a"}"#,  // out of order
      #"{"source":"activitywatch","id":"a:1","kind":"window","start":"2024-03-01T08:00:00.000Z","duration":1}"#,
      #"{"id":"a:1","source":"activitywatch","kind":"window","start":"2024-03-01T10:00:00.000+02:00","duration":1}"#,
      #"{"id":"a:1","source":"activitywatch","kind":"window","start":"2024-03-01T08:00:00Z","duration":1}"#,
      head + #"1,"attrs":{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}}"# + "\r",
    ]
    let result = try compareViews(lines(other))
    #expect(result.events == other.count && result.canonical == 0 && result.rejects == 0)
  }

  @Test func invalidLinesAreRejectedAsTheFullDecoderRejectsThem() throws {
    let bad = [
      head + #"-1}"#,
      head + #"1,"attrs":{"k":1,"k":2}}"#,
      head + #"1,"attrs":{"o":{"k":1,"k":2}}}"#,
      head + #"1,"title":"\u0"}"#,
      head + #"1,"productivity":3}"#,
      head + #"1,"offset":"+24:00"}"#,
      head + #"316224001}"#,  // longer than 3660 days
      #"{"id":"a:1","source":"activitywatch","kind":"window","start":"9999-12-31T23:59:59.000Z","duration":2}"#,
      #"{"id":"a:1","source":"activitywatch","kind":"window","start":"2024-02-30T08:00:00.000Z","duration":2}"#,
      #"{"id":"a:1","source":"activitywatch","kind":"window","start":"2023-02-29T08:00:00.000Z","duration":2}"#,
      #"{"id":"a:1","source":"activitywatch","kind":"window","start":"0000-01-01T08:00:00.000Z","duration":2}"#,
      #"{"id":"a:1","source":"activitywatch","kind":"window","start":"2024-01-01T24:00:00.000Z","duration":2}"#,
      #"{"id":"","source":"activitywatch","kind":"window","start":"2024-03-01T08:00:00.000Z","duration":2}"#,
      head + "1,\"title\":\"\u{01}\"}",
      head + #"1,"attrs":{"n":01}}"#,
      head + #"1}}"#,
      head + #"1"#,
    ]
    // And a title that is not UTF-8 (a lone 0xFF byte).
    let notUTF8 = Array((head + "1,\"title\":\"a").utf8) + [0xFF] + Array("\"}\n".utf8)
    let result = try compareViews(lines(bad) + notUTF8)
    #expect(result.events == 0)
    #expect(result.rejects == bad.count + 1)
  }

  @Test func manyMembersAndDeepNestingGoTheLongWay() throws {
    let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
    let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
    let result = try compareViews(lines([head + "1,\"attrs\":{\(members)}}", head + "1,\"attrs\":{\"d\":\(deep)}}"]))
    #expect(result.events == 2 && result.canonical == 2)
  }

  /// Every golden output of every reader is canonical; the inputs of eidolon/ and
  /// transform/ are not all.
  @Test func theCorpusReadsTheSameBothWaysThroughAnyBuffer() throws {
    var files = 0
    var canonical = 0
    let walker = FileManager.default.enumerator(atPath: CorpusTests.corpus.path)
    while let name = walker?.nextObject() as? String {
      guard name.hasSuffix(".ndjson"), let bytes = readFile(CorpusTests.corpus.appendingPathComponent(name).path) else { continue }
      files += 1
      let result = try compareViews(bytes)
      if name.hasSuffix(".expected.ndjson") { #expect(result.canonical == result.events, "\(name)") }
      canonical += result.canonical
      #expect(try compareViews(bytes, chunk: 7).events == result.events)
    }
    #expect(files >= 90 && canonical >= 1000)
  }

  /// bench/run's Eidolon NDJSON (bench/gen, hashed ids), small: every line is canonical.
  @Test func benchDataReadsTheSameBothWays() throws {
    let result = try compareViews(try benchData(["eidolon_ndjson.py", "--hashed-ids"]))
    #expect(result.events > 500 && result.canonical == result.events && result.rejects == 0)
  }

  @Test func randomEventsWrittenCanonicallyAreAllTakenAsTheyStand() throws {
    var random = SplitMix(state: 19)
    var text: [String] = []
    for n in 0..<2000 {
      var event = Event(id: "gen:\(n)", source: "activitywatch", kind: "window",
                        start: Int64(random.below(1 << 40)), duration: Double(random.below(10_000_000)) / 1000)
      if random.below(2) == 0 { event.title = String(repeating: "é\"\\\t", count: random.below(3)) + "t\(n)" }
      if random.below(3) == 0 { event.attrs["x"] = .number(Double(random.below(1000)) / 8) }
      let out = ByteBuffer()
      EidolonNDJSONWriter.append(event, to: out)
      out.commit(-1)
      text.append(String(decoding: out.bytes, as: UTF8.self))
    }
    let result = try compareViews(lines(text))
    // Durations under 0.01 s are left to the long way (the writer's form changes below 0.0001).
    #expect(result.events == 2000 && result.canonical >= 1990)
  }

  @Test func shortBytesAreComparedAsMemcmpWouldAtEveryLengthAndPlace() {
    for length in 0..<40 {
      let a = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      a.withUnsafeBytes { a in
        #expect(a.sameShortBytes(as: a))
        for place in 0..<length {
          var b = Array(a)
          b[place] ^= 0x20
          b.withUnsafeBytes { b in #expect(!a.sameShortBytes(as: b), "length \(length), byte \(place)") }
        }
        let longer = Array(a) + [0]
        longer.withUnsafeBytes { longer in #expect(!a.sameShortBytes(as: longer)) }
      }
    }
  }
}
