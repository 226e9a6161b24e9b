/// A field of an event as rules and options name it: any canonical field, or
/// `attrs.NAME` for a member of attrs (formats/rules.md, "Fields").
public enum EventField: Sendable, Equatable, Hashable, CustomStringConvertible {
  case id, source, kind, start, end, duration, productivity, tags, billable, offset
  /// The host of url without "www.", as RescueTime names sites (read only).
  case domain
  /// An index into `Event.optionalStringNames`.
  case text(Int)
  case attr(String)

  public init?(name: String) {
    switch name {
    case "id": self = .id
    case "source": self = .source
    case "kind": self = .kind
    case "start": self = .start
    case "end": self = .end
    case "duration": self = .duration
    case "productivity": self = .productivity
    case "tags": self = .tags
    case "billable": self = .billable
    case "offset": self = .offset
    case "domain": self = .domain
    default:
      if let index = Event.optionalStringNames.firstIndex(of: name) {
        self = .text(index)
      } else if name.hasPrefix("attrs."), name.count > 6 {
        self = .attr(String(name.dropFirst(6)))
      } else {
        return nil
      }
    }
  }

  public static let names = ["id", "source", "kind", "start", "end", "duration"] + Event.optionalStringNames
    + ["productivity", "tags", "billable", "offset", "domain", "attrs.NAME"]

  public var description: String {
    switch self {
    case .id: return "id"
    case .source: return "source"
    case .kind: return "kind"
    case .start: return "start"
    case .end: return "end"
    case .duration: return "duration"
    case .productivity: return "productivity"
    case .tags: return "tags"
    case .billable: return "billable"
    case .offset: return "offset"
    case .domain: return "domain"
    case .text(let index): return Event.optionalStringNames[index]
    case .attr(let name): return "attrs.\(name)"
    }
  }

  /// The field as text, as text patterns see it (each tag separately, for tags);
  /// nothing when the event has no such field.
  public func forEachText(of event: Event, _ body: (String) -> Bool) -> Bool {
    switch self {
    case .id: return body(event.id)
    case .source: return body(event.source)
    case .kind: return body(event.kind)
    case .start: return body(Timestamp.canonical(event.start))
    case .end: return body(Timestamp.canonical(event.endMillis))
    case .duration:
      let out = ByteBuffer(capacity: 32)
      out.appendJSONNumber(event.duration)
      return body(String(decoding: out.bytes, as: UTF8.self))
    case .productivity: return event.productivity.map { body(String($0)) } ?? false
    case .tags:
      for tag in event.tags ?? [] where body(tag) { return true }
      return false
    case .billable: return event.billable.map { body($0 ? "true" : "false") } ?? false
    case .offset: return event.offset.map(body) ?? false
    case .domain: return event.url.map { body(WebDomain.domain(ofURL: $0)) } ?? false
    case .text(let index): return event.optionalString(index).map(body) ?? false
    case .attr(let name):
      switch EventField.attribute(name, of: event) {
      case nil, .null?: return false
      case .string(let text)?: return body(text)
      case .number(let text)?: return body(text)
      case .bool(let value)?: return body(value ? "true" : "false")
      case let value?:
        let out = ByteBuffer(capacity: 64)
        out.appendJSON(value)
        return body(String(decoding: out.bytes, as: UTF8.self))
      }
    }
  }

  /// The field as a number, for ranges: seconds for duration, milliseconds for start and end.
  public func number(of event: Event) -> Double? {
    switch self {
    case .duration: return event.duration
    case .productivity: return event.productivity.map(Double.init)
    case .start: return Double(event.start)
    case .end: return Double(event.endMillis)
    case .attr(let name):
      switch EventField.attribute(name, of: event) {
      case .number(let text)?, .string(let text)?: return Double(text)
      default: return nil
      }
    default:
      var value: Double?
      _ = forEachText(of: event) { value = Double($0); return true }
      return value
    }
  }

  /// attrs.NAME, or attrs.A.B for member B of the object A (attrs.data.status).
  static func attribute(_ path: String, of event: Event) -> JSONValue? {
    if let value = event.attrs[path] { return value }
    var parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard parts.count > 1, var value = event.attrs[parts.removeFirst()] else { return nil }
    for part in parts {
      guard case .object(let object) = value, let inner = object[part] else { return nil }
      value = inner
    }
    return value
  }

  public func isPresent(in event: Event) -> Bool {
    forEachText(of: event) { _ in true }
  }
}
