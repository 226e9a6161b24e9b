/// Runs `TransformOptions` over a stream of events, in front of `writer`: a chain of
/// stages, each an EventWriter handing on to the next. Streams in constant memory;
/// the steps that need start order check for it.
public final class EventTransformer: EventWriter {
  private let options: TransformOptions
  private var head: EventWriter
  private let tail: CountingStage
  private var stages: [TransformStage] = []
  /// The step of --since, --until, --source, --kind and --where, when there is one.
  private var filterStage: MapStage?
  /// --source and --kind as bytes, to judge views by.
  /// (Set in `init`: threads passing blocks read them at once.)
  private let sourceNames: [[UInt8]]
  private let kindNames: [[UInt8]]
  public private(set) var eventsIn = 0
  private var zoneGaps = 0
  private var zoneOverlaps = 0

  public init(options: TransformOptions, writer: EventWriter) {
    self.options = options
    sourceNames = options.sources.map { Array($0.utf8) }
    kindNames = options.kinds.map { Array($0.utf8) }
    tail = CountingStage(next: writer)
    head = tail
    // Built from the last step back to the first.
    if options.domainOnly || !options.redact.isEmpty || !options.hash.isEmpty {
      let hasher = options.hash.isEmpty ? nil : KeyedHash(salt: options.salt)
      add(MapStage(next: head, dropping: "privacy") { event in
        EventTransformer.protect(&event, options, hasher)
        return true
      })
    }
    if let minimum = options.minDuration {
      add(MapStage(next: head, dropping: "shorter than --min-duration") { $0.duration >= minimum })
    }
    if options.splitAtMidnight.enabled { add(MidnightSplitStage(next: head, zone: options.splitAtMidnight.zone)) }
    if options.clipOverlaps { add(ClipOverlapsStage(next: head)) }
    if let gap = options.mergeGapSeconds { add(MergeGapStage(next: head, gapSeconds: gap, keyFields: options.mergeOn)) }
    if options.dedupe { add(DedupeStage(next: head)) }
    if let periods = options.notAfk { add(NotAfkStage(next: head, periods: periods)) }
    for rules in options.ruleSets.reversed() {
      add(MapStage(next: head, dropping: "dropped by \(rules.fileName)") { rules.apply(&$0) })
    }
    if options.hasFilters {
      let filter = MapStage(next: head, dropping: "filtered out") { options.keeps($0) }
      add(filter)
      filterStage = filter
    }
    if options.assumeZone != nil || options.shiftMillis != 0 {
      add(MapStage(next: head, dropping: "time") { [unowned self] event in
        self.fixTime(&event)
        return true
      })
    }
  }

  private func add(_ stage: TransformStage) {
    stages.append(stage)
    head = stage
  }

  public func write(_ event: Event) throws {
    eventsIn += 1
    try head.write(event)
  }

  public func finish() throws { try head.finish() }

  /// True when no step changes an event: no options, or only filters on start, source
  /// and kind (--since, --until, --source, --kind). Events may then go through `pass`
  /// as views, and those kept come out as they went in.
  public var takesViews: Bool {
    stages.isEmpty || (stages.count == 1 && filterStage != nil && options.wheres.isEmpty)
  }

  /// Writes a view's canonical line to `sink` when `takesViews` and the filters keep it
  /// (no Event is made), counted as `write` counts.
  public func pass(_ view: EventView, to sink: OutputSink) throws {
    eventsIn += 1
    if let filter = filterStage, !keeps(view) {
      filter.dropped += 1
      return
    }
    tail.count += 1
    sink.buffer.append(view.canonicalLine)
    sink.buffer.append(0x0A)
    try sink.flushIfFull()
  }

  public var eventsOut: Int { tail.count }

  /// Counts what a block passed elsewhere (`passAll`) as `pass` would have.
  func addPassed(eventsIn read: Int, dropped: Int, kept: Int) {
    eventsIn += read
    filterStage?.dropped += dropped
    tail.count += kept
  }

  private func fixTime(_ event: inout Event) {
    if let zone = options.assumeZone {
      let seconds = CivilTime.floorDiv(event.start, 1000)
      var local = LocalDateTime(secondsAsIfUTC: seconds)
      local.nanosecond = Int(event.start - seconds * 1000) * 1_000_000
      let (millis, resolution) = zone.toUTCMillis(local)
      switch resolution {
      case .exact: break
      case .gap: zoneGaps += 1
      case .overlap: zoneOverlaps += 1
      }
      event.start = millis
      event.offset = Timestamp.formatOffset(zone.offset(atMillis: millis))
    }
    event.start += options.shiftMillis
  }

  static func protect(_ event: inout Event, _ options: TransformOptions, _ hasher: KeyedHash?) {
    for field in options.redact {
      switch field {
      case .text(let index): event.setOptionalString(index, nil)
      case .tags: event.tags = nil
      case .attr(let name): event.attrs[name] = nil
      default: break
      }
    }
    if let hasher {
      for field in options.hash {
        switch field {
        case .id: event.id = hasher.hash(event.id)
        case .text(let index): event.setOptionalString(index, event.optionalString(index).map(hasher.hash))
        case .tags: event.tags = event.tags?.map(hasher.hash)
        case .attr(let name):
          if let value = event.attrs[name], value != .null {
            let text = value.stringValue ?? { let out = ByteBuffer(); out.appendJSON(value); return String(decoding: out.bytes, as: UTF8.self) }()
            event.attrs[name] = .string(hasher.hash(text))
          }
        default: break
        }
      }
    }
    if options.domainOnly, let url = event.url { event.url = EventTransformer.siteOnly(url) }
  }

  /// "https://github.com/a/b?q" → "https://github.com/": the scheme and host only.
  static func siteOnly(_ url: String) -> String {
    var scheme = ""
    var rest = Substring(url)
    if let separator = rest.range(of: "://") {
      scheme = String(rest[..<separator.upperBound])
      rest = rest[separator.upperBound...]
    }
    if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
    if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
    return scheme + rest + "/"
  }

  /// One line per step that changed anything, for the summary on stderr.
  public func summaryLines() -> [String] {
    var lines = stages.reversed().compactMap(\.summary)
    if zoneGaps > 0 { lines.append("\(zoneGaps) times fell in a DST gap of \(options.assumeZone!.identifier) (moved forward)") }
    if zoneOverlaps > 0 { lines.append("\(zoneOverlaps) times fell in a repeated DST hour of \(options.assumeZone!.identifier) (first taken)") }
    return lines
  }
}

extension EventTransformer {
  /// `TransformOptions.keeps` for a view, without --where (`takesViews` is false with it).
  /// Reads only what `init` set: threads passing blocks call it at once.
  func keeps(_ view: EventView) -> Bool {
    if let since = options.since, view.start < since { return false }
    if let until = options.until, view.start >= until { return false }
    if !sourceNames.isEmpty && !sourceNames.contains(where: { $0.withUnsafeBytes { $0.sameBytes(as: view.source) } }) { return false }
    if !kindNames.isEmpty && !kindNames.contains(where: { $0.withUnsafeBytes { $0.sameBytes(as: view.kind) } }) { return false }
    return true
  }
}

extension TransformOptions {
  var hasFilters: Bool {
    since != nil || until != nil || !sources.isEmpty || !kinds.isEmpty || !wheres.isEmpty
  }

  func keeps(_ event: Event) -> Bool {
    if let since, event.start < since { return false }
    if let until, event.start >= until { return false }
    if !sources.isEmpty && !sources.contains(event.source) { return false }
    if !kinds.isEmpty && !kinds.contains(event.kind) { return false }
    for (field, test) in wheres {
      var found = false
      switch test {
      case .equals(let value):
        _ = field.forEachText(of: event) { found = $0 == value; return found }
        if !found { return false }
      case .notEquals(let value):
        _ = field.forEachText(of: event) { found = $0 == value; return found }
        if found { return false }
      }
    }
    return true
  }
}
