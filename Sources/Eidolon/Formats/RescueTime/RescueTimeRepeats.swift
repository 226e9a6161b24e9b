/// Counts rows with the same identity inside one bucket (RescueTime repeats them), so
/// the second gets "#2" added to the text its id is hashed from, the third "#3".
struct RescueTimeRepeats {
  /// An identity by its 128-bit MurmurHash3 (a String key per row, hashed again by
  /// the dictionary, cost more than the rest of the id).
  private struct Key: Hashable {
    var low: UInt64
    var high: UInt64
  }

  private var bucket: String?
  private var seen: [Key: Int] = [:]

  /// Adds the count to `scratch` (the identity so far) for the second and later sightings.
  mutating func mark(_ scratch: ByteBuffer, bucket: String) {
    if bucket != self.bucket {
      self.bucket = bucket
      seen.removeAll(keepingCapacity: true)
    }
    let (low, high) = MurmurHash3.x64_128(scratch.bytes)
    let key = Key(low: low, high: high)
    let count = (seen[key] ?? 0) + 1
    seen[key] = count
    if count > 1 {
      scratch.append(0x1F)
      scratch.append("#")
      scratch.append(integer: Int64(count))
    }
  }
}
