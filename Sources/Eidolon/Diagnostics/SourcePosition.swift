/// Where something is in an input: 1-based line and byte column, and the 0-based byte offset.
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var byteOffset: Int64

  public init(line: Int, column: Int, byteOffset: Int64) {
    self.line = line
    self.column = column
    self.byteOffset = byteOffset
  }

  public var description: String { "\(line):\(column)" }
}
