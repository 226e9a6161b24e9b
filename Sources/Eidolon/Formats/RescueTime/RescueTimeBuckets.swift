/// The bucket the API reader's rows fall in: its label (the Date as if UTC), its start
/// and end in UTC, the offset in force, how far --layout has filled it, and the repeat
/// counts of its ids. One per reader, shared by its two ways of reading a row (the
/// general one and `RescueTimeRowScanner`), so rows read either way place alike.
final class RescueTimeBuckets {
  private let zone: ZoneConverter?
  private let diagnostics: Diagnostics
  private let fileName: String
  /// The bucket size, once given or inferred; nil while unknown.
  var resolution: RescueTimeResolution? {
    didSet { if resolution != oldValue { writing &+= 1 } }
  }
  /// Counts the changes of what a row's line is written with besides its cells (the offset
  /// and the resolution): the rows' tails kept under one count (`SeenRowParts`) hold
  /// for that count only.
  private(set) var writing = 0
  private(set) var label: Int64?
  /// The bucket's start in UTC milliseconds, and its end (known with `resolution`).
  private(set) var start: Int64 = 0
  private(set) var end: Int64 = 0
  /// The offset in force at the start, in seconds (nil when read as UTC).
  private(set) var offsetSeconds: Int?
  /// The same as text ("+02:00").
  var offset: String? { offsetSeconds.map(offsetText) }
  /// Seconds laid out in the bucket so far (--layout).
  private var cursor: Double = 0
  private var lastOverlapLabel: Int64?
  /// The last offset's seconds and text (a String made per bucket was a tenth of rt-read).
  private var lastOffset: (Int, String)?
  var repeats = RescueTimeRepeats()
  /// False on a thread of `BothCores` until its block's rows set `lastOverlapLabel`:
  /// entering a bucket of the repeated hour then needs the rows before the block
  /// (`neededRowsBefore` says so; the row is read again by the reading thread).
  var overlapLabelKnown = true
  private(set) var neededRowsBefore = false

  init(zone: ZoneConverter?, resolution: RescueTimeResolution?, diagnostics: Diagnostics, fileName: String) {
    self.zone = zone
    self.resolution = resolution
    self.diagnostics = diagnostics
    self.fileName = fileName
  }

  /// The same buckets, as they stand, for another thread (a zone converter of its own).
  func copy(diagnostics: Diagnostics) -> RescueTimeBuckets {
    let copy = RescueTimeBuckets(zone: zone?.forAnotherThread(), resolution: resolution, diagnostics: diagnostics, fileName: fileName)
    copy.label = label
    copy.start = start
    copy.end = end
    copy.offsetSeconds = offsetSeconds
    copy.cursor = cursor
    copy.lastOverlapLabel = lastOverlapLabel
    copy.lastOffset = lastOffset
    copy.repeats = repeats
    return copy
  }

  /// The next row begins a bucket after rows this one did not see (`CSVRowLines.startRun`).
  func startRun() {
    label = nil
    cursor = 0
    repeats = RescueTimeRepeats()
    neededRowsBefore = false
  }

  /// The last bucket of the repeated hour entered (`CSVRowLines.carry`).
  var overlapLabel: Int64? {
    get { lastOverlapLabel }
    set { lastOverlapLabel = newValue }
  }

  func clearNeededRowsBefore() { neededRowsBefore = false }

  /// Makes the bucket a Date names the current one; a new bucket resets the layout.
  func enter(_ parsed: ParsedTimestamp) { enter(parsed, label: parsed.local.secondsAsIfUTC) }

  /// `enter(_:)` with the Date's `secondsAsIfUTC` (its label) known: the start and the end
  /// from wall-clock seconds, with no date made (five conversions of a date to seconds
  /// and one back for each bucket were about 3% of rt-read's instructions).
  func enter(_ parsed: ParsedTimestamp, label: Int64) {
    guard label != self.label else { return }
    self.label = label
    cursor = 0
    let subsecond = Int64(parsed.local.nanosecond / 1_000_000)
    let offsetBefore = offsetSeconds
    (start, offsetSeconds) = instant(wall: label, subsecondMillis: subsecond, offsetSeconds: parsed.offsetSeconds)
    if offsetSeconds != offsetBefore { writing &+= 1 }
    if let resolution {
      let end = resolution.endWall(ofBucket: parsed.local, wall: label)
      self.end = instant(wall: end, subsecondMillis: 0, offsetSeconds: parsed.offsetSeconds).0
    }
  }

  /// The wall-clock time `wall` (`secondsAsIfUTC`) and `subsecondMillis` more, written with
  /// `offsetSeconds` or none, as UTC milliseconds and its offset in seconds (nil when read
  /// as UTC).
  private func instant(wall label: Int64, subsecondMillis: Int64, offsetSeconds: Int?) -> (Int64, Int?) {
    if let offset = offsetSeconds { return ((label - Int64(offset)) * 1000 + subsecondMillis, offset) }
    // (The property itself, not bound to a name: bound, it was retained and released for
    // each bucket.)
    guard zone != nil else { return (label * 1000 + subsecondMillis, nil) }
    let (millis, resolution) = zone!.toUTCMillis(wall: label, subsecondMillis: subsecondMillis)
    if resolution == .overlap && !overlapLabelKnown {
      neededRowsBefore = true
      return (millis, zone!.offset(atMillis: millis))
    }
    // Once per bucket in the repeated hour: its rows all share the one date.
    let repeated = resolution == .overlap && lastOverlapLabel == label
    if resolution == .overlap { lastOverlapLabel = label }
    if !repeated, let warning = zone!.warning("the bucket \(Timestamp.canonical(label * 1000).prefix(19))", resolution) {
      diagnostics.warn(warning, file: fileName, position: nil)
    }
    return (millis, zone!.offset(atMillis: millis))
  }

  private func offsetText(_ seconds: Int) -> String {
    if let lastOffset, lastOffset.0 == seconds { return lastOffset.1 }
    let text = Timestamp.formatOffset(seconds)
    lastOffset = (seconds, text)
    return text
  }

  /// --layout: where a row of `seconds` starts (where the bucket's previous rows end) and
  /// how long it lasts there (cut at the bucket's end).
  func lay(seconds: Double) -> (start: Int64, duration: Double) {
    let start = min(self.start + Int64((cursor * 1000).rounded()), end)
    let room = Double(end - start) / 1000
    cursor += seconds
    return (start, seconds > room ? max(0, room) : seconds)
  }
}
