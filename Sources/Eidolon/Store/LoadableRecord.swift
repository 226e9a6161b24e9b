/// What the loader needs of an event to store it: an owning `Event` (a format's reader
/// in process, `eidolon migrate import`) or an `EventView` (NDJSON inputs, whose text is
/// bound where it lies in the input, without a copy by Swift or by SQLite).
///
/// The parameters of the events table's insert and update (StoreSchema): 1 id, 2 source,
/// 3 kind, 4 start as text, 5 start_ms, 6 end_ms, 7 duration, 8-20 the optional text
/// fields in `Event.optionalStringNames` order, 21 productivity, 22 tags as JSON,
/// 23 billable, 24 offset, 25 attrs as JSON, 26 the import's id. Every one is bound for
/// every event (the loader resets the statements keeping their bindings).
protocol LoadableRecord {
  var idText: String { get }
  var start: Int64 { get }
  var endMillis: Int64 { get }
  var hasTags: Bool { get }
  var sourceAndStream: (String, String) { get }
  func bind(to statement: SQLiteStatement, importID: Int64, scratch: ByteBuffer)
  /// Calls `body` with each tag's text, valid during the call.
  func forEachTag(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows
}

extension Event: LoadableRecord {
  var idText: String { id }
  var hasTags: Bool { tags != nil }
  var sourceAndStream: (String, String) { (source, stream ?? "") }

  func bind(to statement: SQLiteStatement, importID: Int64, scratch: ByteBuffer) {
    statement.bind(1, id)
    statement.bind(2, source)
    statement.bind(3, kind)
    scratch.removeAll()
    Timestamp.appendCanonical(start, to: scratch)
    statement.bind(4, bytes: scratch.bytes)  // copied by SQLite at once: scratch is reused below
    statement.bind(5, start)
    statement.bind(6, endMillis)
    statement.bind(7, duration)
    var index: Int32 = 8
    for field in Event.optionalStringNames.indices {
      statement.bind(index, optionalString(field))
      index += 1
    }
    statement.bind(21, productivity.map(Int64.init))
    if let tags {
      scratch.removeAll()
      scratch.appendJSON(JSONValue.array(tags.map { .string($0) }))
      statement.bind(22, bytes: scratch.bytes)
    } else {
      statement.bind(22, nil as String?)
    }
    statement.bind(23, billable.map { $0 ? 1 : 0 } as Int64?)
    statement.bind(24, offset)
    if attrs.isEmpty {
      statement.bind(25, nil as String?)
    } else {
      scratch.removeAll()
      scratch.appendJSON(attrs)
      statement.bind(25, bytes: scratch.bytes)
    }
    statement.bind(26, importID)
  }

  func forEachTag(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    for var tag in tags ?? [] { try tag.withUTF8 { try body(UnsafeRawBufferPointer($0)) } }
  }
}

extension EventView: LoadableRecord {
  var idText: String { EventView.text(id) }
  var endMillis: Int64 { Event.endMillis(start: start, duration: duration) }
  var sourceAndStream: (String, String) {
    (EventView.text(source), optionalString(Event.OptionalString.stream).map(EventView.text) ?? "")
  }

  /// Every text is the view's own bytes (valid until the reader's next record, so past
  /// the step that reads them); tags and attrs are the canonical line's JSON text, as
  /// the Event's are written.
  func bind(to statement: SQLiteStatement, importID: Int64, scratch: ByteBuffer) {
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
