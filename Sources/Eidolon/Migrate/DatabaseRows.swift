#if canImport(Glibc)
import Glibc
#endif

/// The rows of a query on a SQLite or PostgreSQL database as CSV bytes (header first, each
/// value quoted, NULL as an empty cell), made as they are read: `migrate import-database`
/// maps them to events with the generic CSV reader and its column map, the same way as
/// `import-csv` (formats/migration.md, "From a database"). Memory stays flat: SQLite's rows
/// are stepped one at a time, PostgreSQL's fetched through a cursor 10,000 at a time, in a
/// read-only transaction.
final class DatabaseRows: ByteSource {
  private let next: () throws -> [String?]?
  private let pending = ByteBuffer(capacity: 1 << 16)
  private var offset = 0
  private var ended = false
  /// What keeps the database open while rows are read.
  private let owner: AnyObject

  init(database: String, query given: String) throws {
    // A query as people type it may end with ';', which a cursor's DECLARE does not take.
    var query = given.trimmingCharacters(in: .whitespacesAndNewlines)
    while query.hasSuffix(";") { query = String(query.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
    if EventStores.isPostgres(database) {
      let connection = try PostgresConnection(database)
      try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
      try connection.execute("DECLARE database_rows NO SCROLL CURSOR FOR \(query)")
      owner = connection
      var batch: [[String?]] = []
      var at = 0
      var header: [String]? = try connection.columns("FETCH 0 FROM database_rows")
      next = {
        if let names = header {
          header = nil
          return names
        }
        if at == batch.count {
          batch = try connection.rows("FETCH 10000 FROM database_rows")
          at = 0
          if batch.isEmpty { return nil }
        }
        defer { at += 1 }
        return batch[at]
      }
    } else {
      guard access(database, R_OK) == 0 else { throw EidolonError(.io, "no such database", file: database) }
      let db = try SQLiteDatabase(path: database, mode: .readOnly)
      let statement = try db.prepare(query)
      owner = db
      var header: [String]? = (0..<statement.columnCount).map { statement.columnName(Int32($0)) }
      next = {
        if let names = header {
          header = nil
          return names
        }
        guard try statement.step() else { return nil }
        _ = db  // kept open
        return (0..<statement.columnCount).map { statement.string(Int32($0)) }
      }
    }
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while offset == pending.count {
      guard !ended else { return 0 }
      pending.removeAll()
      offset = 0
      guard let row = try next() else {
        ended = true
        return 0
      }
      for (index, value) in row.enumerated() {
        if index > 0 { pending.append(0x2C) }
        guard let value else { continue }
        // Quoted, a quote in the value doubled.
        pending.append(0x22)
        for byte in value.utf8 {
          if byte == 0x22 { pending.append(0x22) }
          pending.append(byte)
        }
        pending.append(0x22)
      }
      pending.append(0x0A)
    }
    let count = min(buffer.count, pending.count - offset)
    buffer.baseAddress!.copyMemory(from: pending.bytes.baseAddress! + offset, byteCount: count)
    offset += count
    return count
  }
}
