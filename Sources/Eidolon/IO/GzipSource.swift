import CZlib

/// Inflates a gzip stream (several concatenated members too, as `cat a.gz b.gz` makes).
///
/// Refuses a stream that expands more than `maxExpansionRatio` times once it has
/// produced more than `ratioCheckAfter` bytes: real activity data compresses
/// 5 to 50 times, a gzip bomb about 1000 times.
public final class GzipSource: ByteSource {
  public static let defaultMaxExpansionRatio: Int64 = 500

  private let upstream: ByteSource
  private let name: String
  private let stream: UnsafeMutablePointer<z_stream>
  private let inputBuffer: UnsafeMutableRawBufferPointer
  private var inputEnded = false
  private var memberEnded = false
  private var finished = false
  private var totalIn: Int64 = 0
  private var totalOut: Int64 = 0
  private let maxExpansionRatio: Int64
  private let ratioCheckAfter: Int64

  public init(
    upstream: ByteSource, name: String,
    maxExpansionRatio: Int64 = GzipSource.defaultMaxExpansionRatio,
    ratioCheckAfter: Int64 = 64 << 20
  ) throws {
    self.upstream = upstream
    self.name = name
    self.maxExpansionRatio = maxExpansionRatio
    self.ratioCheckAfter = ratioCheckAfter
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    inputBuffer = .allocate(byteCount: 1 << 18, alignment: 16)
    // 16 + 15: a gzip header and trailer around a 32 KiB-window deflate stream.
    if eid_inflate_init(stream, 16 + 15) != Z_OK {
      throw EidolonError(.io, "zlib could not start inflating", file: name)
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
    inputBuffer.deallocate()
  }

  private func refillInput() throws {
    let n = try upstream.read(into: inputBuffer)
    if n == 0 {
      inputEnded = true
      return
    }
    totalIn += Int64(n)
    stream.pointee.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_in = uInt(n)
  }

  /// After a member ends: another member follows, or the input ends, or it is garbage.
  private func startNextMember() throws {
    while stream.pointee.avail_in == 0 && !inputEnded { try refillInput() }
    if stream.pointee.avail_in == 0 {
      finished = true
      return
    }
    if stream.pointee.next_in.pointee != 0x1f {
      throw EidolonError(.syntax, "data after the end of the gzip stream (a damaged or appended file?)", file: name)
    }
    inflateReset(stream)
    memberEnded = false
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    while true {
      if finished { return 0 }
      if memberEnded {
        try startNextMember()
        continue
      }
      if stream.pointee.avail_in == 0 {
        if !inputEnded { try refillInput() }
        if stream.pointee.avail_in == 0 && inputEnded {
          throw EidolonError(.truncated, "the gzip stream ends early: the file is truncated", file: name)
        }
      }
      stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
      let status = inflate(stream, Z_NO_FLUSH)
      let produced = buffer.count - Int(stream.pointee.avail_out)
      switch status {
      case Z_OK, Z_BUF_ERROR:
        break
      case Z_STREAM_END:
        memberEnded = true
      default:
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "code \(status)"
        throw EidolonError(.syntax, "not a valid gzip stream: \(detail)", file: name)
      }
      totalOut += Int64(produced)
      if totalOut > ratioCheckAfter && totalOut > totalIn * maxExpansionRatio {
        throw EidolonError(
          .limit,
          "gzip data expands more than \(maxExpansionRatio) times (\(totalIn) bytes became over \(totalOut)); refusing it as a likely gzip bomb",
          file: name)
      }
      if produced > 0 { return produced }
    }
  }
}
