/// How a CSV file is written: the reader and the writer take the same value.
public struct CSVDialect: Sendable, Equatable {
  public var delimiter: UInt8 = UInt8(ascii: ",")
  public var quote: UInt8 = UInt8(ascii: "\"")
  /// The writer's line end; the reader takes LF, CRLF and CR alike.
  public var lineTerminator: [UInt8] = [0x0A]
  /// The writer quotes every field (Toggl's data export does), not only those that need it.
  public var quoteAll = false
  /// The writer starts the file with a UTF-8 byte-order mark (Excel wants one).
  public var writesBOM = false

  public init(delimiter: UInt8 = UInt8(ascii: ","), lineTerminator: [UInt8] = [0x0A], quoteAll: Bool = false,
              writesBOM: Bool = false) {
    self.delimiter = delimiter
    self.lineTerminator = lineTerminator
    self.quoteAll = quoteAll
    self.writesBOM = writesBOM
  }

  public static let standard = CSVDialect()
  public static let tab = CSVDialect(delimiter: 0x09)
}
