/// The quick way through for an activity that waited for its group (the replay on both
/// cores, ManicTimeXMLBlocks.swift). Its line in the temporary file is canonical, with
/// the id `manictime:pending` and the activity's name last in attrs; resolving it against
/// its group changes the id, adds the group's name where the timeline puts it, and moves
/// attrs' last member for the group's. Done on the line's bytes, with no Event made and
/// none written (an Event per activity read back was two thirds of the replay), and with
/// no canonical scan of the line first (a third of what was left), it gives byte for
/// byte the line `ManicTimeGroups.resolve` and `EidolonNDJSONWriter` make; every line it
/// does not take whole (another timeline, a group not found, a field the group would
/// overwrite, tags, app, productivity or billable) goes the Event's way, which the
/// caller takes when this says false.
extension ManicTimeGroups {
  /// The day `appendResolvedLine` read last (lines in order mostly share it).
  struct StartDay {
    var key: (UInt64, UInt16) = (0, 0)
    var days: Int64?
  }

  /// Appends the resolved line of the waiting activity `bytes` (a line of the temporary
  /// file, without its LF) to `out` and says true when `keeps` takes its start; false,
  /// with `out` untouched, for a line to resolve as an Event. The line is read where it
  /// lies, not scanned as a canonical line first: the temporary file holds only lines
  /// this process wrote canonical (its writer's, or `spillOnBytes`, byte for byte the
  /// same).
  func appendResolvedLine(_ bytes: UnsafeRawBufferPointer, keeps: (Int64) -> Bool, to out: ByteBuffer, idInput: ByteBuffer,
                          day: inout StartDay) -> Bool {
    guard let line = WaitingLine(bytes), let last = line.lastMember, let groupID = line.groupID, !line.groupFieldTaken,
      let startText = line.start, let durationText = line.duration
    else { return false }
    func raw(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }
    guard startText.count == 24, let start = CanonicalLineScanner.canonicalMillis(
      bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + startText.lowerBound, dateKey: &day.key, days: &day.days),
      keeps(start), let duration = NumberText.shortestValue(raw(durationText)), duration <= EventSpec.maxDurationSeconds,
      raw(last.key).sameBytes(as: "activity_name"), !raw(groupID).contains(0x5C),
      let group = taken[String(decoding: raw(groupID), as: UTF8.self)], group.field == nil
    else { return false }
    // The activity's name is the title (or a document's url) as well: the same JSON text.
    let nameText: Range<Int>?
    switch timeline {
    case .applications?, nil: nameText = line.title
    case .documents?: nameText = line.url ?? line.title
    default: return false
    }
    guard let nameText, raw(nameText).sameBytes(as: raw(last.value)) else { return false }

    idInput.removeAll()
    if let stream = line.stream { CanonicalLineScanner.appendUnescaped(raw(stream), to: idInput) }
    idInput.append(0x1F)
    CanonicalLineScanner.appendUnescaped(raw(nameText), to: idInput)
    idInput.append(0x1F)
    idInput.append(integer: start)
    idInput.append(0x1F)
    idInput.append(integer: Event.endMillis(start: start, duration: duration))
    idInput.append(0x1F)
    if timeline != nil { idInput.append(group.name) }

    out.append(literal: "{\"id\":\"manictime:")
    EventID.writeHex(of: idInput.bytes, to: out.reserve(32))
    out.commit(32)
    out.append(0x22)
    if timeline == .applications {
      out.append(raw(line.idEnd..<line.afterApp))
      out.append(literal: ",\"app\":")
      out.appendJSONString(group.name)
      out.append(raw(line.afterApp..<last.start))
    } else {
      out.append(raw(line.idEnd..<last.start))
      out.append(literal: timeline == .documents ? ",\"domain\":" : ",\"group\":")
      out.appendJSONString(group.name)
    }
    if let key = group.key {
      out.append(literal: ",\"group_key\":")
      out.appendJSONString(key)
    }
    if let color = group.color {
      out.append(literal: ",\"group_color\":")
      out.appendJSONString(color)
    }
    out.append(literal: "}}\n")
    return true
  }
}

/// Where the members of a canonical line are (offsets into it), as far as resolving a
/// waiting activity needs: nil for a line with a member it leaves to the Event's way.
private struct WaitingLine {
  /// Where the member after the id starts (its comma).
  var idEnd = 0
  /// Where the first member the writer puts after `app` starts.
  var afterApp = 0
  /// The raw text (inside the quotes) of the title, url and stream, of start, and of the
  /// duration's number.
  var title: Range<Int>?
  var url: Range<Int>?
  var stream: Range<Int>?
  var start: Range<Int>?
  var duration: Range<Int>?
  /// attrs' last member: where it starts (its comma, or just after the brace), its key's
  /// and its value's raw text; nil when attrs is missing, empty or holds a value that is
  /// not a string.
  var lastMember: (start: Int, key: Range<Int>, value: Range<Int>)?
  /// The raw text of attrs' `group_id`.
  var groupID: Range<Int>?
  /// Whether attrs has a member the group sets in place (`domain`, `group`, `group_key`,
  /// `group_color`), not at the end.
  var groupFieldTaken = false

  init?(_ line: UnsafeRawBufferPointer) {
    let n = line.count
    guard n > 2, line[0] == UInt8(ascii: "{"), line[n - 1] == UInt8(ascii: "}") else { return nil }
    var at = 0  // the brace or comma before a member
    var sawAfterApp = false
    while at < n - 1 {
      // "key": with no escapes in the line's own names.
      guard line[at + 1] == 0x22, let keyEnd = WaitingLine.stringEnd(line, from: at + 2) else { return nil }
      let key = UnsafeRawBufferPointer(rebasing: line[(at + 2)..<keyEnd])
      let valueStart = keyEnd + 2
      guard valueStart < n else { return nil }
      if key.sameBytes(as: "id") {
        guard at == 0 else { return nil }
      } else if at != 0 && idEnd == 0 {
        idEnd = at
      }
      if !sawAfterApp && !WaitingLine.comesBeforeApp(key) {
        afterApp = at
        sawAfterApp = true
      }
      var valueEnd: Int
      switch line[valueStart] {
      case 0x22:
        guard let close = WaitingLine.stringEnd(line, from: valueStart + 1) else { return nil }
        switch key.count {
        case 3 where key.sameBytes(as: "url"): url = (valueStart + 1)..<close
        case 3 where key.sameBytes(as: "app"): return nil
        case 5 where key.sameBytes(as: "title"): title = (valueStart + 1)..<close
        case 5 where key.sameBytes(as: "start"): start = (valueStart + 1)..<close
        case 6 where key.sameBytes(as: "stream"): stream = (valueStart + 1)..<close
        default: break
        }
        valueEnd = close + 1
      case UInt8(ascii: "{"):
        // attrs is the last member: its closing brace is the line's last but one byte.
        guard key.sameBytes(as: "attrs"), line[n - 2] == UInt8(ascii: "}"), scanAttrs(line, from: valueStart, to: n - 2) else {
          return nil
        }
        valueEnd = n - 1
      case UInt8(ascii: "["):
        return nil
      default:
        // A number or a literal: only the duration is taken.
        guard key.sameBytes(as: "duration") else { return nil }
        valueEnd = valueStart
        while valueEnd < n - 1 && line[valueEnd] != UInt8(ascii: ",") { valueEnd += 1 }
        duration = valueStart..<valueEnd
      }
      at = valueEnd
    }
    guard idEnd > 0, sawAfterApp else { return nil }
  }

  /// The members the writer puts before `app` (and `app` itself, which a waiting line
  /// does not have).
  private static func comesBeforeApp(_ key: UnsafeRawBufferPointer) -> Bool {
    switch key.count {
    case 2: return key.sameBytes(as: "id")
    case 3: return key.sameBytes(as: "app")
    case 4: return key.sameBytes(as: "kind") || key.sameBytes(as: "host") || key.sameBytes(as: "user")
    case 5: return key.sameBytes(as: "start")
    case 6: return key.sameBytes(as: "source") || key.sameBytes(as: "stream")
    case 8: return key.sameBytes(as: "duration")
    default: return false
    }
  }

  /// The closing quote of the string whose text starts at `from` (in a line the scanner
  /// has checked: every escape is whole).
  private static func stringEnd(_ line: UnsafeRawBufferPointer, from: Int) -> Int? {
    let p = line.baseAddress!
    let n = line.count
    var i = from
    while i < n {
      // Eight bytes at a time to the next quote or backslash (the zero-byte test of "Bit
      // Twiddling Hacks"; the lowest flag is a true one); other bytes need no look.
      if n - i >= 8 {
        let word = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let q = word ^ 0x2222_2222_2222_2222, b = word ^ 0x5C5C_5C5C_5C5C_5C5C
        let flags = ((q &- 0x0101_0101_0101_0101) & ~q | (b &- 0x0101_0101_0101_0101) & ~b) & 0x8080_8080_8080_8080
        if flags == 0 {
          i += 8
          continue
        }
        i += flags.trailingZeroBitCount / 8
      }
      switch line[i] {
      case 0x22: return i
      case 0x5C: i += 2
      default: i += 1
      }
    }
    return nil
  }

  /// Reads the members of attrs, from the brace at `from` to the one at `close`, when each
  /// value is a string; false when one is not.
  private mutating func scanAttrs(_ line: UnsafeRawBufferPointer, from: Int, to close: Int) -> Bool {
    var at = from  // the brace or comma before a member
    while at < close {
      guard line[at + 1] == 0x22, let keyEnd = WaitingLine.stringEnd(line, from: at + 2), keyEnd + 2 < close, line[keyEnd + 2] == 0x22,
        let valueEnd = WaitingLine.stringEnd(line, from: keyEnd + 3)
      else { return false }
      let key = UnsafeRawBufferPointer(rebasing: line[(at + 2)..<keyEnd])
      if key.sameBytes(as: "group_id") {
        groupID = (keyEnd + 3)..<valueEnd
      } else if key.sameBytes(as: "domain") || key.sameBytes(as: "group") || key.sameBytes(as: "group_key")
        || key.sameBytes(as: "group_color")
      {
        groupFieldTaken = true
      }
      lastMember = (at, (at + 2)..<keyEnd, (keyEnd + 3)..<valueEnd)
      at = valueEnd + 1
    }
    return at == close
  }
}
