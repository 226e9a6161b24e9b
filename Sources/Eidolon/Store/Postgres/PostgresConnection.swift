import CLibrariesOnUse
import Foundation

/// One connection to a PostgreSQL server through libpq: a `postgresql://` URI or a
/// key=value string, with libpq's PG* environment variables and ~/.pgpass filling in
/// what it leaves out. Statements, rows as text, and COPY ... FROM STDIN for loading.
public final class PostgresConnection {
  private let connection: OpaquePointer
  /// The target as messages show it: a password in it replaced.
  public let displayName: String

  /// True for a store named by a PostgreSQL URI (a path names a SQLite store).
  public static func isTarget(_ text: String) -> Bool {
    text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
  }

  public init(_ target: String) throws {
    displayName = LiveRedaction.url(PostgresConnection.redacted(target))
    try LibraryOnUse.libpq.load()
    guard let connection = eid_PQconnectdb(target) else { throw EidolonError(.io, "libpq could not start a connection", file: displayName) }
    self.connection = connection
    guard eid_PQstatus(connection) == CONNECTION_OK else {
      // deinit finishes the connection (it runs when an initialized class's init throws).
      throw EidolonError(.io, "cannot connect to PostgreSQL: \(LiveRedaction.text(PostgresConnection.text(eid_PQerrorMessage(connection))))", file: displayName)
    }
    // The server's notices ("already exists, skipping") are not the user's business.
    try execute("SET client_min_messages TO warning")
  }

  deinit { eid_PQfinish(connection) }

  /// Runs statements that return nothing to keep (several may be separated by ';').
  public func execute(_ sql: String) throws {
    let result = eid_PQexec(connection, sql)
    defer { eid_PQclear(result) }
    try check(result, sql)
  }

  /// The rows of a query, each value as its text (nil for NULL).
  public func rows(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    let result = try withParameters(parameters) { values in
      eid_PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
    }
    defer { eid_PQclear(result) }
    try check(result, sql)
    var out: [[String?]] = []
    for row in 0..<eid_PQntuples(result) {
      out.append((0..<eid_PQnfields(result)).map { column in
        eid_PQgetisnull(result, row, column) == 1 ? nil : PostgresConnection.text(eid_PQgetvalue(result, row, column))
      })
    }
    return out
  }

  /// A query's rows handed to `body` one at a time, each value as the bytes libpq holds
  /// (no copy; valid during the call). The number of rows.
  @discardableResult
  public func forEachRow(_ sql: String, _ parameters: [String?] = [], _ body: (PostgresRow) throws -> Void) throws -> Int {
    let result = try withParameters(parameters) { values in
      eid_PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
    }
    defer { eid_PQclear(result) }
    try check(result, sql)
    guard let result else { return 0 }
    let count = eid_PQntuples(result)
    for row in 0..<count { try body(PostgresRow(result: result, row: row)) }
    return Int(count)
  }

  /// The names of the columns a query returns (run it with no rows: `FETCH 0`, `LIMIT 0`).
  public func columns(_ sql: String) throws -> [String] {
    let result = eid_PQexec(connection, sql)
    defer { eid_PQclear(result) }
    try check(result, sql)
    return (0..<eid_PQnfields(result)).map { PostgresConnection.text(eid_PQfname(result, $0)) }
  }

  /// Runs a statement with text parameters ($1, $2, ...); the rows it changed.
  @discardableResult
  public func run(_ sql: String, _ parameters: [String?]) throws -> Int {
    let result = try withParameters(parameters) { values in
      eid_PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
    }
    defer { eid_PQclear(result) }
    try check(result, sql)
    return Int(PostgresConnection.text(eid_PQcmdTuples(result))) ?? 0
  }

  /// `COPY ... FROM STDIN` (text format): `body` hands over the data in pieces through
  /// the function it is given. The rows copied.
  @discardableResult
  public func copyIn(_ sql: String, _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Int {
    let start = eid_PQexec(connection, sql)
    let status = eid_PQresultStatus(start)
    eid_PQclear(start)
    guard status == PGRES_COPY_IN else { throw failure("COPY did not start", sql) }
    do {
      try body { bytes in
        guard bytes.count > 0 else { return }
        let sent = eid_PQputCopyData(connection, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        if sent != 1 { throw self.failure("COPY data was refused", sql) }
      }
    } catch {
      _ = eid_PQputCopyEnd(connection, "the copy was abandoned")
      while let result = eid_PQgetResult(connection) { eid_PQclear(result) }
      throw error
    }
    guard eid_PQputCopyEnd(connection, nil) == 1 else { throw failure("COPY could not end", sql) }
    var copied = 0
    var problem: EidolonError?
    while let result = eid_PQgetResult(connection) {
      if eid_PQresultStatus(result) == PGRES_COMMAND_OK {
        copied = Int(PostgresConnection.text(eid_PQcmdTuples(result))) ?? 0
      } else if problem == nil {
        problem = EidolonError(.io, "PostgreSQL: \(PostgresConnection.text(eid_PQresultErrorMessage(result))) (in \(PostgresConnection.shortened(sql)))", file: displayName)
      }
      eid_PQclear(result)
    }
    if let problem { throw problem }
    return copied
  }

  // MARK: Helpers

  private func withParameters(_ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> OpaquePointer?) throws -> OpaquePointer? {
    var copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
    defer { for pointer in copies { free(pointer) } }
    return copies.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) { body(parameters.isEmpty ? nil : $0) }
    }
  }

  private func check(_ result: OpaquePointer?, _ sql: String) throws {
    let status = eid_PQresultStatus(result)
    guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
      throw EidolonError(.io, "PostgreSQL: \(PostgresConnection.text(eid_PQresultErrorMessage(result))) (in \(PostgresConnection.shortened(sql)))", file: displayName)
    }
  }

  private func failure(_ what: String, _ sql: String) -> EidolonError {
    EidolonError(.io, "PostgreSQL: \(what): \(PostgresConnection.text(eid_PQerrorMessage(connection))) (in \(PostgresConnection.shortened(sql)))", file: displayName)
  }

  static func text(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static func shortened(_ sql: String) -> String {
    let line = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    return line.count > 80 ? String(line.prefix(77)) + "..." : line
  }

  /// A URI's password (postgresql://user:secret@host) or a key=value string's
  /// (password=secret) replaced by REDACTED.
  static func redacted(_ target: String) -> String {
    if isTarget(target), let scheme = target.range(of: "://"), let at = target[scheme.upperBound...].firstIndex(of: "@") {
      let credentials = target[scheme.upperBound..<at]
      if let colon = credentials.firstIndex(of: ":") {
        return String(target[..<colon]) + ":REDACTED" + String(target[at...])
      }
      return target
    }
    return target.split(separator: " ").map { $0.lowercased().hasPrefix("password=") ? "password=REDACTED" : String($0) }.joined(separator: " ")
  }
}

/// One row of a result (PostgresConnection.forEachRow): its values as text bytes.
public struct PostgresRow {
  fileprivate let result: OpaquePointer
  fileprivate let row: Int32

  /// The value's bytes, nil for NULL. libpq ends each with a NUL byte (not counted here),
  /// so `pointer` may be given to C's number parsers.
  public subscript(_ column: Int) -> UnsafeRawBufferPointer? {
    guard eid_PQgetisnull(result, row, Int32(column)) == 0, let value = eid_PQgetvalue(result, row, Int32(column)) else { return nil }
    return UnsafeRawBufferPointer(start: value, count: Int(eid_PQgetlength(result, row, Int32(column))))
  }

  /// The value parsed as a whole number (0 for NULL or text that is not one).
  public func integer(_ column: Int) -> Int64 {
    guard let value = eid_PQgetvalue(result, row, Int32(column)), eid_PQgetisnull(result, row, Int32(column)) == 0 else { return 0 }
    return Int64(strtoll(value, nil, 10))
  }

  /// The value parsed as a floating-point number (0 for NULL).
  public func double(_ column: Int) -> Double {
    guard let value = eid_PQgetvalue(result, row, Int32(column)), eid_PQgetisnull(result, row, Int32(column)) == 0 else { return 0 }
    return strtod(value, nil)
  }
}
