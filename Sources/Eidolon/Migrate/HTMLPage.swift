/// One self-contained HTML page for a report: inline style and SVG, no scripts, nothing
/// fetched. Cells that carry a figure of the JSON summary hold its path in `data-key`,
/// so a check can read the rendered page and compare (scripts/check-reports).
public struct HTMLPage {
  private var body = ""
  public let title: String

  public init(title: String) { self.title = title }

  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(c)
      }
    }
    return out
  }

  public mutating func heading(_ text: String, level: Int = 2) {
    body += "<h\(level)>\(HTMLPage.escape(text))</h\(level)>\n"
  }

  /// The verdict banner: green when `ok`, red when not.
  public mutating func verdict(_ text: String, ok: Bool, key: String? = nil) {
    let data = key.map { " data-key=\"\(HTMLPage.escape($0))\"" } ?? ""
    body += "<p class=\"verdict \(ok ? "ok" : "bad")\"\(data)>\(HTMLPage.escape(text))</p>\n"
  }

  public mutating func paragraph(_ text: String) {
    body += "<p>\(HTMLPage.escape(text))</p>\n"
  }

  /// A cell: its text, the JSON path it shows (or nil), and whether it marks a difference.
  public struct Cell {
    public var text: String
    public var key: String?
    public var bad = false
    public init(_ text: String, key: String? = nil, bad: Bool = false) {
      self.text = text
      self.key = key
      self.bad = bad
    }
  }

  public mutating func table(_ header: [String], _ rows: [[Cell]], id: String? = nil) {
    body += "<table\(id.map { " id=\"\($0)\"" } ?? "")><thead><tr>"
    body += header.map { "<th>\(HTMLPage.escape($0))</th>" }.joined()
    body += "</tr></thead><tbody>\n"
    for row in rows {
      body += "<tr>"
      for cell in row {
        var attributes = ""
        if let key = cell.key { attributes += " data-key=\"\(HTMLPage.escape(key))\"" }
        if cell.bad { attributes += " class=\"bad\"" }
        body += "<td\(attributes)>\(HTMLPage.escape(cell.text))</td>"
      }
      body += "</tr>\n"
    }
    body += "</tbody></table>\n"
  }

  public mutating func raw(_ html: String) { body += html + "\n" }

  public func render() -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(HTMLPage.escape(title))</title>
    <style>
    body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #1b1f24; }
    h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #d0d7de; }
    table { border-collapse: collapse; margin: .5em 0; display: block; max-width: 100%; overflow-x: auto; }
    th, td { padding: .2em .7em; border-bottom: 1px solid #eaeef2; text-align: left; }
    td { font-variant-numeric: tabular-nums; }
    .verdict { font-size: 1.25em; font-weight: 600; padding: .6em 1em; border-radius: 6px; }
    .ok { background: #dafbe1; color: #116329; } .bad { background: #ffebe9; color: #a40e26; }
    td.bad { font-weight: 600; }
    svg { max-width: 100%; height: auto; }
    .note { color: #57606a; }
    @page { size: A4; margin: 16mm 14mm 18mm;
      @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9pt sans-serif; color: #57606a; } }
    @media print {
      body { margin: 0; max-width: none; }
      tr, .verdict, svg, h2, h3 { break-inside: avoid; }
      h2, h3 { break-after: avoid; }
      thead { display: table-header-group; }
      table { break-inside: auto; }
    }
    </style></head><body>
    <h1>\(HTMLPage.escape(title))</h1>
    \(body)<p class="note">Made by Eidolon \(EidolonVersion.current).</p>
    </body></html>

    """
  }
}

/// A bar chart of seconds per day, source against target, as inline SVG.
public enum DailyChart {
  public struct Day {
    public var day: String
    public var source: Double
    public var target: Double
    public init(day: String, source: Double, target: Double) {
      self.day = day
      self.source = source
      self.target = target
    }
  }

  public static func svg(_ days: [Day], sourceLabel: String = "source", targetLabel: String = "store") -> String {
    guard !days.isEmpty else { return "<p class=\"note\">No days to draw.</p>" }
    let width = 1000.0, height = 260.0, left = 56.0, bottom = 40.0, top = 24.0
    let plotWidth = width - left - 10, plotHeight = height - bottom - top
    let peak = max(days.map { max($0.source, $0.target) }.max() ?? 1, 1)
    let hours = peak / 3600
    let slot = plotWidth / Double(days.count)
    let bar = max(1, slot * 0.4)
    func y(_ seconds: Double) -> Double { top + plotHeight - seconds / peak * plotHeight }
    func f(_ value: Double) -> String { ReportText.number((value * 10).rounded() / 10) }
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"Seconds per day, \(sourceLabel) and \(targetLabel)\">\n"
    svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"#f6f8fa\"/>\n"
    for step in 0...4 {
      let value = peak * Double(step) / 4
      svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y(value)))\" y2=\"\(f(y(value)))\" stroke=\"#d0d7de\"/>"
      svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" font-size=\"11\" text-anchor=\"end\">\(f(hours * Double(step) / 4))h</text>\n"
    }
    let labelEvery = max(1, days.count / 12)
    for (i, day) in days.enumerated() {
      let x = left + Double(i) * slot + slot / 2
      let differs = abs(day.source - day.target) > 0.0005
      svg += "<rect x=\"\(f(x - bar))\" y=\"\(f(y(day.source)))\" width=\"\(f(bar))\" height=\"\(f(top + plotHeight - y(day.source)))\" fill=\"#0969da\"><title>\(day.day) \(sourceLabel): \(ReportText.number(day.source)) s</title></rect>"
      svg += "<rect x=\"\(f(x))\" y=\"\(f(y(day.target)))\" width=\"\(f(bar))\" height=\"\(f(top + plotHeight - y(day.target)))\" fill=\"\(differs ? "#cf222e" : "#8250df")\"><title>\(day.day) \(targetLabel): \(ReportText.number(day.target)) s</title></rect>\n"
      if i % labelEvery == 0 {
        svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 16))\" font-size=\"11\" text-anchor=\"middle\">\(HTMLPage.escape(day.day))</text>\n"
      }
    }
    svg += "<rect x=\"\(f(left))\" y=\"4\" width=\"10\" height=\"10\" fill=\"#0969da\"/><text x=\"\(f(left + 14))\" y=\"13\" font-size=\"11\">\(HTMLPage.escape(sourceLabel))</text>"
    svg += "<rect x=\"\(f(left + 110))\" y=\"4\" width=\"10\" height=\"10\" fill=\"#8250df\"/><text x=\"\(f(left + 124))\" y=\"13\" font-size=\"11\">\(HTMLPage.escape(targetLabel))</text>"
    svg += "<rect x=\"\(f(left + 220))\" y=\"4\" width=\"10\" height=\"10\" fill=\"#cf222e\"/><text x=\"\(f(left + 234))\" y=\"13\" font-size=\"11\">\(HTMLPage.escape(targetLabel)), differs</text>\n"
    svg += "</svg>"
    return svg
  }
}
