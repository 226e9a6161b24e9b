import ArgumentParser

/// A length of time on the command line: seconds ("90", "-3600"), or numbers with
/// d, h, m, s joined ("1h30m", "-2h", "0.5s").
public struct DurationArgument: ExpressibleByArgument, Sendable {
  public let seconds: Double

  public init?(argument: String) {
    var text = Substring(argument)
    var sign = 1.0
    if text.first == "-" || text.first == "+" {
      sign = text.first == "-" ? -1 : 1
      text.removeFirst()
    }
    if let plain = Double(text) {
      seconds = sign * plain
      return
    }
    var total = 0.0
    var number = ""
    for character in text {
      if character.isNumber || character == "." {
        number.append(character)
        continue
      }
      let scale: Double
      switch character {
      case "d": scale = 86_400
      case "h": scale = 3600
      case "m": scale = 60
      case "s": scale = 1
      default: return nil
      }
      guard let value = Double(number) else { return nil }
      total += value * scale
      number = ""
    }
    guard number.isEmpty, !text.isEmpty else { return nil }
    seconds = sign * total
  }
}
