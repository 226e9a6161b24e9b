#if canImport(Glibc)
import Glibc
#endif

/// One output row being summed up: a bucket (its wall-clock start and the offset in
/// force), the row's names (the report's key columns), and the sums.
struct RescueTimeCell {
  /// The bucket's start on the wall clock, as seconds since 1970-01-01T00:00:00.
  var label: Int64
  /// The UTC offset at the bucket's start, in seconds.
  var offset: Int
  var key: [String]
  var seconds: Double = 0
  var people = 1
  /// Seconds times productivity (or efficiency), and times efficiency percent: the
  /// efficiency report's time-weighted means.
  var weightedEfficiency: Double = 0
  var weightedPercent: Double = 0

  /// The order rows are merged in: bucket, offset, names.
  static func precedes(_ a: RescueTimeCell, _ b: RescueTimeCell) -> Bool {
    if a.label != b.label { return a.label < b.label }
    if a.offset != b.offset { return a.offset < b.offset }
    return a.key.lexicographicallyPrecedes(b.key)
  }

  func sameRow(as other: RescueTimeCell) -> Bool {
    label == other.label && offset == other.offset && key == other.key
  }

  mutating func add(_ other: RescueTimeCell) {
    seconds += other.seconds
    people = max(people, other.people)
    weightedEfficiency += other.weightedEfficiency
    weightedPercent += other.weightedPercent
  }
}

/// Cells in order, held in a temporary file deleted at once: one JSON array a line,
/// `[label, offset, seconds, people, weightedEfficiency, weightedPercent, "name", ...]`.
final class RescueTimeCellRun {
  private let fd: Int32
  private let sink: OutputSink
  private var reader: ByteReader?
  private let tokenizer = JSONTokenizer(fileName: "run")
  private(set) var count = 0

  init() throws {
    fd = try TemporaryFile.create("rt-run", holding: "the rows being summed")
    sink = OutputSink(fd: fd, name: "run")
  }

  deinit { close(fd) }

  func append(_ cell: RescueTimeCell) throws {
    let out = sink.buffer
    out.append(UInt8(ascii: "["))
    out.append(integer: cell.label)
    out.append(UInt8(ascii: ","))
    out.append(integer: Int64(cell.offset))
    for number in [cell.seconds, Double(cell.people), cell.weightedEfficiency, cell.weightedPercent] {
      out.append(UInt8(ascii: ","))
      out.appendJSONNumber(number)
    }
    for name in cell.key {
      out.append(UInt8(ascii: ","))
      out.appendJSONString(name)
    }
    out.append("]\n")
    count += 1
    try sink.flushIfFull()
  }

  func startReading() throws {
    try sink.flush()
    lseek(fd, 0, SEEK_SET)
    reader = ByteReader(source: FileDescriptorSource(fd: fd, name: "run", ownsDescriptor: false), name: "run")
  }

  func next() throws -> RescueTimeCell? {
    guard let reader, let line = try reader.readLine() else { return nil }
    tokenizer.reset(line: line, lineNumber: reader.lineNumber, offset: 0)
    let damaged = EidolonError(.io, "a temporary row file is damaged")
    guard try tokenizer.next() == .beginArray else { throw damaged }
    var numbers: [Double] = []
    for _ in 0..<6 {
      guard try tokenizer.next() == .number, let value = tokenizer.doubleValue() else { throw damaged }
      numbers.append(value)
    }
    var key: [String] = []
    while true {
      let token = try tokenizer.next()
      if token == .endArray { break }
      guard token == .string else { throw damaged }
      key.append(tokenizer.stringValue())
    }
    return RescueTimeCell(label: Int64(numbers[0]), offset: Int(numbers[1]), key: key, seconds: numbers[2], people: Int(numbers[3]),
                          weightedEfficiency: numbers[4], weightedPercent: numbers[5])
  }
}
