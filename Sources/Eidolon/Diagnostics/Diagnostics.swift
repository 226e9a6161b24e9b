#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where every tool reports bad records: a compiler-style message on stderr, the
/// record in the --rejects file, a count for the summary and the exit status.
/// With `strict`, the first bad record stops the run.
public final class Diagnostics {
  /// Messages past this many are counted but not printed (the rejects file has them all).
  public static let defaultMessageLimit = 100

  public let toolName: String
  public let strict: Bool
  public let messageLimit: Int
  public private(set) var rejectCount = 0
  public private(set) var warningCount = 0
  private var messageCount = 0
  private let rejects: RejectWriter?
  private let stderrSink = OutputSink(fd: STDERR_FILENO, name: "<stderr>")
  /// Called before a message is printed, so a progress line can clear itself.
  public var beforeMessage: (() -> Void)?
  /// Takes the messages instead of stderr (tests, and tools that collect them).
  public var messageHandler: ((String) -> Void)?
  /// Hears every rejected record (eid-load keeps them in the store with the batch).
  public var onReject: ((EidolonError, UnsafeRawBufferPointer?) throws -> Void)?

  public init(toolName: String, strict: Bool = false, rejects: RejectWriter? = nil,
              messageLimit: Int = Diagnostics.defaultMessageLimit) {
    self.toolName = toolName
    self.strict = strict
    self.rejects = rejects
    self.messageLimit = messageLimit
  }

  /// Thrown after the first rejected record when `strict` is set.
  public struct StrictStop: Error {
    public let error: EidolonError
  }

  /// While set, a rejected record reaches only `onReject`, and warnings are dropped:
  /// nothing is printed, counted or kept in --rejects. For records already reported once
  /// (a resumed load reading again what its stopped run committed: its checksum still
  /// has to run over them).
  public var muted = false

  /// While set, rejects, warnings, errors and notes are only kept here, in order, to be
  /// replayed into the run's own diagnostics (a thread checking part of the input).
  public var recording: DiagnosticsRecording?

  /// A record could not be taken: say where and why, keep its raw bytes.
  public func reject(_ error: EidolonError, raw: UnsafeRawBufferPointer?) throws {
    if muted {
      try onReject?(error, raw)
      return
    }
    if let recording {
      recording.reject(error, raw: raw)
      return
    }
    rejectCount += 1
    if shouldPrint() { note(error.description) }
    try rejects?.write(error, raw: raw)
    try onReject?(error, raw)
    if strict {
      note("\(toolName): stopped at the first bad record (--strict)")
      throw StrictStop(error: error)
    }
  }

  /// Hands `event` to `writer`. An event the writer refuses with a record error (it
  /// breaks the spec, or the format cannot hold it) is rejected here like a bad input
  /// record: reported at `file`:`position`, kept in --rejects (`raw`, else the event's
  /// own line), counted. False when it was rejected.
  @discardableResult
  public func write(_ event: Event, to writer: EventWriter, file: String?, position: SourcePosition?,
                    raw: UnsafeRawBufferPointer? = nil) throws -> Bool {
    do {
      try writer.write(event)
      return true
    } catch var error as EidolonError where error.isRecordError {
      if error.file == nil { error.file = file }
      if error.position == nil { error.position = position }
      if let raw { try reject(error, raw: raw) } else { try reject(error, event: event) }
      return false
    }
  }

  /// Rejects an event that has no input line of its own at hand: its canonical line is
  /// what --rejects keeps.
  public func reject(_ error: EidolonError, event: Event) throws {
    let line = ByteBuffer(capacity: 256)
    EidolonNDJSONWriter.append(event, to: line)
    try reject(error, raw: UnsafeRawBufferPointer(rebasing: line.bytes.dropLast()))
  }

  /// An error about records already passed (a duplicate id): printed and counted, nothing rejected.
  public func error(_ error: EidolonError) {
    if let recording { return recording.append(.error(error)) }
    if shouldPrint() { note(error.description) }
  }

  /// Something looks wrong but the record is kept.
  public func warn(_ message: String, file: String?, position: SourcePosition?) {
    if muted { return }
    if let recording { return recording.append(.warning(message, file: file, position: position)) }
    warningCount += 1
    guard shouldPrint() else { return }
    let place = EidolonError(.data, message, file: file, position: position).location
    note(place.isEmpty ? "warning: \(message)" : "\(place): warning: \(message)")
  }

  /// A line of its own on stderr (summaries, notes), counted against nothing.
  public func note(_ message: String) {
    if let recording { return recording.append(.note(message)) }
    if let messageHandler {
      messageHandler(message)
      return
    }
    beforeMessage?()
    stderrSink.buffer.append(message)
    stderrSink.buffer.append(0x0A)
    try? stderrSink.flush()
  }

  /// Counts a message and says whether it is within the limit; past it, messages are only counted.
  private func shouldPrint() -> Bool {
    messageCount += 1
    return messageLimit == 0 || messageCount <= messageLimit
  }

  /// Ends the run: flushes the rejects file and says how many messages were held back.
  public func finish() throws {
    if messageCount > messageLimit && messageLimit > 0 {
      let hidden = messageCount - messageLimit
      note("\(toolName): \(hidden) more message\(hidden == 1 ? "" : "s") not shown\(rejects == nil ? " (use --rejects FILE to keep every bad record)" : "")")
    }
    try rejects?.finish()
  }
}
