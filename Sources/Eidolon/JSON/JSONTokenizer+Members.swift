extension JSONTokenizer {
  /// Inside an object whose `{` was just read: skips members until the key `name` (true,
  /// with its value next), or through the object's `}` (false).
  public func seekMember(_ name: StaticString) throws -> Bool {
    while true {
      let token = try next()
      if token == .endObject { return false }
      if textEquals(name) { return true }
      try skip(try next())
    }
  }

  /// Skips the remaining members of the current object, through its `}`.
  public func skipRestOfObject() throws {
    while try next() != .endObject {
      try skip(try next())
    }
  }
}
