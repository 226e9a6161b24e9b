import Eidolon
import Testing

@Suite struct HTTPClientTests {
  /// The body of `response`, read through a ByteReader as the readers do, cut 3 ways.
  private func body(_ response: String) throws -> [String] {
    try [Int.max, 1, 5].map { chunk in
      let http = try HTTPResponse(connection: MemorySource(response, chunkLimit: chunk), name: "test")
      return String(decoding: try http.readAll(maxBytes: 1 << 20), as: UTF8.self)
    }
  }

  @Test func contentLengthBodyStopsAtTheLength() throws {
    let response = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\": true}ignored"
    #expect(try body(response) == Array(repeating: "{\"a\": true}", count: 3))
    let http = try HTTPResponse(connection: MemorySource(response), name: "test")
    #expect(http.status == 200 && http.isSuccess)
    #expect(http.headers["content-type"] == "application/json")
  }

  @Test func chunkedBodyWithExtensionsAndTrailers() throws {
    let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\nA;ext=1\r\n: [1, 2, 3\r\n1\r\n]\r\n1\r\n}\r\n0\r\nX-Trailer: yes\r\n\r\n"
    #expect(try body(response) == Array(repeating: "{\"a\": [1, 2, 3]}", count: 3))
  }

  /// "100 Continue" and other 1xx answers before the final one are passed over (a server
  /// may send them unasked); endless ones are refused.
  @Test func interimAnswersArePassedOver() throws {
    let response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX-Seen: early\r\n\r\n"
      + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n[42]"
    #expect(try body(response) == Array(repeating: "[42]", count: 3))
    let http = try HTTPResponse(connection: MemorySource(response), name: "test")
    #expect(http.status == 200 && http.reason == "OK")
    #expect(http.headers["x-seen"] == nil && http.headers["content-length"] == "4")
    let endless = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 30)
    #expect(eidolonError { _ = try body(endless) }?.kind == .syntax)
  }

  @Test func bodyWithoutLengthRunsToTheClose() throws {
    #expect(try body("HTTP/1.0 200 OK\r\n\r\n[1,2]") == Array(repeating: "[1,2]", count: 3))
  }

  @Test func cutConnectionsAreTruncationErrors() throws {
    for response in [
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"short\"",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"a\"",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n",
    ] {
      let error = eidolonError { _ = try body(response) }
      #expect(error?.kind == .truncated, "\(response.debugDescription)")
    }
  }

  @Test func notHTTPAndBadChunksAreRefused() throws {
    #expect(eidolonError { _ = try body("SSH-2.0-OpenSSH\r\n\r\n") }?.kind == .syntax)
    #expect(eidolonError { _ = try body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") }?.kind == .syntax)
    #expect(eidolonError { _ = try body("") }?.kind == .io)
  }

  @Test func failureSaysTheStatusAndWhatTheServerSaid() throws {
    let http = try HTTPResponse(connection: MemorySource("HTTP/1.1 500 INTERNAL SERVER ERROR\r\nContent-Length: 26\r\n\r\n{\"message\": \"it exists\"}\n\n"), name: "srv/import")
    #expect(!http.isSuccess)
    let error = http.failure(body: try http.readAll(maxBytes: 100), method: "POST")
    #expect(error.message.contains("POST answered 500 INTERNAL SERVER ERROR: {\"message\": \"it exists\"}"))
  }

  @Test func urlsAreParsedAndHTTPSIsRefusedWithAHint() throws {
    let plain = try HTTPClient(url: "http://localhost:5600")
    #expect(plain.host == "localhost" && plain.port == 5600 && plain.basePath == "")
    let prefixed = try HTTPClient(url: "http://127.0.0.1/aw/api/0/")
    #expect(prefixed.port == 80 && prefixed.basePath == "/aw/api/0")
    let v6 = try HTTPClient(url: "http://[::1]:5666")
    #expect(v6.host == "::1" && v6.port == 5666 && v6.displayURL == "http://[::1]:5666")
    #expect(eidolonError { _ = try HTTPClient(url: "https://example.com") }?.message.contains("SSH tunnel") == true)
    #expect(eidolonError { _ = try HTTPClient(url: "http://localhost:99999") }?.kind == .usage)
    #expect(eidolonError { _ = try HTTPClient(url: "localhost:5600") }?.kind == .usage)
  }

  @Test func refusedConnectionSaysSo() throws {
    // Port 9 (discard) on loopback: nothing listens there in a test machine.
    let client = try HTTPClient(url: "http://127.0.0.1:9")
    let error = eidolonError { _ = try client.fetch("GET", "/api/0/info") }
    #expect(error?.message.contains("cannot connect") == true)
  }
}
