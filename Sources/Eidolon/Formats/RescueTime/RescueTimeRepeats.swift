/// Counts rows with the same identity inside one bucket (RescueTime repeats them), so
/// the second gets "#2" added to the text its id is hashed from, the third "#3".
struct RescueTimeRepeats {
  private var bucket: String?
  private var seen: [String: Int] = [:]

  /// Adds the count to `scratch` (the identity so far) for the second and later sightings.
  mutating func mark(_ scratch: ByteBuffer, bucket: String) {
    if bucket != self.bucket {
      self.bucket = bucket
      seen.removeAll(keepingCapacity: true)
    }
    let key = String(decoding: scratch.bytes, as: UTF8.self)
    let count = (seen[key] ?? 0) + 1
    seen[key] = count
    if count > 1 {
      scratch.append(0x1F)
      scratch.append("#")
      scratch.append(integer: Int64(count))
    }
  }
}
