import Foundation
import Yams

/// ActivityWatch's category rules, as its web UI exports them, turned into rules
/// (formats/rules.md, "ActivityWatch categories"). ActivityWatch gives an event every
/// category whose regex finds a match in any of its data's text values and keeps the
/// deepest, the later one of equal depth; here that is first-match order: deepest first,
/// later before earlier. ["Work", "Programming", "Swift"] sets category "Work" and
/// subcategory "Programming > Swift".
public enum ActivityWatchCategories {
  /// The fields ActivityWatch's data keys land in (formats/activitywatch.md).
  static let dataFields = ["app", "title", "url", "file", "project"]

  public static func rulesText(path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw EidolonError(.io, "cannot read the ActivityWatch categories file", file: path)
    }
    let parser = RuleParser(fileName: path)
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch let error as YamlError { throw parser.syntaxError(error) }
    guard let root else { throw EidolonError(.usage, "the categories file is empty", file: path) }
    var classes: [Node] = []
    switch root {
    case .sequence(let items): classes = Array(items)
    case .mapping(let mapping):
      guard let list = mapping["classes"] ?? mapping["categories"], case .sequence(let items) = list else {
        throw parser.fail("expected ActivityWatch's categories export: {\"classes\": [...]}", at: root)
      }
      classes = Array(items)
    default: throw parser.fail("expected ActivityWatch's categories export: {\"classes\": [...]}", at: root)
    }
    var converted: [(depth: Int, order: Int, text: String)] = []
    for (order, item) in classes.enumerated() {
      guard case .mapping(let mapping) = item, let nameNode = mapping["name"] else {
        throw parser.fail("each class needs a \"name\" (a list such as [\"Work\", \"Programming\"])", at: item)
      }
      let names: [String]
      if case .sequence(let parts) = nameNode { names = parts.compactMap(\.string) } else { names = nameNode.string.map { [$0] } ?? [] }
      guard !names.isEmpty else { throw parser.fail("a class name is a list of one or more strings", at: nameNode) }
      guard let rule = mapping["rule"], case .mapping(let ruleMap) = rule else { continue }
      let type = ruleMap["type"]?.string ?? "regex"
      if type == "none" { continue }
      guard type == "regex" else { throw parser.fail("rule type \"\(type)\" is not one ActivityWatch has (regex, none)", at: rule) }
      guard let regexNode = ruleMap["regex"], let regex = regexNode.string, !regex.isEmpty else { continue }
      let ignoreCase = ruleMap["ignore_case"]?.bool ?? false
      if RuleParser.plainWords(regex) == nil {
        do { _ = try NSRegularExpression(pattern: regex) } catch {
          throw parser.fail("not a valid regular expression: \(regex)", at: regexNode)
        }
      }
      var keys = dataFields
      if let select = ruleMap["select_keys"], case .sequence(let selected) = select {
        keys = selected.compactMap(\.string).map { dataFields.contains($0) ? $0 : "attrs.data.\($0)" }
      }
      let test = "{regex: \(RuleText.quoted(regex))\(ignoreCase ? ", ignore_case: true" : "")}"
      var lines = ["  - name: \(RuleText.quoted(names.joined(separator: " > ")))"]
      lines.append("    match:")
      lines.append("      any:")
      for key in keys { lines.append("        - {\(key): \(test)}") }
      var set = "category: \(RuleText.quoted(names[0]))"
      if names.count > 1 { set += ", subcategory: \(RuleText.quoted(names.dropFirst().joined(separator: " > ")))" }
      lines.append("    set: {\(set)}")
      converted.append((names.count, order, lines.joined(separator: "\n")))
    }
    converted.sort { $0.depth != $1.depth ? $0.depth > $1.depth : $0.order > $1.order }
    var out = "# From ActivityWatch categories in \(path): \(converted.count) rules, deepest first.\nversion: 1\nrules:\n"
    for rule in converted { out += rule.text + "\n" }
    if converted.isEmpty { out += "  []\n" }
    return out
  }
}
