/// What a reader with a fast way (a row or event scanner) hands out, the same for each
/// such reader: a record is either the scanner's canonical line, handed out as the view the
/// scanner fills, or an Event the general way made, handed out as itself or as the view of
/// its canonical line. The Event waits here: an enum carrying it was copied at every
/// return, a tenth of the scanned path's cost.
final class ScannedRecords {
  enum Record {
    /// The scanner's line is the record's event.
    case scanned
    /// The event, kept by `converted(_:)`, was made the general way.
    case converted
  }

  let view = EventView()
  /// The canonical line of an event made the general way, for its view.
  private let convertedLine = ByteBuffer(capacity: 4096)
  private var converted: Event?

  /// Keeps an event the general way made; the record that says so.
  func converted(_ event: Event) -> Record {
    converted = event
    return .converted
  }

  /// The record as an Event; `fill` makes the view of a scanned one.
  func event(_ record: Record?, fill: (EventView) -> Void) throws -> Event? {
    switch record {
    case nil: return nil
    case .scanned?:
      fill(view)
      return try view.makeEvent()
    case .converted?: return converted.take()
    }
  }

  /// The record as a view, valid until the reader reads on; `fill` makes the view of a
  /// scanned one.
  func view(_ record: Record?, fill: (EventView) -> Void) throws -> EventView? {
    switch record {
    case nil: return nil
    case .scanned?:
      fill(view)
      return view
    case .converted?:
      try view.fill(from: converted.take()!, line: convertedLine)
      return view
    }
  }
}

/// Ranges of a line a reader's scanner wrote, as a view's fields (`EventView.startFilling`).
struct LineRanges {
  let base: UnsafeRawPointer

  /// The bytes at `range` of the line; absent for an empty range.
  @inline(__always)
  func callAsFunction(_ range: Range<Int>) -> UnsafeRawBufferPointer {
    range.isEmpty ? EventView.absent : UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
  }
}

extension EventView {
  /// Makes this the view of `line`, which a reader's scanner wrote (the caller sets the
  /// fields next, from the returned ranges): valid until the scanner writes again.
  func startFilling(from line: ByteBuffer) -> LineRanges {
    clear()
    let base = UnsafeRawPointer(line.base)
    canonicalLine = UnsafeRawBufferPointer(start: base, count: line.count)
    inputIsCanonical = false
    return LineRanges(base: base)
  }
}
