/// The top-level field names of Eidolon NDJSON v1, matched on bytes.
enum EidolonField {
  case id, source, kind, start, duration
  /// An optional string field: its index in `Event.optionalStringNames`.
  case string(Int)
  case productivity, tags, billable, offset, attrs, version

  /// The field the tokenizer's current key names, or nil for an unknown key.
  static func match(_ t: JSONTokenizer) -> EidolonField? {
    switch t.text.count {
    case 1: if t.textEquals("v") { return .version }
    case 2: if t.textEquals("id") { return .id }
    case 3:
      if t.textEquals("app") { return .string(Event.OptionalString.app) }
      if t.textEquals("url") { return .string(Event.OptionalString.url) }
    case 4:
      if t.textEquals("kind") { return .kind }
      if t.textEquals("host") { return .string(Event.OptionalString.host) }
      if t.textEquals("user") { return .string(Event.OptionalString.user) }
      if t.textEquals("file") { return .string(Event.OptionalString.file) }
      if t.textEquals("task") { return .string(Event.OptionalString.task) }
      if t.textEquals("tags") { return .tags }
    case 5:
      if t.textEquals("start") { return .start }
      if t.textEquals("title") { return .string(Event.OptionalString.title) }
      if t.textEquals("attrs") { return .attrs }
    case 6:
      if t.textEquals("source") { return .source }
      if t.textEquals("stream") { return .string(Event.OptionalString.stream) }
      if t.textEquals("client") { return .string(Event.OptionalString.client) }
      if t.textEquals("offset") { return .offset }
    case 7: if t.textEquals("project") { return .string(Event.OptionalString.project) }
    case 8:
      if t.textEquals("duration") { return .duration }
      if t.textEquals("category") { return .string(Event.OptionalString.category) }
      if t.textEquals("billable") { return .billable }
    case 11:
      if t.textEquals("description") { return .string(Event.OptionalString.description) }
      if t.textEquals("subcategory") { return .string(Event.OptionalString.subcategory) }
    case 12: if t.textEquals("productivity") { return .productivity }
    default: break
    }
    return nil
  }
}
