@testable import Eidolon
import Foundation
import Testing

/// What one read of an input gave, to hold a reader's blocks (`BothCores`) to the reader
/// handing out views in turn: the output bytes, the messages, the rejects, the events
/// written (-1 when it stopped), what stopped it, and `extra` (a reader's own counts).
struct BlockOutcome: Equatable {
  var output: [UInt8]
  var messages: [String]
  var rejects: [UInt8]
  var events: Int
  var stop: String?
  var extra = ""

  /// How a run reads: in turn, or in blocks of `blockBytes` on `threads` threads.
  enum Way {
    case inTurn
    case blocks(Int, threads: Int)
  }

  /// Runs `body` with a Diagnostics (strict or not, messages and rejects kept), an output
  /// sink and the events count; `extra` is asked once it is done, stopped or not.
  static func read(toolName: String, strict: Bool, extra: () -> String = { "" },
                   _ body: (Diagnostics, OutputSink, inout Int) throws -> Void) throws -> BlockOutcome {
    let dir = temporaryDirectory()
    let diagnostics = Diagnostics(toolName: toolName, strict: strict, rejects: try RejectWriter.open(dir + "/rejects.ndjson"),
                                  messageLimit: 0)
    var messages: [String] = []
    diagnostics.messageHandler = { messages.append($0) }
    let sink = try OutputSink.open(dir + "/out.ndjson")
    var events = 0
    var stop: String?
    do {
      try body(diagnostics, sink, &events)
    } catch {
      stop = (error as? EidolonError)?.description ?? ((error as? Diagnostics.StrictStop).map { "strict: \($0.error)" } ?? "\(error)")
    }
    try sink.finish()
    try diagnostics.finish()
    return BlockOutcome(output: readFile(dir + "/out.ndjson") ?? [], messages: messages, rejects: readFile(dir + "/rejects.ndjson") ?? [],
                        events: stop == nil ? events : -1, stop: stop, extra: extra())
  }

  /// The reader's views in turn, the kept ones' lines to `sink` (the loop the tools had).
  static func copyInTurn(_ next: () throws -> EventView?, keeps: (Int64) -> Bool, to sink: OutputSink, events: inout Int) throws {
    let writer = EidolonNDJSONWriter(sink: sink)
    while let view = try next() {
      guard keeps(view.start) else { continue }
      try writer.write(view)
      events += 1
    }
  }

  /// The first way `other` differs, short enough to read; nil when the same.
  func difference(from other: BlockOutcome) -> String? {
    if output != other.output {
      let at = zip(output, other.output).prefix { $0 == $1 }.count
      return "output differs at byte \(at) of \(output.count) against \(other.output.count): "
        + String(decoding: output.dropFirst(max(0, at - 80)).prefix(200), as: UTF8.self)
    }
    if messages != other.messages { return "messages: \(messages.prefix(5)) against \(other.messages.prefix(5))" }
    if rejects != other.rejects { return "rejects differ" }
    if stop != other.stop { return "stop: \(stop ?? "none") against \(other.stop ?? "none")" }
    if events != other.events || extra != other.extra { return "counts: \(events), \(extra) against \(other.events), \(other.extra)" }
    return nil
  }
}
