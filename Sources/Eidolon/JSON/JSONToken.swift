/// One step of a JSON document, as `JSONTokenizer.next()` hands them out.
/// The text of keys, strings and numbers is in the tokenizer's `text`.
public enum JSONToken: Sendable, Equatable {
  case beginObject
  case endObject
  case beginArray
  case endArray
  /// An object member's name.
  case key
  case string
  /// A number; its exact text stays available, so nothing is rounded unless asked.
  case number
  case bool(Bool)
  case null
  /// No more values.
  case end

  /// How messages name the token.
  public var description: String {
    switch self {
    case .beginObject: return "an object"
    case .endObject: return "'}'"
    case .beginArray: return "an array"
    case .endArray: return "']'"
    case .key: return "a key"
    case .string: return "a string"
    case .number: return "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    case .end: return "the end of the input"
    }
  }
}
