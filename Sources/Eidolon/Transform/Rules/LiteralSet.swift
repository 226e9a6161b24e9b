#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds which of many literal strings occur in a text, in one pass over the text:
/// the literals are chained by their first two bytes, so each position of the text
/// looks at the few literals that could start there. Hundreds of category rules such
/// as `GitHub|vim|Slack` cost about what one does. ASCII letters fold when `foldCase`.
final class LiteralSet {
  private let foldCase: Bool
  private var bytes: [UInt8] = []
  private var literals: [(offset: Int, length: Int, tag: Int)] = []
  /// The first literal for a two-byte key (-1: none), and the next with the same key.
  private var heads = [Int32](repeating: -1, count: 1 << 16)
  private var nextInChain: [Int32] = []
  /// One-byte literals, by their byte.
  private var singleByte = [[Int]](repeating: [], count: 256)
  private var hasEmpty: [Int] = []
  private var scratch: [UInt8] = []

  init(foldCase: Bool) { self.foldCase = foldCase }

  var isEmpty: Bool { literals.isEmpty }

  @inline(__always)
  private func fold(_ byte: UInt8) -> UInt8 {
    foldCase && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
  }

  /// Adds `literal`; a text that holds it reports `tag`.
  func add(_ literal: String, tag: Int) {
    let literalBytes = literal.utf8.map(fold)
    let index = literals.count
    literals.append((bytes.count, literalBytes.count, tag))
    bytes.append(contentsOf: literalBytes)
    nextInChain.append(-1)
    switch literalBytes.count {
    case 0: hasEmpty.append(tag)
    case 1: singleByte[Int(literalBytes[0])].append(tag)
    default:
      let key = Int(literalBytes[0]) << 8 | Int(literalBytes[1])
      nextInChain[index] = heads[key]
      heads[key] = Int32(index)
    }
  }

  /// Calls `found` with the tag of every literal in `text` (a tag may come more than once).
  func scan(_ text: String, _ found: (Int) -> Void) {
    for tag in hasEmpty { found(tag) }
    var text = text
    text.withUTF8 { raw in
      guard raw.count > 0 else { return }
      if !foldCase { return scan(raw.baseAddress!, raw.count, found) }
      if scratch.count < raw.count { scratch = [UInt8](repeating: 0, count: raw.count * 2) }
      scratch.withUnsafeMutableBufferPointer { out in
        for i in 0..<raw.count { out[i] = fold(raw[i]) }
        scan(out.baseAddress!, raw.count, found)
      }
    }
  }

  private func scan(_ base: UnsafePointer<UInt8>, _ count: Int, _ found: (Int) -> Void) {
    bytes.withUnsafeBufferPointer { literalBytes in
      for i in 0..<count {
        for tag in singleByte[Int(base[i])] { found(tag) }
        guard i + 1 < count else { break }
        var index = heads[Int(base[i]) << 8 | Int(base[i + 1])]
        while index >= 0 {
          let literal = literals[Int(index)]
          if literal.length <= count - i,
            memcmp(base + i, literalBytes.baseAddress! + literal.offset, literal.length) == 0
          {
            found(literal.tag)
          }
          index = nextInChain[Int(index)]
        }
      }
    }
  }
}
