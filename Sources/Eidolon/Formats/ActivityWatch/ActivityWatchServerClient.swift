/// The parts of a running ActivityWatch server's REST API (/api/0, the same on the
/// Python and the Rust server) that aw-read and aw-write use. formats/activitywatch.md,
/// "Reading from a server" and "Importing into a server", says why these calls.
public final class ActivityWatchServerClient {
  public let http: HTTPClient
  private let api: String

  /// `url` is the server's address (http://localhost:5600); a trailing /api/0 is allowed.
  public init(url: String) throws {
    http = try HTTPClient(url: url)
    api = http.basePath.hasSuffix("/api/0") ? "" : "/api/0"
  }

  public var displayURL: String { http.displayURL }

  /// Every bucket on the server (GET /api/0/buckets/): id, type, client, hostname, created.
  public func buckets() throws -> [ActivityWatchBucket] {
    let body = try http.fetch("GET", api + "/buckets/")
    let reader = ByteReader(source: MemorySource(body), name: http.displayURL + api + "/buckets/")
    let tokenizer = JSONTokenizer(reader: reader)
    guard case .object(let list) = try tokenizer.readValue(startingWith: try tokenizer.next()) else {
      throw EidolonError(.syntax, "the bucket list is not a JSON object; is this an ActivityWatch server?", file: reader.name)
    }
    return list.members.map { member in
      var bucket = ActivityWatchBucket(id: member.key)
      if case .object(let fields) = member.value {
        for field in fields.members { bucket.set(field.key, field.value) }
      }
      return bucket
    }
  }

  /// One bucket with all its events, in the export shape (GET /api/0/buckets/<id>/export),
  /// to be parsed as it arrives.
  public func openExport(bucketID: String) throws -> ByteReader {
    let path = api + "/buckets/" + ActivityWatchServerClient.pathSegment(bucketID) + "/export"
    let response = try http.send("GET", path)
    guard response.isSuccess else { throw response.failure(body: try response.readAll(maxBytes: 1 << 20), method: "GET") }
    return ByteReader(source: response, name: response.name)
  }

  /// POST /api/0/import with {"buckets": {...}}: creates the buckets with their events.
  public func importBuckets(_ body: [UInt8]) throws {
    _ = try http.fetch("POST", api + "/import", body: body)
  }

  /// POST /api/0/buckets/<id>/events with a JSON array of events.
  public func insertEvents(bucketID: String, _ body: [UInt8]) throws {
    _ = try http.fetch("POST", api + "/buckets/" + ActivityWatchServerClient.pathSegment(bucketID) + "/events", body: body)
  }

  /// A bucket id as one URL path segment: unreserved characters stay, the rest is %XX.
  static func pathSegment(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        out += "%" + hexByte(byte)
      }
    }
    return out
  }
}
