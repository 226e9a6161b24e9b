// A bit per byte that is one of a few values, for the scans that find where CSV records
// and JSON values end: SSE2's byte compares and movemask, which Swift's SIMD types cannot
// reach (a mask to bits took a multiply per eight bytes there, and the CSV scan cost more
// than the loop it replaced). Static inline, so the Swift code that calls it compiles it
// in place.
#ifndef CBYTEMARKS_H
#define CBYTEMARKS_H
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Bit k of the result is set when p[k] (k < 64) is a, b, c or d; *high is or'ed with a
// value that is not zero when any of the bytes is 0x80 or more (which bits, the two ways
// below differ). Reads exactly 64 bytes from p.
static inline uint64_t eid_marks64(const uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint64_t *high) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
  const __m128i vc = _mm_set1_epi8((char)c), vd = _mm_set1_epi8((char)d);
  uint64_t marks = 0;
  __m128i any = _mm_setzero_si128();
  for (int k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                               _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
    marks |= (uint64_t)(uint16_t)_mm_movemask_epi8(hit) << (16 * k);
    any = _mm_or_si128(any, x);
  }
  *high |= (uint64_t)_mm_movemask_epi8(any);
  return marks;
#else
  uint64_t marks = 0, bytes = 0;
  for (int k = 0; k < 64; k++) {
    uint8_t x = p[k];
    if (x == a || x == b || x == c || x == d) marks |= (uint64_t)1 << k;
    bytes |= x;
  }
  *high |= bytes & 0x80;
  return marks;
#endif
}

// For the 64 bytes from p: the result has bit k set when p[k] is a bracket ('{', '[', '}'
// or ']'), *quotes when it is '"', *backslashes when it is a backslash.
static inline uint64_t eid_json_marks64(const uint8_t *p, uint64_t *quotes, uint64_t *backslashes) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), lower = _mm_set1_epi8(0x20);
  const __m128i open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
  uint64_t brackets = 0, q = 0, b = 0;
  for (int k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
    __m128i folded = _mm_or_si128(x, lower);  // '[' and ']' become '{' and '}'
    __m128i bracket = _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close));
    brackets |= (uint64_t)(uint16_t)_mm_movemask_epi8(bracket) << (16 * k);
    q |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)) << (16 * k);
    b |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, backslash)) << (16 * k);
  }
  *quotes = q;
  *backslashes = b;
  return brackets;
#else
  uint64_t brackets = 0, q = 0, b = 0;
  for (int k = 0; k < 64; k++) {
    uint8_t folded = p[k] | 0x20;
    if (folded == '{' || folded == '}') brackets |= (uint64_t)1 << k;
    if (p[k] == '"') q |= (uint64_t)1 << k;
    if (p[k] == '\\') b |= (uint64_t)1 << k;
  }
  *quotes = q;
  *backslashes = b;
  return brackets;
#endif
}

// Bit k set when p[k] (k < 16) is 0x80 or more: not ASCII.
static inline uint32_t eid_high16(const uint8_t *p) {
#if defined(__SSE2__)
  return (uint32_t)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)p));
#else
  uint32_t h = 0;
  for (int k = 0; k < 16; k++) if (p[k] >= 0x80) h |= 1u << k;
  return h;
#endif
}

// Bit k set when p[k] (k < 16) needs an escape in a JSON string: a quote, a backslash or a
// control byte below 0x20.
static inline uint32_t eid_escapes16(const uint8_t *p) {
#if defined(__SSE2__)
  __m128i x = _mm_loadu_si128((const __m128i *)p);
  __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x);  // x <= 0x1F, unsigned
  __m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"')), backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
  return (uint32_t)_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash)));
#else
  uint32_t found = 0;
  for (int k = 0; k < 16; k++) if (p[k] < 0x20 || p[k] == '"' || p[k] == '\\') found |= 1u << k;
  return found;
#endif
}

#endif
