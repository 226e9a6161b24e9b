#if DEBUG || EIDOLON_LIBFUZZER
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AddressSanitizer's manual poisoning, when the process runs under it (the `.ci/asan` suite
/// and the fuzz targets), else nothing. A `ByteBuffer` marks the room past what a writer
/// asked for as poisoned, so a write or read past that room stops the run even where the
/// buffer's spare capacity would hide it (bench/README.md, "A heap overrun in rt-read").
/// Looked up by name at run time: a build without the sanitizer has no such symbols.
enum SanitizerPoisoning {
  typealias RegionCall = @convention(c) (UnsafeRawPointer?, Int) -> Void

  static let poison = lookUp("__asan_poison_memory_region", as: RegionCall.self)
  static let unpoison = lookUp("__asan_unpoison_memory_region", as: RegionCall.self)
  /// Whether one byte is poisoned (for the tests that check the marking).
  static let isPoisoned = lookUp("__asan_address_is_poisoned", as: (@convention(c) (UnsafeRawPointer?) -> Int32).self)

  private static func lookUp<Function>(_ name: String, as type: Function.Type) -> Function? {
    guard let symbol = dlsym(nil, name) else { return nil }  // nil: RTLD_DEFAULT, every loaded object
    return unsafeBitCast(symbol, to: type)
  }

  /// Lets `base[0..<usable]` be used and poisons `base[usable..<capacity]`.
  static func mark(_ base: UnsafeMutablePointer<UInt8>, usable: Int, capacity: Int) {
    guard let poison, let unpoison else { return }
    unpoison(base, usable)
    poison(base + usable, capacity - usable)
  }

  /// Lets the whole allocation be used again (before it is freed).
  static func clear(_ base: UnsafeMutablePointer<UInt8>, capacity: Int) {
    unpoison?(base, capacity)
  }
}
#endif
