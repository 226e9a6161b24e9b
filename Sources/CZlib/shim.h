#include <zlib.h>

// inflateInit2 and deflateInit2 are macros, which Swift cannot call.
static inline int eid_inflate_init(z_streamp strm, int windowBits) {
  return inflateInit2(strm, windowBits);
}
static inline int eid_deflate_init(z_streamp strm, int level, int windowBits) {
  return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
