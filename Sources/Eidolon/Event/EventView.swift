/// One event as a view over bytes it does not own: the hot path's record. Numbers are
/// decoded; text fields are byte ranges into the input line, or into the view's scratch
/// area where a value held escapes; attrs stay canonical JSON text. Making an owning
/// `Event` (Swift Strings, a tags array, an attrs tree) for every record was most of
/// what the NDJSON tools spent (bench/README.md, "Events as views").
///
/// A view is valid only until the reader that filled it reads its next record: every
/// range points into that reader's buffers. Keep what must outlive it with `makeEvent()`.
public final class EventView {
  /// The event as Eidolon NDJSON v1's canonical line, without the LF: byte for byte what
  /// `EidolonNDJSONWriter` writes for it.
  public internal(set) var canonicalLine = EventView.absent
  /// True when the input line was that canonical line already (passed on as it is).
  public internal(set) var inputIsCanonical = false

  public internal(set) var id = EventView.absent
  public internal(set) var source = EventView.absent
  public internal(set) var kind = EventView.absent
  /// Milliseconds since the Unix epoch, UTC.
  public internal(set) var start: Int64 = 0
  /// The start as its canonical text (`2024-03-01T08:00:00.000Z`).
  public internal(set) var startText = EventView.absent
  /// Seconds, checked against the spec (finite, 0 to 3660 days, ending by the year 9999).
  public internal(set) var duration: Double = 0
  public internal(set) var productivity: Int?
  public internal(set) var billable: Bool?
  /// The offset's text ("+02:00"); `baseAddress` nil when absent.
  public internal(set) var offset = EventView.absent
  /// The attrs object as canonical JSON text (`{...}`); empty when the event has none.
  public internal(set) var attrsJSON = EventView.absent
  /// Whether the event has a tags array (which may be empty); the tags are `tagList`.
  public internal(set) var hasTags = false
  /// The tags array as canonical JSON text (`["a","b"]`); absent when the event has none.
  public internal(set) var tagsJSON = EventView.absent
  public internal(set) var tagList: [UnsafeRawBufferPointer] = []

  /// The optional text fields by their index in `Event.optionalStringNames`.
  /// (Not an Array: each store into one checked that it was not shared.)
  let strings = UnsafeMutableBufferPointer<UnsafeRawBufferPointer>.allocate(capacity: Event.optionalStringNames.count)
  /// Unescaped text of the fields that held escapes (reserved to the line's length before
  /// a line is scanned, so it never moves while ranges point into it).
  let scratch = ByteBuffer(capacity: 4096)
  /// Keys of the attrs objects the scanner has open (kept here to reuse the storage).
  var attrsKeys: [UnsafeRawBufferPointer] = []
  /// The date of the last canonical start scanned (its first ten bytes) and its day number.
  var lastDateKey: (UInt64, UInt16) = (0, 0)
  var lastDays: Int64?
  /// The event the reader's full decoder made, when the line was not canonical.
  var decoded: Event?
  private var attrsTokenizer: JSONTokenizer?

  /// The range of an absent field.
  public static var absent: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

  public init() { strings.initialize(repeating: EventView.absent) }

  deinit { strings.deallocate() }

  /// The optional text field at `index` (of `Event.optionalStringNames`), nil when absent.
  @inline(__always)
  public func optionalString(_ index: Int) -> UnsafeRawBufferPointer? {
    let value = strings[index]
    return value.baseAddress == nil ? nil : value
  }

  /// An owning copy, good after the reader moves on; equal to what the reader's
  /// `next()` returns for the same line.
  public func makeEvent() throws -> Event {
    if let decoded { return decoded }
    var event = Event(id: EventView.text(id), source: EventView.text(source), kind: EventView.text(kind), start: start,
                      duration: duration)
    for index in strings.indices where strings[index].baseAddress != nil {
      event.setOptionalString(index, EventView.text(strings[index]))
    }
    event.productivity = productivity
    if hasTags { event.tags = tagList.map(EventView.text) }
    event.billable = billable
    if offset.baseAddress != nil { event.offset = EventView.text(offset) }
    if !attrsJSON.isEmpty {
      let tokenizer = attrsTokenizer ?? JSONTokenizer(fileName: "attrs")
      attrsTokenizer = tokenizer
      tokenizer.reset(line: attrsJSON, lineNumber: 1, offset: 0)
      _ = try tokenizer.next()
      event.attrs = try tokenizer.readObjectMembers()
    }
    return event
  }

  /// Makes this the view of `event`: its canonical line is written into `line` (the
  /// view's bytes from then on) and scanned.
  func fill(from event: Event, line: ByteBuffer) throws {
    line.removeAll()
    EidolonNDJSONWriter.append(event, to: line)
    line.commit(-1)  // the LF
    guard CanonicalLineScanner.scan(line.bytes, into: self, trusted: true) else {
      throw EidolonError(.unsupported, "internal error: the canonical line of event \"\(event.id)\" does not scan; please report it")
    }
    start = event.start
    duration = event.duration
    productivity = event.productivity
    billable = event.billable
    decoded = event
    inputIsCanonical = false
  }

  /// Bytes already checked as UTF-8, as a String.
  @inline(__always)
  static func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

  /// Forgets the last record's fields.
  func clear() {
    for index in strings.indices { strings[index] = EventView.absent }
    productivity = nil
    billable = nil
    offset = EventView.absent
    attrsJSON = EventView.absent
    hasTags = false
    tagsJSON = EventView.absent
    if !tagList.isEmpty { tagList.removeAll(keepingCapacity: true) }
    // Storing nil copies the whole Optional<Event>: only when there is one to forget.
    if hasDecoded { decoded = nil }
  }

  private var hasDecoded: Bool {
    if case .some = decoded { return true }
    return false
  }
}

extension UnsafeRawBufferPointer {
  /// True when both hold the same bytes.
  @inline(__always)
  func sameBytes(as other: UnsafeRawBufferPointer) -> Bool {
    count == other.count && (count == 0 || memcmp(baseAddress!, other.baseAddress!, count) == 0)
  }

  /// `sameBytes` compared a word at a time in line, for short texts (names) where the
  /// call to memcmp costs more than the compare: overlapping words at the ends, no byte
  /// read outside either buffer.
  @inline(__always)
  func sameShortBytes(as other: UnsafeRawBufferPointer) -> Bool {
    let count = self.count
    guard count == other.count else { return false }
    if count >= 8 {
      var i = 0
      while i + 8 < count {
        if loadUnaligned(fromByteOffset: i, as: UInt64.self) != other.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
          return false
        }
        i += 8
      }
      return loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    if count >= 4 {
      return loadUnaligned(as: UInt32.self) == other.loadUnaligned(as: UInt32.self)
        && loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == other.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
    }
    for i in 0..<count where self[i] != other[i] { return false }
    return true
  }

  /// True when these are the literal's bytes.
  @inline(__always)
  func sameBytes(as literal: StaticString) -> Bool {
    sameBytes(as: UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
