#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds repeated ids in a stream of any length in bounded memory: ids are
/// gathered in chunks of at most `chunkBytes`, each chunk is sorted and, when the
/// input is larger than one chunk, written to a temporary run file; the runs are
/// then merged and equal ids reported. (An external sort, as sort(1) does it.)
public final class DuplicateIDFinder {
  public struct Duplicate: Sendable, Equatable {
    public var id: String
    public var fileIndex: Int
    public var line: Int
    /// Where the id appeared first.
    public var firstFileIndex: Int
    public var firstLine: Int
    /// True when both carry the same content hash: the same event seen twice.
    public var sameContent: Bool

    public init(id: String, fileIndex: Int, line: Int, firstFileIndex: Int, firstLine: Int, sameContent: Bool = false) {
      self.id = id
      self.fileIndex = fileIndex
      self.line = line
      self.firstFileIndex = firstFileIndex
      self.firstLine = firstLine
      self.sameContent = sameContent
    }
  }

  /// 40 bytes: the sort key's hash, a hash of the content, where the id sits in the arena,
  /// and where it came from.
  private struct Entry {
    var hash: UInt64
    var content: UInt64
    var line: Int
    var idOffset: UInt32
    var idLength: UInt32
    var fileIndex: UInt32
  }

  private let chunkBytes: Int
  private let directory: String
  private let arena: ByteBuffer
  private var entries: [Entry] = []
  /// The sorted runs, in files unlinked when they were made.
  private var runFiles: [Int32] = []
  public private(set) var count = 0

  /// `chunkBytes` bounds the memory the ids take (arena, entries and the sort's spare
  /// copy of the entries, a third each), 12 MiB by default.
  public init(chunkBytes: Int = 12 << 20, temporaryDirectory: String? = nil) {
    self.chunkBytes = chunkBytes
    arena = ByteBuffer(capacity: chunkBytes / 3 + 4096)
    directory = temporaryDirectory ?? TemporaryFile.directory()
    // Reserved up front, so growth by doubling never overshoots the bound.
    entries.reserveCapacity(chunkBytes / 3 / MemoryLayout<Entry>.stride + 1)
  }

  deinit {
    for fd in runFiles { close(fd) }
  }

  /// Adds an id; `content` is any hash of what the record says, to tell a repeated
  /// record (same content) from two records that share an id.
  public func add(id: String, fileIndex: Int, line: Int, content: UInt64 = 0) throws {
    var id = id
    try id.withUTF8 { try add(id: UnsafeRawBufferPointer($0), fileIndex: fileIndex, line: line, content: content) }
  }

  /// `add` for an id as UTF-8 bytes.
  public func add(id raw: UnsafeRawBufferPointer, fileIndex: Int, line: Int, content: UInt64 = 0) throws {
    try add(id: raw, hash: MurmurHash3.x64_128(raw).0, fileIndex: fileIndex, line: line, content: content)
  }

  /// `add` with the id's hash (`MurmurHash3.x64_128(id).0`) already taken (on another thread).
  public func add(id raw: UnsafeRawBufferPointer, hash: UInt64, fileIndex: Int, line: Int, content: UInt64) throws {
    let offset = arena.count
    arena.append(raw)
    entries.append(Entry(hash: hash, content: content, line: line, idOffset: UInt32(offset), idLength: UInt32(raw.count),
                         fileIndex: UInt32(fileIndex)))
    count += 1
    if arena.count >= chunkBytes / 3 || entries.count * MemoryLayout<Entry>.stride >= chunkBytes / 3 {
      try spill()
    }
  }

  private func idBytes(_ entry: Entry) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: arena.base + Int(entry.idOffset), count: Int(entry.idLength))
  }

  private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int32 {
    let common = min(a.count, b.count)
    if common > 0 {
      let c = memcmp(a.baseAddress!, b.baseAddress!, common)
      if c != 0 { return c }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
  }

  /// Puts the chunk in (hash, id, file, line) order: a stable radix sort on the hash
  /// (entries come in file and line order, so equal hashes stay in it), then each run of
  /// equal hashes, short and rare but for a repeated id, by the whole key. (Swift's sort
  /// with a closure was a sixth of eid-validate's instructions: bench/README.md.)
  private func sortEntries() {
    guard entries.count > 1 else { return }
    DuplicateIDFinder.radixSortByHash(&entries, spare: &spareEntries)
    var runStart = 0
    for i in 1...entries.count where i == entries.count || entries[i].hash != entries[runStart].hash {
      if i - runStart > 1 {
        entries[runStart..<i].sort { a, b in
          let c = DuplicateIDFinder.compare(idBytes(a), idBytes(b))
          if c != 0 { return c < 0 }
          return (a.fileIndex, a.line) < (b.fileIndex, b.line)
        }
      }
      runStart = i
    }
  }

  /// The spare array the radix sort moves entries through (kept: it is as big as a chunk).
  private var spareEntries: [Entry] = []

  /// LSD radix sort on `hash`, eight bits a pass; stable. Passes whose byte is the same in
  /// every entry are skipped.
  private static func radixSortByHash(_ entries: inout [Entry], spare: inout [Entry]) {
    let count = entries.count
    if spare.count < count { spare = entries } else { spare.removeLast(spare.count - count) }
    var counts = [Int](repeating: 0, count: 256 * 8)
    entries.withUnsafeBufferPointer { items in
      for item in items {
        var hash = item.hash
        for pass in 0..<8 {
          counts[pass * 256 + Int(hash & 0xFF)] += 1
          hash >>= 8
        }
      }
    }
    var inEntries = true
    for pass in 0..<8 where counts[pass * 256 + Int(entries[0].hash >> UInt64(pass * 8) & 0xFF)] != count {
      var offsets = [Int](repeating: 0, count: 256)
      var sum = 0
      for digit in 0..<256 {
        offsets[digit] = sum
        sum += counts[pass * 256 + digit]
      }
      let shift = UInt64(pass * 8)
      if inEntries {
        DuplicateIDFinder.scatter(from: entries, to: &spare, offsets: &offsets, shift: shift)
      } else {
        DuplicateIDFinder.scatter(from: spare, to: &entries, offsets: &offsets, shift: shift)
      }
      inEntries.toggle()
    }
    if !inEntries { swap(&entries, &spare) }
  }

  private static func scatter(from source: [Entry], to target: inout [Entry], offsets: inout [Int], shift: UInt64) {
    source.withUnsafeBufferPointer { items in
      target.withUnsafeMutableBufferPointer { out in
        offsets.withUnsafeMutableBufferPointer { next in
          for item in items {
            let digit = Int(item.hash >> shift & 0xFF)
            out[next[digit]] = item
            next[digit] += 1
          }
        }
      }
    }
  }

  /// Sorts the chunk in memory and writes it as a run: hash, content hash, file, line, length, id bytes.
  private func spill() throws {
    sortEntries()
    let fd = try TemporaryFile.create("ids", holding: "the ids for the duplicate-id check", in: directory)
    runFiles.append(fd)
    let sink = OutputSink(fd: fd, name: "id run")
    for entry in entries {
      let out = sink.buffer
      withUnsafeBytes(of: entry.hash.littleEndian) { out.append($0) }
      withUnsafeBytes(of: entry.content.littleEndian) { out.append($0) }
      withUnsafeBytes(of: UInt32(entry.fileIndex).littleEndian) { out.append($0) }
      withUnsafeBytes(of: UInt64(entry.line).littleEndian) { out.append($0) }
      withUnsafeBytes(of: UInt32(entry.idLength).littleEndian) { out.append($0) }
      out.append(idBytes(entry))
      try sink.flushIfFull()
    }
    try sink.flush()
    entries.removeAll(keepingCapacity: true)
    arena.removeAll()
  }

  /// Reports every id seen before, in id order, each with where it came first.
  public func finish(_ report: (Duplicate) throws -> Void) throws {
    if runFiles.isEmpty {
      sortEntries()
      var first = 0
      for i in 1..<max(entries.count, 1) {
        let a = entries[first]
        let b = entries[i]
        if a.hash == b.hash && DuplicateIDFinder.compare(idBytes(a), idBytes(b)) == 0 {
          try report(Duplicate(id: String(decoding: idBytes(b), as: UTF8.self), fileIndex: Int(b.fileIndex),
                               line: b.line, firstFileIndex: Int(a.fileIndex), firstLine: a.line,
                               sameContent: a.content == b.content))
        } else {
          first = i
        }
      }
      return
    }
    if !entries.isEmpty { try spill() }
    try mergeRuns(report)
  }

  private func mergeRuns(_ report: (Duplicate) throws -> Void) throws {
    let runs = try runFiles.map { try RunReader(fd: $0) }
    var heads: [RunReader.Item?] = try runs.map { try $0.next() }
    var group: RunReader.Item? = nil
    while true {
      var best = -1
      for (i, head) in heads.enumerated() {
        guard let head else { continue }
        if best < 0 || RunReader.Item.precedes(head, heads[best]!) { best = i }
      }
      guard best >= 0 else { return }
      let item = heads[best]!
      heads[best] = try runs[best].next()
      if let first = group, first.hash == item.hash, first.id == item.id {
        try report(Duplicate(id: String(decoding: item.id, as: UTF8.self), fileIndex: item.fileIndex, line: item.line,
                             firstFileIndex: first.fileIndex, firstLine: first.line,
                             sameContent: first.content == item.content))
      } else {
        group = item
      }
    }
  }

  /// Reads back one run file: hash, content hash, file, line, length, id bytes.
  private final class RunReader {
    struct Item {
      var hash: UInt64
      var content: UInt64
      var fileIndex: Int
      var line: Int
      var id: [UInt8]

      static func precedes(_ a: Item, _ b: Item) -> Bool {
        if a.hash != b.hash { return a.hash < b.hash }
        if a.id != b.id { return a.id.lexicographicallyPrecedes(b.id) }
        return (a.fileIndex, a.line) < (b.fileIndex, b.line)
      }
    }

    private let input: ByteReader

    init(fd: Int32) throws {
      try TemporaryFile.rewind(fd, name: "id run")
      input = ByteReader(source: FileDescriptorSource(fd: fd, name: "id run", ownsDescriptor: false), name: "id run", capacity: 1 << 16)
    }

    func next() throws -> Item? {
      let header = try input.peek(32)
      if header.count == 0 { return nil }
      guard header.count == 32 else { throw EidolonError(.io, "a temporary run file is damaged", file: input.name) }
      let hash = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
      let content = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
      let fileIndex = Int(UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
      let line = Int(UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 20, as: UInt64.self)))
      let length = Int(UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 28, as: UInt32.self)))
      input.start += 32
      let body = try input.peek(length)
      guard body.count == length else { throw EidolonError(.io, "a temporary run file is damaged", file: input.name) }
      let id = Array(body)
      input.start += length
      return Item(hash: hash, content: content, fileIndex: fileIndex, line: line, id: id)
    }
  }
}
