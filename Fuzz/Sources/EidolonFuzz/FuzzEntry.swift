import Eidolon

#if EIDOLON_LIBFUZZER
import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// One input for the target named by EIDOLON_FUZZ_TARGET (Fuzz/run sets it).
private func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  FuzzRunner.target.run(bytes)
  return 0
}
#endif

/// With libFuzzer (Fuzz/run's build): libFuzzer's driver, with its usual options.
/// Without (an ordinary build): runs a target over the files given, to reproduce a crash
/// under a debugger: `eidolon-fuzz TARGET FILE...`.
@main
struct FuzzMain {
  static func main() {
    #if EIDOLON_LIBFUZZER
    if CommandLine.arguments.dropFirst().first == "--list" { return FuzzRunner.replay(["--list"]) }
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
    #else
    FuzzRunner.replay(Array(CommandLine.arguments.dropFirst()))
    #endif
  }
}
