import ArgumentParser
import Eidolon

/// Which stored events to read back: the filters eid-dump and `eidolon migrate export` share.
public struct StoreFilterOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Only events from this source (repeatable).", valueName: "source"))
  public var source: [String] = []

  @Option(help: ArgumentHelp("Only events of this stream (repeatable).", valueName: "stream"))
  public var stream: [String] = []

  @Option(help: ArgumentHelp("Only events of this kind (repeatable).", valueName: "kind"))
  public var kind: [String] = []

  @OptionGroup public var range: TimeRangeOptions

  public init() {}

  public var filter: EventDumper.Filter {
    var filter = EventDumper.Filter()
    filter.sources = source
    filter.streams = stream
    filter.kinds = kind
    filter.since = range.sinceMillis
    filter.until = range.untilMillis
    return filter
  }

  /// Every event of `store` the filter keeps, in start order, into `writer` (finished after).
  /// Returns how many were written; one the writer cannot hold is rejected through
  /// `diagnostics` (counted, in --rejects), and the caller ends with status 1.
  public static func copy(_ store: EventStorage, _ filter: EventDumper.Filter, to writer: EventWriter, progress: Progress,
                          diagnostics: Diagnostics) throws -> Int {
    let dumper = try store.events(filter)
    var written = 0
    while let event = try dumper.next() {
      if try diagnostics.write(event, to: writer, file: store.displayName, position: nil) { written += 1 }
      progress.update(records: dumper.count, bytes: 0)
    }
    progress.clear()
    try writer.finish()
    try diagnostics.finish()
    return written
  }
}

extension StoreFilterOptions {
  /// `copy` into Eidolon NDJSON (eid-dump): each row goes out as its canonical line, made
  /// straight from its columns (StoredEvents.nextView).
  public static func copyLines(_ store: EventStorage, _ filter: EventDumper.Filter, to sink: OutputSink, progress: Progress,
                               diagnostics: Diagnostics) throws -> Int {
    let dumper = try store.events(filter)
    while let view = try dumper.nextView() {
      sink.buffer.append(view.canonicalLine)
      sink.buffer.append(0x0A)
      try sink.flushIfFull()
      progress.update(records: dumper.count, bytes: 0)
    }
    progress.clear()
    try sink.finish()
    try diagnostics.finish()
    return dumper.count
  }
}

extension EventLoader.Strategy: ExpressibleByArgument {}

/// How a load stores events: the options eid-load and `eidolon migrate import` share.
public struct LoadOptions: ParsableArguments {
  @Option(help: ArgumentHelp("append, replace, replace-range or fail (formats/sqlite-schema.md).", valueName: "strategy"))
  public var mergeStrategy: EventLoader.Strategy = .append

  @Option(help: ArgumentHelp("Events per transaction and checkpoint.", valueName: "n"))
  public var batchSize = EventLoader.Options().batchSize

  @Flag(help: "Continue the load that was interrupted, after its last committed batch.")
  public var resume = false

  @Option(help: ArgumentHelp("Seconds to wait while another process loads into the same store (0: fail at once).", valueName: "seconds"))
  public var wait: Double = EventLoader.Options().wait

  public init() {}

  public func validate() throws {
    if batchSize < 1 { throw ValidationError("--batch-size takes 1 or more") }
    if !DurationArgument.isSeconds(wait) { throw ValidationError("--wait takes 0 or more seconds") }
  }

  public var loaderOptions: EventLoader.Options {
    var options = EventLoader.Options()
    options.strategy = mergeStrategy
    options.batchSize = batchSize
    options.resume = resume
    options.wait = wait
    return options
  }
}
