import ArgumentParser
import Eidolon
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one exit point of every tool: parses the command line, runs the command,
/// and turns what happened into an exit status.
///
/// - 0: success, and also when the reader of our output went away (`| head`).
/// - 1: the run finished but some records were rejected (or --strict stopped it).
/// - 2: usage error, I/O error, or a fatal format error.
public enum ToolMain {
  public static func run<Command: ParsableCommand>(_ type: Command.Type, arguments: [String]? = nil) -> Never {
    // A closed pipe must show up as EPIPE from write(2), not kill us silently with 141.
    signal(SIGPIPE, SIG_IGN)
    let status = execute(type, arguments: arguments ?? Array(CommandLine.arguments.dropFirst()))
    // exit() runs no deinit: whatever temporary file is still registered goes now.
    TemporaryPaths.removeAll()
    exit(status)
  }

  private static func execute<Command: ParsableCommand>(_ type: Command.Type, arguments: [String]) -> Int32 {
    let name = Command.configuration.commandName ?? "eidolon"
    do {
      var command = try Command.parseAsRoot(arguments)
      try command.run()
      return 0
    } catch let exit as ExitCode {
      return exit.rawValue
    } catch is BrokenPipe {
      return 0
    } catch is Diagnostics.StrictStop {
      return 1
    } catch let error as EidolonError {
      printError("\(name): \(error.description)")
      return 2
    } catch {
      // ArgumentParser's own outcomes: --help and --version succeed, anything else is a usage error.
      if Command.exitCode(for: error) == .success {
        print(Command.fullMessage(for: error))
        return 0
      }
      printError(Command.fullMessage(for: error))
      return 2
    }
  }

  static func printError(_ text: String) {
    var line = Array(text.utf8)
    if line.last != 0x0A { line.append(0x0A) }
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
  }
}
