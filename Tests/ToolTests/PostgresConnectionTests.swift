import Eidolon
import Foundation
import Testing

/// libpq through PostgresConnection against a real server: statements, parameters, COPY
/// in COPY's text format with every character that needs escaping, errors that say
/// what failed, and no password in a message.
@Suite(.serialized) struct PostgresConnectionTests {
  @Test func copyInAndReadBackEveryKindOfText() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let connection = try PostgresConnection(server.uri)
    try connection.execute("CREATE TABLE t (n BIGINT PRIMARY KEY, text TEXT, maybe TEXT)")
    let texts = ["plain", "tab\there", "new\nline", "back\\slash", "cr\rx", "Ünïcødé ✓ 😀", "\\N", "", "end\\"]
    let rows = 10_000
    let copied = try connection.copyIn("COPY t (n, text, maybe) FROM STDIN") { send in
      let out = ByteBuffer(capacity: 1 << 16)
      for n in 0..<rows {
        PostgresCopyText.appendField(String(n), to: out, first: true)
        PostgresCopyText.appendField(texts[n % texts.count] + String(n), to: out)
        PostgresCopyText.appendField(n % 3 == 0 ? nil : texts[(n + 1) % texts.count], to: out)
        PostgresCopyText.endRow(out)
        if out.count > 1 << 15 {
          try out.bytes.withUnsafeBytes { try send($0) }
          out.removeAll()
        }
      }
      try out.bytes.withUnsafeBytes { try send($0) }
    }
    #expect(copied == rows)
    let back = try connection.rows("SELECT n, text, maybe FROM t ORDER BY n")
    #expect(back.count == rows)
    for (n, row) in back.enumerated() {
      #expect(row[0] == String(n))
      #expect(row[1] == texts[n % texts.count] + String(n))
      #expect(row[2] == (n % 3 == 0 ? nil : texts[(n + 1) % texts.count]))
      if row[0] != String(n) { break }
    }
    #expect(try connection.run("DELETE FROM t WHERE n < $1", ["10"]) == 10)
    #expect(try connection.rows("SELECT count(*) FROM t") == [[String(rows - 10)]])
  }

  @Test func errorsSayWhatFailedAndNoPassword() throws {
    guard PostgresServer.availableForTest() else { return }
    let server = try PostgresServer()
    let connection = try PostgresConnection(server.uri)
    #expect {
      try connection.execute("SELEC 1")
    } throws: { error in
      "\(error)".contains("syntax error") && "\(error)".contains("SELEC 1")
    }
    // A bad row in a COPY: the whole copy is refused, with the server's reason.
    try connection.execute("CREATE TABLE n (v INTEGER)")
    #expect {
      try connection.copyIn("COPY n FROM STDIN") { send in try Array("1\nnot a number\n".utf8).withUnsafeBytes { try send($0) } }
    } throws: { error in "\(error)".contains("invalid input syntax") }
    #expect(try connection.rows("SELECT count(*) FROM n") == [["0"]])
    // The connection goes on after a failed copy.
    #expect(try connection.rows("SELECT 1") == [["1"]])

    let withPassword = "postgresql://eidolon:s3cret-pw@/nosuchdb?host=\(server.folder)"
    #expect {
      _ = try PostgresConnection(withPassword)
    } throws: { error in
      let text = "\(error)"
      return text.contains("cannot connect") && text.contains("nosuchdb") && !text.contains("s3cret-pw")
    }
  }
}
