/// What a `Diagnostics` working for a thread of its own was told, kept in order, so the
/// run's own diagnostics can be told the same later, in input order (eid-validate's
/// blocks are checked on two cores and their messages replayed as each block is merged).
public final class DiagnosticsRecording {
  enum Message {
    case reject(EidolonError, rawOffset: Int, rawCount: Int, hasRaw: Bool)
    case warning(String, file: String?, position: SourcePosition?)
    case error(EidolonError)
    case note(String)
  }

  private(set) var messages: [(message: Message, mark: Int)] = []
  /// Where the thread's own output stood when the next messages come (a byte count the
  /// replay is told of before each message, so a stop leaves exactly the output made
  /// before the record that stopped it).
  var mark = 0
  /// The rejected records' raw bytes (the reader's buffer moves on before a replay).
  private let raw = ByteBuffer(capacity: 256)

  public init() {}

  func reject(_ error: EidolonError, raw record: UnsafeRawBufferPointer?) {
    let offset = raw.count
    if let record { raw.append(record) }
    messages.append((.reject(error, rawOffset: offset, rawCount: record?.count ?? 0, hasRaw: record != nil), mark))
  }

  func append(_ message: Message) { messages.append((message, mark)) }

  /// How many messages are recorded.
  var count: Int { messages.count }

  /// Whether a reject is among the messages after the first `count`.
  func holdsReject(after count: Int) -> Bool {
    messages[count...].contains { if case .reject = $0.message { return true } else { return false } }
  }

  /// Forgets the messages after the first `count` (a record a thread gave back, to be read
  /// again elsewhere).
  func removeMessages(after count: Int) {
    if messages.count > count { messages.removeLast(messages.count - count) }
  }

  public func removeAll() {
    if !messages.isEmpty { messages.removeAll(keepingCapacity: true) }
    raw.removeAll()
    mark = 0
  }

  /// Tells `diagnostics` everything recorded, in order (a strict run stops at the first
  /// reject); `reaching` hears each message's mark first.
  public func replay(into diagnostics: Diagnostics, reaching: ((Int) throws -> Void)? = nil) throws {
    for (message, mark) in messages {
      try reaching?(mark)
      switch message {
      case let .reject(error, offset, count, hasRaw):
        try diagnostics.reject(error, raw: hasRaw ? UnsafeRawBufferPointer(start: raw.base + offset, count: count) : nil)
      case let .warning(text, file, position):
        diagnostics.warn(text, file: file, position: position)
      case let .error(error):
        diagnostics.error(error)
      case let .note(text):
        diagnostics.note(text)
      }
    }
  }

  /// Replays into `diagnostics` with `output` (a thread's lines, the marks its offsets)
  /// written to `sink` in between: the lines made before each message go out before it,
  /// so a stop leaves just those; then the rest.
  /// (`output` is left empty: a large one is handed on whole.)
  func replay(into diagnostics: Diagnostics, interleaving output: ByteBuffer, to sink: OutputSink) throws {
    if messages.isEmpty { return try sink.append(taking: output) }
    let lines = output.bytes
    var written = 0
    func write(upTo end: Int) throws {
      guard written < end else { return }
      try sink.append(UnsafeRawBufferPointer(rebasing: lines[written..<end]))
      written = end
    }
    try replay(into: diagnostics) { try write(upTo: $0) }
    try write(upTo: lines.count)
  }
}
