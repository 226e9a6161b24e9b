#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sorted run of EventSorter on disk, in a temporary file that goes when it is
/// closed: a record is start (8 bytes), id length (4), line length (4), id, line.
final class SortRun {
  private let fd: Int32
  /// Gone once written: 64 runs' write buffers would cost 20 MB through the merge.
  private var sink: OutputSink?
  private var reader: ByteReader?
  /// The record read last; good until the next `advance()`.
  private(set) var start: Int64 = 0
  private let head = ByteBuffer(capacity: 1 << 12)
  private(set) var idLength = 0

  init() throws {
    fd = try TemporaryFile.create("sort", holding: "a sorted run of events")
    sink = OutputSink(fd: fd, name: "sort run")
  }

  deinit { close(fd) }

  func append(start: Int64, id: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) throws {
    guard let sink else { preconditionFailure("SortRun.append after finishWriting") }
    let out = sink.buffer
    withUnsafeBytes(of: start.littleEndian) { out.append($0) }
    withUnsafeBytes(of: UInt32(id.count).littleEndian) { out.append($0) }
    withUnsafeBytes(of: UInt32(line.count).littleEndian) { out.append($0) }
    out.append(id)
    out.append(line)
    try sink.flushIfFull()
  }

  func finishWriting() throws {
    try sink?.flush()
    sink = nil
    lseek(fd, 0, SEEK_SET)
    reader = ByteReader(source: FileDescriptorSource(fd: fd, name: "sort run", ownsDescriptor: false),
                        name: "sort run", capacity: 1 << 16)
  }

  var id: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: head.base, count: idLength) }
  var line: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: head.base + idLength, count: head.count - idLength) }

  /// Reads the next record into `start`, `id` and `line`; false at the end.
  func advance() throws -> Bool {
    guard let reader else { return false }
    let header = try reader.peek(16)
    if header.count == 0 { return false }
    guard header.count == 16 else { throw damaged() }
    start = Int64(littleEndian: header.loadUnaligned(fromByteOffset: 0, as: Int64.self))
    idLength = Int(UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
    let length = idLength + Int(UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
    reader.start += 16
    let body = try reader.peek(length)
    guard body.count == length else { throw damaged() }
    head.removeAll()
    head.append(body)
    reader.start += length
    return true
  }

  private func damaged() -> EidolonError {
    EidolonError(.io, "a temporary sort file is damaged (was the temporary folder cleaned while eid-sort ran?)")
  }

  private func precedes(_ other: SortRun) -> Bool {
    if start != other.start { return start < other.start }
    return ByteOrder.compare(id, other.id) < 0
  }

  /// Merges `runs` (given in input order, so ties keep it) into `body`.
  static func merge(_ runs: [SortRun], _ body: (Int64, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
    // A binary heap of run indices; ties go to the earlier run, which keeps the sort stable.
    var heap: [Int] = []
    func less(_ a: Int, _ b: Int) -> Bool {
      if runs[a].precedes(runs[b]) { return true }
      if runs[b].precedes(runs[a]) { return false }
      return a < b
    }
    func siftDown(_ from: Int) {
      var i = from
      while true {
        let left = 2 * i + 1, right = left + 1
        var smallest = i
        if left < heap.count && less(heap[left], heap[smallest]) { smallest = left }
        if right < heap.count && less(heap[right], heap[smallest]) { smallest = right }
        if smallest == i { return }
        heap.swapAt(i, smallest)
        i = smallest
      }
    }
    for (i, run) in runs.enumerated() where try run.advance() { heap.append(i) }
    for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    while let top = heap.first {
      let run = runs[top]
      try body(run.start, run.id, run.line)
      if try !run.advance() {
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
      }
      if !heap.isEmpty { siftDown(0) }
    }
  }
}
