import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// A pull reader of XML over libxml2's xmlTextReader, made safe for untrusted files:
/// no network, no DTD loading, no entity substitution, libxml2's own depth and size
/// limits, and any document with a DOCTYPE or an entity reference refused (no format
/// Eidolon reads uses them; they are how XXE and billion-laughs attacks work).
///
/// Nodes come one at a time: start element (with attributes), text, end element.
/// An empty element `<a/>` comes as a start and an end. Comments and processing
/// instructions are skipped. Names and text are libxml2's own bytes (`nameBytes`,
/// `valueBytes`; a name is interned in the reader's dictionary): Strings are made only
/// when asked for (`name`, `value`, `attributes`), which a String per node made the
/// larger part of reading before (bench/README.md, "rt-read and mt-read on bytes").
public final class XMLPullReader {
  public enum NodeKind: Sendable, Equatable {
    case startElement, endElement, text
  }

  public let fileName: String
  private let reader: OpaquePointer
  private let box: InputBox
  /// The name of an empty element whose end comes next.
  private var pendingEndFor: UnsafePointer<xmlChar>?
  private var namePointer: UnsafePointer<xmlChar>?
  private var valuePointer: UnsafePointer<xmlChar>?
  /// True while the reader stands on the start element `attributes` reads.
  private var onStartElement = false

  public private(set) var kind = NodeKind.text
  /// 0 for the root element.
  public private(set) var depth = 0

  /// The element's name for start and end (empty for text), as libxml2 holds it: good for
  /// the reader's life (names are interned).
  public var nameBytes: UnsafeRawBufferPointer { XMLPullReader.bytes(namePointer) }
  /// The text of a text node (CDATA included), empty for elements: good until `next()`.
  public var valueBytes: UnsafeRawBufferPointer { XMLPullReader.bytes(valuePointer) }
  /// The element's name for start and end, empty for text.
  public var name: String { XMLPullReader.string(namePointer) }
  /// The text of a text node (CDATA included).
  public var value: String { XMLPullReader.string(valuePointer) }

  /// The attributes of the current start element (none for its end or other nodes).
  public var attributes: [(name: String, value: String)] {
    guard onStartElement else { return [] }
    var result: [(name: String, value: String)] = []
    while xmlTextReaderMoveToNextAttribute(reader) == 1 {
      result.append((XMLPullReader.string(xmlTextReaderConstName(reader)), XMLPullReader.string(xmlTextReaderConstValue(reader))))
    }
    xmlTextReaderMoveToElement(reader)
    return result
  }

  public init(source: ByteSource, fileName: String) throws {
    _ = XMLPullReader.globalSetup
    self.fileName = fileName
    box = InputBox(source: source)
    let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)
    let context = Unmanaged.passUnretained(box).toOpaque()
    guard let reader = xmlReaderForIO(XMLPullReader.readCallback, nil, context, nil, nil, options) else {
      throw EidolonError(.io, "libxml2 could not start a reader", file: fileName)
    }
    self.reader = reader
    xmlTextReaderSetStructuredErrorHandler(reader, XMLPullReader.errorCallback, context)
  }

  deinit {
    xmlFreeTextReader(reader)
  }

  /// Where the parser is now (1-based line and column).
  public var position: SourcePosition {
    SourcePosition(line: Int(xmlTextReaderGetParserLineNumber(reader)),
                   column: Int(xmlTextReaderGetParserColumnNumber(reader)), byteOffset: box.bytesRead)
  }

  /// The line the current node starts on (libxml2's parser position runs ahead of it).
  public var nodeLine: Int {
    guard let node = xmlTextReaderCurrentNode(reader) else { return position.line }
    let line = Int(xmlGetLineNo(node))
    return line > 0 ? line : position.line
  }

  private func fail(_ kind: EidolonError.Kind, _ message: String) -> EidolonError {
    EidolonError(kind, message, file: fileName, position: position)
  }

  /// Moves to the next node; false at the end of the document.
  public func next() throws -> Bool {
    onStartElement = false
    if let pending = pendingEndFor {
      pendingEndFor = nil
      kind = .endElement
      namePointer = pending
      valuePointer = nil
      return true
    }
    while true {
      let status = xmlTextReaderRead(reader)
      if let error = box.ioError { throw error }
      if status < 0 || box.parseError != nil {
        let (message, line, column) = box.parseError ?? ("malformed XML", 0, 0)
        let place = line > 0 ? SourcePosition(line: line, column: max(column, 1), byteOffset: box.bytesRead) : position
        let kind: EidolonError.Kind = message.contains("Excessive depth") || message.contains("Huge") ? .limit
          : message.contains("Premature end") || message.contains("EndTag") && box.sourceEnded ? .truncated : .syntax
        throw EidolonError(kind, "XML: \(message)", file: fileName, position: place)
      }
      if status == 0 { return false }
      depth = Int(xmlTextReaderDepth(reader))
      switch xmlTextReaderNodeType(reader) {
      case 1:  // element
        kind = .startElement
        namePointer = xmlTextReaderConstName(reader)
        valuePointer = nil
        onStartElement = true
        if xmlTextReaderIsEmptyElement(reader) == 1 { pendingEndFor = namePointer }
        return true
      case 15:  // end element
        kind = .endElement
        namePointer = xmlTextReaderConstName(reader)
        valuePointer = nil
        return true
      case 3, 4, 14:  // text, CDATA, significant whitespace
        kind = .text
        namePointer = nil
        valuePointer = xmlTextReaderConstValue(reader)
        return true
      case 5:
        throw fail(.syntax, "XML: entity references are refused (they can expand without bound or read local files)")
      case 10:
        throw fail(.syntax, "XML: a DOCTYPE is refused (DTDs and entities are not used by any format Eidolon reads, and are how XML attacks work)")
      default:
        continue  // comments, processing instructions, whitespace between elements
      }
    }
  }

  /// The value of attribute `name` on the current start element.
  public func attribute(_ name: String) -> String? {
    attributes.first { $0.name == name }?.value
  }

  private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
  }

  private static func bytes(_ pointer: UnsafePointer<xmlChar>?) -> UnsafeRawBufferPointer {
    guard let pointer else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self)))
  }

  // MARK: libxml2 glue

  private static let globalSetup: Void = {
    xmlInitParser()
    // Belt and braces: even if something asked for an external entity, nothing is loaded.
    xmlSetExternalEntityLoader { _, _, _ in nil }
  }()

  /// What the C callbacks reach: the byte source and what went wrong.
  private final class InputBox {
    let source: ByteSource
    var ioError: Error?
    var parseError: (String, Int, Int)?
    var bytesRead: Int64 = 0
    var sourceEnded = false
    init(source: ByteSource) { self.source = source }
  }

  private static let readCallback: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer, length > 0 else { return 0 }
    let box = Unmanaged<InputBox>.fromOpaque(context).takeUnretainedValue()
    do {
      let n = try box.source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length)))
      box.bytesRead += Int64(n)
      if n == 0 { box.sourceEnded = true }
      return Int32(n)
    } catch {
      box.ioError = error
      return -1
    }
  }

  private static let errorCallback: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let box = Unmanaged<InputBox>.fromOpaque(context).takeUnretainedValue()
    // Warnings (level 1) pass; the first error is the one to report.
    guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue, box.parseError == nil else { return }
    var message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
    while message.last == "\n" || message.last == " " { message.removeLast() }
    box.parseError = (message, Int(error.pointee.line), Int(error.pointee.int2))
  }
}
