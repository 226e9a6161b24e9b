import Eidolon
import Testing

private func nodes(_ xml: String, chunk: Int = .max, dropsBlanks: Bool = false) throws -> [String] {
  let r = try XMLPullReader(source: MemorySource(xml, chunkLimit: chunk), fileName: "t.xml")
  r.dropsBlankTextBeforeElements = dropsBlanks
  var out: [String] = []
  while try r.next() {
    switch r.kind {
    case .startElement:
      out.append("<\(r.name)" + r.attributes.map { " \($0.name)=\($0.value)" }.joined() + ">")
    case .endElement: out.append("</\(r.name)>")
    case .text: out.append("text:\(r.value)")
    }
  }
  return out
}

private func xmlError(_ xml: String) -> EidolonError? {
  eidolonError { _ = try nodes(xml) }
}

@Suite struct XMLPullReaderTests {
  /// With the option, blank text just before a start element is not handed out; blank
  /// text before an end (an element's whole text), text with anything else in it, and
  /// blank text a comment ends are.
  @Test func blankTextBeforeElementsIsDroppedWhenAsked() throws {
    let xml = "<a>\n  <b>  </b>\n\t<c> x <d/></c> <!-- c -->\r\n <e/>\n</a>"
    let all = ["<a>", "text:\n  ", "<b>", "text:  ", "</b>", "text:\n\t", "<c>", "text: x ", "<d>", "</d>", "</c>",
               "text: ", "text:\n ", "<e>", "</e>", "text:\n", "</a>"]
    let dropped = ["<a>", "<b>", "text:  ", "</b>", "<c>", "text: x ", "<d>", "</d>", "</c>", "text: ", "<e>", "</e>",
                   "text:\n", "</a>"]
    for chunk in [1, 2, 5, Int.max] {
      #expect(try nodes(xml, chunk: chunk) == all, "chunks of \(chunk)")
      #expect(try nodes(xml, chunk: chunk, dropsBlanks: true) == dropped, "chunks of \(chunk)")
    }
  }

  @Test func elementsAttributesTextAndEmptyElements() throws {
    let xml = """
      <?xml version="1.0" encoding="UTF-8"?>
      <!-- a comment -->
      <Timeline name="Apps &amp; more"><Activity start="2024-03-04T09:00:05"><Name>Ünï &lt;x&gt;</Name><Note/></Activity><![CDATA[raw <b>]]></Timeline>
      """
    let expected = [
      "<Timeline name=Apps & more>", "<Activity start=2024-03-04T09:00:05>", "<Name>", "text:Ünï <x>", "</Name>",
      "<Note>", "</Note>", "</Activity>", "text:raw <b>", "</Timeline>",
    ]
    #expect(try nodes(xml) == expected)
    #expect(try nodes(xml, chunk: 3) == expected)
  }

  @Test func externalEntitiesAreRefused() throws {
    let xml = """
      <?xml version="1.0"?>
      <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <r>&x;</r>
      """
    let error = try #require(xmlError(xml))
    #expect(error.file == "t.xml")
    #expect(error.message.contains("DOCTYPE") || error.message.contains("entity"))
  }

  @Test func billionLaughsIsRefused() throws {
    var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
    for i in 1...9 {
      xml += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i == 1 ? "" : String(i - 1));", count: 10) + "\">\n"
    }
    xml += "]>\n<lolz>&lol9;</lolz>"
    #expect(xmlError(xml) != nil)
  }

  @Test func undeclaredEntitiesAreErrors() throws {
    let error = try #require(xmlError("<r>&nope;</r>"))
    #expect(error.position?.line == 1)
  }

  @Test func malformedAndTruncatedXMLAreErrorsWithPlaces() throws {
    let mismatched = try #require(xmlError("<a>\n  <b></c>\n</a>"))
    #expect(mismatched.position?.line == 2)
    #expect(mismatched.message.hasPrefix("XML: "))
    #expect(xmlError("<a><b>text") != nil)
  }

  @Test func absurdNestingIsRefused() throws {
    let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
    let error = try #require(xmlError(deep))
    #expect(error.kind == .limit || error.kind == .syntax)
  }

  @Test func attributeValuesAndTextAcrossChunksComeWhole() throws {
    let xml = "<r a=\"x &lt;&#38;&#x26;&amp;y\" b='&#233;'>one &amp; <!-- c -->two<?pi x?>three</r>"
    let expected = ["<r a=x <&&&y b=é>", "text:one & ", "text:two", "text:three", "</r>"]
    #expect(try nodes(xml) == expected)
    #expect(try nodes(xml, chunk: 1) == expected)
    let long = "<r>" + String(repeating: "abc &amp; ", count: 30_000) + "</r>"
    #expect(try nodes(long, chunk: 1000) == ["<r>", "text:" + String(repeating: "abc & ", count: 30_000), "</r>"])
  }

  @Test func aTextNodeOverTenMegabytesIsRefused() throws {
    let xml = "<r>" + String(repeating: "x", count: 10_000_001) + "</r>"
    let error = try #require(xmlError(xml))
    #expect(error.kind == .limit)
    #expect(error.file == "t.xml")
    #expect(try nodes("<r>" + String(repeating: "x", count: 10_000_000) + "</r>").count == 3)
  }
}
