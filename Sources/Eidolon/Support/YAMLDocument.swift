import Yams

/// YAML read into plain values (dictionaries, arrays, strings, numbers) for config
/// files. Yams' own `load` traps on a mapping key that is not a scalar (`? - a: b`, found
/// by fuzzing the team config); here the document is composed first and such a key is
/// refused with its line.
enum YAMLDocument {
  static func load(_ text: String, file: String) throws -> Any? {
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch {
      throw EidolonError(.syntax, "not YAML: \(error)", file: file)
    }
    guard let root else { return nil }
    try checkKeys(root, file: file)
    return root.any
  }

  private static func checkKeys(_ node: Node, file: String) throws {
    switch node {
    case .mapping(let mapping):
      for (key, value) in mapping {
        guard case .scalar = key else {
          throw EidolonError(.syntax, "a key that is not plain text (a list or a mapping used as a key)", file: file,
                             position: SourcePosition(line: key.mark.map { $0.line } ?? 0, column: key.mark.map { $0.column } ?? 1, byteOffset: 0))
        }
        try checkKeys(value, file: file)
      }
    case .sequence(let items):
      for item in items { try checkKeys(item, file: file) }
    case .scalar, .alias:
      break
    }
  }
}
