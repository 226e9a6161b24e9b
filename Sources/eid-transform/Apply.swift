import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Eidolon
import EidolonCLI

extension EidTransform {
  struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "apply",
      abstract: "Apply rules and options to events (the default: `eid-transform [options] [file...]`).",
      discussion: """
        Every option composes; the steps run in this order whatever the order on the command \
        line: time fixes (--assume-tz, --shift), filters (--since, --until, --source, --kind, \
        --where), rules (--rules/--mapping, then --aw-categories), --not-afk, --dedupe, \
        --merge-gap, --clip-overlaps, --split-at-midnight, --min-duration, and privacy \
        (--redact, --hash, --domain-only). Rules files are read, and refused with the line \
        of the mistake, before any event is. The steps from --not-afk on need input in start \
        order (put eid-sort first) and stop with status 2 when it is not. \
        Rules and ids: see formats/rules.md. A summary of what changed goes to stderr.

        Examples:
          aw-read export.json | eid-sort | eid-transform --rules rules.yaml | eid-load events.db
          eid-transform --aw-categories aw-categories.json --merge-gap 5 window.ndjson
          eid-transform --not-afk afk.ndjson --split-at-midnight Europe/Berlin window.ndjson
          eid-transform --redact title --hash url --salt "$SALT" --domain-only events.ndjson
          eid-transform --assume-tz America/New_York --where host=old-laptop events.ndjson
        """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var range: TimeRangeOptions

    @Option(help: ArgumentHelp("Apply this rules file (YAML or JSON, formats/rules.md); repeatable, in order.", valueName: "file"))
    var rules: [String] = []

    @Option(help: ArgumentHelp("The same as --rules (the migration guide's mapping files).", valueName: "file"))
    var mapping: [String] = []

    @Option(help: ArgumentHelp("Apply ActivityWatch's category rules as its web UI exports them.", valueName: "file"))
    var awCategories: String?

    @Option(help: ArgumentHelp("Keep only events from these sources (comma-separated, repeatable).", valueName: "names"))
    var source: [String] = []

    @Option(help: ArgumentHelp("Keep only events of these kinds (comma-separated, repeatable).", valueName: "names"))
    var kind: [String] = []

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep events whose FIELD is (=) or is not (!=) VALUE; repeatable, all must hold.", valueName: "field=value"))
    var wheres: [String] = []

    @Option(help: ArgumentHelp("Drop events shorter than this, after merging and splitting (90, 1m30s).", valueName: "duration"))
    var minDuration: DurationArgument?

    @Option(help: ArgumentHelp("Re-read stored UTC times as wall-clock times of this zone (data recorded in local time but labelled UTC).", valueName: "zone"))
    var assumeTz: String?

    @Option(help: ArgumentHelp("Move every event by this much (-2h, 90m, 3600).", valueName: "duration"))
    var shift: DurationArgument?

    @Option(help: ArgumentHelp("Cut events at local midnight of this zone (or UTC), so daily totals add up.", valueName: "zone"))
    var splitAtMidnight: String?

    @Flag(help: "Remove repeated events: the same id, or the same start, duration and fields.")
    var dedupe = false

    @Option(help: ArgumentHelp("Join consecutive events of one stream with the same fields at most this many seconds apart.", valueName: "seconds"))
    var mergeGap: Double?

    @Option(help: ArgumentHelp("With --merge-gap, the fields that must agree (default: all but id, start and duration).", valueName: "fields"))
    var mergeOn: String?

    @Flag(help: "Within one stream, cut an event that runs past the next one's start.")
    var clipOverlaps = false

    @Option(help: ArgumentHelp("Keep only the parts of window, web and editor events inside the not-afk periods of this afk stream.", valueName: "file"))
    var notAfk: String?

    @Option(help: ArgumentHelp("Remove these fields (comma-separated: title,url,file,tags,attrs.NAME ...).", valueName: "fields"))
    var redact: String?

    @Option(help: ArgumentHelp("Replace these fields by a keyed hash (HMAC-SHA-256 with --salt), so equal values stay equal.", valueName: "fields"))
    var hash: String?

    @Option(help: ArgumentHelp("The key for --hash (or set EIDOLON_SALT, to keep it out of the shell's history).", valueName: "text"))
    var salt: String?

    @Flag(help: "Cut URLs to their scheme and host (https://github.com/).")
    var domainOnly = false

    @Flag(help: "Also print how many events each rule acted on.")
    var stats = false

    @Flag(help: "Print no summary on stderr (errors still go there).")
    var quiet = false

    func validate() throws {
      if let assumeTz, ZoneConverter(identifier: assumeTz) == nil { throw ValidationError("--assume-tz: unknown time zone \"\(assumeTz)\"") }
      if let zone = splitAtMidnight, zone != "UTC", ZoneConverter(identifier: zone) == nil {
        throw ValidationError("--split-at-midnight: unknown time zone \"\(zone)\"")
      }
      if let gap = mergeGap, !DurationArgument.isSeconds(gap) {
        throw ValidationError("--merge-gap takes 0 to \(Int(DurationArgument.maxSeconds)) seconds")
      }
      if mergeOn != nil && mergeGap == nil { throw ValidationError("--merge-on goes with --merge-gap") }
      if hash != nil && (saltValue ?? "").isEmpty { throw ValidationError("--hash needs a key: --salt TEXT or EIDOLON_SALT") }
    }

    var saltValue: String? { salt ?? getenv("EIDOLON_SALT").map { String(cString: $0) } }

    /// --merge-on, --redact and --hash's field lists (a usage error as ArgumentParser's).
    private func fields(_ list: String?, _ option: String, _ choice: TransformOptions.FieldChoice) throws -> [EventField] {
      do { return try list.map { try TransformOptions.fields($0, option: option, taking: choice) } ?? [] } catch let error as EidolonError {
        throw ValidationError(error.message)
      }
    }

    func makeOptions(_ diagnostics: Diagnostics) throws -> TransformOptions {
      var options = TransformOptions()
      // Rules first: a mistake in them stops the run before any input is read.
      for path in rules + mapping { options.ruleSets.append(try RuleParser.load(path: path)) }
      if let path = awCategories {
        var parser = RuleParser(fileName: path)
        options.ruleSets.append(try parser.parse(try ActivityWatchCategories.rulesText(path: path)))
      }
      options.assumeZone = assumeTz.flatMap(ZoneConverter.init(identifier:))
      options.shiftMillis = Int64(((shift?.seconds ?? 0) * 1000).rounded())
      options.since = range.sinceMillis
      options.until = range.untilMillis
      options.sources = TransformOptions.names(source)
      options.kinds = TransformOptions.names(kind)
      for text in wheres {
        guard let test = TransformOptions.whereTest(text) else {
          throw ValidationError("--where takes FIELD=VALUE or FIELD!=VALUE with a known field, not \"\(text)\"")
        }
        options.wheres.append(test)
      }
      options.minDuration = minDuration?.seconds
      if let zone = splitAtMidnight { options.splitAtMidnight = (true, zone == "UTC" ? nil : ZoneConverter(identifier: zone)) }
      options.dedupe = dedupe
      options.mergeGapSeconds = mergeGap
      if mergeOn != nil { options.mergeOn = try fields(mergeOn, "--merge-on", .any) }
      options.clipOverlaps = clipOverlaps
      if let path = notAfk {
        options.notAfk = EidolonNDJSONReader(input: try InputOpener.open(path), diagnostics: diagnostics)
      }
      options.redact = try fields(redact, "--redact", .privacy)
      options.hash = try fields(hash, "--hash", .hashing)
      if !options.hash.isEmpty { try LibraryOnUse.libcrypto.load() }
      options.salt = saltValue ?? ""
      options.domainOnly = domainOnly
      return options
    }

    func run() throws {
      let diagnostics = try common.makeDiagnostics(toolName: "eid-transform")
      let options = try makeOptions(diagnostics)
      let inputs = EventInputs(paths: common.inputPaths, diagnostics: diagnostics, progress: common.makeProgress())
      let sink = try OutputSink.open(common.output)
      let transformer = EventTransformer(options: options, writer: EidolonNDJSONWriter(sink: sink))
      if transformer.takesViews {
        // Every event kept goes out as its canonical line: already checked, nothing to
        // build; blocks of lines read on both cores, written in input order.
        try transformer.passAll(inputs.paths.map { path in { try InputOpener.open(path) } }, to: sink, diagnostics: diagnostics,
                                options: inputs.readerOptions, progress: inputs.progress)
      } else {
        try inputs.forEach { event, _ in try transformer.write(event) }
      }
      try transformer.finish()
      try diagnostics.finish()
      if !quiet {
        let changes = transformer.summaryLines()
        if !changes.isEmpty || diagnostics.rejectCount > 0 || stats {
          var line = "eid-transform: \(transformer.eventsIn) events in, \(transformer.eventsOut) out"
          if !changes.isEmpty { line += ": " + changes.joined(separator: "; ") }
          if diagnostics.rejectCount > 0 { line += "; \(diagnostics.rejectCount) input lines rejected" }
          diagnostics.note(line)
        }
        if stats {
          for rules in options.ruleSets {
            for (rule, events) in rules.statistics { diagnostics.note("  rule \(rule): \(events) events") }
          }
        }
      }
      if diagnostics.rejectCount > 0 { throw ExitCode(1) }
    }
  }
}
