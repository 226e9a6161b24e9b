import CSQLite

/// A thin, throwing layer over the sqlite3 C API: open, run SQL, prepared statements,
/// the online backup. Every error names the database file and says what SQLite said.
public final class SQLiteDatabase {
  public let path: String
  let handle: OpaquePointer

  public enum Mode: Sendable { case readOnly, readWrite, readWriteCreate }

  public init(path: String, mode: Mode = .readWriteCreate) throws {
    self.path = path
    var db: OpaquePointer?
    let flags: Int32
    switch mode {
    case .readOnly: flags = SQLITE_OPEN_READONLY
    case .readWrite: flags = SQLITE_OPEN_READWRITE
    case .readWriteCreate: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
    }
    let status = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
    guard status == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
      sqlite3_close(db)
      throw EidolonError(.io, "cannot open the database: \(message)", file: path)
    }
    handle = db
    sqlite3_extended_result_codes(handle, 1)
    // Another process (a reader, a resumed load) may hold the lock for a moment.
    sqlite3_busy_timeout(handle, 10_000)
  }

  deinit { sqlite3_close_v2(handle) }

  /// The error for a failed call, with SQLite's own message.
  func failure(_ status: Int32, _ doing: String) -> EidolonError {
    let message = String(cString: sqlite3_errmsg(handle))
    var hint = ""
    switch status & 0xff {
    case SQLITE_FULL: hint = " (the disk is full: free some space, then run again with --resume)"
    case SQLITE_READONLY: hint = " (the file or its folder is read-only)"
    case SQLITE_CORRUPT, SQLITE_NOTADB: hint = " (this is not an Eidolon database, or it is damaged)"
    case SQLITE_BUSY: hint = " (another program holds the database locked)"
    case SQLITE_IOERR: hint = " (a write failed: is the disk full, or the file over a size limit?)"
    default: break
    }
    return EidolonError(.io, "\(doing): \(message)\(hint)", file: path)
  }

  /// Runs one or more statements that return no rows.
  public func execute(_ sql: String) throws {
    var error: UnsafeMutablePointer<CChar>?
    let status = sqlite3_exec(handle, sql, nil, nil, &error)
    if let error { sqlite3_free(error) }
    guard status == SQLITE_OK else { throw failure(status, "SQL failed (\(sql.prefix(60))…)") }
  }

  public func prepare(_ sql: String) throws -> SQLiteStatement {
    var statement: OpaquePointer?
    let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
    guard status == SQLITE_OK, let statement else { throw failure(status, "cannot prepare \(sql.prefix(60))…") }
    return SQLiteStatement(statement, database: self)
  }

  /// The first column of the first row, as an integer (nil when no row or NULL).
  public func integer(_ sql: String) throws -> Int64? {
    let statement = try prepare(sql)
    guard try statement.step() else { return nil }
    return statement.isNull(0) ? nil : statement.int64(0)
  }

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  public var changes: Int { Int(sqlite3_changes(handle)) }

  /// The rowid of the last row inserted.
  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }


  /// Copies the whole database to `destination` with SQLite's online backup API.
  public func backup(to destination: String) throws {
    var target: OpaquePointer?
    guard sqlite3_open_v2(destination, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let target else {
      sqlite3_close(target)
      throw EidolonError(.io, "cannot create the backup file", file: destination)
    }
    defer { sqlite3_close(target) }
    guard let backup = sqlite3_backup_init(target, "main", handle, "main") else {
      throw EidolonError(.io, "cannot start the backup: \(String(cString: sqlite3_errmsg(target)))", file: destination)
    }
    let status = sqlite3_backup_step(backup, -1)
    sqlite3_backup_finish(backup)
    guard status == SQLITE_DONE else {
      throw EidolonError(.io, "the backup failed: \(String(cString: sqlite3_errstr(status)))", file: destination)
    }
  }
}

/// A prepared statement: bind (1-based), step, read columns (0-based), reset.
public final class SQLiteStatement {
  let handle: OpaquePointer
  unowned let database: SQLiteDatabase
  /// Tells SQLite to copy bound text at once (SQLITE_TRANSIENT).
  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  init(_ handle: OpaquePointer, database: SQLiteDatabase) {
    self.handle = handle
    self.database = database
  }

  deinit { sqlite3_finalize(handle) }

  public func bind(_ index: Int32, _ value: String?) {
    guard var text = value else { sqlite3_bind_null(handle, index); return }
    text.withUTF8 { bind(index, bytes: UnsafeRawBufferPointer($0)) }
  }

  public func bind(_ index: Int32, bytes: UnsafeRawBufferPointer) {
    if let base = bytes.baseAddress, bytes.count > 0 {
      sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), SQLiteStatement.transient)
    } else {
      sqlite3_bind_text(handle, index, "", 0, nil)  // empty text, not NULL
    }
  }

  /// Binds text SQLite reads where it lies (SQLITE_STATIC), without a copy: `bytes` must
  /// stay valid and unchanged until the statement is reset. Absent (no base address) binds NULL.
  public func bind(_ index: Int32, borrowing bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { sqlite3_bind_null(handle, index); return }
    sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
  }

  public func bind(_ index: Int32, _ value: Int64?) {
    guard let value else { sqlite3_bind_null(handle, index); return }
    sqlite3_bind_int64(handle, index, value)
  }

  public func bind(_ index: Int32, _ value: Double?) {
    guard let value else { sqlite3_bind_null(handle, index); return }
    sqlite3_bind_double(handle, index, value)
  }

  /// Runs to the next row: true when there is one, false when done.
  @discardableResult
  public func step() throws -> Bool {
    let status = sqlite3_step(handle)
    if status == SQLITE_ROW { return true }
    if status == SQLITE_DONE { return false }
    throw database.failure(status, "cannot write or read the events")
  }

  public func reset() {
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
  }

  /// `reset` for a statement whose every parameter is bound again before its next step:
  /// clearing them first was a twentieth of a load's instructions.
  public func resetKeepingBindings() {
    sqlite3_reset(handle)
  }

  public var columnCount: Int { Int(sqlite3_column_count(handle)) }
  public func columnName(_ column: Int32) -> String { sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "" }
  public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
  public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
  public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

  public func string(_ column: Int32) -> String? {
    guard let text = sqlite3_column_text(handle, column) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
  }

  /// The column's text without copying; good until the next step or reset.
  public func bytes(_ column: Int32) -> UnsafeRawBufferPointer? {
    guard let text = sqlite3_column_text(handle, column) else { return nil }
    return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
  }
}
