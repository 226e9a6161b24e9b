import Foundation

/// Keeps credentials out of every message, log and state file: API keys travel in
/// RescueTime's URLs (`key=`), tokens in others' (`access_token=`, `token=`).
public enum LiveRedaction {
  static let secretParameters: Set<String> = ["key", "api_key", "apikey", "access_token", "token", "password"]

  /// `url` with the values of its secret query parameters replaced by `REDACTED`.
  public static func url(_ url: String) -> String {
    guard let question = url.firstIndex(of: "?") else { return url }
    let query = url[url.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
      guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
      let name = pair[..<equals].lowercased()
      return secretParameters.contains(name) ? "\(pair[..<equals])=REDACTED" : String(pair)
    }
    return url[...question] + query.joined(separator: "&")
  }

  /// Any text that may hold a URL (libcurl's messages): each URL in it redacted.
  public static func text(_ text: String) -> String {
    text.split(separator: " ", omittingEmptySubsequences: false).map { word in
      word.contains("://") || word.contains("?") ? url(String(word)) : String(word)
    }.joined(separator: " ")
  }
}

/// Where a tracker's secret comes from: an environment variable, a file, or (with a
/// warning: other users of the machine can see a command line) an option.
public enum LiveSecret {
  /// The secret, or a usage error that says how to give it. `option` is the command-line
  /// value, `file` a --token-file path, `variable` the environment variable's name.
  public static func resolve(option: String?, file: String?, variable: String, what: String, optionName: String,
                             environment: [String: String], warn: (String) -> Void) throws -> String {
    if let file {
      guard let data = FileManager.default.contents(atPath: file) else { throw EidolonError(.usage, "cannot read --token-file \(file)") }
      let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      guard !text.isEmpty else { throw EidolonError(.usage, "--token-file \(file) is empty") }
      return text
    }
    if let option {
      warn("warning: \(optionName) puts the \(what) on the command line, where other users of this machine can see it; set \(variable) or use --token-file instead")
      return option
    }
    if let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty { return value }
    throw EidolonError(.usage, "no \(what): set \(variable), or give --token-file FILE")
  }
}
