@testable import Eidolon
import Foundation
import Testing

/// The CSV readers' rows on two threads (`BothCores`), in blocks cut unparsed and in
/// blocks of parsed rows, against the reader handing out views in turn, in what the
/// reading-ways tests leave out: a strict run's stop, --since, a file cut short inside a
/// quoted field, rows that are not UTF-8, and files of several blocks. The same output
/// bytes, messages, rejects, counts and stop.
@Suite struct CSVRowBlockTests {
  typealias Outcome = BlockOutcome
  typealias Way = BlockOutcome.Way

  static let since = Timestamp.parse("2024-03-04T10:00:00Z")!.epochMillis

  /// `cuts`: blocks cut unparsed (`CSVReader.cutRecords`) or parsed by the reading thread.
  private func read(_ path: String, _ way: Way, cuts: Bool = false, strict: Bool, filtered: Bool,
                    make: (ByteReader, Diagnostics) -> CSVRowBlockReading) throws -> Outcome {
    let since = CSVRowBlockTests.since
    let keeps: @Sendable (Int64) -> Bool = { filtered ? $0 >= since : true }
    return try BlockOutcome.read(toolName: "test", strict: strict) { diagnostics, sink, events in
      let reader = make(try InputOpener.open(path), diagnostics)
      switch way {
      case .inTurn:
        try BlockOutcome.copyInTurn({ try reader.nextView() }, keeps: keeps, to: sink, events: &events)
      case .blocks(let blockBytes, let threads):
        try BothCores(diagnostics: diagnostics, keeping: keeps, blockBytes: blockBytes, threads: threads, cutsBlocks: cuts)
          .copy(reader, bytesRead: { 0 }, to: sink, events: &events, bytesBefore: 0)
      }
    }
  }

  /// Every way against the one in turn, strict or not, filtered or not; the in-turn outcome.
  @discardableResult
  private func compare(_ text: String, blockSizes: [Int] = [1, 200, 4096, BothCores.csvBlockBytes], allModes: Bool = true,
                       sourceLocation: SourceLocation = #_sourceLocation,
                       make: @escaping (ByteReader, Diagnostics) -> CSVRowBlockReading) throws -> Outcome {
    let path = temporaryDirectory() + "/rows.csv"
    writeFile(path, Array(text.utf8))
    return try compare(path: path, blockSizes: blockSizes, allModes: allModes, sourceLocation: sourceLocation, make: make)
  }

  @discardableResult
  private func compare(path: String, blockSizes: [Int] = [1, 200, 4096, BothCores.csvBlockBytes], allModes: Bool = true,
                       sourceLocation: SourceLocation = #_sourceLocation,
                       make: @escaping (ByteReader, Diagnostics) -> CSVRowBlockReading) throws -> Outcome {
    var first: Outcome?
    // (Strict or not, filtered or not; `allModes` false: neither.)
    for strict in allModes ? [false, true] : [false] {
      for filtered in allModes ? [false, true] : [false] {
        let expected = try read(path, .inTurn, strict: strict, filtered: filtered, make: make)
        if first == nil { first = expected }
        for blockBytes in blockSizes {
          for threads in [1, 2, 3] {
            for cuts in [false, true] {
              let got = try read(path, .blocks(blockBytes, threads: threads), cuts: cuts, strict: strict, filtered: filtered, make: make)
              if let difference = got.difference(from: expected) {
                Issue.record("blocks of \(blockBytes) bytes on \(threads) threads (cut \(cuts), strict \(strict), filtered \(filtered)): \(difference)",
                             sourceLocation: sourceLocation)
              }
            }
          }
        }
      }
    }
    return first!
  }

  static func toggl(zone: String? = "Europe/Berlin") -> (ByteReader, Diagnostics) -> CSVRowBlockReading {
    { input, diagnostics in
      var options = TogglCSVReader.Options()
      options.zone = zone.flatMap(ZoneConverter.init(identifier:))
      return TogglCSVReader(input: input, diagnostics: diagnostics, options: options)
    }
  }

  static func manicTime(order: ManicTimeDateTime.DateOrder? = nil) -> (ByteReader, Diagnostics) -> CSVRowBlockReading {
    { input, diagnostics in
      var options = ManicTimeCSVReader.Options(zone: ZoneConverter(identifier: "Europe/Berlin")!)
      options.dateOrder = order
      return ManicTimeCSVReader(input: input, diagnostics: diagnostics, options: options)
    }
  }

  static func rescueTime(resolution: RescueTimeResolution? = nil, zone: String? = "Europe/Berlin") -> (ByteReader, Diagnostics) -> CSVRowBlockReading {
    { input, diagnostics in
      var options = RescueTimeReadOptions()
      options.zoneIdentifier = zone
      options.resolution = resolution
      return RescueTimeAPIReader(source: RescueTimeCSVRows(input: input), diagnostics: diagnostics, options: options)
    }
  }

  static let togglHeader = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags\n"

  static func togglRow(_ n: Int, description: String? = nil) -> String {
    let hour = 8 + n % 6, minute = n % 60
    return "Ann,a@example.com,,P,,\(description ?? "Row \(n)"),No,2024-03-04,\(String(format: "%02d:%02d:00", hour, minute)),2024-03-04,\(String(format: "%02d:%02d:30", hour, minute)),00:00:30,\"a, b\"\n"
  }

  @Test func badRowsAmongGoodOnesStopAndRejectAsInTurn() throws {
    var text = Self.togglHeader
    for n in 0..<300 {
      switch n % 37 {
      case 5: text += "Ann,a@example.com,,P,,\"Stray \"quote,No,2024-03-04,10:00:00,2024-03-04,10:30:00,00:30:00,\n"
      case 11: text += "Ann,a@example.com,,P,,Bad date,No,2024-13-04,09:00:00,2024-13-04,09:30:00,00:30:00,\n"
      case 17: text += "Ann,a@example.com,,P,,Running,No,2024-03-04,11:00:00,,,,\n"
      case 23: text += "Ann,a@example.com,,P\n"
      case 29: text += "Ann,a@example.com,,P,,\"Two\nlines\",No,2024-03-04,10:00:00,2024-03-04,10:30:00,00:30:00,x\n"
      case 31: text += "Ann,a@example.com,,P,,Over \"the\" hour,No,2024-10-27,02:30:00,2024-10-27,02:40:00,00:10:00,\n"
      default: text += Self.togglRow(n)
      }
    }
    let outcome = try compare(text, make: Self.toggl())
    #expect(outcome.events > 200 && !outcome.messages.isEmpty)
  }

  @Test func rowsThatAreNotUTF8AreRejectedInTheirPlace() throws {
    var bytes = Array(Self.togglHeader.utf8)
    for n in 0..<120 {
      bytes += Array(Self.togglRow(n).utf8)
      if n % 13 == 4 { bytes += Array("Ann,a@example.com,,P,,caf".utf8) + [0xE9] + Array(",No,2024-03-04,09:00:00,,,00:01:00,\n".utf8) }
    }
    let path = temporaryDirectory() + "/latin1.csv"
    writeFile(path, bytes)
    let outcome = try compare(path: path, make: Self.toggl())
    #expect(outcome.messages.contains { $0.contains("not valid UTF-8") })
  }

  @Test func aFileCutInAQuotedFieldStopsAfterTheRowsBeforeIt() throws {
    var text = Self.togglHeader
    for n in 0..<200 { text += Self.togglRow(n) }
    text += "Ann,a@example.com,,P,,\"never closed,No,2024-03-04,09:00:00"
    let outcome = try compare(text, make: Self.toggl())
    #expect(outcome.stop?.contains("never closes") == true)
  }

  @Test func manicTimeRowsWaitForTheDateOrderThenGoToBlocks() throws {
    var text = "Name,Start,End,Duration,Process\n"
    // 3/4 leaves the order open until 13/4 settles it; then rows of every kind, a time in
    // the repeated hour among them, each first in some block at some size.
    text += "Editor,3/4/2024 9:00:00,3/4/2024 9:30:00,0:30:00,code\n"
    text += "Editor,13/4/2024 9:00:00,13/4/2024 9:30:00,0:30:00,code\n"
    for n in 0..<240 {
      switch n % 19 {
      case 3: text += "Shell,27/10/2024 2:\(10 + n % 40):00,27/10/2024 2:\(11 + n % 40):00,0:01:00,bash\n"
      case 7: text += "Shell,27/10/2024 2:20:00,27/10/2024 2:10:00,,bash\n"
      case 9: text += "\"Bad \"quote,1/5/2024 9:00:00,1/5/2024 9:01:00,0:01:00,x\n"
      default: text += "Browser,\(1 + n % 28)/5/2024 10:\(10 + n % 40):00,\(1 + n % 28)/5/2024 10:\(11 + n % 40):00,0:01:00,firefox\n"
      }
    }
    let outcome = try compare(text, make: Self.manicTime())
    #expect(outcome.events > 200)
    try compare(text, blockSizes: [1, 4096], make: Self.manicTime(order: .dmy))
  }

  @Test func largeFilesOfManyBlocks() throws {
    var text = Self.togglHeader
    for n in 0..<20_000 { text += Self.togglRow(n, description: n % 500 == 0 ? "\"Quoted \"\"row\"\" \(n)\"" : nil) }
    let outcome = try compare(text, blockSizes: [4096, BothCores.csvBlockBytes], allModes: false, make: Self.toggl(zone: nil))
    #expect(outcome.events == 20_000)
  }

  /// Rows whose dates jump between summer and winter in every year: each thread's zone
  /// converter moves its cached span all the time (one shared between the threads raced).
  @Test func rowsAcrossManyYearsInAZone() throws {
    var text = Self.togglHeader
    for n in 0..<12_000 {
      let date = String(format: "%04d-%02d-%02d", 1990 + n % 60, 1 + (n * 7) % 12, 1 + n % 28)
      text += "Ann,a@example.com,,P,,Row \(n),No,\(date),10:00:00,\(date),10:30:00,00:30:00,\n"
    }
    for zone in ["Europe/Berlin", "America/New_York"] {
      let outcome = try compare(text, blockSizes: [2048, 65536], allModes: false, make: Self.toggl(zone: zone))
      #expect(outcome.events == 12_000)
    }
  }

  /// RescueTime rows in runs of one bucket (repeats count within a run, so a block ends
  /// only between two buckets), the repeated hour's buckets more than once (its warning
  /// is given once per bucket in a row), bad rows at run ends, and a run longer than the
  /// blocks; with the bucket size inferred from rows read ahead, and given.
  @Test func rescueTimeRowsKeepTheirBucketsWhole() throws {
    var text = "Date,Time Spent (seconds),Number of People,Activity,Category,Productivity\n"
    var random = SplitMix(state: 7)
    let apps = ["Slack", "Mail", "Editor", "example.com"]
    for n in 0..<500 {
      let date: String
      switch n % 50 {
      case 10..<14: date = "2024-10-27T02:00:00"  // the repeated hour, several times over
      case 14: date = "2024-10-27T01:00:00"
      case 15..<17: date = "2024-10-27T02:00:00"
      default: date = String(format: "2024-05-%02dT%02d:00:00", 1 + n / 50, n % 24)
      }
      for _ in 0..<(1 + random.below(4)) {
        let seconds = random.below(30) == 0 ? "lots" : "\(60 * (1 + random.below(3)))"
        text += "\(date),\(seconds),1,\(apps[random.below(apps.count)]),Work,\(random.below(5) - 2)\n"
      }
    }
    // One bucket of a thousand rows: longer than the run limit at the smaller block sizes.
    for k in 0..<1000 { text += "2024-06-01T09:00:00,\(k % 7 + 1),1,\(apps[k % 2]),Work,0\n" }
    text += "2024-06-01T10:00:00,60,1,Slack,Work,0\n"
    try compareRescueTime(text, moreThan: 1500)
  }

  /// RescueTime rows with the bucket size inferred and given, every way against the one in
  /// turn: more than `events` events, and the repeated hour's warning among the messages.
  private func compareRescueTime(_ text: String, moreThan events: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for resolution in [nil, RescueTimeResolution.hour] {
      let outcome = try compare(text, blockSizes: [1, 200, 4096, BothCores.csvBlockBytes], sourceLocation: sourceLocation,
                                make: Self.rescueTime(resolution: resolution))
      #expect(outcome.events > events, sourceLocation: sourceLocation)
      #expect(outcome.messages.contains { $0.contains("happened twice") }, sourceLocation: sourceLocation)
    }
  }

  /// RescueTime rows written from the tails of rows seen (`SeenRowParts`, and
  /// `scanPlainRecords` straight from the blocks' bytes): tails quoted, with doubled quotes,
  /// line breaks inside quotes, a stray quote, text after a closing quote, bytes past ASCII
  /// and CRLFs; bad cells (never kept) and a row past the year 9999 after good rows of their
  /// tail; buckets either side of both changes of the offset (the tails written with the
  /// other are dropped); more tails than are kept (the tails emptied when full); a tail too
  /// long to keep; the last row without its LF.
  @Test func rescueTimeRowsFromTheTailsOfRowsSeen() throws {
    var text = "Date,Time Spent (seconds),Number of People,Activity,Category,Productivity\n"
    var random = SplitMix(state: 11)
    let tails = [",1,Slack,Work,2", ",1,\"Mail, Inbox\",Work,1", ",1,\"say \"\"hi\"\"\",Chat,0", ",2,Caf\u{E9},Food,-1",
                 ",1,example.com,Browsing,-2", ",1,a\"b,Work,0", ",x,Slack,Work,2", ",1,Slack,Work,7", ",1,Slack,Work",
                 ",1,Slack,Work,2,extra", ",1,,,", ",1,\"two\nlines\",Work,1", ",1,\"x\"\"\n\"\"y\",Work,1",
                 ",1,\"closed\"then,Work,0"]
    var dates: [String] = []
    for day in ["2024-03-31", "2024-10-27"] {
      for hour in 0..<5 { dates.append("\(day)T\(hour < 10 ? "0" : "")\(hour):00:00") }
    }
    var n = 0
    func row(_ date: String, _ seconds: String, _ tail: String) {
      text += "\(date),\(seconds)\(tail)\(random.below(4) == 0 ? "\r\n" : "\n")"
      n += 1
    }
    for round in 0..<6 {
      for date in dates {
        for _ in 0..<(1 + random.below(5)) { row(date, "\(60 * (1 + random.below(9)))", tails[random.below(tails.count)]) }
        if round == 3 { row(date, "30", ",1,\(String(repeating: "long ", count: 4000)),Work,0") }
      }
    }
    // More tails than are kept, two rows each.
    for k in 0..<(SeenRowParts.maxEntries + 300) {
      row(String(format: "2024-11-%02dT%02d:00:00", 1 + k / 240 % 28, k / 10 % 24), "60", ",1,App \(k),Work,0")
      row(String(format: "2024-11-%02dT%02d:00:00", 1 + k / 240 % 28, k / 10 % 24), "61", ",1,App \(k),Work,0")
    }
    // Good rows of a tail, then one that ends past the year 9999.
    row("9999-12-31T23:00:00", "60", tails[0])
    row("9999-12-31T23:00:00", "600000", tails[0])
    text += "2024-12-01T00:00:00,60\(tails[1])"
    try compareRescueTime(text, moreThan: 2000)
  }

  /// A third cell whose doubled quotes were undone is not read where the record lies (a
  /// copy's fields follow the record): such a row's tail is not kept, and rows whose
  /// activities differ are not written from one another's (they were, through a key of
  /// the record's last byte, before `rawRecordTail` looked at the field's end).
  @Test func rescueTimeTailsAfterAThirdCellWithDoubledQuotes() throws {
    var text = "Date,Time Spent (seconds),Activity,Category,Productivity\n"
    for k in 0..<3000 {
      let activity = ["\"say \"\"hi\"\"\"", "\"say \"\"bye\"\"\"", "Slack", "\"x\"\"\""][k % 4]
      text += String(format: "2024-01-%02dT%02d:00:00,60,", 1 + k / 24 % 28, k % 24) + activity + ",Chat,0\n"
    }
    let outcome = try compare(text, blockSizes: [4096, BothCores.csvBlockBytes], allModes: false,
                              make: Self.rescueTime(resolution: .hour, zone: "UTC"))
    #expect(outcome.events == 3000)
  }

  /// Toggl rows written from the heads of rows seen (`SeenRowParts`: User, Email, Client,
  /// Project and Task by their raw bytes): heads quoted, with doubled quotes, a comma, a
  /// formula's guard, "-", empty cells and bytes past ASCII; descriptions quoted or not
  /// (two keys for one head), with doubled quotes (not read where they lie: no key),
  /// empty, and missing from a short row; rows declined after good rows of their head;
  /// more heads than are kept; CRLFs. Tags cells kept too (`tagsSeen`): repeated, empty,
  /// "-", blanks around tags, one declined (a byte past ASCII after a comma and a space),
  /// more than are kept. Then the same rows under a header with an id
  /// column, and one whose first five columns are in another order (no heads kept).
  @Test func togglRowsFromTheHeadsOfRowsSeen() throws {
    var random = SplitMix(state: 19)
    let heads = ["Ann,a@example.com,,P,", "Ann,a@example.com,\"Acme, Inc.\",P,", "\"Bob \"\"B\"\"\",b@example.com,Globex,Ops,T",
                 "Chlo\u{E9},c@example.fr,'=SUM(1),\"Web\",\"\"", "-,-,-,-,-", ",,,,", "Ann,other@example.com,,P,",
                 "\"Ann\",a@example.com,,P,", "Ann,a@example.com,,\"P\"\"\",x"]
    let tagsCells = ["\"a, b\"", "", "ops", "-", "\" x ,, y \"", "\"caf\u{E9}, \u{FC}ber\"", "\"a,b\""]
    let descriptions = ["plain", "\"quoted, with a comma\"", "\"doubled \"\"quotes\"\"\"", "", "\"\"", "\"two\nlines\"", "caf\u{E9}"]
    var rows: [String] = []
    for n in 0..<4000 {
      let head = n < 2600 ? heads[random.below(heads.count)] : "User \(n % 1300),u@example.com,C,P \(n % 3),"
      let minute = n % 60, hour = 8 + n / 60 % 12, day = 1 + n / 720 % 28
      let date = String(format: "2024-03-%02d", day)
      var start = String(format: "%02d:%02d:00", hour, minute)
      if n % 97 == 5 { start = "25:00:00" }  // declined: the general way says why
      let billable = n % 89 == 3 ? "Maybe" : "No"
      let tagsCell = n < 2600 ? tagsCells[random.below(tagsCells.count)] : "tag \(n % 1400)"
      rows.append("\(head),\(descriptions[random.below(descriptions.count)]),\(billable),\(date),\(start),\(date),"
                  + String(format: "%02d:%02d:30", hour, minute) + ",00:00:30,\(tagsCell)" + (random.below(4) == 0 ? "\r\n" : "\n"))
    }
    rows.append("Ann,a@example.com,,P,\n")  // cut short
    let body = rows.joined()
    let outcome = try compare(Self.togglHeader + body, blockSizes: [4096, BothCores.csvBlockBytes], allModes: false, make: Self.toggl())
    #expect(outcome.events > 3800)
    for header in [Self.togglHeader.replacingOccurrences(of: "Tags\n", with: "Tags,Id\n"),
                   "Email,User,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags\n"] {
      try compare(header + body, blockSizes: [BothCores.csvBlockBytes], allModes: false, make: Self.toggl())
    }
  }

  /// Rows that repeat too little for the tails (a full set found fewer times than it
  /// holds): the tails rest for `SeenRowParts.restRows` rows, then are kept again.
  @Test func rescueTimeTailsRestWhereRowsRepeatLittle() throws {
    var text = "Date,Time Spent (seconds),Number of People,Activity,Category,Productivity\n"
    func rows(_ count: Int, from: Int, distinct: Bool) {
      for k in from..<(from + count) {
        let tail = distinct ? ",\(k),App,Work,0" : ",1,App \(k % 5),Work,\(k % 5 - 2)"
        text += String(format: "2024-%02d-%02dT%02d:00:00,60", 1 + k / 672 % 12, 1 + k / 24 % 28, k % 24) + tail + "\n"
      }
    }
    rows(3 * SeenRowParts.maxEntries, from: 0, distinct: true)
    rows(3 * SeenRowParts.restRows, from: 3 * SeenRowParts.maxEntries, distinct: false)
    rows(3 * SeenRowParts.maxEntries, from: 0, distinct: true)
    let outcome = try compare(text, blockSizes: [4096, BothCores.csvBlockBytes], allModes: false, make: Self.rescueTime())
    #expect(outcome.events == 6 * SeenRowParts.maxEntries + 3 * SeenRowParts.restRows)
  }

  /// Rows whose quotes, line ends and blank lines the cutting of blocks (`cutRecords`)
  /// walks: doubled quotes, line breaks in quoted fields and CRLFs falling anywhere in its
  /// 64-byte windows, among rows the reader rejects (their line numbers in the messages).
  /// `irregular`: past row 400, rows the cutting leaves to the reader row by row (a lone
  /// CR, text after a closing quote).
  static func rowsToCut(seed: UInt64, irregular: Bool) -> [UInt8] {
    var random = SplitMix(state: seed)
    var bytes = Array(togglHeader.utf8)
    for n in 0..<700 {
      let end = random.below(3) == 0 ? "\r\n" : "\n"
      let padding = String(repeating: "x", count: random.below(70))
      let description: String
      switch random.below(12) {
      case 0: description = "\"\(padding), with a comma\""
      case 1: description = "\"\(padding)\"\"doubled\"\"\(padding.prefix(7))\""
      case 2: description = "\"\(padding)\nsecond line\r\nthird\""
      case 3: description = "\"\(padding)\rCR inside\""
      case 4: description = "a \"stray\" quote \(padding)"
      case 5: description = "\"\"\"\"\(padding)\"\"\""
      default: description = "Row \(n) \(padding)"
      }
      var row = Array(togglRow(n, description: description).utf8.dropLast()) + Array(end.utf8)
      switch random.below(40) {
      case 0: row = Array("Ann,a@example.com,,P,,caf".utf8) + [0xE9] + Array(",No,2024-03-04,09:00:00,,,00:01:00,\(end)".utf8)
      case 1: row = Array("Ann,a@example.com,,P\(end)".utf8)
      case 2: row = Array(end.utf8) + row  // a blank line first
      case 3 where irregular && n > 400: row = Array("Ann,a@example.com,,P,,lone CR,No,2024-03-04,09:00:00,,,00:01:00,\r".utf8)
      case 4 where irregular && n > 400: row = Array("Ann,a@example.com,,P,,\"closed\"then,No,2024-03-04,09:00:00,,,00:01:00,\n".utf8)
      default: break
      }
      bytes += row
    }
    return bytes
  }

  @Test(arguments: [false, true])
  func blocksCutWhereTheReaderEndsRecords(irregular: Bool) throws {
    for seed in [1, 2, 3] as [UInt64] {
      let path = temporaryDirectory() + "/cut-\(seed).csv"
      writeFile(path, Self.rowsToCut(seed: seed, irregular: irregular))
      let outcome = try compare(path: path, blockSizes: [1, 64, 200, 4096], allModes: false, make: Self.toggl())
      #expect(outcome.events > 500)
      #expect(outcome.messages.contains { $0.contains("not valid UTF-8") })
    }
  }
}
