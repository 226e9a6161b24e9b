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
    /// Guarded by `mutex`: blocks filled and not yet read, in order, with their byte
    /// counts (0 for the end); blocks free to fill; the upstream's error; a stop request.
    var filled: [(block: Int, count: Int)] = []
    var free: [Int]
    var failure: Error?
    var stopping = false
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(upstream: ByteSource, blockSize: Int, blockCount: Int) {
      self.upstream = upstream
      self.blockSize = blockSize
      blocks = (0..<max(2, blockCount)).map { _ in UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16) }
      free = Array(blocks.indices)
      pthread_mutex_init(mutex, nil)
      pthread_cond_init(changed, nil)
    }

    deinit {
      pthread_cond_destroy(changed)
      pthread_mutex_destroy(mutex)
      changed.deallocate()
      mutex.deallocate()
      for block in blocks { block.deallocate() }
    }

    /// The thread: fills free blocks in turn until the end, an error, or a stop.
    func fill() {
      while true {
        pthread_mutex_lock(mutex)
        while free.isEmpty && !stopping { pthread_cond_wait(changed, mutex) }
        if stopping {
          pthread_mutex_unlock(mutex)
          return
        }
        let block = free.removeFirst()
        pthread_mutex_unlock(mutex)
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
        pthread_mutex_lock(mutex)
        if count > 0 { filled.append((block, count)) }
        if let error {
          failure = error
        } else if count < blockSize {
          filled.append((block, 0))  // the end (its block is never handed back: nothing follows)
        }
        pthread_cond_broadcast(changed)
        let done = error != nil || count < blockSize
        pthread_mutex_unlock(mutex)
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
      pthread_mutex_lock(shared.mutex)
      shared.stopping = true
      pthread_cond_broadcast(shared.changed)
      pthread_mutex_unlock(shared.mutex)
      pthread_join(thread, nil)
    }
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let target = buffer.baseAddress, buffer.count > 0, !ended else { return 0 }
    if thread == nil { try start() }
    let shared = shared
    if current == nil {
      pthread_mutex_lock(shared.mutex)
      while shared.filled.isEmpty && shared.failure == nil { pthread_cond_wait(shared.changed, shared.mutex) }
      if shared.filled.isEmpty, let failure = shared.failure {
        pthread_mutex_unlock(shared.mutex)
        ended = true
        throw failure
      }
      current = shared.filled.removeFirst()
      pthread_mutex_unlock(shared.mutex)
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
      pthread_mutex_lock(shared.mutex)
      shared.free.append(block)
      pthread_cond_broadcast(shared.changed)
      pthread_mutex_unlock(shared.mutex)
    }
    return n
  }

  private func start() throws {
    var made = pthread_t()
    let context = Unmanaged.passRetained(shared).toOpaque()
    let status = pthread_create(&made, nil, { context in
      Unmanaged<Shared>.fromOpaque(context!).takeRetainedValue().fill()
      return nil
    }, context)
    guard status == 0 else {
      Unmanaged<Shared>.fromOpaque(context).release()
      throw EidolonError(.io, "cannot start a thread to read ahead: \(String(cString: strerror(status)))")
    }
    thread = made
  }
}
