/// The one error type of the library: what went wrong, and where.
///
/// Printed compiler-style, `file:line:column: error: message`, so editors and
/// terminals can jump to the place.
public struct EidolonError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// Reading or writing failed (a missing file, a full disk).
    case io
    /// The bytes are not the format they claim to be.
    case syntax
    /// The input ended in the middle of something: a truncated file.
    case truncated
    /// Well-formed, but a value is wrong (a negative duration, a missing field).
    case data
    /// A safety limit was hit (nesting depth, line length, gzip expansion).
    case limit
    /// The command line asked for something impossible.
    case usage
    /// Written by a newer version of a format than this tool reads.
    case unsupported
  }

  /// True for errors that spoil one record (reject it and go on); the others stop the run.
  public var isRecordError: Bool {
    kind == .syntax || kind == .truncated || kind == .data
  }

  /// What a caller may act on beyond the kind (nil for most errors).
  public enum Cause: Sendable, Equatable {
    /// `--resume` was given inputs that are not what the interrupted load read.
    case resumedInputDiffers
  }

  public var kind: Kind
  public var cause: Cause?
  public var message: String
  public var file: String?
  public var position: SourcePosition?

  public init(_ kind: Kind, _ message: String, file: String? = nil, position: SourcePosition? = nil) {
    self.kind = kind
    self.message = message
    self.file = file
    self.position = position
  }

  public var location: String {
    switch (file, position) {
    case let (file?, position?): return "\(file):\(position.line):\(position.column)"
    case let (file?, nil): return file
    case let (nil, position?): return "<input>:\(position.line):\(position.column)"
    case (nil, nil): return ""
    }
  }

  public var description: String {
    let place = location
    return place.isEmpty ? "error: \(message)" : "\(place): error: \(message)"
  }
}

/// Thrown when the reader of our output has gone away (`tool | head -1`).
/// Tools end quietly with status 0 on it, as xsv and jq do.
public struct BrokenPipe: Error, Sendable {
  public init() {}
}
