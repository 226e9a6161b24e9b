/// A JSON value held whole: for `attrs` and other small, open-ended parts of a
/// record. Numbers keep their exact text, and objects keep their members in order,
/// so a value written back is the value read.
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// The number's text exactly as read (checked against RFC 8259's grammar).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)

  public static func number(_ value: Double) -> JSONValue {
    let buffer = ByteBuffer(capacity: 32)
    buffer.appendJSONNumber(value)
    return .number(String(decoding: buffer.bytes, as: UTF8.self))
  }

  public static func number(_ value: Int) -> JSONValue { .number(String(value)) }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The value as a CSV cell holds it: a string as it is, a number as written, null as
  /// nothing, anything else as its compact JSON.
  public var cellText: String {
    switch self {
    case .null: return ""
    case .string(let s): return s
    case .number(let n): return n
    default:
      let buffer = ByteBuffer()
      buffer.appendJSON(self)
      return String(decoding: buffer.bytes, as: UTF8.self)
    }
  }
}

/// A JSON object's members in their order. Keys are unique (readers refuse duplicates).
public struct JSONObject: Sendable, Equatable {
  public struct Member: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  public var members: [Member]
  /// Each key's position, for big objects only: setting members one by one by key was a
  /// scan each, quadratic in a record with 100k columns or members. Trusted while it has
  /// as many entries as `members` (so a direct append or removal makes it be rebuilt).
  private var positions: [String: Int]?

  /// Objects up to this size are scanned: faster than hashing for the small attrs of
  /// real records.
  static let scanLimit = 32

  public init(_ members: [Member] = []) { self.members = members }

  public static func == (a: JSONObject, b: JSONObject) -> Bool { a.members == b.members }

  public var isEmpty: Bool { members.isEmpty }
  public var count: Int { members.count }

  public subscript(key: String) -> JSONValue? {
    get {
      if let positions, positions.count == members.count { return positions[key].map { members[$0].value } }
      return members.first { $0.key == key }?.value
    }
    set {
      guard members.count > JSONObject.scanLimit else {
        if let index = members.firstIndex(where: { $0.key == key }) {
          if let newValue { members[index].value = newValue } else { members.remove(at: index) }
        } else if let newValue {
          members.append(Member(key, newValue))
        }
        return
      }
      if positions?.count != members.count {
        positions = Dictionary(members.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
      }
      if let index = positions![key] {
        if let newValue {
          members[index].value = newValue
        } else {
          members.remove(at: index)
          positions = nil
        }
      } else if let newValue {
        positions![key] = members.count
        members.append(Member(key, newValue))
      }
    }
  }
}

extension JSONObject {
  /// The values of `keys`, in their order: a dictionary for big objects, since a
  /// lookup per key made a row of 100k attrs quadratic.
  public func values(forKeys keys: [String]) -> [JSONValue?] {
    if members.count * keys.count <= 1024 { return keys.map { self[$0] } }
    var byKey = [String: JSONValue](minimumCapacity: members.count)
    for member in members { byKey[member.key] = member.value }
    return keys.map { byKey[$0] }
  }
}

extension JSONTokenizer {
  /// Reads a whole value whose first token is `first`: one record, at most
  /// `maxRecordValues` values (past them the read stops: a .limit error).
  public func readValue(startingWith first: JSONToken) throws -> JSONValue {
    recordValues = 0
    return try readNestedValue(startingWith: first)
  }

  /// Reads the members of an object whose `{` was just returned, as one record (the
  /// same limit); duplicate keys are an error.
  public func readObjectMembers() throws -> JSONObject {
    recordValues = 0
    return try readNestedMembers()
  }

  private func countValue() throws {
    recordValues += 1
    if recordValues > JSONTokenizer.maxRecordValues {
      throw EidolonError(.limit, "one record holds more than \(JSONTokenizer.maxRecordValues) JSON values; refusing it (formats/parsers.md, \"Limits\")",
                         file: fileName, position: tokenPosition)
    }
  }

  private func readNestedValue(startingWith first: JSONToken) throws -> JSONValue {
    try countValue()
    switch first {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .number: return .number(stringValue())
    case .string: return .string(stringValue())
    case .beginArray:
      var items: [JSONValue] = []
      while true {
        let token = try next()
        if token == .endArray { return .array(items) }
        items.append(try readNestedValue(startingWith: token))
      }
    case .beginObject:
      return .object(try readNestedMembers())
    case .key, .endArray, .endObject, .end:
      throw EidolonError(.syntax, "expected a value, found \(first.description)", file: fileName, position: tokenPosition)
    }
  }

  private func readNestedMembers() throws -> JSONObject {
    var object = JSONObject()
    var seen: Set<String>? = nil
    while true {
      let token = try next()
      if token == .endObject { return object }
      let key = stringValue()
      let keyPosition = tokenPosition
      // Objects in records are small, and a scan beats hashing; big ones get a set.
      if seen == nil && object.members.count == 32 { seen = Set(object.members.map(\.key)) }
      let isDuplicate = seen?.contains(key) ?? object.members.contains { $0.key == key }
      seen?.insert(key)
      guard !isDuplicate else {
        throw EidolonError(.data, "duplicate key \"\(key)\" in an object", file: fileName, position: keyPosition)
      }
      // Room for a record's usual few members at once: growing one by one from empty
      // was 8% of aw-read (three or four reallocations an object).
      if object.members.isEmpty { object.members.reserveCapacity(8) }
      object.members.append(JSONObject.Member(key, try readNestedValue(startingWith: try next())))
    }
  }
}

extension ByteBuffer {
  /// Appends `value` as compact JSON.
  public func appendJSON(_ value: JSONValue) {
    switch value {
    case .null: append("null")
    case .bool(let b): append(b ? "true" : "false")
    case .number(let text): append(text)
    case .string(let s): appendJSONString(s)
    case .array(let items):
      append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { append(UInt8(ascii: ",")) }
        appendJSON(item)
      }
      append(UInt8(ascii: "]"))
    case .object(let object):
      appendJSON(object)
    }
  }

  public func appendJSON(_ object: JSONObject) {
    append(UInt8(ascii: "{"))
    for (i, member) in object.members.enumerated() {
      if i > 0 { append(UInt8(ascii: ",")) }
      appendJSONString(member.key)
      append(UInt8(ascii: ":"))
      appendJSON(member.value)
    }
    append(UInt8(ascii: "}"))
  }
}
