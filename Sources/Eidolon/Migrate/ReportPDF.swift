import Foundation

/// A report's HTML page printed to PDF by headless Chromium (formats/migration.md,
/// "Reports"): A4, page numbers in the footer, rows and short tables never cut across
/// pages (HTMLPage's print style). Chromium is found on PATH; without it, the error
/// says how to install it.
public enum ReportPDF {
  static let browsers = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

  public static func write(html: String, to path: String) throws {
    guard let browser = browsers.lazy.compactMap(ExternalCommand.find).first else {
      throw EidolonError(.unsupported, "no Chromium found to print the PDF; install it (Debian: apt-get install chromium) or ask for --html instead", file: path)
    }
    let folder = try TemporaryFile.makeDirectory("report-pdf", holding: "the page Chromium prints")
    defer {
      // Chromium's profile fills the folder with files of its own.
      try? FileManager.default.removeItem(atPath: folder)
      TemporaryPaths.remove(folder)
    }
    let page = folder + "/report.html"
    try Data(html.utf8).write(to: URL(fileURLWithPath: page))
    let target = URL(fileURLWithPath: path).standardizedFileURL.path
    // Root needs --no-sandbox; a profile of its own keeps runs apart.
    let status = try ExternalCommand.run(browser, [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer",
      "--user-data-dir=\(folder)/profile", "--print-to-pdf=\(target)", "file://\(page)",
    ], quiet: true)
    let head = FileManager.default.contents(atPath: target)?.prefix(4)
    guard status == 0, head.map({ Array($0) == Array("%PDF".utf8) }) == true else {
      throw EidolonError(.io, "Chromium did not print the PDF (status \(status))", file: path)
    }
  }
}
