import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// A pull reader of XML over libxml2's SAX2 push parser, made safe for untrusted files:
/// no network, no DTD loading, no entity substitution, libxml2's own depth and size
/// limits (and a text node over 10 MB refused, as libxml2's tree builder would), and
/// any document with a DOCTYPE refused (no format Eidolon reads uses one; it is how XXE
/// and billion-laughs attacks work), so an entity reference past the five predefined
/// ones is an error.
///
/// Nodes come one at a time: start element (with attributes), text, end element.
/// An empty element `<a/>` comes as a start and an end. Comments and processing
/// instructions are skipped. Text between two elements comes as one node, whitespace
/// included. Names and text are libxml2's own bytes or copies of them (`nameBytes`,
/// `valueBytes`; a name is interned in the parser's dictionary): Strings are made only
/// when asked for (`name`, `value`, `attributes`).
///
/// libxml2 parses a chunk of the input at a time and calls back for each node, which
/// this queues; `next()` hands them out. SAX builds no tree: the same file takes about
/// half the instructions of libxml2's xmlTextReader (bench/README.md, "mt-read's XML over
/// SAX").
///
/// On two cores the parse and the reading of its nodes can be on different threads: the
/// parsing thread moves what each chunk made into an `XMLNodes` (`parseChunk`), and a
/// reader made with `init(receivingNodesOf:)` on the other thread reads them, handed in
/// turn to `receive`, as `next()` would have read them.
public final class XMLPullReader {
  public enum NodeKind: Sendable, Equatable {
    case startElement, endElement, text
  }

  public let fileName: String
  /// nil for a reader of nodes parsed on another thread.
  private let parser: xmlParserCtxtPtr?
  private let source: ByteSource?
  private let box: NodeQueue
  private let chunk: UnsafeMutableRawBufferPointer
  private var finished = false
  /// A reader of nodes parsed on another thread: what went wrong after the nodes it has.
  private var receivedFailure: Error?
  /// The parsing thread has handed out the whole document (`parseChunk`).
  private var handedAll = false
  /// The node handed out last, in `box.nodes`.
  private var current = -1
  /// How many of `box.nodes` may be handed out, worked out after each chunk or batch.
  private var available = 0

  public private(set) var kind = NodeKind.text
  /// When set, text of nothing but spaces, tabs and line breaks that comes just before a
  /// start element is not handed out: for a reader that drops the text it has gathered
  /// when an element starts (the indentation between the elements of most files).
  public var dropsBlankTextBeforeElements: Bool {
    get { box.dropsBlankTextBeforeElements }
    set { box.dropsBlankTextBeforeElements = newValue }
  }
  /// 0 for the root element.
  public private(set) var depth = 0

  /// The element's name for start and end (empty for text), as libxml2 holds it: good for
  /// the reader's life (names are interned).
  public var nameBytes: UnsafeRawBufferPointer { XMLPullReader.bytes(current >= 0 ? box.nodes[current].name : nil) }
  /// The text of a text node (CDATA included), empty for elements: good until `next()`.
  public var valueBytes: UnsafeRawBufferPointer {
    guard current >= 0, box.nodes[current].kind == .text else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return box.text(box.nodes[current].text)
  }
  /// The element's name for start and end, empty for text.
  public var name: String { String(decoding: nameBytes, as: UTF8.self) }
  /// The text of a text node (CDATA included).
  public var value: String { String(decoding: valueBytes, as: UTF8.self) }

  /// The attributes of the current start element (none for its end or other nodes).
  public var attributes: [(name: String, value: String)] {
    guard current >= 0, box.nodes[current].kind == .startElement else { return [] }
    return box.nodes[current].attributes.map { k in
      let attribute = box.attributes[k]
      return (String(decoding: XMLPullReader.bytes(attribute.name), as: UTF8.self),
              String(decoding: box.text(attribute.value), as: UTF8.self))
    }
  }

  public init(source: ByteSource, fileName: String) throws {
    _ = XMLPullReader.globalSetup
    self.fileName = fileName
    self.source = source
    box = NodeQueue()
    var sax = XMLPullReader.handler()
    guard let parser = xmlCreatePushParserCtxt(&sax, Unmanaged.passUnretained(box).toOpaque(), nil, 0, fileName) else {
      throw EidolonError(.io, "libxml2 could not start a parser", file: fileName)
    }
    self.parser = parser
    box.parser = parser
    xmlCtxtUseOptions(parser, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue))
    chunk = .allocate(byteCount: XMLPullReader.chunkBytes, alignment: 16)
  }

  /// A reader of the nodes another reader of the same file parses on another thread
  /// (`parseChunk`), handed to it in turn (`receive`); `next()` is false at the end of
  /// each batch.
  public init(receivingNodesOf fileName: String) {
    self.fileName = fileName
    source = nil
    parser = nil
    box = NodeQueue()
    chunk = .allocate(byteCount: 0, alignment: 16)
  }

  deinit {
    if let parser { xmlFreeParserCtxt(parser) }
    chunk.deallocate()
  }

  /// The input is handed to libxml2 this many bytes at a time.
  static let chunkBytes = 64 << 10

  /// Where the parser is now (1-based line and column).
  public var position: SourcePosition {
    guard let parser else { return SourcePosition(line: current >= 0 ? box.nodes[current].line : 0, column: 1, byteOffset: 0) }
    let context = UnsafeMutableRawPointer(parser)
    return SourcePosition(line: Int(xmlSAX2GetLineNumber(context)), column: Int(xmlSAX2GetColumnNumber(context)),
                          byteOffset: box.bytesRead)
  }

  /// The line the current node starts on.
  public var nodeLine: Int { current >= 0 ? box.nodes[current].line : position.line }

  /// Moves to the next node; false at the end of the document.
  public func next() throws -> Bool {
    while true {
      if current + 1 < available {
        current += 1
        let node = box.nodes[current]
        kind = node.kind
        depth = node.depth
        return true
      }
      // Everything parsed so far is out: what went wrong comes next, then more input.
      if parser == nil {
        if let receivedFailure { throw receivedFailure }
        return false
      }
      if let error = pendingError() { throw error }
      if finished { return false }
      box.removeDelivered(upTo: current + 1)
      current = -1
      feed(limit: chunk.count)
      available = box.deliverable(finished: finished)
    }
  }

  /// What stopped the parse, once the nodes before it are out.
  private func pendingError() -> Error? {
    if let error = box.ioError { return error }
    if var failure = box.failure {
      failure.file = fileName
      return failure
    }
    if let (message, line, column) = box.parseError { return parseFailure(message, line: line, column: column) }
    return nil
  }

  /// On the parsing thread of two: parses at least the next `bytes` of the input, in
  /// the chunks `next()` would read (libxml2's messages for a malformed file depend on
  /// where its chunks end), and moves the nodes that can be handed out into `batch`, an
  /// empty one, and after the last of them what stopped the parse, if anything did (a
  /// text node still open stays for the next). False once the whole document has been
  /// moved out. The reader is not read with `next()` when it is read this way.
  func parseChunk(bytes: Int, into batch: XMLNodes) -> Bool {
    guard !handedAll else { return false }
    let end = box.bytesRead + Int64(max(1, bytes))
    repeat {
      feed(limit: chunk.count)
    } while box.bytesRead < end && !finished && pendingError() == nil
    let error = pendingError()
    let deliverable = box.deliverable(finished: finished)
    guard deliverable > 0 || finished || error != nil else { return true }
    box.move(deliverable, to: batch)
    if finished || error != nil {
      batch.failure = error
      batch.isLast = true
      handedAll = true
    }
    return true
  }

  /// On the other thread: the next batch `parseChunk` filled, read from its start by
  /// `next()`; `batch` is left empty, to be filled again. Every node of the one before has
  /// been read.
  func receive(_ batch: XMLNodes) {
    box.take(batch)
    current = -1
    available = box.nodes.count
    if let failure = batch.failure { receivedFailure = failure }
    batch.failure = nil
    batch.isLast = false
  }

  /// Reads the next chunk of the input, at most `limit` bytes, and lets libxml2 parse it
  /// (the last call, with no bytes, tells it the document ends).
  private func feed(limit: Int) {
    guard let source, let parser else { return }
    let n: Int
    do {
      n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<limit]))
    } catch {
      box.ioError = error
      return
    }
    box.bytesRead += Int64(n)
    if n == 0 {
      box.sourceEnded = true
      finished = true
    }
    let status = xmlParseChunk(parser, chunk.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(n), n == 0 ? 1 : 0)
    if status != 0 && box.parseError == nil && box.failure == nil {
      let place = position
      box.parseError = ("malformed XML", place.line, place.column)
    }
  }

  private func parseFailure(_ message: String, line: Int, column: Int) -> EidolonError {
    let place = line > 0 ? SourcePosition(line: line, column: max(column, 1), byteOffset: box.bytesRead) : position
    let kind: EidolonError.Kind = message.contains("Excessive depth") || message.contains("Huge") ? .limit
      : message.contains("Premature end") || message.contains("EndTag") && box.sourceEnded ? .truncated : .syntax
    return EidolonError(kind, "XML: \(message)", file: fileName, position: place)
  }

  /// The value of attribute `name` on the current start element.
  public func attribute(_ name: String) -> String? {
    attributes.first { $0.name == name }?.value
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

  /// The callbacks: elements, text and errors only. No getEntity and no tree: nothing a
  /// document declares is ever looked up.
  private static func handler() -> xmlSAXHandler {
    var sax = xmlSAXHandler()
    sax.initialized = UInt32(XML_SAX2_MAGIC)
    sax.startElementNs = { context, localName, prefix, _, _, _, attributeCount, _, attributes in
      NodeQueue.with(context) { $0.start(localName, prefix, Int(attributeCount), attributes) }
    }
    sax.endElementNs = { context, localName, prefix, _ in NodeQueue.with(context) { $0.end(localName, prefix) } }
    sax.characters = { context, bytes, count in NodeQueue.with(context) { $0.characters(bytes, Int(count)) } }
    sax.ignorableWhitespace = sax.characters
    sax.cdataBlock = sax.characters
    // A comment or processing instruction ends a text node, as in the document's tree.
    sax.comment = { context, _ in NodeQueue.with(context) { $0.textEnds() } }
    sax.processingInstruction = { context, _, _ in NodeQueue.with(context) { $0.textEnds() } }
    sax.internalSubset = { context, _, _, _ in
      NodeQueue.with(context) { $0.refuse("XML: a DOCTYPE is refused (DTDs and entities are not used by any format Eidolon reads, and are how XML attacks work)") }
    }
    sax.reference = { context, _ in
      NodeQueue.with(context) { $0.refuse("XML: entity references are refused (they can expand without bound or read local files)") }
    }
    sax.serror = { context, error in
      guard let context, let error else { return }
      NodeQueue.with(context) { $0.error(error.pointee) }
    }
    return sax
  }
}

/// Nodes one thread parsed for another to read (`XMLPullReader.parseChunk`, `receive`):
/// their kinds, names, lines, text and attributes, and what stopped the parse after them.
final class XMLNodes {
  fileprivate var nodes: [NodeQueue.Node] = []
  fileprivate var attributes: [(name: UnsafePointer<xmlChar>?, value: Range<Int>)] = []
  fileprivate let textBytes = ByteBuffer(capacity: 1 << 16)
  fileprivate(set) var failure: Error?
  /// The document's last nodes.
  fileprivate(set) var isLast = false

  init() {}

  /// Anything for the reading thread: nodes, or the end.
  var holdsWork: Bool { !nodes.isEmpty || isLast }

  func removeAll() {
    nodes.removeAll(keepingCapacity: true)
    attributes.removeAll(keepingCapacity: true)
    textBytes.removeAll()
    failure = nil
    isLast = false
  }
}

/// What the parser's callbacks found in the chunks parsed so far, in order, with the
/// text they carry, and what went wrong.
private final class NodeQueue {
  struct Node {
    var kind: XMLPullReader.NodeKind
    var name: UnsafePointer<xmlChar>?
    var depth: Int
    var line: Int
    /// Text nodes: where the text lies in `textBytes`.
    var text: Range<Int> = 0..<0
    /// Start elements: their attributes in `attributes`.
    var attributes: Range<Int> = 0..<0
  }

  var parser: xmlParserCtxtPtr?
  var nodes: [Node] = []
  var attributes: [(name: UnsafePointer<xmlChar>?, value: Range<Int>)] = []
  /// A constant, so the callbacks use it without retaining it (moved by trading storage).
  let textBytes = ByteBuffer(capacity: 1 << 16)
  /// The open elements' start lines (an end element's line is its start's).
  private var openLines: [Int] = []
  /// Whether text is open, that more text may still join. Its text runs from
  /// `openTextStart` to the end of `textBytes`; its node's range is set when it closes
  /// (`closeText`) or is looked at (`deliverable`), not per callback.
  private var textOpen = false
  private var openTextStart = 0
  /// Whether the open text has its node (the last one): not yet while it is all blanks
  /// and blank text before a start element is dropped, as most text between elements is
  /// (a node queued and taken back for each was 2% of the parsing thread's instructions).
  private var openTextQueued = false
  /// Where the open text started, for its node.
  private var openTextLine = 0
  var dropsBlankTextBeforeElements = false

  var ioError: Error?
  var parseError: (String, Int, Int)?
  /// A refusal of ours (a DOCTYPE, an entity, a text node too big).
  var failure: EidolonError?
  var bytesRead: Int64 = 0
  var sourceEnded = false

  /// libxml2's tree builder refuses a text node over 10 MB (XML_MAX_TEXT_LENGTH); without
  /// a tree, this does, so one text node never holds more than that in memory.
  static let maxTextBytes = 10_000_000

  /// libxml2's tree builder refuses elements nested deeper than this (xmlParserMaxDepth);
  /// without a tree, this does.
  static let maxDepth = 256

  init() {}

  /// The queue a callback's context points to, used without retaining it (the reader
  /// holds it while libxml2 calls back): an atomic retain and release per callback, and
  /// the text buffer's (bench/README.md).
  @inline(__always)
  static func with(_ context: UnsafeMutableRawPointer?, _ body: (NodeQueue) -> Void) {
    Unmanaged<NodeQueue>.fromOpaque(context!)._withUnsafeGuaranteedRef(body)
  }

  func text(_ range: Range<Int>) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: textBytes.base + range.lowerBound, count: range.count)
  }

  /// How many queued nodes may be handed out: a text node at the end waits for the rest
  /// of its text until something else comes or the document ends.
  func deliverable(finished: Bool) -> Int {
    guard textOpen else { return nodes.count }
    // At the end, or after an error, the open text is whole.
    guard !finished && failure == nil && parseError == nil && ioError == nil else {
      closeText()
      return nodes.count
    }
    guard openTextQueued else { return nodes.count }
    nodes[nodes.count - 1].text = openTextStart..<textBytes.count
    return nodes.count - 1
  }

  /// The open text is whole: something else came.
  @inline(__always)
  private func closeText() {
    guard textOpen else { return }
    queueOpenText()
    nodes[nodes.count - 1].text = openTextStart..<textBytes.count
    textOpen = false
  }

  /// The open text's node, when it has none yet.
  @inline(__always)
  private func queueOpenText() {
    guard !openTextQueued else { return }
    nodes.append(Node(kind: .text, name: nil, depth: openLines.count, line: openTextLine, text: openTextStart..<openTextStart))
    openTextQueued = true
  }

  /// Forgets the nodes handed out, the first `count`; the open text, if any, and its node
  /// (the one left, if queued) move to the start.
  func removeDelivered(upTo count: Int) {
    guard count > 0 else { return }
    let open = count < nodes.count ? nodes[count] : nil
    let kept = textOpen ? textBytes.count - openTextStart : 0
    memmove(textBytes.base, textBytes.base + openTextStart, kept)
    nodes.removeAll(keepingCapacity: true)
    attributes.removeAll(keepingCapacity: true)
    textBytes.truncate(to: kept)
    keepOpenNode(open)
  }

  /// Moves the first `count` nodes (all but a queued open text node, or all) into
  /// `batch`, an empty one, by trading storage with it; the open text, if any, and its
  /// node stay, at the start.
  func move(_ count: Int, to batch: XMLNodes) {
    swap(&nodes, &batch.nodes)
    swap(&attributes, &batch.attributes)
    textBytes.swapStorage(with: batch.textBytes)
    let open = count < batch.nodes.count ? batch.nodes.removeLast() : nil
    if textOpen {
      textBytes.append(UnsafeRawBufferPointer(start: batch.textBytes.base + openTextStart, count: batch.textBytes.count - openTextStart))
      batch.textBytes.truncate(to: openTextStart)
    }
    keepOpenNode(open)
  }

  /// The open text now starts `textBytes`; `open` is its node, when it has one.
  private func keepOpenNode(_ open: Node?) {
    openTextStart = 0
    guard var open else { return }
    open.text = 0..<textBytes.count
    nodes.append(open)
  }

  /// Takes the nodes of `batch`, every node here having been read; `batch` is left with
  /// this queue's storage, emptied.
  func take(_ batch: XMLNodes) {
    swap(&nodes, &batch.nodes)
    swap(&attributes, &batch.attributes)
    textBytes.swapStorage(with: batch.textBytes)
    batch.nodes.removeAll(keepingCapacity: true)
    batch.attributes.removeAll(keepingCapacity: true)
    batch.textBytes.removeAll()
  }

  private var line: Int { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer(parser))) }

  private func name(_ localName: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?) -> UnsafePointer<xmlChar>? {
    guard let prefix, let parser else { return localName }
    return xmlDictQLookup(parser.pointee.dict, prefix, localName)
  }

  func start(_ localName: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?, _ attributeCount: Int,
             _ values: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
    // Nothing after a refusal of ours is queued (libxml2 stops calling back, but to be sure).
    guard failure == nil else { return }
    if textOpen && !openTextQueued {
      // Blank text just before a start element, not handed out.
      textBytes.truncate(to: openTextStart)
      textOpen = false
    }
    closeText()
    let first = attributes.count
    if let values {
      // Five pointers each: local name, prefix, URI, value, value's end.
      for k in 0..<attributeCount {
        let at = textBytes.count
        if let start = values[5 * k + 3], let end = values[5 * k + 4] {
          appendAttributeValue(UnsafeRawBufferPointer(start: start, count: start.distance(to: end)))
        }
        attributes.append((name(values[5 * k], values[5 * k + 1]), at..<textBytes.count))
      }
    }
    guard openLines.count < NodeQueue.maxDepth else {
      refuse("XML: Excessive depth in document: \(NodeQueue.maxDepth) elements within each other; refusing it", kind: .limit)
      return
    }
    let line = self.line
    nodes.append(Node(kind: .startElement, name: name(localName, prefix), depth: openLines.count, line: line,
                      attributes: first..<attributes.count))
    openLines.append(line)
  }

  /// Without entity substitution libxml2 hands an attribute's `&amp;` (or `&#38;`) on as
  /// `&#38;`, every other reference decoded (an undeclared one is an error): so an
  /// ampersand in the value is always that.
  private func appendAttributeValue(_ value: UnsafeRawBufferPointer) {
    var from = 0
    for k in value.indices where value[k] == UInt8(ascii: "&") && k >= from {
      textBytes.append(UnsafeRawBufferPointer(rebasing: value[from..<k]))
      textBytes.append(UInt8(ascii: "&"))
      from = k + 1
      // Past the "#38;" the ampersand stands for.
      while from < value.count && value[from - 1] != UInt8(ascii: ";") { from += 1 }
    }
    textBytes.append(UnsafeRawBufferPointer(rebasing: value[from...]))
  }

  func end(_ localName: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?) {
    guard failure == nil else { return }
    closeText()
    let line = openLines.popLast() ?? self.line
    nodes.append(Node(kind: .endElement, name: name(localName, prefix), depth: openLines.count, line: line))
  }

  func characters(_ bytes: UnsafePointer<xmlChar>?, _ count: Int) {
    guard let bytes, count > 0, failure == nil else { return }
    if !textOpen {
      openTextStart = textBytes.count
      openTextLine = line
      openTextQueued = false
      textOpen = true
    }
    let text = UnsafeRawBufferPointer(start: bytes, count: count)
    if !openTextQueued && !(dropsBlankTextBeforeElements && NodeQueue.isBlank(text)) { queueOpenText() }
    guard textBytes.count - openTextStart + count <= NodeQueue.maxTextBytes else {
      refuse("XML: a text node of more than 10 MB; refusing it (formats/parsers.md, \"Limits\")", kind: .limit)
      return
    }
    textBytes.append(text)
  }

  /// Only spaces, tabs and line breaks.
  private static func isBlank(_ text: UnsafeRawBufferPointer) -> Bool {
    for byte in text where byte != 0x20 && byte != 0x0A && byte != 0x09 && byte != 0x0D { return false }
    return true
  }

  func textEnds() { closeText() }

  /// Stops the parse with our own error at the parser's place.
  func refuse(_ message: String, kind: EidolonError.Kind = .syntax) {
    guard failure == nil else { return }
    failure = EidolonError(kind, message, file: nil,
                           position: SourcePosition(line: line, column: Int(xmlSAX2GetColumnNumber(UnsafeMutableRawPointer(parser))), byteOffset: bytesRead))
    closeText()
    if let parser { xmlStopParser(parser) }
  }

  func error(_ error: xmlError) {
    // Warnings (level 1) pass; the first error is the one to report.
    guard error.level.rawValue >= XML_ERR_ERROR.rawValue, parseError == nil, failure == nil else { return }
    var message = error.message.map { String(cString: $0) } ?? "malformed XML"
    while message.last == "\n" || message.last == " " { message.removeLast() }
    parseError = (message, Int(error.line), Int(error.int2))
    closeText()
  }
}
