#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens inputs the same way for every tool: a path, or "-" for stdin, and
/// gzip recognised by its magic bytes (not by the name), so `tool dump.json.gz`
/// and `zcat dump.json.gz | tool` and `tool < dump.json.gz` all work.
public enum InputOpener {
  public static let stdinName = "-"

  /// How the input is shown in messages: "<stdin>" for "-".
  public static func displayName(_ path: String) -> String {
    path == stdinName ? "<stdin>" : path
  }

  public static func openSource(_ path: String) throws -> ByteSource {
    let raw: ByteSource =
      path == stdinName
      ? FileDescriptorSource(fd: STDIN_FILENO, name: "<stdin>", ownsDescriptor: false)
      : try FileDescriptorSource(path: path)
    return try decompressingIfGzip(raw, name: displayName(path))
  }

  /// A buffered reader over `path`, decompressed when it is gzip.
  public static func open(_ path: String, capacity: Int = ByteReader.defaultCapacity) throws -> ByteReader {
    ByteReader(source: try openSource(path), name: displayName(path), capacity: capacity)
  }

  /// Looks at the first two bytes; gzip (1f 8b) gets inflated.
  public static func decompressingIfGzip(_ source: ByteSource, name: String) throws -> ByteSource {
    var prefix: [UInt8] = []
    var scratch = [UInt8](repeating: 0, count: 2)
    while prefix.count < 2 {
      let n = try scratch.withUnsafeMutableBytes { buffer in
        try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(2 - prefix.count)]))
      }
      if n == 0 { break }
      prefix.append(contentsOf: scratch[0..<n])
    }
    let rest = PrefixedSource(prefix: prefix, rest: source)
    if prefix == [0x1f, 0x8b] {
      // Inflated on a thread of its own, ahead of the tool: the second core's work.
      return ReadAheadSource(upstream: try GzipSource(upstream: rest, name: name))
    }
    return rest
  }
}
