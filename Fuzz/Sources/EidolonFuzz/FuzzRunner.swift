#if canImport(Glibc)
import Glibc
#endif

enum FuzzRunner {
  /// The target of this process, from EIDOLON_FUZZ_TARGET, settled once.
  static let target: FuzzTarget = {
    guard let name = getenv("EIDOLON_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget.named(name) else {
      let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
      fatalError("set EIDOLON_FUZZ_TARGET to one of: \(names)")
    }
    return target
  }()

  static func replay(_ arguments: [String]) {
    if arguments.first == "--list" {
      for target in FuzzTarget.all { print("\(target.name) \(target.seeds.joined(separator: " "))") }
      return
    }
    guard let name = arguments.first, let target = FuzzTarget.named(name) else {
      print("usage: eidolon-fuzz --list | TARGET FILE...")
      exit(2)
    }
    for path in arguments.dropFirst() {
      guard let file = fopen(path, "rb") else { continue }
      var bytes: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes += buffer[0..<n]
      }
      fclose(file)
      target.run(bytes)
      print("\(name) \(path): ok")
    }
  }
}
