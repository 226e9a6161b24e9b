import Eidolon
import Foundation

/// Runs `body` over the same bytes cut three ways: whole, one byte per read, and
/// in small chunks with a small buffer; every reader must give the same answer.
func eachChunking<T: Equatable>(_ bytes: [UInt8], _ body: (ByteReader) throws -> T) rethrows -> [T] {
  [
    try body(ByteReader(source: MemorySource(bytes), name: "test")),
    try body(ByteReader(source: MemorySource(bytes, chunkLimit: 1), name: "test", capacity: 16)),
    try body(ByteReader(source: MemorySource(bytes, chunkLimit: 7), name: "test", capacity: 32)),
  ]
}

func reader(_ text: String) -> ByteReader {
  ByteReader(source: MemorySource(text), name: "test")
}

/// The error `body` throws, if it is an EidolonError.
func eidolonError(_ body: () throws -> Void) -> EidolonError? {
  do {
    try body()
    return nil
  } catch let error as EidolonError {
    return error
  } catch {
    return nil
  }
}

/// A fresh folder for one test, under the test process's own folder in /tmp.
func temporaryDirectory() -> String {
  var template = Array((testProcessDirectory + "/t-XXXXXX").utf8CString)
  let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
  return String(cString: path!)
}

/// One folder per test process, removed with everything in it when the process exits
/// (the tests' folders were left behind: tens of thousands of them over a day of runs).
private let testProcessDirectory: String = {
  var template = Array("/tmp/eidolon-test-XXXXXX".utf8CString)
  let path = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
  atexit { try? FileManager.default.removeItem(atPath: testProcessDirectory) }
  return path
}()

#if canImport(Glibc)
import Glibc
#endif

func writeFile(_ path: String, _ bytes: [UInt8]) {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  precondition(fd >= 0)
  _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  close(fd)
}

func readFile(_ path: String) -> [UInt8]? {
  let fd = open(path, O_RDONLY)
  guard fd >= 0 else { return nil }
  defer { close(fd) }
  var result: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n <= 0 { break }
    result.append(contentsOf: chunk[0..<n])
  }
  return result
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
