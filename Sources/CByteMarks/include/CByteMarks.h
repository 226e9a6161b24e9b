// A bit per byte that is one of a few values, for the scans that find where CSV records
// and JSON values end: SSE2's byte compares and movemask, which Swift's SIMD types cannot
// reach (a mask to bits took a multiply per eight bytes there, and the CSV scan cost more
// than the loop it replaced). Static inline, so the Swift code that calls it compiles it
// in place; only the UTF-8 check, which asks the processor for AVX2, lives in marks.c.
#ifndef CBYTEMARKS_H
#define CBYTEMARKS_H
#include <stdint.h>
#include <string.h>
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
#if defined(__SSE2__)
static inline uint32_t eid_escapes_in(__m128i x) {
  __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x);  // x <= 0x1F, unsigned
  __m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"')), backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
  return (uint32_t)_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash)));
}
#endif

static inline uint32_t eid_escapes16(const uint8_t *p) {
#if defined(__SSE2__)
  return eid_escapes_in(_mm_loadu_si128((const __m128i *)p));
#else
  uint32_t found = 0;
  for (int k = 0; k < 16; k++) if (p[k] < 0x20 || p[k] == '"' || p[k] == '\\') found |= 1u << k;
  return found;
#endif
}

// Bit k set when p[k] (k < 16) is where a scan of a JSON string's text stops: a quote, a
// backslash, a control byte below 0x20 or a byte past ASCII (a signed compare: those are
// below 0x20 too).
static inline uint32_t eid_string_stops16(const uint8_t *p) {
#if defined(__SSE2__)
  __m128i x = _mm_loadu_si128((const __m128i *)p);
  __m128i low = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
  __m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"')), backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
  return (uint32_t)_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(quote, backslash)));
#else
  uint32_t found = 0;
  for (int k = 0; k < 16; k++) if (p[k] < 0x20 || p[k] >= 0x80 || p[k] == '"' || p[k] == '\\') found |= 1u << k;
  return found;
#endif
}

// The 16 bytes from p, for a short text of n <= 16 bytes there: one load when they lie in
// p's page, past the text's end but never into a page that may not be mapped (a copy of the
// n bytes otherwise: 15 addresses in 4096). The bytes past the text are whatever is there;
// callers use only the first n. The sanitizers are told not to look: the bytes past the
// text may belong to another allocation, and nothing uses them.
#if defined(__SSE2__)
__attribute__((no_sanitize("address", "thread")))
static inline __m128i eid_load_short16(const uint8_t *p, uint32_t n) {
  if (((uintptr_t)p & 4095) <= 4096 - 16) return _mm_loadu_si128((const __m128i *)p);
  uint8_t copy[16] = {0};
  memcpy(copy, p, n);
  return _mm_loadu_si128((const __m128i *)copy);
}
#endif

// Copies n <= 16 bytes from p to out as one 16-byte store: out needs room for 16.
__attribute__((always_inline)) static inline void eid_copy_short16(const uint8_t *p, uint32_t n, uint8_t *out) {
#if defined(__SSE2__)
  _mm_storeu_si128((__m128i *)out, eid_load_short16(p, n));
#else
  memcpy(out, p, n);
#endif
}

// As eid_copy_short16, and returns bit k set when p[k] (k < n) needs an escape in a JSON
// string (as eid_escapes16).
__attribute__((always_inline)) static inline uint32_t eid_short_escapes16(const uint8_t *p, uint32_t n, uint8_t *out) {
  uint32_t within = n >= 16 ? 0xFFFFu : (1u << n) - 1;
#if defined(__SSE2__)
  __m128i x = eid_load_short16(p, n);
  _mm_storeu_si128((__m128i *)out, x);
  return eid_escapes_in(x) & within;
#else
  memcpy(out, p, n);
  uint32_t found = 0;
  for (uint32_t k = 0; k < n; k++) if (p[k] < 0x20 || p[k] == '"' || p[k] == '\\') found |= 1u << k;
  return found & within;
#endif
}

// For a list of tags of n <= 16 bytes at p (read as eid_load_short16 reads it): bit k of
// *commas, *blanks and *high set when p[k] (k < n) is a comma, a space or tab, or a byte past
// ASCII. For toggl-read's Tags cell.
__attribute__((always_inline)) static inline void eid_tag_bytes16(const uint8_t *p, uint32_t n, uint32_t *commas, uint32_t *blanks,
                                                                  uint32_t *high) {
  uint32_t within = n >= 16 ? 0xFFFFu : (1u << n) - 1;
#if defined(__SSE2__)
  __m128i x = eid_load_short16(p, n);
  *commas = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(','))) & within;
  *blanks = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\t')))) & within;
  *high = (uint32_t)_mm_movemask_epi8(x) & within;
#else
  uint32_t c = 0, b = 0, h = 0;
  for (uint32_t k = 0; k < n; k++) {
    if (p[k] == ',') c |= 1u << k;
    if (p[k] == ' ' || p[k] == '\t') b |= 1u << k;
    if (p[k] >= 0x80) h |= 1u << k;
  }
  *commas = c;
  *blanks = b;
  *high = h;
#endif
}

// For a name of n <= 16 bytes at p (read as eid_load_short16 reads it): bit k of *dots,
// *hyphens, *letters and *digits set when p[k] (k < n) is a '.', a '-', an ASCII letter or
// an ASCII digit. For the test of whether an activity's name is a web domain.
__attribute__((always_inline)) static inline void eid_domain_bytes16(const uint8_t *p, uint32_t n, uint32_t *dots, uint32_t *hyphens,
                                                                     uint32_t *letters, uint32_t *digits) {
  uint32_t within = n >= 16 ? 0xFFFFu : (1u << n) - 1;
#if defined(__SSE2__)
  __m128i x = eid_load_short16(p, n);
  // Unsigned x - low <= span: min(x - low, span) == x - low.
  __m128i letter = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
  __m128i digit = _mm_sub_epi8(x, _mm_set1_epi8('0'));
  *letters = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(25)), letter)) & within;
  *digits = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit)) & within;
  *dots = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.'))) & within;
  *hyphens = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('-'))) & within;
#else
  uint32_t d = 0, h = 0, l = 0, g = 0;
  for (uint32_t k = 0; k < n; k++) {
    uint8_t c = p[k];
    if (c == '.') d |= 1u << k;
    if (c == '-') h |= 1u << k;
    if ((uint8_t)((c | 0x20) - 'a') <= 25) l |= 1u << k;
    if ((uint8_t)(c - '0') <= 9) g |= 1u << k;
  }
  *dots = d & within; *hyphens = h & within; *letters = l & within; *digits = g & within;
#endif
}

// The 32 lower-case hex digits of a 128-bit value given as two words, high first, each
// most significant digit first, stored at out.
__attribute__((always_inline)) static inline void eid_hex128(uint64_t high, uint64_t low, uint8_t *out) {
#if defined(__SSE2__)
  __m128i x = _mm_set_epi64x((long long)__builtin_bswap64(low), (long long)__builtin_bswap64(high));  // bytes in memory order
  __m128i nibble = _mm_set1_epi8(0x0F);
  __m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), nibble), lo = _mm_and_si128(x, nibble);
  __m128i first = _mm_unpacklo_epi8(hi, lo), second = _mm_unpackhi_epi8(hi, lo);
  // '0' + d, and 'a' - '0' - 10 more for d over 9.
  __m128i nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0'), skip = _mm_set1_epi8('a' - '0' - 10);
  first = _mm_add_epi8(_mm_add_epi8(first, zero), _mm_and_si128(_mm_cmpgt_epi8(first, nine), skip));
  second = _mm_add_epi8(_mm_add_epi8(second, zero), _mm_and_si128(_mm_cmpgt_epi8(second, nine), skip));
  _mm_storeu_si128((__m128i *)out, first);
  _mm_storeu_si128((__m128i *)(out + 16), second);
#else
  static const char digits[] = "0123456789abcdef";
  for (int k = 0; k < 16; k++) {
    out[k] = (uint8_t)digits[(high >> (60 - 4 * k)) & 0xF];
    out[16 + k] = (uint8_t)digits[(low >> (60 - 4 * k)) & 0xF];
  }
#endif
}

// For the 64 bytes from p: the result has bit k set when p[k] is `quote` or CR, *lf when
// it is LF; *lfCount is how many are LF (the cutting of CSV blocks, which looks at nothing
// else, and counts lines a window at a time).
static inline uint64_t eid_csv_line_marks64(const uint8_t *p, uint8_t quote, uint64_t *lf, uint64_t *lfCount) {
#if defined(__SSE2__)
  const __m128i vq = _mm_set1_epi8((char)quote), vl = _mm_set1_epi8('\n'), vc = _mm_set1_epi8('\r');
  uint64_t odd = 0, l = 0;
  __m128i count = _mm_setzero_si128();
  for (int k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
    __m128i isLF = _mm_cmpeq_epi8(x, vl);
    count = _mm_sub_epi8(count, isLF);
    odd |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, vq), _mm_cmpeq_epi8(x, vc))) << (16 * k);
    l |= (uint64_t)(uint16_t)_mm_movemask_epi8(isLF) << (16 * k);
  }
  __m128i sums = _mm_sad_epu8(count, _mm_setzero_si128());
  *lfCount = (uint64_t)_mm_cvtsi128_si64(sums) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
  *lf = l;
  return odd;
#else
  uint64_t odd = 0, l = 0, n = 0;
  for (int k = 0; k < 64; k++) {
    if (p[k] == quote || p[k] == '\r') odd |= (uint64_t)1 << k;
    if (p[k] == '\n') { l |= (uint64_t)1 << k; n++; }
  }
  *lf = l;
  *lfCount = n;
  return odd;
#endif
}

// Bit k set when an odd number of bits 0...k of q are set: with q a window's quotes, the
// bytes inside quotes (an opening quote counted in, a closing one out).
static inline uint64_t eid_prefix_xor64(uint64_t q) {
  q ^= q << 1;
  q ^= q << 2;
  q ^= q << 4;
  q ^= q << 8;
  q ^= q << 16;
  q ^= q << 32;
  return q;
}

// The marks of the 64 bytes from p: LF, the quote, CR and the delimiter.
static inline void eid_csv_marks4(const uint8_t *p, uint8_t delimiter, uint8_t quote, uint64_t *lf, uint64_t *q, uint64_t *cr,
                                  uint64_t *d) {
#if defined(__SSE2__)
  const __m128i vd = _mm_set1_epi8((char)delimiter), vq = _mm_set1_epi8((char)quote);
  const __m128i vl = _mm_set1_epi8('\n'), vc = _mm_set1_epi8('\r');
  uint64_t l = 0, qs = 0, c = 0, ds = 0;
  for (int k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
    l |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vl)) << (16 * k);
    qs |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq)) << (16 * k);
    c |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vc)) << (16 * k);
    ds |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) << (16 * k);
  }
  *lf = l; *q = qs; *cr = c; *d = ds;
#else
  uint64_t l = 0, qs = 0, c = 0, ds = 0;
  for (int k = 0; k < 64; k++) {
    uint64_t bit = (uint64_t)1 << k;
    if (p[k] == '\n') l |= bit;
    if (p[k] == quote) qs |= bit;
    if (p[k] == '\r') c |= bit;
    if (p[k] == delimiter) ds |= bit;
  }
  *lf = l; *q = qs; *cr = c; *d = ds;
#endif
}

// A CSV record at p (before end) that a row scanner may take from the bytes alone: its
// first two fields unquoted, no CR in it, its end the first LF outside quotes after its
// second delimiter, and the 64 bytes from each window it spans before end. Returns its
// length with the LF, the offsets of its first two delimiters in *first and *second, and
// its lines (LFs) in *lines; 0 for any other record (a blank line, a quote or line end
// before the second delimiter, a CR, a record running into end's last 64 bytes), which the
// CSV reader reads instead. The quotes after the second delimiter are only counted, not
// checked: a caller takes the record only when the bytes from its second delimiter are
// those of a record the CSV reader read (whose end the reader put at the same LF).
static inline size_t eid_csv_plain_record(const uint8_t *p, const uint8_t *end, uint8_t delimiter, uint8_t quote, size_t *first,
                                          size_t *second, size_t *lines) {
  size_t n = (size_t)(end - p), base = 0, found = 0, lfs = 0;
  uint64_t carry = 0;  // all ones when the window starts inside quotes
  for (; base + 64 <= n; base += 64) {
    uint64_t lf, q, cr, d;
    eid_csv_marks4(p + base, delimiter, quote, &lf, &q, &cr, &d);
    if (found < 2) {
      uint64_t stop = q | cr | lf;
      uint64_t ds = d & (stop ? (stop & (0 - stop)) - 1 : ~(uint64_t)0);  // delimiters before the first stop
      for (; ds && found < 2; found++, ds &= ds - 1) {
        size_t at = base + (size_t)__builtin_ctzll(ds);
        if (found == 0) *first = at; else *second = at;
      }
      if (found < 2) {
        if (stop) return 0;
        continue;
      }
      size_t bit = *second - base;
      uint64_t after = bit == 63 ? 0 : ~(uint64_t)0 << (bit + 1);
      lf &= after; q &= after; cr &= after;
    }
    uint64_t inside = eid_prefix_xor64(q) ^ carry;
    uint64_t ends = lf & ~inside;
    if (ends) {
      uint64_t through = ((ends & (0 - ends)) - 1) | (ends & (0 - ends));  // up to the end, with it
      if (cr & through) return 0;
      *lines = lfs + (size_t)__builtin_popcountll(lf & through);
      return base + (size_t)__builtin_ctzll(ends) + 1;
    }
    if (cr) return 0;
    lfs += (size_t)__builtin_popcountll(lf);
    carry = (inside >> 63) ? ~(uint64_t)0 : 0;
  }
  return 0;
}

// 1 when the n bytes from p are well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing past U+10FFFF), 0 when not; -1 on a processor without AVX2, where the caller
// checks them itself (marks.c).
int eid_utf8_valid(const uint8_t *p, size_t n);

#endif
