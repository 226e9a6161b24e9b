/// Writes an OutputSink's full buffers on a thread of its own, in order, while the tool
/// fills the next: the system's copying (and a .gz output's deflating) runs on the second
/// core. `hand` trades the caller's full buffer for an empty one the thread wrote; the
/// caller waits only when `depth` buffers are waiting to be written. (With one, a tool
/// whose other threads kept both cores busy waited at each full buffer for the writing
/// thread to be given a core: bench/README.md, "Blocks taken by whichever thread is
/// free".) An error the thread met comes back from the next `hand` or `drain`, and
/// nothing more is written after it. Memory: `depth` more buffers.
final class WriteBehind {
  /// Buffers handed before `hand` waits: four. The CSV readers' cores idled less than with
  /// two, and their runs took 5-10% less wall time (bench/README.md, "Wake-ups for the thread
  /// that can go on"). rt-read's buffers are its blocks' lines, 700 KB each, handed on whole:
  /// 2 MB more at peak, 28 MB in all since libcurl, libpq and libcrypto are opened on use.
  static let depth = 4

  private let thread: HandOffThread<ByteBuffer>

  init(writer: SinkWriter) throws {
    thread = try HandOffThread(
      spares: (0..<WriteBehind.depth).map { _ in ByteBuffer(capacity: OutputSink.flushThreshold + (1 << 16)) },
      doing: "write the output"
    ) { pending in
      defer { pending.removeAll() }
      try writer.write(pending.bytes)
    }
  }

  /// Gives `buffer`'s bytes to the thread and leaves `buffer` empty (with the memory of a
  /// buffer the thread wrote), once fewer than `depth` are waiting.
  func hand(_ buffer: ByteBuffer) throws { try thread.hand { $0.swapStorage(with: buffer) } }

  /// Waits until everything handed is written; throws what the thread met.
  func drain() throws { try thread.drain() }

  /// Waits until the thread holds no buffer (the writer may then be read or used).
  func waitIdle() { thread.waitIdle() }

  /// Lets the thread write what it was handed, then ends it.
  func stop() { thread.stop() }
}
