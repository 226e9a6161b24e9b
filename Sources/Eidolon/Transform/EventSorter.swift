#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts events in start order (then id, then input order: the sort is stable) in
/// bounded memory, as sort(1) does: canonical lines are gathered in a chunk of at most
/// `memoryBytes`, each full chunk is sorted and written to a temporary run file, and
/// the runs are merged, at most `fanIn` at a time. Input already in order costs one chunk.
public final class EventSorter {
  /// 32 bytes: the key and where the line sits in the arena.
  private struct Entry {
    var start: Int64
    var sequence: Int64
    var offset: UInt32
    var idLength: UInt32
    var lineLength: UInt32
  }

  public static let defaultMemoryBytes = 64 << 20
  public static let fanIn = 64

  private let arena: ByteBuffer
  private let arenaLimit: Int
  private let entryLimit: Int
  private var entries: [Entry] = []
  private var runs: [SortRun] = []
  private var sequence: Int64 = 0
  private let line = ByteBuffer(capacity: 1 << 12)
  /// Temporary run files written (0 when the input fit in memory).
  public private(set) var runsWritten = 0
  public private(set) var count = 0

  /// `memoryBytes` bounds what the held events take (their lines and the sort entries).
  public init(memoryBytes: Int = EventSorter.defaultMemoryBytes) {
    let memory = max(memoryBytes, 1 << 20)
    // Entries take 32 bytes, and the sort a buffer of half as many again; a line takes 150-400.
    entryLimit = memory / 10 / MemoryLayout<Entry>.stride
    arenaLimit = memory - memory / 10 - memory / 20
    arena = ByteBuffer(capacity: arenaLimit + (1 << 16))
    entries.reserveCapacity(entryLimit)
  }

  public func add(_ event: Event) throws {
    line.removeAll()
    EidolonNDJSONWriter.append(event, to: line)
    var id = event.id
    try id.withUTF8 { try add(start: event.start, id: UnsafeRawBufferPointer($0), line: line.bytes, newline: false) }
  }

  /// `add` for a view: its canonical line is held as it stands.
  public func add(_ view: EventView) throws {
    try add(start: view.start, id: view.id, line: view.canonicalLine, newline: true)
  }

  /// Holds `line` (with an LF after it when `newline`) under its key.
  private func add(start: Int64, id: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer, newline: Bool) throws {
    let lineLength = line.count + (newline ? 1 : 0)
    if arena.count + id.count + lineLength > arenaLimit || entries.count >= entryLimit { try spill() }
    let offset = arena.count
    arena.append(id)
    arena.append(line)
    if newline { arena.append(0x0A) }
    entries.append(Entry(start: start, sequence: sequence, offset: UInt32(offset),
                         idLength: UInt32(id.count), lineLength: UInt32(lineLength)))
    sequence += 1
    count += 1
  }

  private func id(_ entry: Entry) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: arena.base + Int(entry.offset), count: Int(entry.idLength))
  }

  private func line(_ entry: Entry) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: arena.base + Int(entry.offset) + Int(entry.idLength), count: Int(entry.lineLength))
  }

  private func sortEntries() {
    // Input in order (the common case: one tracker's export) needs no sort.
    var sorted = true
    for i in entries.indices.dropFirst() where precedes(entries[i], entries[i - 1]) {
      sorted = false
      break
    }
    if !sorted { entries.sort(by: precedes) }
  }

  private func precedes(_ a: Entry, _ b: Entry) -> Bool {
    if a.start != b.start { return a.start < b.start }
    let c = ByteOrder.compare(id(a), id(b))
    if c != 0 { return c < 0 }
    return a.sequence < b.sequence
  }

  private func spill() throws {
    guard !entries.isEmpty else { return }
    sortEntries()
    let run = try SortRun()
    for entry in entries { try run.append(start: entry.start, id: id(entry), line: line(entry)) }
    try run.finishWriting()
    runs.append(run)
    runsWritten += 1
    entries.removeAll(keepingCapacity: true)
    arena.removeAll()
  }

  /// Hands out every line (LF included) in order.
  public func finish(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    if runs.isEmpty {
      sortEntries()
      for entry in entries { try body(line(entry)) }
      return
    }
    try spill()
    // The merge needs only the runs' read buffers: what the chunk held goes back now,
    // so memory stays near --memory and not that plus the merge.
    arena.releaseMemory()
    entries = []
    // Merge in passes while there are more runs than files worth holding open.
    while runs.count > EventSorter.fanIn {
      var merged: [SortRun] = []
      for group in stride(from: 0, to: runs.count, by: EventSorter.fanIn) {
        let out = try SortRun()
        try SortRun.merge(Array(runs[group..<min(group + EventSorter.fanIn, runs.count)])) { start, id, line in
          try out.append(start: start, id: id, line: line)
        }
        try out.finishWriting()
        merged.append(out)
      }
      runs = merged
    }
    try SortRun.merge(runs) { _, _, line in try body(line) }
    runs = []
  }
}

/// Byte-wise comparison, as memcmp then length.
public enum ByteOrder {
  static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int32 {
    let common = min(a.count, b.count)
    if common > 0 {
      let c = memcmp(a.baseAddress!, b.baseAddress!, common)
      if c != 0 { return c }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
  }

  /// True when `a` sorts before `b` by their UTF-8 bytes, as eid-sort orders ids.
  public static func precedes(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in compare(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) < 0 } }
  }
}
