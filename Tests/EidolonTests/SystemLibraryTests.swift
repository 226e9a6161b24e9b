import CSQLite
import Testing

@Suite struct SystemLibraryTests {
  /// The sqlite3 system-library target links and runs (the loader builds on it).
  @Test func sqliteLinksAndAnswers() throws {
    var db: OpaquePointer?
    #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
    defer { sqlite3_close(db) }
    var statement: OpaquePointer?
    #expect(sqlite3_prepare_v2(db, "select json_extract('{\"a\":41}', '$.a') + 1", -1, &statement, nil) == SQLITE_OK)
    defer { sqlite3_finalize(statement) }
    #expect(sqlite3_step(statement) == SQLITE_ROW)
    #expect(sqlite3_column_int(statement, 0) == 42)
  }
}
