import Foundation
import Testing

/// libcurl, libpq and libcrypto are opened when a run needs them (Sources/CLibrariesOnUse),
/// not loaded at every start: no tool links them, and one that cannot be opened stops the
/// run with a message naming the package to install.
@Suite struct LibrariesOnUseTests {
  /// Every executable Package.swift declares.
  static func tools() throws -> [String] {
    let manifest = try String(contentsOf: ToolRunner.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
    return manifest.split(separator: "\n").compactMap { line in
      guard let start = line.range(of: ".executable(name: \"") else { return nil }
      return line[start.upperBound...].split(separator: "\"").first.map(String.init)
    }
  }

  @Test func noToolLoadsThemAtStartUp() throws {
    let tools = try Self.tools()
    #expect(tools.count >= 14 && tools.contains("eidolon"), "\(tools)")
    for tool in tools {
      let listed = try ToolRunner.shell("ldd \"$(command -v \(tool))\"")
      #expect(listed.status == 0, "ldd \(tool): \(listed.stderr)")
      #expect(listed.stdout.contains("libc.so"), "\(tool): \(listed.stdout)")
      for library in ["libcurl", "libpq", "libcrypto"] {
        #expect(!listed.stdout.contains(library), "\(tool) loads \(library) at start-up")
      }
    }
  }

  /// A folder where each library is an empty file, first on the loader's path: opening it fails.
  static func brokenLibraries() throws -> URL {
    let folder = try ToolRunner.temporaryDirectory()
    for name in ["libcurl.so.4", "libpq.so.5", "libcrypto.so.3"] {
      try Data().write(to: folder.appendingPathComponent(name))
    }
    return folder
  }

  @Test(arguments: [
    ("eid-load 'postgresql://127.0.0.1:9/none' events.ndjson", "libpq", "libpq5"),
    ("eid-transform --hash title --salt s events.ndjson", "libcrypto", "libssl3"),
    ("TOGGL_API_TOKEN=x toggl-read --api --since 2024-01-01 --until 2024-01-02 --api-url http://127.0.0.1:9/", "libcurl", "libcurl4"),
  ])
  func oneThatCannotBeOpenedStopsTheRun(command: String, library: String, package: String) throws {
    let folder = try Self.brokenLibraries()
    let events = #"{"id":"a:1","source":"activitywatch","kind":"window","start":"2024-03-04T09:00:00.000Z","duration":5,"title":"t"}"#
    try Data((events + "\n").utf8).write(to: folder.appendingPathComponent("events.ndjson"))
    let result = try ToolRunner.shell("cd '\(folder.path)' && LD_LIBRARY_PATH='\(folder.path)' \(command)")
    #expect(result.status == 2, "\(command): \(result.stderr)")
    #expect(result.stderr.contains("cannot open \(library) ("), "\(command): \(result.stderr)")
    #expect(result.stderr.contains("apt-get install \(package)"), "\(command): \(result.stderr)")
    #expect(result.stdout.isEmpty)
  }
}
