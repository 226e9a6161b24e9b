@testable import Eidolon
import Testing

/// Reads one input three ways: the general way alone (the reference: `fast` false), views
/// with the reader's fast way, and Events with it. Checks that every event, every
/// canonical line, every reject and every message is the same, and returns how many
/// events there were and how many of them the fast way took (`taken`, read after). A CSV
/// reader whose rows go to blocks (`BothCores`) is read so too, at several block sizes
/// and thread counts: the reference's lines, messages, rejects and stop.
@discardableResult
func compareReadingWays<Reader: EventViewReader>(
  _ make: (Diagnostics, _ fast: Bool) -> Reader, taken: (Reader) -> Int, sourceLocation: SourceLocation = #_sourceLocation
) throws -> (events: Int, scanned: Int) {
  var messages: [[String]] = [[], [], []]
  let diagnostics = (0..<3).map { index in
    let diagnostics = Diagnostics(toolName: "test", messageLimit: 0)
    diagnostics.messageHandler = { messages[index].append($0) }
    return diagnostics
  }
  let reference = make(diagnostics[0], false)
  let viewReader = make(diagnostics[1], true)
  let eventReader = make(diagnostics[2], true)
  var events = 0
  let written = ByteBuffer()
  var lines: [UInt8] = []
  var stop: String?
  func outcome<T>(_ body: () throws -> T) -> Result<T, EidolonError> {
    do { return .success(try body()) } catch let error as EidolonError { return .failure(error) } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
      return .failure(EidolonError(.io, "\(error)"))
    }
  }
  while true {
    let expected = outcome { try reference.next() }
    let view = outcome { try viewReader.nextView() }
    let event = outcome { try eventReader.next() }
    switch (expected, view, event) {
    case (.success(let expected?), .success(let view?), .success(let event)):
      events += 1
      #expect(event == expected, sourceLocation: sourceLocation)
      #expect(try view.makeEvent() == expected, sourceLocation: sourceLocation)
      written.removeAll()
      EidolonNDJSONWriter.append(expected, to: written)
      lines.append(contentsOf: written.bytes)
      written.commit(-1)
      #expect(String(decoding: view.canonicalLine, as: UTF8.self) == String(decoding: written.bytes, as: UTF8.self),
              sourceLocation: sourceLocation)
      #expect(view.start == expected.start && view.duration == expected.duration, sourceLocation: sourceLocation)
      expectSameFields(view, asScannedFrom: written, sourceLocation: sourceLocation)
      continue
    case (.success(nil), .success(nil), .success(nil)):
      break
    case (.failure(let a), .failure(let b), .failure(let c)):
      stop = a.description
      #expect(a.description == b.description && a.description == c.description, sourceLocation: sourceLocation)
    default:
      Issue.record("the ways disagree: \(expected) / \(view) / \(event)", sourceLocation: sourceLocation)
    }
    break
  }
  #expect(messages[1] == messages[0] && messages[2] == messages[0], sourceLocation: sourceLocation)
  #expect(diagnostics[1].rejectCount == diagnostics[0].rejectCount, sourceLocation: sourceLocation)
  if make(Diagnostics(toolName: "test"), true) is CSVRowBlockReading {
    for (blockBytes, threads) in [(1, 2), (97, 3), (BothCores.csvBlockBytes, 1), (BothCores.csvBlockBytes, 2)] {
      var blockMessages: [String] = []
      let blockDiagnostics = Diagnostics(toolName: "test", messageLimit: 0)
      blockDiagnostics.messageHandler = { blockMessages.append($0) }
      let reader = make(blockDiagnostics, true) as! CSVRowBlockReading
      let path = temporaryDirectory() + "/out.ndjson"
      let sink = try OutputSink.open(path)
      var count = 0
      var blockStop: String?
      do {
        try BothCores(diagnostics: blockDiagnostics, keeping: { _ in true }, blockBytes: blockBytes, threads: threads)
          .copy(reader, bytesRead: { 0 }, to: sink, events: &count, bytesBefore: 0)
      } catch let error as EidolonError {
        blockStop = error.description
      }
      try sink.finish()
      let output = readFile(path) ?? []
      let context = "blocks of \(blockBytes) bytes on \(threads) threads"
      let firstDifference = zip(output, lines).prefix { $0 == $1 }.count
      #expect(output.count == lines.count && firstDifference == lines.count,
              "\(context): output differs at byte \(firstDifference)", sourceLocation: sourceLocation)
      #expect(count == events, "\(context): \(count) events against \(events)", sourceLocation: sourceLocation)
      #expect(blockStop == stop, "\(context): stop \(blockStop ?? "none") against \(stop ?? "none")", sourceLocation: sourceLocation)
      #expect(blockMessages == messages[0], "\(context): messages differ", sourceLocation: sourceLocation)
      #expect(blockDiagnostics.rejectCount == diagnostics[0].rejectCount, sourceLocation: sourceLocation)
    }
  }
  return (events, taken(viewReader))
}

/// Checks a view a reader filled itself against the view the canonical scanner makes of
/// the writer's line: every range the loader binds, not only what `makeEvent` reads.
func expectSameFields(_ view: EventView, asScannedFrom line: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) {
  let reference = EventView()
  guard CanonicalLineScanner.scan(line.bytes, into: reference, trusted: true) else {
    Issue.record("the writer's line does not scan", sourceLocation: sourceLocation)
    return
  }
  func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    (a.baseAddress == nil) == (b.baseAddress == nil) && Array(a) == Array(b)
  }
  #expect(same(view.id, reference.id) && same(view.source, reference.source) && same(view.kind, reference.kind)
          && same(view.startText, reference.startText) && same(view.tagsJSON, reference.tagsJSON)
          && same(view.offset, reference.offset) && same(view.attrsJSON, reference.attrsJSON),
          "fixed fields differ", sourceLocation: sourceLocation)
  for index in Event.optionalStringNames.indices {
    let a = view.optionalString(index), b = reference.optionalString(index)
    #expect((a == nil) == (b == nil) && a.map(Array.init) == b.map(Array.init), "\(Event.optionalStringNames[index]) differs",
            sourceLocation: sourceLocation)
  }
  #expect(view.hasTags == reference.hasTags && view.tagList.map(Array.init) == reference.tagList.map(Array.init),
          sourceLocation: sourceLocation)
  // (Trusted: the scanner leaves billable and productivity to the maker of the line.)
}
