/// How the loader stores an event: the parameters of the events table's insert and
/// update (StoreSchema) bound from a view, whose text SQLite reads where it lies, without
/// a copy by Swift or by SQLite (the view of an NDJSON line, or of the loader's block:
/// LoadBlock).
///
/// Parameters: each column's at its place in `StoreSchema.EventColumn`, then the import's
/// id. Every one is bound for every event (the loader resets the statements keeping their
/// bindings).
extension EventView {
  var idText: String { EventView.text(id) }
  var endMillis: Int64 { Event.endMillis(start: start, duration: duration) }
  var sourceAndStream: (String, String) {
    (EventView.text(source), optionalString(Event.OptionalString.stream).map(EventView.text) ?? "")
  }

  /// Every text is the view's own bytes (valid until the view's next record, so past
  /// the step that reads them); tags and attrs are the canonical line's JSON text.
  func bind(to statement: SQLiteStatement, importID: Int64) {
    typealias C = StoreSchema.EventColumn
    statement.bind(C.id.parameter, borrowing: id)
    statement.bind(C.source.parameter, borrowing: source)
    statement.bind(C.kind.parameter, borrowing: kind)
    statement.bind(C.start.parameter, borrowing: startText)
    statement.bind(C.startMillis.parameter, start)
    statement.bind(C.endMillis.parameter, endMillis)
    statement.bind(C.duration.parameter, duration)
    for field in 0..<Event.optionalStringNames.count {
      statement.bind(C.optionalStringParameter(field), borrowing: strings[field])
    }
    statement.bind(C.productivity.parameter, productivity.map(Int64.init))
    statement.bind(C.tags.parameter, borrowing: tagsJSON)
    statement.bind(C.billable.parameter, billable.map { $0 ? 1 : 0 } as Int64?)
    statement.bind(C.utcOffset.parameter, borrowing: offset)
    statement.bind(C.attrs.parameter, borrowing: attrsJSON.isEmpty ? EventView.absent : attrsJSON)
    statement.bind(C.importIDParameter, importID)
  }

  func forEachTag(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    for tag in tagList { try body(tag) }
  }
}
