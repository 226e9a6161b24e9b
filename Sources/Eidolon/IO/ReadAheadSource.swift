#if canImport(Glibc)
import Glibc
#endif

/// Reads another source on a thread of its own, up to `blockCount` blocks ahead of the
/// caller, so that decompressing a .gz input (InputOpener puts one in front of every
/// GzipSource) runs on the second core while the tool parses on the first. The bytes
/// and their order are the upstream's; an upstream error is thrown where the caller
/// reaches it. Memory: the blocks (4 x 1 MiB by default).
///
/// The upstream is used by the thread only, from the first `read` until the end, an
/// error, or deinit (which stops the thread and waits for it).
public final class ReadAheadSource: ByteSource {
  /// What the thread and the caller share. The thread holds this, never the source:
  /// else the source's last release could come on the thread, whose deinit would then
  /// join itself.
  private final class Shared {
    let upstream: ByteSource
    let blockSize: Int
    let blocks: [UnsafeMutableRawPointer]
    /// Guarded by `monitor`: blocks filled and not yet read, in order, with their byte
    /// counts (0 for the end); blocks free to fill; the upstream's error; a stop request.
    var filled: [(block: Int, count: Int)] = []
    var free: [Int]
    var failure: Error?
    var stopping = false
    let monitor = ThreadMonitor()

    init(upstream: ByteSource, blockSize: Int, blockCount: Int) {
      self.upstream = upstream
      self.blockSize = blockSize
      blocks = (0..<max(2, blockCount)).map { _ in UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16) }
      free = Array(blocks.indices)
    }

    deinit {
      for block in blocks { block.deallocate() }
    }

    /// The thread: fills free blocks in turn until the end, an error, or a stop.
    func fill() {
      while true {
        monitor.lock()
        while free.isEmpty && !stopping { monitor.wait() }
        if stopping {
          monitor.unlock()
          return
        }
        let block = free.removeFirst()
        monitor.unlock()
        var count = 0
        var error: Error?
        do {
          // Whole blocks (a pipe or a gzip member hands out less at a time): fewer hand-overs.
          while count < blockSize {
            let n = try upstream.read(into: UnsafeMutableRawBufferPointer(start: blocks[block] + count, count: blockSize - count))
            if n == 0 { break }
            count += n
          }
        } catch let caught {
          error = caught
        }
        monitor.lock()
        if count > 0 { filled.append((block, count)) }
        if let error {
          failure = error
        } else if count < blockSize {
          filled.append((block, 0))  // the end (its block is never handed back: nothing follows)
        }
        monitor.broadcast()
        let done = error != nil || count < blockSize
        monitor.unlock()
        if done { return }
      }
    }
  }

  private let shared: Shared
  private var thread: pthread_t?
  /// The caller's side (no lock): the block being read and where in it.
  private var current: (block: Int, count: Int)?
  private var offset = 0
  private var ended = false

  public init(upstream: ByteSource, blockSize: Int = 1 << 20, blockCount: Int = 4) {
    shared = Shared(upstream: upstream, blockSize: blockSize, blockCount: blockCount)
  }

  deinit {
    if let thread {
      shared.monitor.lock()
      shared.stopping = true
      shared.monitor.broadcast()
      shared.monitor.unlock()
      pthread_join(thread, nil)
    }
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let target = buffer.baseAddress, buffer.count > 0, !ended else { return 0 }
    if thread == nil { try start() }
    let shared = shared
    if current == nil {
      shared.monitor.lock()
      while shared.filled.isEmpty && shared.failure == nil { shared.monitor.wait() }
      if shared.filled.isEmpty, let failure = shared.failure {
        shared.monitor.unlock()
        ended = true
        throw failure
      }
      current = shared.filled.removeFirst()
      shared.monitor.unlock()
      offset = 0
      if current!.count == 0 {
        ended = true
        return 0
      }
    }
    let (block, count) = current!
    let n = min(buffer.count, count - offset)
    target.copyMemory(from: shared.blocks[block] + offset, byteCount: n)
    offset += n
    if offset == count {
      current = nil
      shared.monitor.lock()
      shared.free.append(block)
      shared.monitor.broadcast()
      shared.monitor.unlock()
    }
    return n
  }

  private func start() throws {
    let shared = shared
    thread = try ThreadMonitor.startThread(doing: "read ahead") { shared.fill() }
  }
}
