/// How the loader stores an event: the parameters of the events table's insert and
/// update (StoreSchema) bound from a view, whose text SQLite reads where it lies, without
/// a copy by Swift or by SQLite (the view of an NDJSON line, or of the loader's block:
/// LoadBlock).
///
/// Parameters: 1 id, 2 source, 3 kind, 4 start as text, 5 start_ms, 6 end_ms, 7 duration,
/// 8-20 the optional text fields in `Event.optionalStringNames` order, 21 productivity,
/// 22 tags as JSON, 23 billable, 24 offset, 25 attrs as JSON, 26 the import's id. Every one
/// is bound for every event (the loader resets the statements keeping their bindings).
extension EventView {
  var idText: String { EventView.text(id) }
  var endMillis: Int64 { Event.endMillis(start: start, duration: duration) }
  var sourceAndStream: (String, String) {
    (EventView.text(source), optionalString(Event.OptionalString.stream).map(EventView.text) ?? "")
  }

  /// Every text is the view's own bytes (valid until the view's next record, so past
  /// the step that reads them); tags and attrs are the canonical line's JSON text.
  func bind(to statement: SQLiteStatement, importID: Int64) {
    statement.bind(1, borrowing: id)
    statement.bind(2, borrowing: source)
    statement.bind(3, borrowing: kind)
    statement.bind(4, borrowing: startText)
    statement.bind(5, start)
    statement.bind(6, endMillis)
    statement.bind(7, duration)
    for field in 0..<Event.optionalStringNames.count {
      statement.bind(Int32(8 + field), borrowing: strings[field])
    }
    statement.bind(21, productivity.map(Int64.init))
    statement.bind(22, borrowing: tagsJSON)
    statement.bind(23, billable.map { $0 ? 1 : 0 } as Int64?)
    statement.bind(24, borrowing: offset)
    statement.bind(25, borrowing: attrsJSON.isEmpty ? EventView.absent : attrsJSON)
    statement.bind(26, importID)
  }

  func forEachTag(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    for tag in tagList { try body(tag) }
  }
}
