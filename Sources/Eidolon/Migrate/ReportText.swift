/// The small formatting every `eidolon` report shares: numbers as JSON writes them,
/// times, aligned text tables and JSON objects from pairs.
public enum ReportText {
  /// A number rounded to the millisecond, in JSON's shortest form ("3600", "12.5").
  public static func number(_ value: Double) -> String {
    if case .number(let text) = JSONValue.number((value * 1000).rounded() / 1000) { return text }
    return "0"
  }

  /// "1 event", "2 events"; `plural` for words that do not just take an s.
  public static func count(_ n: Int, _ word: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? word : plural ?? word + "s")"
  }

  public static func time(_ millis: Int64?) -> String {
    millis.map(Timestamp.canonical) ?? "-"
  }

  /// Columns padded to their widest cell; numbers (cells that start with a digit or '-') right-aligned.
  public static func table(_ header: [String], _ rows: [[String]], indent: String = "  ") -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
    func isNumber(_ cell: String) -> Bool { cell.first.map { $0.isNumber || $0 == "-" || $0 == "+" } ?? false }
    // A column whose cells are all numbers (or empty) is right-aligned, its header too.
    let numeric = header.indices.map { column in
      column > 0 && rows.allSatisfy { !$0.indices.contains(column) || $0[column].isEmpty || isNumber($0[column]) }
    }
    return all.map { row in
      var line = row.enumerated().map { column, cell in
        let pad = String(repeating: " ", count: max(0, widths[column] - cell.count))
        return numeric[column] ? pad + cell : cell + pad
      }.joined(separator: "  ")
      while line.last == " " { line.removeLast() }
      return indent + line
    }.joined(separator: "\n") + "\n"
  }

  public static func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
    .object(JSONObject(pairs.map { JSONObject.Member($0.0, $0.1) }))
  }

  public static func json(_ value: JSONValue) -> String {
    let buffer = ByteBuffer()
    buffer.appendJSON(value)
    return String(decoding: buffer.bytes, as: UTF8.self)
  }

  public static func optionalTime(_ millis: Int64?) -> JSONValue {
    millis.map { .string(Timestamp.canonical($0)) } ?? .null
  }
}
