import ArgumentParser
import Eidolon

/// Checks a time-zone option (--tz and its kin) the same way in every tool.
public enum ZoneOption {
  public static func check(_ name: String?, option: String = "--tz") throws {
    if let name, ZoneConverter(identifier: name) == nil {
      throw ValidationError("\(option) \(name) is not a time zone this system knows (IANA names such as Europe/Berlin, America/New_York)")
    }
  }
}
