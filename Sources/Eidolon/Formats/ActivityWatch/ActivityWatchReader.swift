#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads ActivityWatch exports, `{"buckets": {"<key>": {bucket fields..., "events": [...]}}}`
/// from either server, whole or per bucket, pretty-printed or not, in constant memory.
///
/// Events stream straight out when their bucket's fields (type, client, hostname,
/// created, data) came before "events", as every server writes them. When "events"
/// comes first, the bucket's events are spilled to a temporary file and read back
/// once the bucket's fields are known. Bad events are rejected through `Diagnostics`;
/// a file that is not valid JSON stops the read.
///
/// Streamed events of the usual shape are read straight from their bytes into their
/// canonical line (`ActivityWatchEventScanner`); any other goes through the JSON tree and
/// `ActivityWatchMapping`. `nextView()` hands out either as a view over that line.
public final class ActivityWatchReader: EventReader, EventViewReader {
  public struct Options: Sendable {
    /// Only buckets whose id matches this glob (fnmatch), when set.
    public var bucketGlob: String?
    /// Only buckets of this type, when set.
    public var type: String?
    /// Events of the usual shape read straight from their bytes. False: every event
    /// through the JSON tree and the mapping (the reference the tests and fuzzers hold
    /// the fast way to).
    public var scansEvents = true
    public init() {}

    /// True when `bucket` passes the id glob and the type filter.
    public func wants(_ bucket: ActivityWatchBucket) -> Bool {
      if let type, bucket.type != type { return false }
      if let bucketGlob, fnmatch(bucketGlob, bucket.id, 0) != 0 { return false }
      return true
    }
  }

  private enum State {
    case start, buckets, bucketFields, events, replay, end
  }

  private let tokenizer: JSONTokenizer
  private let input: ByteReader
  private let diagnostics: Diagnostics
  private let options: Options
  private var state = State.start
  private var bucket = ActivityWatchBucket(id: "")
  private var bucketPosition = SourcePosition(line: 1, column: 1, byteOffset: 0)
  private var bucketHadEvents = false
  private var streamedEvents = 0
  private var spill: JSONValueSpill?
  private let idScratch = ByteBuffer(capacity: 1024)
  private let scanner = ActivityWatchEventScanner()
  /// The bucket's text for the scanner while its events stream and are wanted.
  private var scannedBucket: ActivityWatchEventScanner.BucketText?
  private let records = ScannedRecords()
  /// Buckets read so far (for the summary).
  public private(set) var bucketCount = 0
  /// Events the scanner took (the rest went through the tree).
  private(set) var scannedEvents = 0

  /// Where `cutEvents` finds a run's events: their starts, ends and positions.
  private static let runCapacity = 256
  private let runStarts = UnsafeMutablePointer<Int>.allocate(capacity: ActivityWatchReader.runCapacity)
  private let runEnds = UnsafeMutablePointer<Int>.allocate(capacity: ActivityWatchReader.runCapacity)
  private let runPositions = UnsafeMutablePointer<SourcePosition>.allocate(capacity: ActivityWatchReader.runCapacity)

  public init(input: ByteReader, diagnostics: Diagnostics, options: Options = Options()) {
    self.input = input
    self.diagnostics = diagnostics
    self.options = options
    tokenizer = JSONTokenizer(reader: input)
  }

  deinit {
    runStarts.deallocate()
    runEnds.deallocate()
    runPositions.deallocate()
  }

  public var bytesRead: Int64 { input.consumedOffset }
  public var fileName: String { input.name }

  private func fail(_ message: String, _ position: SourcePosition? = nil) -> EidolonError {
    EidolonError(.syntax, message, file: input.name, position: position ?? tokenizer.tokenPosition)
  }

  /// The longest event the scanner is offered; a longer one goes through the tree.
  static let maxScannedEventBytes = 1 << 20

  public func next() throws -> Event? { try records.event(nextRecord(), fill: { self.scanner.fill($0) }) }

  /// The next event as a view over its canonical line, valid until the next call.
  public func nextView() throws -> EventView? { try records.view(nextRecord(), fill: { self.scanner.fill($0) }) }

  private func nextRecord() throws -> ScannedRecords.Record? {
    while true {
      switch state {
      case .start:
        guard try tokenizer.next() == .beginObject else {
          throw fail("an ActivityWatch export is a JSON object with \"buckets\"")
        }
        try findBuckets()
      case .buckets:
        let token = try tokenizer.next()
        if token == .endObject {
          try skipRestOfDocument()
          continue
        }
        let key = tokenizer.stringValue()
        bucketPosition = tokenizer.tokenPosition
        guard try tokenizer.next() == .beginObject else {
          throw fail("bucket \"\(key)\" must be an object", bucketPosition)
        }
        bucket = ActivityWatchBucket(id: key)
        scannedBucket = nil
        bucketHadEvents = false
        streamedEvents = 0
        bucketCount += 1
        state = .bucketFields
      case .bucketFields:
        try readBucketField()
      case .events:
        if let scannedBucket {
          let took = try tokenizer.offerRawValue(maxBytes: ActivityWatchReader.maxScannedEventBytes) {
            scanner.scan($0, bucket: scannedBucket)
          }
          if took {
            streamedEvents += 1
            scannedEvents += 1
            return .scanned
          }
        }
        let token = try tokenizer.next()
        if token == .endArray {
          state = .bucketFields
          continue
        }
        let position = tokenizer.tokenPosition
        let value = try tokenizer.readValue(startingWith: token)
        guard options.wants(bucket) else { continue }
        if let event = try convert(value, at: position) {
          streamedEvents += 1
          return records.converted(event)
        }
      case .replay:
        guard let spill else {
          state = .buckets
          continue
        }
        if let (value, position) = try spill.next() {
          if let event = try convert(value, at: position) {
            return records.converted(event)
          }
        } else {
          self.spill = nil
          state = .buckets
        }
      case .end:
        return nil
      }
    }
  }

  /// Moves to the inside of "buckets", skipping any other top-level member.
  private func findBuckets() throws {
    guard try tokenizer.seekMember("buckets") else {
      throw fail("no \"buckets\" in this file: is it an ActivityWatch export?")
    }
    guard try tokenizer.next() == .beginObject else {
      throw fail("\"buckets\" must be an object keyed by bucket id (a list is an old or hand-made format)")
    }
    state = .buckets
  }

  private func skipRestOfDocument() throws {
    try tokenizer.skipRestOfObject()
    guard try tokenizer.next() == .end else { throw fail("unexpected data after the export") }
    state = .end
  }

  private func readBucketField() throws {
    let token = try tokenizer.next()
    if token == .endObject {
      try endBucket()
      return
    }
    let key = tokenizer.stringValue()
    let keyPosition = tokenizer.tokenPosition
    if key == "events" {
      bucketHadEvents = true
      let value = try tokenizer.next()
      if value == .null { return }
      guard value == .beginArray else { throw fail("\"events\" of bucket \"\(bucket.id)\" must be a list", keyPosition) }
      if bucket.isComplete {
        state = .events
        scannedBucket = options.scansEvents && options.wants(bucket) ? ActivityWatchEventScanner.BucketText(bucket) : nil
      } else {
        try spillEvents()
      }
      return
    }
    let value = try tokenizer.readValue(startingWith: try tokenizer.next())
    let carried = bucket.set(key, value)
    if carried && streamedEvents > 0 {
      diagnostics.warn(
        "bucket \"\(bucket.id)\": \"\(key)\" comes after its events, so the \(streamedEvents) events before it do not carry it",
        file: input.name, position: keyPosition)
    }
  }

  private func spillEvents() throws {
    let spill = try JSONValueSpill()
    while true {
      let token = try tokenizer.next()
      if token == .endArray { break }
      let position = tokenizer.tokenPosition
      try spill.append(try tokenizer.readValue(startingWith: token), at: position)
    }
    try spill.finishWriting()
    self.spill = spill
  }

  private func endBucket() throws {
    if !bucketHadEvents {
      try diagnostics.reject(
        EidolonError(.data, "bucket \"\(bucket.id)\" has no \"events\" list", file: input.name, position: bucketPosition),
        raw: nil)
    }
    if let spill {
      if options.wants(bucket) {
        try spill.startReading()
        state = .replay
        return
      }
      self.spill = nil
    }
    state = .buckets
  }

  private func convert(_ value: JSONValue, at position: SourcePosition) throws -> Event? {
    try ActivityWatchReader.convert(value, at: position, bucket: bucket, file: input.name, scratch: idScratch,
                                    diagnostics: diagnostics)
  }

  /// The event `value` of `bucket` through the mapping, checked against the spec; nil
  /// when it is rejected (told to `diagnostics`, at `position` in `file`).
  static func convert(_ value: JSONValue, at position: SourcePosition, bucket: ActivityWatchBucket, file: String,
                      scratch: ByteBuffer, diagnostics: Diagnostics) throws -> Event? {
    do {
      guard case .object(let object) = value else {
        throw EidolonError(.data, "an event must be an object")
      }
      let event = try ActivityWatchMapping.event(from: object, bucket: bucket, scratch: scratch)
      try EventSpec.check(event)
      return event
    } catch var error as EidolonError where error.isRecordError {
      error.file = file
      error.position = position
      error.message = "bucket \"\(bucket.id)\": " + error.message
      let raw = ByteBuffer(capacity: 256)
      raw.appendJSON(value)
      try diagnostics.reject(error, raw: raw.bytes)
      return nil
    }
  }

  // MARK: Events cut whole for other threads (ActivityWatchBlocks.swift)

  /// True while the next step is an event of a streaming bucket `cutEvent` may cut.
  var cutsEvents: Bool { state == .events && scannedBucket != nil }

  /// The bucket whose events `cutEvent` cuts now; nil when the next step is not one of them.
  var cuttingBucket: (bucket: ActivityWatchBucket, text: ActivityWatchEventScanner.BucketText)? {
    guard state == .events, let scannedBucket else { return nil }
    return (bucket, scannedBucket)
  }

  /// Deepest an event is cut at; a deeper one is read here, the usual way.
  static let maxCutDepth = 64

  /// Moves past the next event of the bucket being cut, handing `take` its bytes (at most
  /// `maxScannedEventBytes`), where it starts, and how much deeper it may nest (the
  /// tokenizer's limit less the depth it lies at).
  /// False, with nothing consumed, at the end of the events or for an event not cut this
  /// way: `nextView()` then takes the next step.
  func cutEvent(_ take: (UnsafeRawBufferPointer, SourcePosition, Int) -> Void) throws -> Bool {
    guard cutsEvents else { return false }
    let tokenizer = self.tokenizer
    return try tokenizer.offerRawValue(maxBytes: ActivityWatchReader.maxScannedEventBytes) { bytes in
      let scan = JSONValueEnd.find(bytes, maxDepth: ActivityWatchReader.maxCutDepth)
      if case .took(let count) = scan {
        take(UnsafeRawBufferPointer(rebasing: bytes[..<count]), tokenizer.tokenPosition, tokenizer.maxDepth - tokenizer.depth)
      }
      return scan
    }
  }

  /// As `cutEvent`, for the events of the bucket being cut that follow each other whole in
  /// the bytes read so far, in one run, into `block` until it holds `blockBytes` bytes.
  /// False, with nothing consumed, when none does: `cutEvent` then takes the next one.
  func cutEvents(into block: ActivityWatchEventBlock, blockBytes: Int) throws -> Bool {
    guard cutsEvents else { return false }
    let tokenizer = self.tokenizer
    let (run, count) = try tokenizer.takeRawValueRun(
      maxBytes: ActivityWatchReader.maxScannedEventBytes, maxDepth: ActivityWatchReader.maxCutDepth,
      limit: blockBytes - block.input.count, starts: runStarts, ends: runEnds, positions: runPositions,
      capacity: ActivityWatchReader.runCapacity)
    guard count > 0 else { return false }
    block.add(run: run, count: count, starts: runStarts, ends: runEnds, positions: runPositions,
              depthLeft: tokenizer.maxDepth - tokenizer.depth)
    return true
  }

  /// Counts events of the bucket being cut that were read elsewhere, as if read here.
  func countCutEvents(streamed: Int, scanned: Int) {
    streamedEvents += streamed
    scannedEvents += scanned
  }
}
