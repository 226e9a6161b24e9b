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

  static let poison: RegionCall? = lookUp("__asan_poison_memory_region")
  static let unpoison: RegionCall? = lookUp("__asan_unpoison_memory_region")
  /// Whether one byte is poisoned (for the tests that check the marking).
  static let isPoisoned: (@convention(c) (UnsafeRawPointer?) -> Int32)? =
    dlsym(nil, "__asan_address_is_poisoned").map { unsafeBitCast($0, to: (@convention(c) (UnsafeRawPointer?) -> Int32).self) }

  private static func lookUp(_ name: String) -> RegionCall? {
    guard let symbol = dlsym(nil, name) else { return nil }  // nil: RTLD_DEFAULT, every loaded object
    return unsafeBitCast(symbol, to: RegionCall.self)
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
