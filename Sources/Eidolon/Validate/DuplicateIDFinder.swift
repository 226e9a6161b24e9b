#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds repeated ids in a stream of any length in bounded memory: ids are
/// gathered in chunks, each chunk is sorted and, when the input is larger than one
/// chunk, written to a temporary run file; the runs are then merged and equal ids
/// reported. (An external sort, as sort(1) does it.) A full chunk is sorted and written
/// on a thread of its own while the caller fills the other.
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
  fileprivate struct Entry {
    var hash: UInt64
    var content: UInt64
    var line: Int
    var idOffset: UInt32
    var idLength: UInt32
    var fileIndex: UInt32
  }

  private let directory: String
  /// What one chunk may hold: ids' bytes, and entries.
  private let partBytes: Int
  private var chunk: Chunk
  /// The chunk the spilling thread is not holding, once it has started.
  private var spiller: HandOffThread<Chunk>?
  /// The radix sort's spare entries, for the chunk sorted on the caller's thread.
  private var spareEntries: [Entry] = []
  /// The sorted runs, in files unlinked when they were made.
  private var runFiles: [RunFile] = []
  public private(set) var count = 0

  /// `chunkBytes` bounds the memory the ids take: two chunks (ids' bytes and entries
  /// each) and the sort's spare copy of the entries, a fifth each; 12 MiB by default.
  public init(chunkBytes: Int = 12 << 20, temporaryDirectory: String? = nil) {
    partBytes = max(64, chunkBytes / 5)
    directory = temporaryDirectory ?? TemporaryFile.directory()
    chunk = Chunk(partBytes: partBytes)
  }

  deinit {
    spiller?.stop()
    for run in runFiles { close(run.fd) }
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
    // The chunk and its arena held once (each read of the property took a retain and a release).
    let chunk = self.chunk, arena = chunk.arena
    let offset = arena.count
    arena.append(raw)
    chunk.entries.append(Entry(hash: hash, content: content, line: line, idOffset: UInt32(offset), idLength: UInt32(raw.count),
                               fileIndex: UInt32(fileIndex)))
    count += 1
    if arena.count >= partBytes || chunk.entries.count * MemoryLayout<Entry>.stride >= partBytes {
      try spill()
    }
  }

  /// `add` for every event of a block checked elsewhere, in its order: the ids' bytes
  /// copied into the chunk a run at a time (one copy up to where the chunk is full,
  /// rather than one per id).
  func add(_ events: CheckedEvents, fileIndex: Int) throws {
    try events.records.withUnsafeBufferPointer { records in
      let entryLimit = (partBytes + MemoryLayout<Entry>.stride - 1) / MemoryLayout<Entry>.stride
      var first = 0
      while first < records.count {
        let chunk = self.chunk, arena = chunk.arena
        // The records up to the one that fills the chunk (`add` spills after it), or all.
        var end = first, bytes = 0, full = false
        while end < records.count && !full {
          bytes += Int(records[end].idLength)
          end += 1
          full = arena.count + bytes >= partBytes || chunk.entries.count + (end - first) >= entryLimit
        }
        let from = Int(records[first].idOffset)
        let shift = arena.count - from
        arena.append(UnsafeRawBufferPointer(start: events.ids.base + from, count: bytes))
        for record in records[first..<end] {
          chunk.entries.append(Entry(hash: record.idHash, content: record.content, line: record.line,
                                     idOffset: UInt32(Int(record.idOffset) + shift), idLength: record.idLength,
                                     fileIndex: UInt32(fileIndex)))
        }
        count += end - first
        if full { try spill() }
        first = end
      }
    }
  }

  /// Hands the full chunk to the spilling thread (started on the first spill) and takes
  /// back the one it wrote last, empty.
  private func spill() throws {
    if spiller == nil {
      let directory = self.directory
      var spare: [Entry] = []
      spiller = try HandOffThread(spare: Chunk(partBytes: partBytes), doing: "sort the ids for the duplicate-id check") { full in
        guard !full.entries.isEmpty else { return }
        full.sort(spare: &spare)
        full.run = try full.writeRun(in: directory)
        full.entries.removeAll(keepingCapacity: true)
        full.arena.removeAll()
      }
    }
    var other = chunk
    try spiller!.hand { swap(&other, &$0) }
    if let run = other.run { runFiles.append(run) }
    other.run = nil
    chunk = other
  }

  /// Reports every id seen before, in id order, each with where it came first.
  public func finish(_ report: (Duplicate) throws -> Void) throws {
    guard spiller != nil else {
      chunk.sort(spare: &spareEntries)
      try chunk.reportRepeats(report)
      return
    }
    if !chunk.entries.isEmpty { try spill() }
    try spill()  // the last run back
    spiller?.stop()
    spiller = nil
    try mergeRuns(report)
  }

  /// Ids' bytes and their entries, sorted in (hash, id, file, line) order before a run is written.
  fileprivate final class Chunk {
    let arena: ByteBuffer
    var entries: [Entry] = []
    /// The run file written from it.
    var run: RunFile?

    init(partBytes: Int) {
      arena = ByteBuffer(capacity: partBytes + 4096)
      // Reserved up front, so growth by doubling never overshoots the bound.
      entries.reserveCapacity(partBytes / MemoryLayout<Entry>.stride + 1)
    }

    func idBytes(_ entry: Entry) -> UnsafeRawBufferPointer {
      UnsafeRawBufferPointer(start: arena.base + Int(entry.idOffset), count: Int(entry.idLength))
    }

    /// A stable sort on the hash (entries come in file and line order, so equal hashes
    /// stay in it), then each run of equal hashes, short and rare but for a repeated id,
    /// by the whole key. (Swift's sort with a closure was a sixth of eid-validate's
    /// instructions: bench/README.md.)
    func sort(spare: inout [Entry]) {
      guard entries.count > 1 else { return }
      Chunk.sortByHash(&entries, spare: &spare)
      var runStart = 0
      for i in 1...entries.count where i == entries.count || entries[i].hash != entries[runStart].hash {
        if i - runStart > 1 {
          entries[runStart..<i].sort { a, b in
            let c = ByteOrder.compare(idBytes(a), idBytes(b))
            if c != 0 { return c < 0 }
            return (a.fileIndex, a.line) < (b.fileIndex, b.line)
          }
        }
        runStart = i
      }
    }

    /// Equal ids of the sorted chunk, each after the first (the whole input fitted in it).
    func reportRepeats(_ report: (Duplicate) throws -> Void) throws {
      var first = 0
      for i in 1..<max(entries.count, 1) {
        let a = entries[first]
        let b = entries[i]
        if a.hash == b.hash && ByteOrder.compare(idBytes(a), idBytes(b)) == 0 {
          try report(Duplicate(id: String(decoding: idBytes(b), as: UTF8.self), fileIndex: Int(b.fileIndex),
                               line: b.line, firstFileIndex: Int(a.fileIndex), firstLine: a.line,
                               sameContent: a.content == b.content))
        } else {
          first = i
        }
      }
    }

    /// Writes the sorted chunk as a run: hash, content hash, file, line, length, id bytes.
    func writeRun(in directory: String) throws -> RunFile {
      let fd = try TemporaryFile.create("ids", holding: "the ids for the duplicate-id check", in: directory)
      var written: Int64 = 0
      var upperHalf: Int64?
      do {
        let sink = OutputSink(fd: fd, name: "id run")
        let out = sink.buffer
        for entry in entries {
          if upperHalf == nil && entry.hash >= RunFile.upperHalf { upperHalf = written }
          written += 32 + Int64(entry.idLength)
          let place = UnsafeMutableRawPointer(out.reserve(32 + Int(entry.idLength)))
          place.storeBytes(of: entry.hash.littleEndian, toByteOffset: 0, as: UInt64.self)
          place.storeBytes(of: entry.content.littleEndian, toByteOffset: 8, as: UInt64.self)
          place.storeBytes(of: entry.fileIndex.littleEndian, toByteOffset: 16, as: UInt32.self)
          place.storeBytes(of: UInt64(entry.line).littleEndian, toByteOffset: 20, as: UInt64.self)
          place.storeBytes(of: entry.idLength.littleEndian, toByteOffset: 28, as: UInt32.self)
          if entry.idLength > 0 { (place + 32).copyMemory(from: arena.base + Int(entry.idOffset), byteCount: Int(entry.idLength)) }
          out.commit(32 + Int(entry.idLength))
          try sink.flushIfFull()
        }
        try sink.flush()
      } catch {
        close(fd)
        throw error
      }
      return RunFile(fd: fd, upperHalf: upperHalf ?? written, size: written)
    }

    /// Sorts by hash, stably, in one counting pass on the hash's top bits, about as many
    /// buckets as entries (the hashes are well spread, so a bucket holds one or two), then
    /// each bucket by the whole hash: by insertion, or past `insertionLimit` (only ids
    /// made to collide fill one) by an LSD radix sort on the bits below. The eight-bit
    /// LSD radix sort of the whole chunk this replaced took five times the instructions.
    static func sortByHash(_ entries: inout [Entry], spare: inout [Entry]) {
      let count = entries.count
      // Entry is plain data: the spare's elements are all written before they are read. It
      // takes the entries' place, so it gets their reserved capacity (the memory bound).
      if spare.count < count {
        spare = [Entry](unsafeUninitializedCapacity: max(count, entries.capacity)) { $1 = count }
      } else {
        spare.removeLast(spare.count - count)
      }
      let topBits = max(8, min(16, Int.bitWidth - count.leadingZeroBitCount))
      let shift = UInt64(64 - topBits)
      var ends = [Int](repeating: 0, count: 1 << topBits)
      entries.withUnsafeMutableBufferPointer { items in
        spare.withUnsafeMutableBufferPointer { sorted in
          ends.withUnsafeMutableBufferPointer { ends in
            for item in items { ends[Int(item.hash >> shift)] += 1 }
            var sum = 0
            for bucket in ends.indices {  // each bucket's start, moved to its end by the scatter
              let size = ends[bucket]
              ends[bucket] = sum
              sum += size
            }
            for item in items {
              let bucket = Int(item.hash >> shift)
              sorted[ends[bucket]] = item
              ends[bucket] += 1
            }
            var start = 0
            for end in ends {
              if end - start > 1 {
                let bucket = UnsafeMutableBufferPointer(rebasing: sorted[start..<end])
                if end - start <= Chunk.insertionLimit {
                  Chunk.insertionSortByHash(bucket)
                } else {
                  Chunk.radixSortByHash(bucket, scratch: UnsafeMutableBufferPointer(rebasing: items[start..<end]), bits: 64 - topBits)
                }
              }
              start = end
            }
          }
        }
      }
      swap(&entries, &spare)
    }

    static let insertionLimit = 32

    /// Stable: an entry moves back only past larger hashes.
    private static func insertionSortByHash(_ items: UnsafeMutableBufferPointer<Entry>) {
      for i in 1..<items.count {
        let item = items[i]
        var j = i
        while j > 0 && items[j - 1].hash > item.hash {
          items[j] = items[j - 1]
          j -= 1
        }
        items[j] = item
      }
    }

    /// LSD radix sort on the low `bits` of the hash, eight a pass, through `scratch` (as
    /// long); stable; the result in `items`. Passes whose byte is the same in every entry
    /// are skipped.
    static func radixSortByHash(_ items: UnsafeMutableBufferPointer<Entry>, scratch: UnsafeMutableBufferPointer<Entry>,
                                bits: Int) {
      let passes = (bits + 7) / 8
      var counts = [Int](repeating: 0, count: 256 * passes)
      counts.withUnsafeMutableBufferPointer { counts in
        for item in items {
          var hash = item.hash
          for pass in 0..<passes {
            counts[pass &* 256 &+ Int(hash & 0xFF)] += 1
            hash >>= 8
          }
        }
      }
      var (from, to) = (items, scratch)
      var offsets = [Int](repeating: 0, count: 256)
      for pass in 0..<passes where counts[pass * 256 + Int(items[0].hash >> UInt64(pass * 8) & 0xFF)] != items.count {
        var sum = 0
        for digit in 0..<256 {
          offsets[digit] = sum
          sum += counts[pass * 256 + digit]
        }
        let shift = UInt64(pass * 8)
        for item in from {
          let digit = Int(item.hash >> shift & 0xFF)
          to[offsets[digit]] = item
          offsets[digit] += 1
        }
        swap(&from, &to)
      }
      if from.baseAddress != items.baseAddress { _ = items.update(fromContentsOf: from) }
    }
  }

  /// Merges the sorted runs, each half of the hashes on a core of its own once the runs
  /// are big enough: the lower half reported here as it is merged, the upper half's
  /// repeats waiting in a bounded queue meanwhile (groups of equal ids never straddle the
  /// halves: equal ids have equal hashes). The order of the reports is one merge's.
  private func mergeRuns(_ report: (Duplicate) throws -> Void) throws {
    let total = runFiles.reduce(Int64(0)) { $0 + $1.size }
    guard runFiles.count > 1 && total >= DuplicateIDFinder.splitMergeBytes else {
      return try DuplicateIDFinder.merge(runFiles.map { ($0.fd, 0, $0.size) }, report)
    }
    let queue = DuplicateQueue(capacity: 4096)
    let upper = runFiles.map { ($0.fd, $0.upperHalf, $0.size) }
    let thread = try ThreadMonitor.startThread(doing: "merge the ids for the duplicate-id check") {
      do {
        try DuplicateIDFinder.merge(upper) { try queue.push($0) }
        queue.close(nil)
      } catch {
        queue.close(error)
      }
    }
    defer {
      queue.cancel()
      pthread_join(thread, nil)
    }
    try DuplicateIDFinder.merge(runFiles.map { ($0.fd, 0, $0.upperHalf) }, report)
    while let duplicate = try queue.pop() { try report(duplicate) }
  }

  /// Runs smaller than this together are merged on one core.
  static let splitMergeBytes: Int64 = 4 << 20

  /// One merge of the runs' items in `ranges` (descriptor, first byte, end), through a heap
  /// of the runs by their next item, so each item costs a few comparisons whatever the
  /// number of runs (a gigabyte of input makes about 70); each run's next id stays in a
  /// buffer of its own, and the first of a group of equal ids is copied into one more.
  private static func merge(_ ranges: [(Int32, Int64, Int64)], _ report: (Duplicate) throws -> Void) throws {
    var heap = RunHeap(try ranges.map { RunReader(fd: $0.0, from: $0.1, to: $0.2) }.filter { try $0.next() })
    let group = RunReader()
    var hasGroup = false
    while let run = heap.top {
      if hasGroup, group.hash == run.hash, group.sameID(as: run) {
        try report(Duplicate(id: String(decoding: run.id.bytes, as: UTF8.self), fileIndex: run.fileIndex, line: run.line,
                             firstFileIndex: group.fileIndex, firstLine: group.line,
                             sameContent: group.content == run.content))
      } else {
        group.take(run)
        hasGroup = true
      }
      if try run.next() { heap.topMoved() } else { heap.removeTop() }
    }
  }

  /// A sorted run in a temporary file: its size and where its upper half of the hashes starts.
  fileprivate struct RunFile {
    static let upperHalf: UInt64 = 1 << 63
    var fd: Int32
    var upperHalf: Int64
    var size: Int64
  }

  /// The runs, the one with the smallest next item on top: a binary heap of indexes into
  /// `runs`, their hashes alongside (most comparisons end there).
  private struct RunHeap {
    private let runs: [RunReader]
    private var order: [Int]
    private var hashes: [UInt64]

    init(_ runs: [RunReader]) {
      self.runs = runs
      order = Array(runs.indices)
      hashes = runs.map(\.hash)
      for index in stride(from: order.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    var top: RunReader? { order.isEmpty ? nil : runs[order[0]] }

    mutating func removeTop() {
      order.swapAt(0, order.count - 1)
      order.removeLast()
      if !order.isEmpty { siftDown(0) }
    }

    /// The top moved on to its next item: put it back in its place.
    mutating func topMoved() {
      hashes[order[0]] = runs[order[0]].hash
      siftDown(0)
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
      let (ha, hb) = (hashes[a], hashes[b])
      if ha != hb { return ha < hb }
      return runs[a].precedes(runs[b])
    }

    private mutating func siftDown(_ start: Int) {
      var parent = start
      let count = order.count
      while true {
        let left = 2 * parent + 1
        guard left < count else { return }
        var least = left
        if left + 1 < count && precedes(order[left + 1], order[left]) { least = left + 1 }
        guard precedes(order[least], order[parent]) else { return }
        order.swapAt(parent, least)
        parent = least
      }
    }
  }

  /// Reads back one run file (hash, content hash, file, line, length, id bytes) an item
  /// at a time; the item's fields are the reader's own until its next `next()`.
  private final class RunReader {
    private(set) var hash: UInt64 = 0
    private(set) var content: UInt64 = 0
    private(set) var fileIndex = 0
    private(set) var line = 0
    let id = ByteBuffer(capacity: 256)

    private let input: ByteReader?

    /// The items between the bytes `from` and `to` of the run in `fd` (read with pread,
    /// so the two halves of a run can be read at once).
    init(fd: Int32, from: Int64, to: Int64) {
      input = ByteReader(source: FileRangeSource(fd: fd, from: from, to: to, name: "id run"), name: "id run", capacity: 1 << 16)
    }

    /// A holder of one item copied from a run (the first of a group of equal ids).
    init() { input = nil }

    func take(_ run: RunReader) {
      hash = run.hash
      content = run.content
      fileIndex = run.fileIndex
      line = run.line
      id.removeAll()
      id.append(run.id.bytes)
    }

    func sameID(as other: RunReader) -> Bool { id.bytes.sameBytes(as: other.id.bytes) }

    /// (hash, id, file, line) order: the order the runs were sorted in.
    func precedes(_ other: RunReader) -> Bool {
      if hash != other.hash { return hash < other.hash }
      let c = ByteOrder.compare(id.bytes, other.id.bytes)
      if c != 0 { return c < 0 }
      return (fileIndex, line) < (other.fileIndex, other.line)
    }

    /// Moves to the next item; false at the end of the run.
    func next() throws -> Bool {
      guard let input else { return false }
      if input.available < 32 { _ = try input.peek(32) }
      if input.available == 0 { return false }
      guard input.available >= 32 else { throw EidolonError(.io, "a temporary run file is damaged", file: input.name) }
      let header = UnsafeRawPointer(input.storage + input.start)
      hash = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
      content = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
      fileIndex = Int(UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
      line = Int(UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 20, as: UInt64.self)))
      let length = Int(UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 28, as: UInt32.self)))
      input.start += 32
      if input.available < length { _ = try input.peek(length) }
      guard input.available >= length else { throw EidolonError(.io, "a temporary run file is damaged", file: input.name) }
      id.removeAll()
      id.append(UnsafeRawBufferPointer(start: input.storage + input.start, count: length))
      input.start += length
      return true
    }
  }
}

/// The repeats of the upper half of the hashes, found on the merging thread, waiting for
/// the lower half's to be reported: at most `capacity` at a time (the thread waits).
private final class DuplicateQueue {
  private let monitor = ThreadMonitor()
  private let capacity: Int
  private var items: [DuplicateIDFinder.Duplicate] = []
  private var head = 0
  private var closed = false
  private var cancelled = false
  private var failure: Error?

  init(capacity: Int) { self.capacity = capacity }

  /// The merging thread's: waits while the queue is full; stops the merge once cancelled.
  func push(_ duplicate: DuplicateIDFinder.Duplicate) throws {
    monitor.lock()
    defer { monitor.unlock() }
    while items.count - head >= capacity && !cancelled { monitor.wait() }
    if cancelled { throw MergeCancelled() }
    if head >= capacity {  // the taken ones go, so the array stays within twice the capacity
      items.removeFirst(head)
      head = 0
    }
    items.append(duplicate)
    monitor.broadcast()
  }

  /// The merging thread is done (with the error it met, if any).
  func close(_ error: Error?) {
    monitor.lock()
    closed = true
    failure = error
    monitor.broadcast()
    monitor.unlock()
  }

  /// The next repeat in order; nil once the thread is done and all are taken.
  func pop() throws -> DuplicateIDFinder.Duplicate? {
    monitor.lock()
    defer { monitor.unlock() }
    while head == items.count && !closed { monitor.wait() }
    if head < items.count {
      let item = items[head]
      head += 1
      monitor.broadcast()
      return item
    }
    if let failure, !(failure is MergeCancelled) { throw failure }
    return nil
  }

  /// The caller stops waiting for the rest (it failed, or took all).
  func cancel() {
    monitor.lock()
    cancelled = true
    monitor.broadcast()
    monitor.unlock()
  }
}

private struct MergeCancelled: Error {}
