import CLibrariesOnUse
import Foundation

/// One HTTP request to a tracker's web API.
public struct LiveRequest: Sendable {
  public var method = "GET"
  public var url: String
  /// Header lines ("Accept: application/json"); credentials among them are never printed.
  public var headers: [String] = []
  public var body: [UInt8]?

  public init(url: String, method: String = "GET", headers: [String] = [], body: [UInt8]? = nil) {
    self.url = url
    self.method = method
    self.headers = headers
    self.body = body
  }
}

/// An answer, whole: API pages are bounded (a window, a page), so they are held in memory
/// up to `CurlSession.maxBodyBytes`.
public struct LiveResponse: Sendable {
  public let status: Int
  /// Header names in lower case; the last of a repeated header.
  public let headers: [String: String]
  public let body: [UInt8]

  public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A request that got no whole answer: no connection, a dropped connection, a timeout,
/// a body cut short (libcurl checks Content-Length and chunked framing).
public struct LiveTransportError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}

/// HTTP and HTTPS through libcurl's easy interface: one handle, reused so connections
/// are kept alive between a run's requests.
public final class CurlSession {
  /// The most one answer may hold.
  public static let maxBodyBytes = 256 << 20
  private let handle: UnsafeMutableRawPointer
  private let userAgent: String
  private let timeoutSeconds: Int

  private static let globalInit: Void = { _ = eid_curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

  public init(timeoutSeconds: Int = 120) throws {
    try LibraryOnUse.libcurl.load()
    _ = CurlSession.globalInit
    guard let handle = eid_curl_easy_init() else { throw EidolonError(.io, "libcurl could not start (curl_easy_init)") }
    self.handle = handle
    self.timeoutSeconds = timeoutSeconds
    userAgent = "eidolon/\(EidolonVersion.current) (+https://github.com/eidolon)"
  }

  deinit { eid_curl_easy_cleanup(handle) }

  /// What the callbacks fill.
  private final class Collected {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var tooLarge = false
  }

  public func perform(_ request: LiveRequest) throws -> LiveResponse {
    eid_curl_easy_reset(handle)
    let collected = Collected()
    let context = Unmanaged.passRetained(collected)
    defer { context.release() }
    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var headerList: UnsafeMutablePointer<curl_slist>?
    defer { eid_curl_slist_free_all(headerList) }
    for line in request.headers { headerList = eid_curl_slist_append(headerList, line) }

    let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
      eid_curl_set_string(handle, CURLOPT_URL, request.url)
      eid_curl_set_string(handle, CURLOPT_USERAGENT, userAgent)
      eid_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
      eid_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 30)
      eid_curl_set_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
      // Plain HTTP only for loopback (a replay server, a local ActivityWatch); HTTPS for
      // the rest, with certificates checked (libcurl's default).
      eid_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
      eid_curl_set_string(handle, CURLOPT_ACCEPT_ENCODING, "")  // gzip and deflate, inflated by libcurl
      eid_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
      eid_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headerList.map { UnsafeMutableRawPointer($0) })
      eid_curl_set_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
      eid_curl_set_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque())
      eid_curl_set_write(handle) { data, size, count, user in
        let collected = Unmanaged<Collected>.fromOpaque(user!).takeUnretainedValue()
        let n = size * count
        if collected.body.count + n > CurlSession.maxBodyBytes {
          collected.tooLarge = true
          return 0  // libcurl stops with CURLE_WRITE_ERROR
        }
        if let data { data.withMemoryRebound(to: UInt8.self, capacity: n) { collected.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) } }
        return n
      }
      eid_curl_set_header(handle) { data, size, count, user in
        let collected = Unmanaged<Collected>.fromOpaque(user!).takeUnretainedValue()
        let n = size * count
        guard let data else { return n }
        let line = data.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
        if line.hasPrefix("HTTP/") { collected.headers = [:] }  // a new answer (after a 100 Continue)
        if let colon = line.firstIndex(of: ":") {
          let name = line[..<colon].lowercased()
          let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
          collected.headers[name] = value
        }
        return n
      }
      if let body = request.body {
        eid_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
        // Copied by libcurl during the call; the bytes' pointer is good only inside the closure.
        // (An empty body's buffer may have no address: a NUL byte's stands in for it.)
        _ = (body.isEmpty ? [0] : body).withUnsafeBytes { bytes in
          eid_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
      }
      if request.method != "GET" || request.body != nil { eid_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method) }
      return eid_curl_easy_perform(handle)
    }
    if collected.tooLarge {
      throw EidolonError(.limit, "an answer larger than \(CurlSession.maxBodyBytes >> 20) MB from \(LiveRedaction.url(request.url)); refusing it")
    }
    guard code == CURLE_OK else {
      let written = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let detail = written.isEmpty ? String(decoding: Array(UnsafeRawBufferPointer(start: eid_curl_easy_strerror(code), count: strlen(eid_curl_easy_strerror(code)))), as: UTF8.self) : written
      throw LiveTransportError(message: "\(LiveRedaction.text(detail)) (\(LiveRedaction.url(request.url)))")
    }
    return LiveResponse(status: eid_curl_status(handle), headers: collected.headers, body: collected.body)
  }
}
