#if canImport(Glibc)
import Glibc
#endif

/// What one person's migration reads and how its events are shaped before they are
/// stored: the inputs with their formats and settings, the rules, and (in a store shared
/// by a team) whose events they are. `migrate import` loads it; `migrate validate`
/// reads it again the same way, so both see the same events.
public struct MigrationPlan {
  public struct Input {
    public var path: String
    /// A FormatRegistry reader name; nil: found from the file (FormatDetector).
    public var format: String?
    /// The reader's settings by its tool's long option names (tz, variant, columns, ...).
    public var settings: [String: String]
    /// A query on the database at `path` (SQLite or PostgreSQL) whose rows are the input,
    /// read as CSV by the csv reader's column map (`migrate import-database`).
    public var query: String?

    public init(path: String, format: String? = nil, settings: [String: String] = [:], query: String? = nil) {
      self.path = path
      self.format = format
      self.settings = settings
      self.query = query
    }

    public var displayName: String {
      if query != nil { return EventStores.displayName(path) + " (query)" }
      return EventStores.isPostgres(path) ? EventStores.displayName(path) : InputOpener.displayName(path)
    }
  }

  public var inputs: [Input]
  /// Rules files (formats/rules.md), applied in order.
  public var rulesPaths: [String] = []
  /// In a store shared by several people: their name, set as each event's `user` and put
  /// in front of its id ("ann/aw:..."), so two people's identical records stay two events.
  public var user: String?

  public init(inputs: [Input]) { self.inputs = inputs }

  /// Each input's format, from --from or from its first bytes; an unknown one is a usage
  /// error, found before anything is read or stored. Standard input cannot be looked at
  /// twice: its format is found when it is opened (nil here).
  public func formats() throws -> [(format: String?, variant: String?)] {
    try inputs.map { input in
      if let format = input.format, format != MigrationPlan.storeFormat {
        guard FormatRegistry.reader(named: format) != nil else {
          throw EidolonError(.usage, "unknown format \(format) (known: \(FormatRegistry.readers.map(\.name).joined(separator: ", ")))")
        }
        return (format, nil)
      }
      if input.path == InputOpener.stdinName { return (nil, nil) }
      if input.query != nil { return ("csv", nil) }
      if input.format == MigrationPlan.storeFormat || EventStores.isStore(input.path) { return (MigrationPlan.storeFormat, nil) }
      guard let finding = try FormatDetector.detect(path: input.path) else { throw EidolonError(.usage, FormatDetector.unknownMessage(input.path)) }
      return (finding.format, finding.variant)
    }
  }

  /// A reader over one input, in `format` or the one its first bytes show (looked at
  /// through the same buffered reader, so standard input works too). ManicTime's database
  /// is opened by its path.
  public static func openReader(_ input: Input, format: String?, diagnostics: Diagnostics) throws -> (events: EventReader, format: String) {
    let opened = try open(input)
    guard let name = format ?? opened.finding?.format else { throw EidolonError(.usage, FormatDetector.unknownMessage(input.path)) }
    return (try makeReader(opened.bytes, input, format: name, diagnostics: diagnostics), name)
  }

  /// The input opened once, and what its first bytes say it is (nil: not known).
  /// The format name of an Eidolon store given as an input (SQLite or PostgreSQL): its
  /// events are read back as stored (`migrate compare-data`, or importing one store's
  /// events into another with rules).
  public static let storeFormat = "store"

  public static func open(_ input: Input) throws -> (bytes: ByteReader?, finding: FormatDetector.Finding?) {
    if input.query == nil, input.format == storeFormat || EventStores.isStore(input.path) {
      return (nil, FormatDetector.Finding(format: storeFormat, variant: storeFormat))
    }
    if let query = input.query {
      return (ByteReader(source: try DatabaseRows(database: input.path, query: query), name: input.displayName), FormatDetector.Finding(format: "csv", variant: "csv"))
    }
    if input.path != InputOpener.stdinName, input.settings["variant"] == "database" || ManicTimeDatabaseReader.isDatabase(path: input.path) {
      return (nil, FormatDetector.Finding(format: "manictime", variant: "database"))
    }
    let bytes = try InputOpener.open(input.path)
    return (bytes, try FormatDetector.detect(bytes))
  }

  /// The format's reader over what `open` gave (nil bytes: ManicTime's database, by path).
  public static func makeReader(_ bytes: ByteReader?, _ input: Input, format: String, diagnostics: Diagnostics) throws -> EventReader {
    guard let bytes else {
      if format == storeFormat { return try EventStores.open(input.path, readOnly: true).events(EventDumper.Filter()) }
      try FormatRegistry.checkSettingNames(input.settings.keys)
      let timeline = input.settings["timeline"].flatMap(ManicTimeCSVReader.Timeline.init(rawValue:))
      return try ManicTimeDatabaseReader(path: input.path, diagnostics: diagnostics, timeline: timeline)
    }
    guard let reader = FormatRegistry.reader(named: format) else { throw EidolonError(.usage, "unknown format \(format)") }
    return try reader.make(bytes, diagnostics, input.settings)
  }

  /// The bytes a read of every input goes through, when that is known: plain files, not
  /// standard input or gzip (whose inflated size shows only at the end).
  public func totalBytes() -> Int64? {
    var total: Int64 = 0
    for input in inputs {
      // A ManicTime database counts rows, not bytes.
      guard input.path != InputOpener.stdinName, input.query == nil, !ManicTimeDatabaseReader.isDatabase(path: input.path),
        let source = try? FileDescriptorSource(path: input.path)
      else { return nil }
      var magic = [UInt8](repeating: 0, count: 2)
      let n = (try? magic.withUnsafeMutableBytes { try source.read(into: $0) }) ?? 0
      if n == 2 && magic == [0x1f, 0x8b] { return nil }
      var info = stat()
      guard stat(input.path, &info) == 0 else { return nil }
      total += Int64(info.st_size)
    }
    return total
  }

  /// The rules, parsed (each call parses them again: a RuleSet counts its matches).
  public func loadRules() throws -> [RuleSet] {
    try rulesPaths.map { try RuleParser.load(path: $0) }
  }

  /// The shaping every event gets between reader and store: rules (false: dropped), then the user.
  public static func shape(_ event: inout Event, rules: [RuleSet], user: String?) -> Bool {
    for ruleSet in rules where !ruleSet.apply(&event) { return false }
    if let user {
      event.user = user
      event.id = user + "/" + event.id
    }
    return true
  }

  /// The read loop of eidolon's commands: each of `reader`'s events the shaping keeps.
  public static func forEachShaped(_ reader: EventReader, rules: [RuleSet], user: String?, _ body: (Event) throws -> Void) throws {
    while var event = try reader.next() {
      guard shape(&event, rules: rules, user: user) else { continue }
      try body(event)
    }
  }

  /// Reads every input through its reader and the shaping, calling `body` with each
  /// event that is kept. A record error from `body` rejects the event.
  public func forEachEvent(diagnostics: Diagnostics, progress: Progress? = nil, _ body: (Event) throws -> Void) throws {
    let formats = try formats()
    let rules = try loadRules()
    var count = 0
    var bytesBefore: Int64 = 0
    for (index, input) in inputs.enumerated() {
      let reader = try MigrationPlan.openReader(input, format: formats[index].format, diagnostics: diagnostics).events
      let counting = reader as? InputCounting
      try MigrationPlan.forEachShaped(reader, rules: rules, user: user) { event in
        count += 1
        progress?.update(records: count, bytes: bytesBefore + (counting?.bytesRead ?? 0))
        do {
          try body(event)
        } catch var error as EidolonError where error.isRecordError {
          // A writer that cannot hold the event: rejected and counted like a bad record.
          if error.file == nil { error.file = input.path }
          try diagnostics.reject(error, event: event)
        }
      }
      bytesBefore += counting?.bytesRead ?? 0
    }
    progress?.clear()
  }
}
