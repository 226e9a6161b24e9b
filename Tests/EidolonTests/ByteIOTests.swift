import Eidolon
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ByteIOTests {
  private func readAll(_ r: ByteReader) throws -> [UInt8] {
    var out: [UInt8] = []
    while try r.available > 0 || r.fill() {
      out.append(contentsOf: UnsafeRawBufferPointer(start: r.storage + r.start, count: r.available))
      r.start = r.end
    }
    return out
  }

  private func gzipFile(_ text: String, in dir: String, name: String = "x.gz") throws -> String {
    let path = "\(dir)/\(name)"
    let sink = try OutputSink.open(path)
    sink.buffer.append(text)
    try sink.finish()
    return path
  }

  /// The head a format is told from: past a byte-order mark, nothing consumed, at any
  /// chunking of the input.
  @Test func peekPastBOMLooksWithoutConsuming() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF, 0x20, 0x0A, 0x7B, 0x7D]  // BOM, " \n{}"
    for chunk in [1, 2, 7] {
      let reader = ByteReader(source: MemorySource(bytes, chunkLimit: chunk), name: "t", capacity: 16)
      let head = try reader.peekPastBOM(64)
      #expect(Array(head) == [0x20, 0x0A, 0x7B, 0x7D])
      #expect(ByteReader.firstSignificantByte(head) == 0x7B)
      #expect(Array(try reader.peek(64)) == bytes)
    }
    #expect(ByteReader.firstSignificantByte(UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
  }

  @Test func linesSplitTheSameWhateverTheChunks() throws {
    let text = "first\nsecond\r\n\nno newline at the end"
    for lines in try eachChunking(Array(text.utf8), { r -> [String] in
      var lines: [String] = []
      while let line = try r.readLine() { lines.append(String(decoding: line, as: UTF8.self)) }
      return lines
    }) {
      #expect(lines == ["first", "second\r", "", "no newline at the end"])
    }
  }

  @Test func anEndlessLineIsRefused() {
    let big = [UInt8](repeating: 0x61, count: 5000)
    let error = eidolonError {
      let r = ByteReader(source: MemorySource(big), name: "big", capacity: 64, maxRecordBytes: 1024)
      while try r.readLine() != nil {}
    }
    #expect(error?.kind == .limit)
  }

  @Test func gzipWrittenByNameIsReadByContent() throws {
    let dir = temporaryDirectory()
    let text = String(repeating: "{\"a\":\"Ünïcødé\"}\n", count: 10_000)
    let path = try gzipFile(text, in: dir)
    let raw = try #require(readFile(path))
    #expect(raw.starts(with: [0x1f, 0x8b]))
    #expect(raw.count < text.utf8.count / 10)
    #expect(try readAll(try InputOpener.open(path)) == Array(text.utf8))
  }

  @Test func concatenatedGzipMembersReadAsOne() throws {
    let dir = temporaryDirectory()
    let a = try #require(readFile(try gzipFile("one\n", in: dir, name: "a.gz")))
    let b = try #require(readFile(try gzipFile("two\n", in: dir, name: "b.gz")))
    writeFile("\(dir)/ab.gz", a + b)
    #expect(try readAll(try InputOpener.open("\(dir)/ab.gz")) == Array("one\ntwo\n".utf8))
  }

  @Test func truncatedGzipIsATruncatedError() throws {
    let dir = temporaryDirectory()
    let full = try #require(readFile(try gzipFile(String(repeating: "event line\n", count: 1000), in: dir)))
    writeFile("\(dir)/cut.gz", Array(full.prefix(full.count / 2)))
    let error = eidolonError { _ = try readAll(try InputOpener.open("\(dir)/cut.gz")) }
    #expect(error?.kind == .truncated)
    #expect(error?.file == "\(dir)/cut.gz")
  }

  @Test func garbageAfterGzipIsRefused() throws {
    let dir = temporaryDirectory()
    let full = try #require(readFile(try gzipFile("x\n", in: dir)))
    writeFile("\(dir)/tail.gz", full + Array("junk".utf8))
    #expect(eidolonError { _ = try readAll(try InputOpener.open("\(dir)/tail.gz")) }?.message.contains("after the end of the gzip stream") == true)
  }

  @Test func aGzipBombIsRefused() throws {
    let dir = temporaryDirectory()
    // 8 MB of zeros compresses about 1000 times.
    let path = try gzipFile(String(repeating: "\0", count: 8 << 20), in: dir)
    let source = try GzipSource(upstream: try FileDescriptorSource(path: path), name: path, maxExpansionRatio: 500,
                                ratioCheckAfter: 1 << 20)
    let error = eidolonError { _ = try readAll(ByteReader(source: source, name: path)) }
    #expect(error?.kind == .limit)
    #expect(error?.message.contains("gzip bomb") == true)
  }

  @Test func plainInputPassesThrough() throws {
    let dir = temporaryDirectory()
    writeFile("\(dir)/plain", [0x1f])  // one byte: too short to be gzip
    #expect(try readAll(try InputOpener.open("\(dir)/plain")) == [0x1f])
  }

  @Test func aFailedOutputLeavesNoFileBehind() throws {
    let dir = temporaryDirectory()
    do {
      let sink = try OutputSink.open("\(dir)/out.ndjson")
      sink.buffer.append("partial")
      try sink.flush()
    }
    #expect(readFile("\(dir)/out.ndjson") == nil)
    let entries = try #require(opendir(dir))
    var names: [String] = []
    while let entry = readdir(entries) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { names.append(name) }
    }
    closedir(entries)
    #expect(names.isEmpty)
  }

  @Test func missingInputsAndDirectoriesAreIOErrors() {
    #expect(eidolonError { _ = try InputOpener.open("/nonexistent/file") }?.kind == .io)
    #expect(eidolonError { _ = try InputOpener.open("/tmp") }?.message.contains("directory") == true)
  }

  @Test func integersAndPaddedNumbers() {
    let b = ByteBuffer()
    b.append(integer: -9_223_372_036_854_775_807)
    b.append(0x20)
    b.append(integer: 0)
    b.append(0x20)
    b.append(padded: 7, width: 3)
    b.append(0x20)
    b.appendJSONNumber(60.25)
    b.append(0x20)
    b.appendJSONNumber(3)
    b.append(0x20)
    b.appendJSONNumber(0.1)
    #expect(String(decoding: b.bytes, as: UTF8.self) == "-9223372036854775807 0 007 60.25 3 0.1")
  }

  /// Every length and every edge between two lengths (powers of ten and of two, either
  /// side), both signs, and random values: as Swift writes them.
  @Test func integersAreWrittenAsSwiftWritesThem() {
    var values: [Int64] = [0, 1, -1, .max, .min, .max - 1, .min + 1]
    var power: Int64 = 1
    for _ in 0..<19 {
      values += [power - 1, power, power + 1, -power, -power + 1, -power - 1]
      if power <= Int64.max / 10 { power *= 10 }
    }
    for bit in 0..<63 { values += [(1 << bit) - 1, 1 << bit, -(1 << bit)] }
    var random = SystemRandomNumberGenerator()
    for _ in 0..<2_000 { values.append(Int64.random(in: .min ... .max, using: &random) >> Int64.random(in: 0...62, using: &random)) }
    let b = ByteBuffer(capacity: 64)
    for value in values {
      b.removeAll()
      b.append(integer: value)
      #expect(String(decoding: b.bytes, as: UTF8.self) == String(value), "\(value)")
    }
  }

  /// Appends of every length from 0 to 70 (the in-place copies up to 32 bytes and memcpy
  /// past them), from any offset of the source, after any count already there, with the
  /// buffer growing on the way: the bytes as they were, nothing around them touched.
  @Test func appendedBytesAreTheBytesWhateverTheirLength() {
    var random = SplitMix(state: 23)
    let source = (0..<200).map { _ in UInt8(random.below(256)) }
    for length in 0...70 {
      for round in 0..<12 {
        let b = ByteBuffer(capacity: 1 + random.below(40))
        let before = (0..<random.below(50)).map { _ in UInt8(random.below(256)) }
        b.append(before)
        let from = random.below(200 - length + 1)
        source.withUnsafeBytes { b.append(UnsafeRawBufferPointer(rebasing: $0[from..<(from + length)])) }
        b.append(0xA5)
        #expect(b.array == before + source[from..<(from + length)] + [0xA5], "\(length) bytes, round \(round)")
      }
    }
  }

  @Test func aBlockBufferEmptiedKeepsItsRoomUnlessGrownPastTheLimit() {
    let b = ByteBuffer(capacity: 1000)
    b.append(Array(repeating: 1, count: 1500))
    #expect(b.capacity == 2000)
    b.removeAll(releasingAbove: 3000)
    #expect(b.count == 0 && b.capacity == 2000)
    b.append(Array(repeating: 2, count: 5000))
    b.removeAll(releasingAbove: 3000)
    #expect(b.count == 0 && b.capacity == 1000)  // the room it was made with, not 64 bytes
    b.removeAll(releasingAbove: 10)
    #expect(b.capacity == 1000)
    b.append([7, 8])
    #expect(b.array == [7, 8])
  }
}

/// A source that hands out `bytes` and then fails (a truncated .gz, a disk error).
private final class FailingSource: ByteSource {
  private let inner: MemorySource
  init(_ bytes: [UInt8]) { inner = MemorySource(bytes, chunkLimit: 5) }
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = try inner.read(into: buffer)
    if n == 0 { throw EidolonError(.truncated, "the input ends early", file: "failing") }
    return n
  }
}

@Suite struct ReadAheadSourceTests {
  private func drain(_ source: ByteSource, chunk: Int) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
      let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
      if n == 0 { return out }
      out += buffer[0..<n]
    }
  }

  @Test func theBytesComeThroughInOrderAcrossEveryBlockBoundary() throws {
    var random = SplitMix(state: 4)
    for size in [0, 1, 6, 7, 8, 13, 14, 15, 1000, 100_003] {
      let bytes = (0..<size).map { _ in UInt8(random.below(256)) }
      for (blockSize, blockCount, chunk) in [(7, 2, 3), (7, 3, 64), (1 << 10, 4, 1), (1 << 20, 4, 1 << 16)] {
        let source = ReadAheadSource(upstream: MemorySource(bytes, chunkLimit: 11), blockSize: blockSize, blockCount: blockCount)
        let drained = try drain(source, chunk: chunk)
        #expect(drained == bytes, "size \(size), blocks of \(blockSize)")
        #expect(try drain(source, chunk: 8) == [])
      }
    }
  }

  @Test func anUpstreamErrorComesAfterTheBytesBeforeIt() throws {
    let bytes = Array((0..<50).map { UInt8($0) })
    let source = ReadAheadSource(upstream: FailingSource(bytes), blockSize: 16, blockCount: 2)
    var seen: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 10)
    let error = eidolonError {
      while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        seen += buffer[0..<n]
      }
    }
    #expect(error?.message == "the input ends early")
    #expect(seen == bytes)
  }

  @Test func aSourceIsFreedOnceDropped() throws {
    weak var dropped: ReadAheadSource?
    do {
      let source = ReadAheadSource(upstream: MemorySource([1, 2, 3]), blockSize: 2, blockCount: 2)
      dropped = source
      #expect(try drain(source, chunk: 1) == [1, 2, 3])
    }
    #expect(dropped == nil)
  }

  @Test func aSourceLeftUnreadStopsItsThread() throws {
    // The thread fills both blocks and waits; dropping the source must not hang.
    for _ in 0..<50 {
      weak var dropped: ReadAheadSource?
      do {
        let source = ReadAheadSource(upstream: MemorySource([UInt8](repeating: 7, count: 1 << 16)), blockSize: 1024, blockCount: 2)
        dropped = source
        var byte: UInt8 = 0
        #expect(try withUnsafeMutableBytes(of: &byte) { try source.read(into: $0) } == 1 && byte == 7)
      }
      #expect(dropped == nil)  // its deinit, which stops and joins the thread, has run
    }
  }

  @Test func gzipInputsReadTheSameThroughTheThread() throws {
    let lines = (0..<20_000).map { "{\"n\":\($0)}\n" }.joined()
    let dir = temporaryDirectory()
    let path = dir + "/in.ndjson.gz"
    let sink = try OutputSink.open(path)
    sink.buffer.append(lines)
    try sink.finish()
    let reader = try InputOpener.open(path, capacity: 64)
    var read: [UInt8] = []
    while let line = try reader.readLine() { read += Array(line) + [0x0A] }
    #expect(read == Array(lines.utf8))
  }
}

/// OutputSink's writing thread (WriteBehind): what comes out is what went in, in order,
/// plain or gzip, and its errors come back to the writer.
@Suite struct WriteBehindTests {
  /// Appends `bytes` in pieces of odd sizes, flushing when full, as the writers do.
  private func write(_ bytes: [UInt8], to sink: OutputSink, piece: Int) throws {
    var at = 0
    while at < bytes.count {
      let n = min(piece, bytes.count - at)
      bytes[at..<(at + n)].withUnsafeBytes { sink.buffer.append($0) }
      at += n
      try sink.flushIfFull()
    }
  }

  @Test func theBytesComeOutInOrderPlainAndGzip() throws {
    var random = SplitMix(state: 7)
    let dir = temporaryDirectory()
    for size in [0, 10, OutputSink.flushThreshold - 1, OutputSink.flushThreshold, 3 * OutputSink.flushThreshold + 17, 5_000_003] {
      let bytes = (0..<size).map { _ in UInt8(random.below(64) + 32) }
      for (name, piece) in [("out.txt", 1 << 16), ("out.txt", 4093), ("out.txt.gz", 777)] {
        let path = "\(dir)/\(name)"
        let sink = try OutputSink.open(path)
        try write(bytes, to: sink, piece: piece)
        try sink.finish()
        let back = try InputOpener.open(path)
        var read: [UInt8] = []
        while try back.available > 0 || back.fill() {
          read += UnsafeRawBufferPointer(start: back.storage + back.start, count: back.available)
          back.start = back.end
        }
        #expect(read == bytes, "\(size) bytes to \(name) in pieces of \(piece)")
        if !name.hasSuffix(".gz") { #expect(sink.bytesWritten == Int64(size)) }
      }
    }
  }

  @Test func aClosedPipeComesBackAsABrokenPipe() throws {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    close(fds[0])
    let previous = signal(SIGPIPE, SIG_IGN)
    defer {
      signal(SIGPIPE, previous)
      close(fds[1])
    }
    let sink = OutputSink(fd: fds[1], name: "pipe", writesBehind: true)
    var caught: Error?
    do {
      try write([UInt8](repeating: 0x61, count: 4 * OutputSink.flushThreshold), to: sink, piece: 1 << 16)
      try sink.finish()
    } catch {
      caught = error
    }
    #expect(caught is BrokenPipe)
  }

  @Test func aSinkDroppedMidwayOnAStreamHandsOverWhatWasMade() throws {
    let dir = temporaryDirectory()
    let path = "\(dir)/stream.txt"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    #expect(fd >= 0)
    let bytes = [UInt8](repeating: 0x62, count: 2 * OutputSink.flushThreshold + 5)
    do {
      let sink = OutputSink(fd: fd, name: "stream", writesBehind: true, handsOverWhenDropped: true)
      try write(bytes, to: sink, piece: 1000)
      // Dropped without finish(), as when a run stops on an error.
    }
    close(fd)
    #expect(readFile(path) == bytes)
  }

  /// A spill's sink dropped unfinished writes nothing more than its thread was already
  /// handed (here, written before the drop): its owner may have closed the descriptor,
  /// and another thread's file may have its number by then (a test of aw-write read back
  /// more events than it wrote, most likely such a sink's lines in its bucket file).
  @Test func aSpillSinkDroppedUnfinishedWritesNothingMore() throws {
    let dir = temporaryDirectory()
    for (writesBehind, count) in [(false, 1000), (true, 1000), (true, 3 * OutputSink.flushThreshold + 5)] {
      let path = "\(dir)/spill-\(writesBehind)-\(count).txt"
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
      #expect(fd >= 0)
      var handed = 0
      do {
        let sink = OutputSink(fd: fd, name: "spill", writesBehind: writesBehind)
        try write([UInt8](repeating: 0x63, count: count), to: sink, piece: 1000)
        handed = Int(sink.bytesWritten)  // (waits for the thread)
        // Dropped without finish(), as when the run stops on an error.
      }
      close(fd)
      #expect(readFile(path)?.count == handed, "writes behind \(writesBehind), \(count) bytes")
      #expect(handed < count)
    }
  }

  /// Short and long texts, with escapes anywhere and the buffer growing in the middle: the
  /// same text the byte-by-byte rule writes.
  @Test func jsonStringsEscapeWhatTheByteByByteRuleDoes() {
    var random = SplitMix(state: 19)
    for round in 0..<4000 {
      let bytes = JSONEscapeRule.text(&random, length: random.below(round < 2000 ? 24 : 200))
      let out = ByteBuffer(capacity: 64)
      let before = [UInt8](repeating: 0x2A, count: random.below(70))
      out.append(before)
      bytes.withUnsafeBytes { out.appendJSONString($0) }
      #expect(out.array == before + JSONEscapeRule.quoted(bytes), "bytes \(bytes)")
    }
    let empty = ByteBuffer(capacity: 64)
    empty.appendJSONString(UnsafeRawBufferPointer(start: nil, count: 0))
    #expect(empty.array == [0x22, 0x22])
  }
}
