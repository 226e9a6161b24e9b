/// Writes an OutputSink's full buffers on a thread of its own, one at a time and in order,
/// while the tool fills the next: the system's copying (and a .gz output's deflating)
/// runs on the second core. `hand` trades the caller's full buffer for the empty one the
/// thread last wrote; an error the thread met comes back from the next `hand` or `drain`,
/// and nothing more is written after it. Memory: one more buffer.
final class WriteBehind {
  private let thread: HandOffThread<ByteBuffer>

  init(writer: SinkWriter) throws {
    thread = try HandOffThread(
      spare: ByteBuffer(capacity: OutputSink.flushThreshold + (1 << 16)), doing: "write the output"
    ) { pending in
      defer { pending.removeAll() }
      try writer.write(pending.bytes)
    }
  }

  /// Gives `buffer`'s bytes to the thread and leaves `buffer` empty (with the thread's
  /// last buffer's memory), once the thread has written the buffer before.
  func hand(_ buffer: ByteBuffer) throws { try thread.hand { $0.swapStorage(with: buffer) } }

  /// Waits until everything handed is written; throws what the thread met.
  func drain() throws { try thread.drain() }

  /// Waits until the thread holds no buffer (the writer may then be read or used).
  func waitIdle() { thread.waitIdle() }

  /// Lets the thread write what it holds, then ends it.
  func stop() { thread.stop() }
}
