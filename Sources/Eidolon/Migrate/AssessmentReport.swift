/// What `migrate assess` found, as text, JSON and HTML (the JSON's paths are the page's data-keys).
public struct AssessmentReport {
  public var inputs: [MigrationAssessor.InputFinding]
  public var overlaps: [MigrationAssessor.Overlap]
  public var estimate: MigrationAssessor.Estimate

  public var totalEvents: Int { inputs.map(\.events).reduce(0, +) }
  public var totalRejected: Int { inputs.map(\.rejected).reduce(0, +) }
  public var unreadable: Int { inputs.filter { $0.error != nil }.count }

  static func top(_ table: [String: Int], _ n: Int) -> [(String, Int)] {
    table.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n).map { ($0.key, $0.value) }
  }

  public func json() -> JSONValue {
    func tally(_ table: [String: Int]) -> JSONValue {
      .array(AssessmentReport.top(table, 20).map { ReportText.object([("name", .string($0.0)), ("events", .number($0.1))]) })
    }
    return ReportText.object([
      ("inputs", .array(inputs.map { input in
        ReportText.object([
          ("path", .string(input.path)), ("bytes", .number(Int(input.bytes))),
          ("format", input.format.map { .string($0) } ?? .null), ("variant", input.variant.map { .string($0) } ?? .null),
          ("error", input.error.map { .string($0) } ?? .null),
          ("events", .number(input.events)), ("rejected", .number(input.rejected)), ("warnings", .number(input.warnings)),
          ("reject_examples", .array(input.rejectExamples.map { .string($0) })),
          ("first", ReportText.optionalTime(input.first)), ("last", ReportText.optionalTime(input.last)),
          ("seconds", .number(ReportText.number(input.seconds))),
          ("hosts", tally(input.hosts)), ("streams", tally(input.streams)), ("kinds", tally(input.kinds)),
          ("offsets", tally(input.offsets)), ("without_offset", .number(input.withoutOffset)),
          ("zone_hints", .array(input.zoneHints.map { .string($0) })),
          ("read_seconds", .number(ReportText.number(input.readSeconds))),
        ])
      })),
      ("overlaps", .array(overlaps.map { overlap in
        ReportText.object([
          ("first", .string(inputs[overlap.first].path)), ("second", .string(inputs[overlap.second].path)),
          ("from", .string(Timestamp.canonical(overlap.from))), ("to", .string(Timestamp.canonical(overlap.to))),
          ("shared_ids", .number(overlap.sharedIDs)),
        ])
      })),
      ("events", .number(totalEvents)), ("rejected", .number(totalRejected)), ("unreadable", .number(unreadable)),
      ("suggested_command", suggestedCommand.map { .string($0) } ?? .null),
      ("estimate", ReportText.object([
        ("seconds", .number(ReportText.number(estimate.seconds))),
        ("read_bytes_per_second", .number(Int(estimate.readBytesPerSecond.rounded()))),
        ("store_events_per_second", .number(Int(estimate.storeEventsPerSecond.rounded()))),
        ("measured_events", .number(estimate.measuredEvents)),
      ])),
    ])
  }

  /// The import these inputs call for: the readable ones, with --tz when a format needs a
  /// zone it was not given (the zone is the user's to fill in).
  public var suggestedCommand: String? {
    let readable = inputs.filter { $0.error == nil && $0.events > 0 }
    guard !readable.isEmpty else { return nil }
    func quoted(_ path: String) -> String {
      path.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+".contains($0) }) ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    var command = "eidolon migrate import --input " + readable.map { quoted($0.path) }.joined(separator: " ")
    if readable.contains(where: { $0.zoneHints.contains { $0.hasPrefix("the times have no UTC offset") } }) { command += " --tz ZONE" }
    if overlaps.contains(where: { $0.sharedIDs > 0 }) { command += " --merge-strategy append" }
    return command + " --db events.db"
  }

  var estimateText: String {
    "about \(SecondsText.clock(max(1, estimate.seconds))) on this machine: reading measured now at \(ReportText.number((estimate.readBytesPerSecond / 1e5).rounded() / 10)) MB/s, storing at \(Int(estimate.storeEventsPerSecond.rounded())) events/s (measured on \(estimate.measuredEvents) events into a temporary store; a store that already holds events, or a bigger import, is slower per event)"
  }

  public func text() -> String {
    var out = ""
    for input in inputs {
      out += "\(input.path): \(input.format ?? "unknown format")\(input.variant.map { " (\($0))" } ?? ""), \(input.bytes) bytes\n"
      if let error = input.error { out += "  could not be read: \(error)\n" }
      out += "  \(input.events) events, \(SecondsText.clock(input.seconds)), \(ReportText.time(input.first)) to \(ReportText.time(input.last))\n"
      for (name, table) in [("hosts", input.hosts), ("streams", input.streams), ("kinds", input.kinds)] where !table.isEmpty {
        let shown = AssessmentReport.top(table, 6).map { "\($0.0) (\($0.1))" }.joined(separator: ", ")
        out += "  \(name): \(shown)\(table.count > 6 ? ", and \(table.count - 6) more" : "")\n"
      }
      if input.rejected > 0 || input.warnings > 0 {
        out += "  \(input.rejected) records rejected, \(input.warnings) warnings; the first messages:\n"
        for example in input.rejectExamples { out += "    \(example)\n" }
      }
      for hint in input.zoneHints { out += "  zone: \(hint)\n" }
      out += "\n"
    }
    for overlap in overlaps {
      out += "Overlap: \(inputs[overlap.first].path) and \(inputs[overlap.second].path) both cover \(Timestamp.canonical(overlap.from)) to \(Timestamp.canonical(overlap.to)); \(overlap.sharedIDs) ids in both (an import with --merge-strategy append stores them once)\n"
    }
    if !overlaps.isEmpty { out += "\n" }
    out += "In all: \(ReportText.count(totalEvents, "event")), \(totalRejected) rejected\(unreadable > 0 ? ", \(ReportText.count(unreadable, "input")) unreadable" : "").\n"
    out += "Import time: \(estimateText).\n"
    if let command = suggestedCommand { out += "Next: \(command)\n" }
    return out
  }

  public func html() -> String {
    var page = HTMLPage(title: "Migration assessment: \(inputs.count) input\(inputs.count == 1 ? "" : "s")")
    let ok = unreadable == 0 && totalRejected == 0
    page.verdict("\(ReportText.count(totalEvents, "event")) in \(ReportText.count(inputs.count, "input")); \(ReportText.count(totalRejected, "record")) rejected\(unreadable > 0 ? "; \(ReportText.count(unreadable, "input")) unreadable" : "").", ok: ok, key: "events")
    typealias Cell = HTMLPage.Cell
    page.table(["input", "read", "format", "variant", "bytes", "events", "rejected", "first", "last", "time"], inputs.enumerated().map { i, input in
      [Cell(input.path, key: "inputs.\(i).path"), Cell(input.error == nil ? "whole" : "stopped", bad: input.error != nil),
       Cell(input.format ?? "-", key: "inputs.\(i).format", bad: input.format == nil),
       Cell(input.variant ?? "-", key: "inputs.\(i).variant"),
       Cell("\(input.bytes)", key: "inputs.\(i).bytes"), Cell("\(input.events)", key: "inputs.\(i).events"),
       Cell("\(input.rejected)", key: "inputs.\(i).rejected", bad: input.rejected > 0),
       Cell(ReportText.time(input.first), key: "inputs.\(i).first"), Cell(ReportText.time(input.last), key: "inputs.\(i).last"),
       Cell(SecondsText.clock(input.seconds))]
    }, id: "inputs")
    for input in inputs {
      page.heading(input.path)
      if let error = input.error { page.verdict("Could not be read: \(error)", ok: false) }
      for (name, table) in [("hosts", input.hosts), ("streams", input.streams), ("kinds", input.kinds), ("offsets", input.offsets)] where !table.isEmpty {
        page.paragraph("\(name): " + AssessmentReport.top(table, 10).map { "\($0.0) (\($0.1))" }.joined(separator: ", "))
      }
      for hint in input.zoneHints { page.paragraph("Zone: \(hint)") }
      if !input.rejectExamples.isEmpty {
        page.table(["the first messages"], input.rejectExamples.map { [Cell($0, bad: $0.contains(": error:"))] })
      }
    }
    if !overlaps.isEmpty {
      page.heading("Overlaps between inputs")
      page.table(["input", "input", "from", "to", "ids in both"], overlaps.map {
        [Cell(inputs[$0.first].path), Cell(inputs[$0.second].path), Cell(Timestamp.canonical($0.from)), Cell(Timestamp.canonical($0.to)), Cell("\($0.sharedIDs)")]
      })
    }
    page.heading("Import time")
    page.paragraph(estimateText.prefix(1).uppercased() + estimateText.dropFirst() + ".")
    if let command = suggestedCommand { page.raw("<pre data-key=\"suggested_command\">\(HTMLPage.escape(command))</pre>") }
    return page.render()
  }
}
