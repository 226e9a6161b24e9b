/// Writes rules files (what `learn` and --aw-categories produce) as YAML whose values
/// are JSON strings, which YAML reads as they are.
enum RuleText {
  static func quoted(_ text: String) -> String {
    let out = ByteBuffer(capacity: text.utf8.count + 8)
    out.appendJSONString(text)
    return String(decoding: out.bytes, as: UTF8.self)
  }
}
