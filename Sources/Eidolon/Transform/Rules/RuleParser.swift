import Foundation
import Yams

/// Reads a rules file, YAML or JSON (formats/rules.md), and refuses anything it does
/// not understand before any event is read: the message names the line and column.
public struct RuleParser {
  let fileName: String
  private let index = RuleIndex()
  private var defaultClock = LocalClock(zone: nil)

  public init(fileName: String) { self.fileName = fileName }

  public static func load(path: String) throws -> RuleSet {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw EidolonError(.io, "cannot read the rules file", file: path)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw EidolonError(.usage, "the rules file is not UTF-8 text", file: path)
    }
    var parser = RuleParser(fileName: path)
    return try parser.parse(text)
  }

  public mutating func parse(_ text: String) throws -> RuleSet {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw syntaxError(error)
    }
    guard let root else { throw EidolonError(.usage, "the rules file is empty", file: fileName) }
    var ruleNodes: [Node]
    switch root {
    case .sequence(let items): ruleNodes = Array(items)
    case .mapping(let mapping):
      try checkKeys(mapping, allowed: ["rules", "zone", "version"], what: "the top level")
      if let version = mapping["version"], YAMLDocument.int(version) != 1 {
        throw fail("this tool reads rules files of version 1", at: version)
      }
      if let zone = mapping["zone"] { defaultClock = try clock(zone) }
      guard let rules = mapping["rules"] else { throw fail("the file needs a \"rules\" list", at: root) }
      guard case .sequence(let items) = rules else { throw fail("\"rules\" must be a list of rules", at: rules) }
      ruleNodes = Array(items)
    default: throw fail("a rules file is a list of rules, or an object with \"rules\"", at: root)
    }
    var rules: [RuleSet.Rule] = []
    for node in ruleNodes { rules.append(try rule(node)) }
    return RuleSet(rules: rules, index: index, fileName: fileName)
  }

  // MARK: Errors and small readers

  /// A YAML syntax error as file:line:column with libyaml's problem on one line.
  func syntaxError(_ error: YamlError) -> EidolonError {
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      var message = "not valid YAML or JSON: \(problem)"
      if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
      return EidolonError(.usage, message, file: fileName,
                          position: SourcePosition(line: mark.line, column: mark.column, byteOffset: 0))
    default:
      let text = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
      return EidolonError(.usage, "not valid YAML or JSON: \(text)", file: fileName)
    }
  }

  func fail(_ message: String, at node: Node) -> EidolonError {
    let mark = node.mark
    return EidolonError(.usage, message, file: fileName,
                        position: mark.map { SourcePosition(line: $0.line, column: $0.column, byteOffset: 0) })
  }

  private func checkKeys(_ mapping: Node.Mapping, allowed: [String], what: String) throws {
    for key in mapping.keys {
      guard let name = key.string, allowed.contains(name) else {
        throw fail("unknown key \"\(key.string ?? "?")\" in \(what) (known: \(allowed.joined(separator: ", ")))", at: key)
      }
    }
  }

  private func string(_ node: Node, _ what: String) throws -> String {
    guard case .scalar(let scalar) = node else { throw fail("\(what) must be a single value", at: node) }
    return scalar.string
  }

  private func bool(_ node: Node, _ what: String) throws -> Bool {
    guard let value = node.bool else { throw fail("\(what) takes true or false", at: node) }
    return value
  }

  private func strings(_ node: Node, _ what: String) throws -> [String] {
    if case .sequence(let items) = node { return try items.map { try string($0, what) } }
    return [try string(node, what)]
  }

  private func number(_ node: Node, _ what: String) throws -> Double {
    guard case .scalar(let scalar) = node, let value = Double(scalar.string) else {
      throw fail("\(what) takes a number", at: node)
    }
    return value
  }

  private func field(_ key: Node) throws -> EventField {
    let name = try string(key, "a field name")
    guard let field = EventField(name: name) else {
      throw fail("unknown field \"\(name)\" (fields: \(EventField.names.joined(separator: ", ")))", at: key)
    }
    return field
  }

  private func clock(_ node: Node) throws -> LocalClock {
    let name = try string(node, "zone")
    if name == "event" { return LocalClock(zone: nil, useEventOffset: true) }
    if name == "UTC" { return LocalClock(zone: nil) }
    guard let zone = ZoneConverter(identifier: name) else {
      throw fail("unknown time zone \"\(name)\" (an IANA name such as Europe/Berlin, UTC, or event for each event's own offset)", at: node)
    }
    return LocalClock(zone: zone)
  }

  // MARK: Rules

  private func rule(_ node: Node) throws -> RuleSet.Rule {
    guard case .mapping(let mapping) = node else { throw fail("each rule must be an object", at: node) }
    try checkKeys(mapping, allowed: ["name", "match", "zone", "set", "add_tags", "remove_tags", "drop", "continue"], what: "a rule")
    let line = node.mark?.line ?? 0
    let clock = try mapping["zone"].map(self.clock) ?? defaultClock
    var actions = RuleActions()
    if let set = mapping["set"] {
      guard case .mapping(let pairs) = set else { throw fail("\"set\" takes an object of field: value", at: set) }
      for (key, value) in pairs { actions.sets.append((try settable(key), try setValue(value, for: try field(key)))) }
    }
    if let tags = mapping["add_tags"] { actions.addTags = try strings(tags, "add_tags") }
    if let tags = mapping["remove_tags"] { actions.removeTags = try strings(tags, "remove_tags") }
    if let drop = mapping["drop"] { actions.drop = try bool(drop, "drop") }
    if actions.drop && actions.changesFields {
      throw fail("a rule that drops events has nothing to set", at: node)
    }
    if actions.isEmpty { throw fail("the rule does nothing: give set, add_tags, remove_tags or drop", at: node) }
    let condition = try mapping["match"].map { try conditions($0, clock) } ?? .all([])
    let name = try mapping["name"].map { try string($0, "name") } ?? "line \(line)"
    let continues = try mapping["continue"].map { try bool($0, "continue") } ?? false
    return RuleSet.Rule(name: name, line: line, condition: condition, actions: actions, continues: continues)
  }

  private func settable(_ key: Node) throws -> EventField {
    let field = try field(key)
    guard RuleActions.isSettable(field) else {
      throw fail("\"\(field)\" cannot be set by a rule (id, source, start, duration and offset are the event's identity and time; tags go through add_tags and remove_tags)", at: key)
    }
    return field
  }

  private func setValue(_ node: Node, for field: EventField) throws -> JSONValue {
    if node.null != nil {
      if field == .kind { throw fail("kind cannot be removed", at: node) }
      return .null
    }
    switch field {
    case .productivity:
      guard let value = YAMLDocument.int(node), (-2...2).contains(value) else { throw fail("productivity takes a whole number from -2 to 2", at: node) }
      return .number(value)
    case .billable: return .bool(try bool(node, "billable"))
    case .kind:
      let kind = try string(node, "kind")
      guard !kind.isEmpty, kind == kind.lowercased() else { throw fail("kind takes a lower-case name", at: node) }
      return .string(kind)
    default: return .string(try string(node, "\(field)"))
    }
  }

  // MARK: Conditions

  /// `match`: every key must hold (fields, time_of_day, weekday, any, all, not).
  private func conditions(_ node: Node, _ clock: LocalClock) throws -> Condition {
    guard case .mapping(let mapping) = node else { throw fail("\"match\" takes an object of field: test", at: node) }
    var parts: [Condition] = []
    for (key, value) in mapping {
      switch key.string {
      case "time_of_day": parts.append(try timeOfDay(value, clock))
      case "weekday": parts.append(try weekday(value, clock))
      case "any", "all":
        guard case .sequence(let items) = value else { throw fail("\"\(key.string!)\" takes a list of matches", at: value) }
        let inner = try items.map { try conditions($0, clock) }
        parts.append(key.string == "any" ? .any(inner) : .all(inner))
      case "not": parts.append(.not(try conditions(value, clock)))
      default: parts.append(try test(value, on: try field(key), ignoreCase: false))
      }
    }
    return parts.count == 1 ? parts[0] : .all(parts)
  }

  /// A field's test: a value (equal), a list (any of), null (absent), or an object.
  private func test(_ node: Node, on field: EventField, ignoreCase: Bool) throws -> Condition {
    switch node {
    case .scalar:
      if node.null != nil { return .exists(field, false) }
      return try equality(field, try string(node, "a value"), ignoreCase: ignoreCase, at: node)
    case .sequence(let items):
      return .any(try items.map { try test($0, on: field, ignoreCase: ignoreCase) })
    case .mapping(let mapping):
      try checkKeys(mapping, allowed: ["equals", "in", "glob", "regex", "ignore_case", "min", "max", "since", "until", "exists", "not"],
                    what: "the test of \"\(field)\"")
      let ignoreCase = try mapping["ignore_case"].map { try bool($0, "ignore_case") } ?? ignoreCase
      var parts: [Condition] = []
      if let value = mapping["equals"] { parts.append(try equality(field, try string(value, "equals"), ignoreCase: ignoreCase, at: value)) }
      if let values = mapping["in"] {
        guard case .sequence(let items) = values else { throw fail("\"in\" takes a list", at: values) }
        parts.append(.any(try items.map { try equality(field, try string($0, "in"), ignoreCase: ignoreCase, at: $0) }))
      }
      if let glob = mapping["glob"] { parts.append(.glob(field, try string(glob, "glob"), ignoreCase: ignoreCase)) }
      if let regex = mapping["regex"] { parts.append(try self.regex(field, try string(regex, "regex"), ignoreCase: ignoreCase, at: regex)) }
      let min = mapping["min"], max = mapping["max"]
      if min != nil || max != nil {
        guard field == .duration || field == .productivity || isAttr(field) else {
          throw fail("min and max go with duration, productivity or attrs.NAME; for times use since and until", at: (min ?? max)!)
        }
        parts.append(.range(field, min: try min.map { try number($0, "min") }, max: try max.map { try number($0, "max") }, maxInclusive: true))
      }
      let since = mapping["since"], until = mapping["until"]
      if since != nil || until != nil {
        guard field == .start || field == .end else { throw fail("since and until go with start or end", at: (since ?? until)!) }
        parts.append(.range(field, min: try since.map { try time($0) }, max: try until.map { try time($0) }, maxInclusive: false))
      }
      if let exists = mapping["exists"] { parts.append(.exists(field, try bool(exists, "exists"))) }
      if let inner = mapping["not"] { parts.append(.not(try test(inner, on: field, ignoreCase: ignoreCase))) }
      guard !parts.isEmpty else { throw fail("the test of \"\(field)\" says nothing to check", at: node) }
      return parts.count == 1 ? parts[0] : .all(parts)
    case .alias: throw fail("YAML aliases are not read in rules files", at: node)
    }
  }

  private func isAttr(_ field: EventField) -> Bool {
    if case .attr = field { return true }
    return false
  }

  private func equality(_ field: EventField, _ value: String, ignoreCase: Bool, at node: Node) throws -> Condition {
    switch field {
    case .start, .end: throw fail("\(field) is tested with since and until", at: node)
    case .duration:
      guard let seconds = Double(value) else { throw fail("duration takes seconds", at: node) }
      return .range(.duration, min: seconds, max: seconds, maxInclusive: true)
    default: return .indexed(index.addEquality(field, value, ignoreCase: ignoreCase))
    }
  }

  private func time(_ node: Node) throws -> Double {
    let text = try string(node, "a time")
    guard let parsed = Timestamp.parse(text) ?? Timestamp.parse(text + "T00:00:00Z"), parsed.offsetSeconds != nil || !text.contains("T") else {
      throw fail("\"\(text)\" is not an RFC 3339 time with an offset, or a date (YYYY-MM-DD, midnight UTC)", at: node)
    }
    return Double(parsed.epochMillis)
  }

  private func regex(_ field: EventField, _ pattern: String, ignoreCase: Bool, at node: Node) throws -> Condition {
    let regex: NSRegularExpression
    do {
      regex = try NSRegularExpression(pattern: pattern, options: ignoreCase ? [.caseInsensitive] : [])
    } catch {
      throw fail("not a valid regular expression: \(pattern)", at: node)
    }
    func hasNonASCII(_ words: [String]) -> Bool { words.contains { $0.utf8.contains { $0 >= 0x80 } } }
    // Plain words joined by | (most category rules) are matched by the index, not the engine.
    if let words = RuleParser.plainWords(pattern), !(ignoreCase && hasNonASCII(words)) {
      let slot = index.addWords(field, words, ignoreCase: ignoreCase)
      return ignoreCase ? .confirmed(slot, field, regex) : .indexed(slot)
    }
    // Text without any literal the pattern needs skips the engine (and the rule).
    if let literals = RequiredLiterals.of(pattern), !(ignoreCase && hasNonASCII(literals)) {
      return .all([.indexed(index.addWords(field, literals, ignoreCase: ignoreCase)), .regex(field, regex)])
    }
    return .regex(field, regex)
  }

  /// The words of a pattern that is only words joined by `|`, with punctuation escaped
  /// or not special (`GitHub|Stack Overflow|\.swift`); nil for any other pattern.
  static func plainWords(_ pattern: String) -> [String]? {
    var words: [String] = []
    var word = ""
    var escaped = false
    for character in pattern {
      if escaped {
        guard !character.isLetter, !character.isNumber else { return nil }  // \d, \b, \1 ...
        word.append(character)
        escaped = false
        continue
      }
      switch character {
      case "\\": escaped = true
      case "|":
        words.append(word)
        word = ""
      case ".", "^", "$", "*", "+", "?", "(", ")", "[", "]", "{", "}": return nil
      default: word.append(character)
      }
    }
    if escaped { return nil }
    words.append(word)
    return words
  }

  private func timeOfDay(_ node: Node, _ clock: LocalClock) throws -> Condition {
    var from: Node = node, to: Node = node
    let range: (String, String)
    if case .mapping(let mapping) = node {
      try checkKeys(mapping, allowed: ["from", "to"], what: "time_of_day")
      guard let f = mapping["from"], let t = mapping["to"] else { throw fail("time_of_day takes from and to", at: node) }
      from = f
      to = t
      range = (try string(f, "from"), try string(t, "to"))
    } else {
      let parts = try string(node, "time_of_day").split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2 else { throw fail("time_of_day takes \"HH:MM-HH:MM\" or {from, to}", at: node) }
      range = (parts[0], parts[1])
    }
    guard let start = RuleParser.minutes(range.0) else { throw fail("\"\(range.0)\" is not a time of day (HH:MM)", at: from) }
    guard let end = RuleParser.minutes(range.1) else { throw fail("\"\(range.1)\" is not a time of day (HH:MM)", at: to) }
    return .timeOfDay(from: start, to: end, clock)
  }

  static func minutes(_ text: String) -> Int? {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m),
      h * 60 + m <= 1440
    else { return nil }
    return h * 60 + m
  }

  static let weekdayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

  private func weekday(_ node: Node, _ clock: LocalClock) throws -> Condition {
    var mask: UInt8 = 0
    for item in try strings(node, "weekday") {
      for part in item.split(separator: ",") {
        let bounds = part.split(separator: "-").map { String($0.trimmingCharacters(in: .whitespaces).lowercased().prefix(3)) }
        guard (1...2).contains(bounds.count), let first = RuleParser.weekdayNames.firstIndex(of: bounds[0]),
          let last = RuleParser.weekdayNames.firstIndex(of: bounds.last!)
        else { throw fail("\"\(part)\" is not a weekday (mon ... sun, or a range mon-fri)", at: node) }
        var day = first
        while true {
          mask |= 1 << day
          if day == last { break }
          day = (day + 1) % 7
        }
      }
    }
    return .weekday(mask: mask, clock)
  }
}
