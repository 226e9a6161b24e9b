/// Sends the buckets an `ActivityWatchWriter` gathered to a running ActivityWatch server,
/// in batches, so neither side holds a whole bucket in one request
/// (formats/activitywatch.md, "Importing into a server").
///
/// A new bucket is created by POST /api/0/import with its fields and its first batch of
/// events (so its "created" survives; the bucket-creation call would set it to now), and
/// the remaining batches go to POST /api/0/buckets/<id>/events. A bucket that already
/// exists is handled as `existing` says: the Python server's import fails on it, the
/// Rust server's merges, so Eidolon decides the same way for both.
public final class ActivityWatchImporter {
  public enum ExistingBuckets: String, CaseIterable, Sendable {
    /// Import nothing and say which buckets exist.
    case fail
    /// Import into a new bucket beside it: "<id>-eidolon-<n>", the first n that is free.
    case split
    /// Add the events to the existing bucket.
    case append
  }

  public struct Summary: Sendable {
    public var bucketsCreated = 0
    public var bucketsAppended = 0
    public var events = 0
    public var requests = 0
    /// Original id to the new bucket's id, for the buckets that were split.
    public var renamed: [(String, String)] = []
  }

  private let client: ActivityWatchServerClient
  private let existing: ExistingBuckets
  private let batchSize: Int
  /// A batch is also cut when its body reaches this many bytes.
  static let maxBatchBytes = 16 << 20

  public init(client: ActivityWatchServerClient, existing: ExistingBuckets, batchSize: Int) {
    self.client = client
    self.existing = existing
    self.batchSize = max(1, batchSize)
  }

  /// Imports every bucket of `writer`; `onBatch` hears after each request (for progress).
  public func run(_ writer: ActivityWatchWriter, onBatch: (Summary) -> Void = { _ in }) throws -> Summary {
    var onServer = Set(try client.buckets().map(\.id))
    let clashes = writer.bucketIDs.filter { onServer.contains($0) }
    if existing == .fail && !clashes.isEmpty {
      let shown = clashes.prefix(5).joined(separator: ", ") + (clashes.count > 5 ? " and \(clashes.count - 5) more" : "")
      throw EidolonError(
        .usage,
        "\(clashes.count) bucket(s) already on the server: \(shown); nothing was imported. "
          + "--existing split imports them as new buckets (<id>-eidolon-1), --existing append adds the events to them",
        file: client.displayURL)
    }
    var summary = Summary()
    try writer.forEachBucket { header, earliest, events in
      var target = header
      var appending = false
      if onServer.contains(header.id) {
        if existing == .append {
          appending = true
        } else {
          var n = 1
          while onServer.contains("\(header.id)-eidolon-\(n)") { n += 1 }
          target.id = "\(header.id)-eidolon-\(n)"
          summary.renamed.append((header.id, target.id))
        }
      }
      let batch = ByteBuffer()
      var count = 0
      var createBucket = !appending
      func send() throws {
        if createBucket {
          let body = ByteBuffer()
          body.append("{\"buckets\":{")
          body.appendJSONString(target.id)
          body.append(":")
          ActivityWatchWriter.appendBucketFields(target, earliest: earliest, to: body)
          body.append(",\"events\":[")
          body.append(batch.bytes)
          body.append("]}}}")
          try client.importBuckets(body.array)
          createBucket = false
          onServer.insert(target.id)
        } else {
          let body = ByteBuffer()
          body.append("[")
          body.append(batch.bytes)
          body.append("]")
          try client.insertEvents(bucketID: target.id, body.array)
        }
        summary.events += count
        summary.requests += 1
        onBatch(summary)
        batch.removeAll()
        count = 0
      }
      while let line = try events.readLine() {
        if count > 0 { batch.append(UInt8(ascii: ",")) }
        batch.append(line)
        count += 1
        if count >= batchSize || batch.count >= ActivityWatchImporter.maxBatchBytes { try send() }
      }
      if count > 0 || createBucket { try send() }
      if appending { summary.bucketsAppended += 1 } else { summary.bucketsCreated += 1 }
    }
    return summary
  }
}
