import Foundation
import Yams

/// YAML read into plain values (dictionaries, arrays, strings, numbers, booleans) for
/// config and rules files, without Yams' own type resolution: fuzzing found it trapping
/// on a mapping key that is not a scalar (`? [a, b]: x`, a force-unwrap) and on a
/// sexagesimal integer past Int's range (`99999999999:59:59`, an overflow). Here the
/// document is composed, a key that is not a scalar is refused with its line, and plain
/// scalars are read through the checked number path (InputNumber).
enum YAMLDocument {
  static func load(_ text: String, file: String) throws -> Any? {
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch {
      throw EidolonError(.syntax, "not YAML: \(error)", file: file)
    }
    guard let root else { return nil }
    return try value(root, file: file)
  }

  /// A whole number in a node: a plain or quoted scalar of decimal digits; nil for
  /// anything else and past Int's range (what `Node.int` would trap on).
  static func int(_ node: Node?) -> Int? {
    guard case .scalar(let scalar)? = node, let value = InputNumber.integer(scalar.string) else { return nil }
    return Int(exactly: value)
  }

  private static func value(_ node: Node, file: String) throws -> Any {
    switch node {
    case .mapping(let mapping):
      var dictionary: [String: Any] = [:]
      for (key, item) in mapping {
        guard case .scalar(let scalar) = key else {
          throw EidolonError(.syntax, "a key that is not plain text (a list or a mapping used as a key)", file: file,
                             position: position(of: key))
        }
        dictionary[scalar.string] = try value(item, file: file)
      }
      return dictionary
    case .sequence(let items):
      return try items.map { try value($0, file: file) }
    case .scalar(let scalar):
      return plain(scalar)
    case .alias:
      throw EidolonError(.syntax, "aliases (*name) are not read here: write the value out", file: file,
                         position: position(of: node))
    }
  }

  private static func position(of node: Node) -> SourcePosition {
    SourcePosition(line: node.mark.map { $0.line } ?? 0, column: node.mark.map { $0.column } ?? 1, byteOffset: 0)
  }

  /// A scalar as YAML's core schema reads it when unquoted: null, a boolean, a whole or
  /// decimal number (the checked path: past range it stays text), else text.
  private static func plain(_ scalar: Node.Scalar) -> Any {
    let text = scalar.string
    guard scalar.style == .plain || scalar.style == .any else { return text }
    switch text {
    case "", "~", "null", "Null", "NULL": return NSNull()
    case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
    case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
    default: break
    }
    if let whole = InputNumber.integer(text), let value = Int(exactly: whole) { return value }
    if let number = InputNumber.decimal(text) { return number }
    return text
  }
}
