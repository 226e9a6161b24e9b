import ArgumentParser

/// A size on the command line: bytes, or with K, M or G (powers of 1024), as sort -S takes it.
public struct ByteSize: ExpressibleByArgument, Sendable {
  public let bytes: Int

  public init(bytes: Int) { self.bytes = bytes }

  public init?(argument: String) {
    var text = Substring(argument.uppercased())
    if text.hasSuffix("B") { text.removeLast() }
    var scale = 1
    switch text.last {
    case "K": scale = 1 << 10
    case "M": scale = 1 << 20
    case "G": scale = 1 << 30
    default: break
    }
    if scale > 1 { text.removeLast() }
    guard let value = Double(text), value > 0, value * Double(scale) < Double(Int.max) else { return nil }
    bytes = Int(value * Double(scale))
  }

  public var defaultValueDescription: String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20)M" : "\(bytes)"
  }
}
