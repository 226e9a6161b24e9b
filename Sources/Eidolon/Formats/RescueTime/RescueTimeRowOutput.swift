/// Formats rows as the API's JSON or CSV, or as the account export.
final class RescueTimeRowOutput {
  private let sink: OutputSink
  private let variant: RescueTimeWriter.Variant
  private let report: RescueTimeColumns.Report
  private let csv: CSVWriter
  private var rows = 0
  private let text = ByteBuffer(capacity: 64)

  /// What the API writes in "notes".
  static let notes = "data is an array of arrays (rows), column names for rows in row_headers"

  init(sink: OutputSink, variant: RescueTimeWriter.Variant, report: RescueTimeColumns.Report) {
    self.sink = sink
    self.variant = variant
    self.report = report
    csv = CSVWriter(sink: sink, dialect: CSVDialect(quoteAll: variant == .accountExport))
  }

  func begin() throws {
    let header = RescueTimeColumns.header(for: report)
    switch variant {
    case .apiCSV: try csv.writeRecord(header)
    case .apiJSON:
      let out = sink.buffer
      out.append("{\"notes\":")
      out.appendJSONString(RescueTimeRowOutput.notes)
      out.append(",\"row_headers\":[")
      for (i, name) in header.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out.appendJSONString(name)
      }
      out.append("],\"rows\":[")
    case .accountExport: break
    }
  }

  /// "2013-01-01T11:20:00", or "2017-09-22 13:00:00 -0700" in the account export.
  private func date(_ cell: RescueTimeCell) -> String {
    text.removeAll()
    Timestamp.appendCanonical(cell.label * 1000, to: text)
    var date = String(decoding: UnsafeRawBufferPointer(rebasing: text.bytes[0..<19]), as: UTF8.self)
    if variant == .accountExport {
      date = date.replacingFirstT()
      date += " " + Timestamp.formatOffset(cell.offset).filter { $0 != ":" }
    }
    return date
  }

  private static func rounded2(_ value: Double) -> Double { (value * 100).rounded() / 100 }

  func write(_ cell: RescueTimeCell) throws {
    let seconds = Int64(cell.seconds.rounded())
    var fields: [(String, isNumber: Bool)] = [(date(cell), false), (String(seconds), true)]
    if variant == .accountExport {
      fields = [fields[0]] + cell.key.map { ($0, false) } + [(String(seconds), false)]
    } else {
      fields.append((String(cell.people), true))
      switch report {
      case .activity, .document:
        fields += cell.key.dropLast().map { ($0, false) }
        fields.append((cell.key.last!, true))
      case .overview, .category: fields.append((cell.key[0], false))
      case .productivity: fields.append((cell.key[0], true))
      case .efficiency:
        let weight = cell.seconds > 0 ? cell.seconds : 1
        for value in [cell.weightedEfficiency / weight, cell.weightedPercent / weight] {
          text.removeAll()
          text.appendJSONNumber(RescueTimeRowOutput.rounded2(value))
          fields.append((String(decoding: text.bytes, as: UTF8.self), true))
        }
      }
    }
    if variant == .apiJSON {
      let out = sink.buffer
      out.append(rows == 0 ? "\n[" : ",\n[")
      for (i, field) in fields.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        if field.isNumber { out.append(field.0) } else { out.appendJSONString(field.0) }
      }
      out.append(UInt8(ascii: "]"))
      try sink.flushIfFull()
    } else {
      try csv.writeRecord(fields.map(\.0))
    }
    rows += 1
  }

  func end() throws {
    if variant == .apiJSON { sink.buffer.append(rows == 0 ? "]}\n" : "\n]}\n") }
    try sink.finish()
  }
}

extension String {
  /// "2017-09-22T13:00:00" as "2017-09-22 13:00:00".
  fileprivate func replacingFirstT() -> String {
    guard let index = firstIndex(of: "T") else { return self }
    var copy = self
    copy.replaceSubrange(index...index, with: " ")
    return copy
  }
}
