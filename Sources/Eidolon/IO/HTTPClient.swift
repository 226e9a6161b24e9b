#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 client for trackers' local REST APIs (ActivityWatch listens on
/// http://localhost:5600). One connection per request; response bodies are a
/// `ByteSource`, so a reader parses them as they arrive and memory stays flat however
/// large the answer. Plain http only: a remote server is reached through an SSH tunnel.
public final class HTTPClient {
  public let host: String
  public let port: Int
  /// The URL's path without a trailing slash ("" or "/prefix"), put before every request path.
  public let basePath: String
  /// Seconds a connection may sit without sending or receiving before the request fails.
  public var timeoutSeconds = 300
  /// Header lines every request carries (an API key's "Authorization: Bearer ..."); never printed.
  public var extraHeaders: [String] = []

  public init(url: String) throws {
    guard url.hasPrefix("http://") else {
      let hint = url.hasPrefix("https://") ? "https is not supported; use http:// (through an SSH tunnel for a remote server)" : "give a URL such as http://localhost:5600"
      throw EidolonError(.usage, "server URL \"\(url)\": \(hint)")
    }
    var rest = Substring(url.dropFirst("http://".count))
    let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
    var path = String(rest[pathStart...])
    rest = rest[..<pathStart]
    while path.hasSuffix("/") { path.removeLast() }
    var hostPart = rest
    var port = 80
    if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
      guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
        throw EidolonError(.usage, "server URL \"\(url)\": the port must be a number from 1 to 65535")
      }
      port = number
      hostPart = rest[..<colon]
    }
    if hostPart.hasPrefix("["), hostPart.hasSuffix("]") { hostPart = hostPart.dropFirst().dropLast() }
    guard !hostPart.isEmpty else { throw EidolonError(.usage, "server URL \"\(url)\" has no host") }
    host = String(hostPart)
    self.port = port
    basePath = path
  }

  /// "http://host:port" and the base path, for messages.
  public var displayURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(basePath)" }

  /// Sends a request and returns the response with its body still to be read.
  public func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") throws -> HTTPResponse {
    let fd = try connect()
    let socket = FileDescriptorSource(fd: fd, name: displayURL + path, ownsDescriptor: true)
    var head = "\(method) \(basePath)\(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: eidolon/\(EidolonVersion.current)\r\n"
    head += "Accept: application/json\r\nConnection: close\r\n"
    for line in extraHeaders { head += line + "\r\n" }
    if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
    head += "\r\n"
    try sendAll(fd, Array(head.utf8), path: path)
    if let body { try sendAll(fd, body, path: path) }
    return try HTTPResponse(connection: socket, name: displayURL + path)
  }

  /// Sends a request and reads the whole body (for small answers), failing unless the status is 2xx.
  public func fetch(_ method: String, _ path: String, body: [UInt8]? = nil, maxBytes: Int = 64 << 20) throws -> [UInt8] {
    let response = try send(method, path, body: body)
    let bytes = try response.readAll(maxBytes: maxBytes)
    guard response.isSuccess else { throw response.failure(body: bytes, method: method) }
    return bytes
  }

  private func connect() throws -> Int32 {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
      throw EidolonError(.io, "cannot resolve \(host): \(String(cString: gai_strerror(status)))", file: displayURL)
    }
    defer { freeaddrinfo(list) }
    var lastError = ECONNREFUSED
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let info = entry {
      entry = info.pointee.ai_next
      let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
      if fd < 0 { lastError = errno; continue }
      var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      if SystemCall.retrying({ Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) }) == 0 { return fd }
      lastError = errno
      close(fd)
    }
    throw EidolonError(.io, "cannot connect: \(String(cString: strerror(lastError))) (is the server running, and on this port?)", file: displayURL)
  }

  private func sendAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        SystemCall.retrying { Glibc.send(fd, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
      }
      guard n > 0 else {
        throw EidolonError(.io, "sending the request failed: \(SystemCall.lastErrorMessage())", file: displayURL + path)
      }
      offset += n
    }
  }
}

/// A response's status and headers, and its body as a `ByteSource` (Content-Length,
/// chunked, or up to the close), checked for truncation.
public final class HTTPResponse: ByteSource {
  public let status: Int
  public let reason: String
  /// Header names in lower case.
  public private(set) var headers: [String: String] = [:]
  public let name: String
  private let reader: ByteReader
  private enum Framing { case length(Int64), chunked, untilClose }
  private var framing = Framing.untilClose
  private var remainingInChunk: Int64 = 0
  private var finished = false

  /// Reads the status line and headers from `connection`; the body is read through `read(into:)`.
  public init(connection: ByteSource, name: String) throws {
    self.name = name
    reader = ByteReader(source: connection, name: name, capacity: 1 << 16, maxRecordBytes: 1 << 20)
    // Interim answers (1xx, such as "100 Continue", which a server may send unasked before
    // a request's body is read: RFC 9110, 15.2) come before the one that counts, and are
    // passed over.
    var interim = 0
    while true {
      guard let statusLine = try reader.readLine().map(HTTPResponse.text) else {
        throw EidolonError(.io, "the server closed the connection without answering", file: name)
      }
      let parts = statusLine.split(separator: " ", maxSplits: 2)
      guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
        throw EidolonError(.syntax, "not an HTTP response: \(statusLine.prefix(80))", file: name)
      }
      headers = [:]
      while let line = try reader.readLine().map(HTTPResponse.text), !line.isEmpty {
        guard headers.count < 200, let colon = line.firstIndex(of: ":") else {
          throw EidolonError(.syntax, "malformed HTTP header: \(line.prefix(80))", file: name)
        }
        let key = line[..<colon].lowercased()
        let value = String(line[line.index(after: colon)...]).trimmingSpaces()
        headers[key] = value
      }
      if (100..<200).contains(code) && code != 101 {
        interim += 1
        guard interim <= 20 else {
          throw EidolonError(.syntax, "the server sent more than 20 interim (1xx) answers and no final one", file: name)
        }
        continue
      }
      status = code
      reason = parts.count > 2 ? String(parts[2]) : ""
      break
    }
    if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
      framing = .chunked
    } else if let length = headers["content-length"].flatMap({ Int64($0) }) {
      framing = .length(length)
      finished = length == 0
    }
  }

  public var isSuccess: Bool { (200..<300).contains(status) }

  private static func text(_ bytes: UnsafeRawBufferPointer) -> String {
    var line = String(decoding: bytes, as: UTF8.self)
    if line.hasSuffix("\r") { line.removeLast() }
    return line
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !finished, buffer.count > 0 else { return 0 }
    switch framing {
    case .untilClose:
      let n = try copy(into: buffer, max: buffer.count)
      if n == 0 { finished = true }
      return n
    case .length(let remaining):
      let n = try copy(into: buffer, max: Int(min(Int64(buffer.count), remaining)))
      guard n > 0 else {
        throw EidolonError(.truncated, "the server closed the connection with \(remaining) bytes of the answer still to come", file: name)
      }
      framing = .length(remaining - Int64(n))
      if remaining == Int64(n) { finished = true }
      return n
    case .chunked:
      if remainingInChunk == 0 {
        try startChunk()
        if finished { return 0 }
      }
      let n = try copy(into: buffer, max: Int(min(Int64(buffer.count), remainingInChunk)))
      guard n > 0 else {
        throw EidolonError(.truncated, "the server closed the connection in the middle of a chunk", file: name)
      }
      remainingInChunk -= Int64(n)
      return n
    }
  }

  /// Reads the next chunk's size line (after the CRLF that ends the previous chunk).
  private var sawFirstChunk = false
  private func startChunk() throws {
    if sawFirstChunk {
      guard let end = try reader.readLine(), HTTPResponse.text(end).isEmpty else {
        throw EidolonError(.syntax, "malformed chunked HTTP body (no CRLF after a chunk)", file: name)
      }
    }
    sawFirstChunk = true
    guard let line = try reader.readLine().map(HTTPResponse.text) else {
      throw EidolonError(.truncated, "the server closed the connection before the last chunk", file: name)
    }
    let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
    guard let size = Int64(sizeText.trimmingSpaces(), radix: 16), size >= 0 else {
      throw EidolonError(.syntax, "malformed chunk size in an HTTP body: \(line.prefix(40))", file: name)
    }
    if size == 0 {
      while let trailer = try reader.readLine(), !HTTPResponse.text(trailer).isEmpty {}
      finished = true
    }
    remainingInChunk = size
  }

  private func copy(into buffer: UnsafeMutableRawBufferPointer, max count: Int) throws -> Int {
    if reader.available == 0 { try reader.fill() }
    let n = Swift.min(count, reader.available)
    if n > 0 {
      buffer.baseAddress!.copyMemory(from: reader.storage + reader.start, byteCount: n)
      reader.start += n
    }
    return n
  }

  /// The whole body, refusing more than `maxBytes`.
  public func readAll(maxBytes: Int) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
      if n == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<n])
      guard bytes.count <= maxBytes else {
        throw EidolonError(.limit, "the server's answer is over \(maxBytes >> 20) MiB; refusing it", file: name)
      }
    }
  }

  /// The error for a response that is not 2xx, with the start of what the server said.
  public func failure(body: [UInt8], method: String) -> EidolonError {
    let said = String(decoding: body.prefix(300), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
    return EidolonError(.io, "\(method) answered \(status) \(reason)\(said.isEmpty ? "" : ": \(said)")", file: name)
  }
}
