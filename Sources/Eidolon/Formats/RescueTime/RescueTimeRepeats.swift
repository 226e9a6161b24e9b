/// Counts rows with the same identity inside one bucket (RescueTime repeats them), so
/// the second gets "#2" added to the text its id is hashed from, the third "#3".
struct RescueTimeRepeats {
  /// An identity by its 128-bit MurmurHash3 (a String key per row, hashed again by
  /// the dictionary, cost more than the rest of the id).
  private struct Key: Hashable {
    var low: UInt64
    var high: UInt64
  }

  /// The bucket's Date as written. A value, not a buffer object: a block's thread starts
  /// from a copy of the repeats (`RescueTimeBuckets.copy`), which must not share it.
  private var bucket = DateText()
  /// The identities of the bucket and their counts: looked through in order while a
  /// bucket holds few (most hold one to eight: hashing each key again for a dictionary
  /// cost more than the look), in `many` past that.
  private var few: [(key: Key, count: Int)] = []
  /// How many of `few` are the bucket's (the rest are an earlier bucket's, written over:
  /// emptying the Array was a generic call too).
  private var fewCount = 0
  private var many: [Key: Int] = [:]
  private static let fewLimit = 16

  /// Adds the count to `scratch` (the identity so far) for the second and later sightings
  /// in the bucket whose Date is written `bucket`; the MurmurHash3 of what `scratch` then
  /// holds (the id's, hashed once for the first sighting).
  @discardableResult
  mutating func mark(_ scratch: ByteBuffer, bucket: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
    if !self.bucket.holds(bucket) {
      self.bucket = DateText(bucket)
      fewCount = 0
      if !many.isEmpty { many.removeAll(keepingCapacity: true) }
    }
    let (low, high) = MurmurHash3.x64_128(scratch.bytes)
    let count = seen(Key(low: low, high: high))
    guard count > 1 else { return (low, high) }
    scratch.append(0x1F)
    scratch.append("#")
    scratch.append(integer: Int64(count))
    return MurmurHash3.x64_128(scratch.bytes)
  }

  /// Counts one more sighting of `key` in the bucket; the count so far.
  private mutating func seen(_ key: Key) -> Int {
    if many.isEmpty {
      for i in 0..<fewCount where few[i].key == key {
        few[i].count += 1
        return few[i].count
      }
      if fewCount < RescueTimeRepeats.fewLimit {
        if fewCount < few.count { few[fewCount] = (key, 1) } else { few.append((key, 1)) }
        fewCount += 1
        return 1
      }
      for (key, count) in few[..<fewCount] { many[key] = count }
    }
    let count = (many[key] ?? 0) + 1
    many[key] = count
    return count
  }

  /// A Date's text: up to 32 bytes in four words (compared in line and replaced as a value; an
  /// Array emptied and refilled per bucket took generic calls, 2% of rt-read), a longer
  /// one in an Array.
  private struct DateText {
    private var words = SIMD4<UInt64>(repeating: 0)
    private var count = -1  // none yet
    private var long: [UInt8] = []

    init() {}

    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
      count = bytes.count
      if count <= 32 {
        if let source = bytes.baseAddress { withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: source, byteCount: count) } }
      } else {
        long = Array(bytes)
      }
    }

    @inline(__always)
    func holds(_ bytes: UnsafeRawBufferPointer) -> Bool {
      guard bytes.count == count else { return false }
      guard count <= 32 else { return long.withUnsafeBytes { $0.sameBytes(as: bytes) } }
      return withUnsafeBytes(of: words) { UnsafeRawBufferPointer(rebasing: $0[..<count]).sameShortBytes(as: bytes) }
    }
  }

  mutating func mark(_ scratch: ByteBuffer, bucket: String) {
    var bucket = bucket
    _ = bucket.withUTF8 { mark(scratch, bucket: UnsafeRawBufferPointer($0)) }
  }
}
