import ArgumentParser
import Eidolon

/// A length of time on the command line: seconds ("90", "-3600"), or numbers with
/// d, h, m, s joined ("1h30m", "-2h", "0.5s"). At most `maxSeconds` either way, so
/// arithmetic on event times with it cannot overflow.
public struct DurationArgument: ExpressibleByArgument, Sendable {
  public let seconds: Double

  /// The span of every time an event may have (years 0001 to 9999), in seconds.
  public static let maxSeconds = Double(Timestamp.maxMillis - Timestamp.minMillis) / 1000

  /// Seconds given as a plain option (--merge-gap 5): finite, 0 or more, at most `maxSeconds`.
  public static func isSeconds(_ value: Double) -> Bool {
    value.isFinite && value >= 0 && value <= maxSeconds
  }

  public init?(argument: String) {
    var text = Substring(argument)
    var sign = 1.0
    if text.first == "-" || text.first == "+" {
      sign = text.first == "-" ? -1 : 1
      text.removeFirst()
    }
    if let plain = InputNumber.decimal(text) {
      guard plain <= DurationArgument.maxSeconds else { return nil }
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
      guard let value = InputNumber.decimal(number) else { return nil }
      total += value * scale
      number = ""
    }
    guard number.isEmpty, !text.isEmpty, total <= DurationArgument.maxSeconds else { return nil }
    seconds = sign * total
  }
}
