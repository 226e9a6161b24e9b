#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something bytes can be pulled from: a file, stdin, a gzip stream, memory.
public protocol ByteSource: AnyObject {
  /// Fills the start of `buffer` and returns how many bytes it wrote; 0 means the end.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A file descriptor, read with EINTR retried. Closes the descriptor if it owns it.
public final class FileDescriptorSource: ByteSource {
  public let fd: Int32
  private let ownsDescriptor: Bool
  private let name: String

  public init(fd: Int32, name: String, ownsDescriptor: Bool) {
    self.fd = fd
    self.name = name
    self.ownsDescriptor = ownsDescriptor
  }

  /// Opens `path` for reading.
  public convenience init(path: String) throws {
    let fd = SystemCall.retrying { open(path, O_RDONLY | O_CLOEXEC) }
    if fd < 0 {
      throw EidolonError(.io, "cannot open for reading: \(SystemCall.lastErrorMessage())", file: path)
    }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      close(fd)
      throw EidolonError(.io, "is a directory, not a file", file: path)
    }
    self.init(fd: fd, name: path, ownsDescriptor: true)
  }

  deinit {
    if ownsDescriptor { close(fd) }
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    let n = SystemCall.retrying { Glibc.read(fd, base, buffer.count) }
    if n < 0 {
      throw EidolonError(.io, "read failed: \(SystemCall.lastErrorMessage())", file: name)
    }
    return n
  }
}

/// Bytes already read (a sniffed prefix), then the rest of another source.
public final class PrefixedSource: ByteSource {
  private var prefix: [UInt8]
  private var prefixOffset = 0
  private let rest: ByteSource

  public init(prefix: [UInt8], rest: ByteSource) {
    self.prefix = prefix
    self.rest = rest
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if prefixOffset < prefix.count {
      let n = min(buffer.count, prefix.count - prefixOffset)
      prefix.withUnsafeBytes { bytes in
        buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + prefixOffset, byteCount: n)
      }
      prefixOffset += n
      if prefixOffset == prefix.count { prefix = [] ; prefixOffset = Int.max }
      return n
    }
    return try rest.read(into: buffer)
  }
}

/// Bytes in memory; for tests and for small inputs built on the fly.
public final class MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var offset = 0
  /// The most one read returns: tests set it small to cut input at every boundary.
  private let chunkLimit: Int

  public init(_ bytes: [UInt8], chunkLimit: Int = .max) {
    self.bytes = bytes
    self.chunkLimit = max(1, chunkLimit)
  }

  public convenience init(_ text: String, chunkLimit: Int = .max) {
    self.init(Array(text.utf8), chunkLimit: chunkLimit)
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, bytes.count - offset, chunkLimit)
    guard n > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: n)
    }
    offset += n
    return n
  }
}

/// The bytes `from..<to` of a file, read with pread: readers of several ranges of one
/// descriptor do not disturb each other (the two halves of a sorted run merged at once).
final class FileRangeSource: ByteSource {
  private let fd: Int32
  private var offset: Int64
  private let end: Int64
  private let name: String

  init(fd: Int32, from: Int64, to: Int64, name: String) {
    self.fd = fd
    offset = from
    end = max(from, to)
    self.name = name
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let wanted = Int(min(Int64(buffer.count), end - offset))
    guard let base = buffer.baseAddress, wanted > 0 else { return 0 }
    let n = SystemCall.retrying { pread(fd, base, wanted, off_t(offset)) }
    if n < 0 { throw EidolonError(.io, "read failed: \(SystemCall.lastErrorMessage())", file: name) }
    offset += Int64(n)
    return n
  }
}
