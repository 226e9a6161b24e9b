@testable import Eidolon
import Testing

/// The nodes one reader parses and another reads in batches (`parseChunk`, `receive`:
/// mt-read's XML on both cores) against the same document read with `next()`: the same
/// nodes, names, text, attributes and lines, then the same error, at every batch size.
@Suite struct XMLNodeBatchTests {
  private struct Outcome: Equatable {
    var nodes: [String] = []
    var error: String?
  }

  private static func describe(_ r: XMLPullReader) -> String {
    switch r.kind {
    case .startElement:
      return "\(r.nodeLine) <\(r.name)" + r.attributes.map { " \($0.name)=\($0.value)" }.joined() + "> at \(r.depth)"
    case .endElement: return "\(r.nodeLine) </\(r.name)> at \(r.depth)"
    case .text: return "\(r.nodeLine) text:\(r.value)"
    }
  }

  private func inTurn(_ xml: String, chunk: Int, dropsBlanks: Bool = true) -> Outcome {
    var outcome = Outcome()
    do {
      let r = try XMLPullReader(source: MemorySource(xml, chunkLimit: chunk), fileName: "t.xml")
      r.dropsBlankTextBeforeElements = dropsBlanks
      while try r.next() { outcome.nodes.append(XMLNodeBatchTests.describe(r)) }
    } catch {
      outcome.error = "\(error)"
    }
    return outcome
  }

  private func inBatches(_ xml: String, chunk: Int, batchBytes: Int, dropsBlanks: Bool = true) -> (Outcome, batches: Int) {
    var outcome = Outcome()
    var batches = 0
    do {
      let parsing = try XMLPullReader(source: MemorySource(xml, chunkLimit: chunk), fileName: "t.xml")
      parsing.dropsBlankTextBeforeElements = dropsBlanks
      let receiving = XMLPullReader(receivingNodesOf: "t.xml")
      let batch = XMLNodes()
      while parsing.parseChunk(bytes: batchBytes, into: batch) {
        guard batch.holdsWork else { continue }
        batches += 1
        receiving.receive(batch)
        #expect(!batch.holdsWork, "a batch received is left empty")
        while try receiving.next() { outcome.nodes.append(XMLNodeBatchTests.describe(receiving)) }
      }
    } catch {
      outcome.error = "\(error)"
    }
    return (outcome, batches)
  }

  static let documents = [
    "<a>\n  <b>  </b>\n\t<c> x <d/></c> <!-- c -->\r\n <e/>\n</a>",
    "<r a=\"x &lt;&#38;&#x26;&amp;y\" b='&#233;'>one &amp; <!-- c -->two<?pi x?>three</r>",
    "<r>" + String(repeating: "abc &amp; ", count: 3_000) + "</r>\n",
    "<?xml version=\"1.0\"?>\n<T>\n  <A>\n    <N>Ünï &lt;x&gt;</N>\n    <S>2024</S>\n  </A>\n  <![CDATA[raw <b>]]>\n</T>",
    // Stops after some nodes: a mismatched tag, an entity, a DOCTYPE, a truncated file.
    "<a>\n  <b>one</b>\n  <c>two</a>",
    "<a><b>x</b>&ent;</a>",
    "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
    "<a><b>one</b><b>tw",
  ]

  @Test(arguments: XMLNodeBatchTests.documents.indices)
  func batchesReadAsTheReaderInTurn(_ index: Int) {
    let xml = XMLNodeBatchTests.documents[index]
    for dropsBlanks in [true, false] {
      for chunk in [1, 3, Int.max] {
        let expected = inTurn(xml, chunk: chunk, dropsBlanks: dropsBlanks)
        for batchBytes in [1, 2, 7, 100, 1 << 20] {
          let (got, batches) = inBatches(xml, chunk: chunk, batchBytes: batchBytes, dropsBlanks: dropsBlanks)
          #expect(got == expected, "chunks of \(chunk), batches of \(batchBytes) bytes, blanks dropped: \(dropsBlanks)")
          #expect(batches >= 1)
        }
      }
    }
  }

  /// The document in many batches: a text node parsed in part stays with the parsing
  /// reader until it ends, so the receiving one gets it whole.
  @Test func textAcrossBatchesComesWhole() {
    let text = String(repeating: "abc &amp; ", count: 3_000)
    let (got, batches) = inBatches("<r>" + text + "</r>", chunk: 1000, batchBytes: 1000)
    #expect(batches > 1)
    #expect(got.nodes == ["1 <r> at 0", "1 text:" + String(repeating: "abc & ", count: 3_000), "1 </r> at 0"])
    #expect(got.error == nil)
  }
}
