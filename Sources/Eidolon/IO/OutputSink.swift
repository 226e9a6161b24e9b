#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// Where a tool's output goes: stdout or a file, gzip-compressed when the name ends
/// in ".gz". Writers append to `buffer` and call `flushIfFull()`; writes to the
/// system are large (256 KiB). A file is written under a temporary name and renamed
/// into place by `finish()`, so a failed run never leaves half a file behind.
///
/// A tool's output (`open`) that passes one buffer has its writing (and compressing) done
/// on a thread of its own (`WriteBehind`), so the second core does it while the tool
/// makes the next buffer; its errors come back at the next flush or at `finish()`.
/// Spill files and stderr (`init(fd:name:)`) write on the caller's thread.
public final class OutputSink {
  public static let flushThreshold = 1 << 18

  public let buffer = ByteBuffer(capacity: OutputSink.flushThreshold + (1 << 16))
  public let name: String
  private let fd: Int32
  private let ownsDescriptor: Bool
  private let finalPath: String?
  private let temporaryPath: String?
  private var finished = false
  /// What writes (and compresses): on the thread once there is one, else here.
  private let writer: SinkWriter
  private let writesBehind: Bool
  private var writeBehind: WriteBehind?
  /// Whether a sink dropped unfinished writes what it holds first: a stream's does (a run
  /// that stops on an error hands over what it made, as jq does). A spill's does not: its
  /// owner closes the descriptor, and a write after that could go to whatever file took
  /// the descriptor's number in the meantime (another thread's file: in the test process,
  /// most likely how a test's file came back with lines it never wrote).
  private let handsOverWhenDropped: Bool

  /// Bytes handed to the system so far (after compression).
  public var bytesWritten: Int64 {
    writeBehind?.waitIdle()
    return writer.written
  }

  /// stdout when `path` is nil or "-".
  public static func open(_ path: String?, gzip: Bool? = nil) throws -> OutputSink {
    guard let path, path != "-" else {
      return OutputSink(fd: STDOUT_FILENO, name: "<stdout>", ownsDescriptor: false, finalPath: nil,
                        temporaryPath: nil, gzip: gzip ?? false, handsOverWhenDropped: true)
    }
    var info = stat()
    if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
      // A device or a pipe (/dev/stdout, a FIFO): write straight to it.
      let fd = SystemCall.retrying { Glibc.open(path, O_WRONLY | O_CLOEXEC) }
      if fd < 0 {
        throw EidolonError(.io, "cannot open for writing: \(SystemCall.lastErrorMessage())", file: path)
      }
      return OutputSink(fd: fd, name: path, ownsDescriptor: true, finalPath: nil, temporaryPath: nil,
                        gzip: gzip ?? false, handsOverWhenDropped: true)
    }
    let temporary = "\(path).tmp-\(getpid())"
    // Until it is renamed into place it is a temporary file: gone on a signal or a crash
    // too (registered before a signal can come between its making and its registering).
    let fd = try TemporaryPaths.holdingStopSignals {
      let fd = SystemCall.retrying { Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
      if fd < 0 {
        throw EidolonError(.io, "cannot create the output file: \(SystemCall.lastErrorMessage())", file: path)
      }
      TemporaryPaths.register(temporary)
      return fd
    }
    return OutputSink(fd: fd, name: path, ownsDescriptor: true, finalPath: path, temporaryPath: temporary,
                      gzip: gzip ?? path.hasSuffix(".gz"), handsOverWhenDropped: false)
  }

  /// Writes to a descriptor the caller keeps (stderr, a spill file, a test's pipe); on a
  /// thread of its own past one buffer only when `writesBehind`. Dropped unfinished, it
  /// writes nothing more unless `handsOverWhenDropped` (a stream's), so its owner may close
  /// the descriptor first; with `writesBehind`, the owner drops it before closing (its
  /// thread writes what it was handed before it ends).
  public init(fd: Int32, name: String, gzip: Bool = false, writesBehind: Bool = false, handsOverWhenDropped: Bool = false) {
    self.fd = fd
    self.name = name
    self.writesBehind = writesBehind
    self.handsOverWhenDropped = handsOverWhenDropped
    ownsDescriptor = false
    finalPath = nil
    temporaryPath = nil
    writer = SinkWriter(fd: fd, name: name, gzip: gzip)
  }

  private init(fd: Int32, name: String, ownsDescriptor: Bool, finalPath: String?, temporaryPath: String?, gzip: Bool,
               handsOverWhenDropped: Bool) {
    self.fd = fd
    self.handsOverWhenDropped = handsOverWhenDropped
    self.name = name
    self.ownsDescriptor = ownsDescriptor
    self.finalPath = finalPath
    self.temporaryPath = temporaryPath
    writesBehind = true
    writer = SinkWriter(fd: fd, name: name, gzip: gzip)
  }

  deinit {
    // Not finished on a stream (stdout, a pipe): hand over what was made before the
    // error, as jq does; a file is removed below instead, so it is never half there.
    if !finished && handsOverWhenDropped { try? flush() }
    writeBehind?.stop()
    if ownsDescriptor { close(fd) }
    // Not finished: an error ended the run, so the partial file goes.
    if !finished, let temporaryPath { TemporaryPaths.remove(temporaryPath) }
  }

  /// Hands the buffer on when it is full: to the writing thread (started at the first
  /// full buffer), which writes it while the caller fills the next.
  @inline(__always)
  public func flushIfFull() throws {
    if buffer.count >= OutputSink.flushThreshold { try handOn() }
  }

  /// Appends `bytes` a piece at a time (the buffer stays its size), handing each full
  /// buffer on: a block of lines made on another thread.
  public func append(_ bytes: UnsafeRawBufferPointer) throws {
    var written = 0
    while written < bytes.count {
      let piece = min(OutputSink.flushThreshold, bytes.count - written)
      buffer.append(UnsafeRawBufferPointer(rebasing: bytes[written..<(written + piece)]))
      try flushIfFull()
      written += piece
    }
  }

  /// Writes all of `lines` and leaves it empty: a large one trades its memory with the
  /// buffer, which is handed on whole (no copy), a small one is copied.
  public func append(taking lines: ByteBuffer) throws {
    guard lines.count >= OutputSink.flushThreshold else {
      try append(lines.bytes)
      lines.removeAll()
      return
    }
    if buffer.count > 0 { try handOn() }
    buffer.swapStorage(with: lines)
    try handOn()
  }

  private func handOn() throws {
    if writeBehind == nil && writesBehind && !finished {
      writeBehind = try WriteBehind(writer: writer)
    }
    if let writeBehind {
      try writeBehind.hand(buffer)
    } else {
      try writer.write(buffer.bytes)
      buffer.removeAll()
    }
  }

  /// Hands everything buffered to the system, and waits until it is written (a spill file
  /// is read back after it, a prompt must be seen).
  public func flush() throws {
    if buffer.count > 0 {
      if let writeBehind {
        try writeBehind.hand(buffer)
      } else {
        try writer.write(buffer.bytes)
        buffer.removeAll()
      }
    }
    try writeBehind?.drain()
  }

  /// Flushes, ends the gzip stream, and puts a file in place.
  public func finish() throws {
    guard !finished else { return }
    try flush()
    if let writeBehind {
      writeBehind.stop()
      self.writeBehind = nil
    }
    try writer.finish()
    if let temporaryPath, let finalPath {
      if rename(temporaryPath, finalPath) != 0 {
        throw EidolonError(.io, "cannot move the finished output into place: \(SystemCall.lastErrorMessage())",
                           file: finalPath)
      }
      TemporaryPaths.unregister(temporaryPath)
    }
    finished = true
  }
}

/// Writes an OutputSink's bytes to its descriptor, deflating them first for a .gz output.
/// Used by one thread at a time: the sink's, or its `WriteBehind` thread's while that
/// holds a buffer.
final class SinkWriter {
  private let fd: Int32
  private let name: String
  private let deflater: Deflater?
  /// Bytes handed to the system so far (after compression).
  private(set) var written: Int64 = 0

  init(fd: Int32, name: String, gzip: Bool) {
    self.fd = fd
    self.name = name
    deflater = gzip ? Deflater() : nil
  }

  func write(_ bytes: UnsafeRawBufferPointer) throws {
    if let deflater {
      try deflater.compress(bytes, finish: false) { try writeAll($0) }
    } else {
      try writeAll(bytes)
    }
  }

  /// Ends the gzip stream.
  func finish() throws {
    if let deflater {
      try deflater.compress(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { try writeAll($0) }
    }
  }

  private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
    var offset = 0
    while offset < bytes.count {
      let n = SystemCall.retrying { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
      if n < 0 {
        if errno == EPIPE { throw BrokenPipe() }
        throw EidolonError(.io, "write failed: \(SystemCall.lastErrorMessage())", file: name)
      }
      offset += n
    }
    written += Int64(bytes.count)
  }
}

/// zlib's deflate with a gzip header, fed in chunks.
final class Deflater {
  private let stream: UnsafeMutablePointer<z_stream>
  private let out: UnsafeMutableRawBufferPointer

  init() {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    out = .allocate(byteCount: 1 << 18, alignment: 16)
    // 16 + 15: gzip wrapper, 32 KiB window; level 6 is gzip's own default.
    let status = eid_deflate_init(stream, 6, 16 + 15)
    precondition(status == Z_OK, "zlib deflateInit2 failed with \(status)")
  }

  deinit {
    deflateEnd(stream)
    stream.deallocate()
    out.deallocate()
  }

  func compress(_ input: UnsafeRawBufferPointer, finish: Bool, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.pointee.avail_in = uInt(input.count)
    while true {
      stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_out = uInt(out.count)
      let status = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
      let produced = out.count - Int(stream.pointee.avail_out)
      if produced > 0 { try emit(UnsafeRawBufferPointer(start: out.baseAddress, count: produced)) }
      if status == Z_STREAM_END { return }
      if status != Z_OK && status != Z_BUF_ERROR {
        throw EidolonError(.io, "gzip compression failed (zlib code \(status))")
      }
      if !finish && stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return }
    }
  }
}
