/// Every format Eidolon writes, by name, with its settings by the writing tool's long
/// option names (`tz`, `variant`, `timeline`, ...): how `eidolon migrate export` and
/// `eidolon convert` reach the writers the small tools wire by hand.
extension FormatRegistry {
  public struct WriterFormat: Sendable {
    public let name: String
    /// The small tool that writes it, for messages and help.
    public let tool: String
    public let make: @Sendable (OutputSink, [String: String]) throws -> EventWriter
  }

  public static let writers: [WriterFormat] = [
    WriterFormat(name: "eidolon", tool: "eid-dump") { sink, _ in EidolonNDJSONWriter(sink: sink) },
    WriterFormat(name: "activitywatch", tool: "aw-write") { sink, _ in try ActivityWatchWriter(sink: sink) },
    WriterFormat(name: "toggl", tool: "toggl-write") { sink, settings in
      var options = TogglCSVWriter.Options()
      options.zone = try zone(settings)
      if let text = settings["variant"] {
        guard let variant = TogglCSVWriter.Variant(rawValue: text) else { throw EidolonError(.usage, "toggl writes --variant classic or import, not \(text)") }
        options.variant = variant
      }
      return try TogglCSVWriter(sink: sink, options: options)
    },
    WriterFormat(name: "rescuetime", tool: "rt-write") { sink, settings in
      var options = RescueTimeWriter.Options()
      options.zone = try zone(settings)
      if let text = settings["variant"] {
        guard let variant = RescueTimeWriter.Variant(rawValue: text) else { throw EidolonError(.usage, "rescuetime writes --variant api-json, api-csv or account-export, not \(text)") }
        options.variant = variant
      }
      if let text = settings["report"] {
        guard let report = RescueTimeColumns.Report(rawValue: text) else { throw EidolonError(.usage, "unknown --report \(text)") }
        options.report = report
      }
      if let text = settings["resolution"] {
        guard let resolution = RescueTimeResolution(argument: text) else { throw EidolonError(.usage, "unknown --resolution \(text)") }
        options.resolution = resolution
      }
      return try RescueTimeWriter(sink: sink, options: options)
    },
    WriterFormat(name: "manictime", tool: "mt-write") { sink, settings in
      if settings["variant"] == "xml" {
        let groupBy = settings["group-by"] ?? "app"
        guard ManicTimeXMLWriter.groupFields.contains(groupBy) else { throw EidolonError(.usage, "unknown --group-by \(groupBy)") }
        return ManicTimeXMLWriter(sink: sink, groupBy: groupBy, zone: try zone(settings), timelineName: settings["timeline-name"])
      }
      guard let zone = try zone(settings) else {
        throw EidolonError(.usage, "ManicTime's CSV holds wall-clock times: give --tz (the zone to write them in), or --variant xml")
      }
      var timeline = ManicTimeCSVReader.Timeline.applications
      if let text = settings["timeline"] {
        guard let named = ManicTimeCSVReader.Timeline(rawValue: text) else { throw EidolonError(.usage, "unknown --timeline \(text)") }
        timeline = named
      }
      let writer = try ManicTimeCSVWriter(sink: sink, timeline: timeline, zone: zone)
      writer.rejectsOtherKinds = true
      return writer
    },
  ]

  public static func writer(named name: String) -> WriterFormat? {
    writers.first { $0.name == name }
  }
}
