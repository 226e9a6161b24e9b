/// A reader hands out events one at a time (a pull iterator); nil is the end.
/// Bad records go to its `Diagnostics`; only fatal problems throw.
public protocol EventReader: AnyObject {
  func next() throws -> Event?
}

/// A reader that also hands out its events as views (EventView), the hot path's records:
/// no owning Event is made unless a stage asks for one.
public protocol EventViewReader: EventReader {
  /// The next event as a view, valid until the next call to either method.
  func nextView() throws -> EventView?
}

/// A writer takes events and is told when the stream ends, so it can close
/// brackets and flush.
public protocol EventWriter: AnyObject {
  func write(_ event: Event) throws
  func finish() throws
}

/// A reader that can say how far into its input it is, for progress and summaries.
public protocol InputCounting: AnyObject {
  var bytesRead: Int64 { get }
}
