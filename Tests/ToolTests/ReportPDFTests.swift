import Foundation
import Testing

/// Reports as PDF (headless Chromium): validate's and assess's, asked for with --pdf and
/// with the guide's --report/--output NAME.pdf, read back with pdftotext: the verdict on
/// the first page, the JSON report's figures, page numbers. Without Chromium, a message
/// that says how to install it.
@Suite struct ReportPDFTests {
  static func available() -> Bool {
    let found = ["chromium", "pdftotext"].allSatisfy { name in
      (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
      }
    }
    if !found {
      #expect(ProcessInfo.processInfo.environment["CI"] == nil, "chromium and pdftotext are missing; CI=1 bash .ci/setup installs them")
      print("skipped: chromium or pdftotext is not installed (CI=1 bash .ci/setup installs them)")
    }
    return found
  }

  static func text(_ pdf: String, page: Int? = nil) throws -> String {
    let range = page.map { ["-f", "\($0)", "-l", "\($0)"] } ?? []
    return try ToolRunner.runProgram("/usr/bin/pdftotext", range + ["-layout", pdf, "-"]).stdout
  }

  @Test func validateAndAssessPrintTheirReports() throws {
    guard Self.available() else { return }
    let dir = try ToolRunner.temporaryDirectory()
    let database = dir.appendingPathComponent("events.db").path
    #expect(try ToolRunner.run("eidolon", ["migrate", "import", "--input", EidolonMigrateTests.awExport, "--db", database]).status == 0)
    let pdf = dir.appendingPathComponent("validation_report.pdf").path
    let guide = dir.appendingPathComponent("guide.pdf").path
    let run = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", EidolonMigrateTests.awExport, "--target", database,
                                             "--pdf", pdf, "--report", guide, "--json"])
    #expect(run.status == 0, "\(run.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let target = try #require(report["target"] as? [String: Any])
    for file in [pdf, guide] {
      let first = try Self.text(file, page: 1)
      #expect(first.contains("Match: the store holds every event of the source"), "\(first.prefix(400))")
      #expect(first.contains("events") && first.contains("\(target["events"] as! Int)") && first.contains("\(target["seconds"] as! Int)"))
      #expect(try Self.text(file).contains("Page 1 of"))
    }

    let assessed = dir.appendingPathComponent("assessment_report.pdf").path
    let assess = try ToolRunner.run("eidolon", ["migrate", "assess", "--input", EidolonMigrateTests.awExport, "--output", assessed, "--json"])
    #expect(assess.status == 0, "\(assess.stderr)")
    let events = try #require((try JSONSerialization.jsonObject(with: Data(assess.stdout.utf8)) as? [String: Any]).flatMap { $0["events"] ?? ($0["totals"] as? [String: Any])?["events"] } as? Int)
    let assessedText = try Self.text(assessed)
    #expect(assessedText.contains("activitywatch") && assessedText.contains("\(events)"), "\(assessedText.prefix(600))")

    // A mismatch: its verdict first.
    try? FileManager.default.removeItem(atPath: database)
    let bad = try ToolRunner.run("eidolon", ["migrate", "validate", "--source", EidolonMigrateTests.rescueTime, "--tz", "Europe/Berlin",
                                             "--target", try EidolonMigrateTests.importedStore(), "--pdf", pdf])
    #expect(bad.status == 1)
    let verdict = try Self.text(pdf, page: 1)
    #expect(verdict.contains("Mismatch"), "\(verdict.prefix(300))")
  }

  @Test func withoutChromiumTheMessageSaysHowToInstallIt() throws {
    let dir = try ToolRunner.temporaryDirectory()
    let eidolon = ToolRunner.productsDirectory.appendingPathComponent("eidolon").path
    let run = try ToolRunner.shell("""
      cd '\(dir.path)' && PATH=/nonexistent '\(eidolon)' migrate assess --input '\(EidolonMigrateTests.awExport)' --pdf out.pdf --quiet
      """)
    #expect(run.status != 0 && run.stderr.contains("no Chromium found") && run.stderr.contains("apt-get install chromium"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.pdf").path))
  }
}
