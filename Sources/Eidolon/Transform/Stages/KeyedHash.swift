import CLibrariesOnUse

/// `--hash FIELD --salt S`: HMAC-SHA-256 of the value keyed by the salt, first 16 bytes
/// in hex. Equal values stay equal (totals per title still add up); without the salt
/// a value cannot be found by hashing guesses.
struct KeyedHash {
  private let key: [UInt8]

  init(salt: String) { key = Array(salt.utf8) }

  func hash(_ value: String) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    let data = Array(value.utf8)
    let status = key.withUnsafeBytes { k in
      data.withUnsafeBytes { d in
        digest.withUnsafeMutableBufferPointer { out in
          eid_hmac_sha256(k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count, out.baseAddress)
        }
      }
    }
    // eid-transform opened libcrypto before reading (LibraryOnUse.libcrypto.load()).
    precondition(status == 0, "HMAC-SHA-256 failed: libcrypto could not be opened")
    let hex = Array("0123456789abcdef".utf8)
    var text: [UInt8] = Array("h:".utf8)
    for byte in digest.prefix(16) {
      text.append(hex[Int(byte >> 4)])
      text.append(hex[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}
