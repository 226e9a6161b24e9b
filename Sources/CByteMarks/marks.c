#include "CByteMarks.h"

#if defined(__x86_64__)
#include <immintrin.h>

// UTF-8 checked 32 bytes at a time, on a processor with AVX2 (each call asks: the build
// targets any x86-64). The way is Keiser and Lemire's ("Validating UTF-8 in less than one
// instruction per byte", 2021): three tables, looked up by the high and low nibbles of a
// byte and the high nibble of the next, each give the errors that pair may be; the pair is
// in error when all three agree.
#define EID_UTF8_TARGET __attribute__((target("avx2")))

enum {
  TOO_SHORT = 1 << 0,   // a lead byte followed by one that is not a continuation
  TOO_LONG = 1 << 1,    // an ASCII byte followed by a continuation
  OVERLONG_3 = 1 << 2,  // E0 followed by 80...9F
  TOO_LARGE = 1 << 3,   // F4 followed by 90...BF, or F5...FF
  SURROGATE = 1 << 4,   // ED followed by A0...BF
  OVERLONG_2 = 1 << 5,  // C0 or C1
  TOO_LARGE_1000 = 1 << 6,  // F5...FF followed by 80...8F (sharing a bit with the next: their leads differ)
  OVERLONG_4 = 1 << 6,      // F0 followed by 80...8F
  TWO_CONTS = 1 << 7,   // two continuations in a row (an error unless a lead two or three back wants it)
  CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

// For each pair of bytes, the errors it may be: by the first byte's high nibble, by its
// low nibble, and by the second byte's high nibble.
static const uint8_t eid_first_high[16] = {
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,  // 0___: ASCII
    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,                                      // 10__: a continuation
    TOO_SHORT | OVERLONG_2,                                                          // 1100
    TOO_SHORT,                                                                       // 1101
    TOO_SHORT | OVERLONG_3 | SURROGATE,                                              // 1110
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4,                             // 1111
};
static const uint8_t eid_first_low[16] = {
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,  // ___0000
    CARRY | OVERLONG_2,                            // ___0001
    CARRY, CARRY,
    CARRY | TOO_LARGE,                             // ___0100
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,  // ___1101
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
};
static const uint8_t eid_second_high[16] = {
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,  // 0___
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,              // 1000
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,                                // 1001
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,                                 // 1010
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,                                 // 1011
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,                                                // 11__
};

// A table of 16 bytes in both lanes (vpshufb looks up within a lane).
EID_UTF8_TARGET static inline __m256i eid_table(const uint8_t table[16]) {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)table));
}

// The errors of the 32 bytes of `input`, `previous` the 32 before them.
EID_UTF8_TARGET static inline __m256i eid_utf8_errors(__m256i input, __m256i previous) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256i joined = _mm256_permute2x128_si256(previous, input, 0x21);  // previous' high lane, input's low lane
  __m256i prev1 = _mm256_alignr_epi8(input, joined, 15), prev2 = _mm256_alignr_epi8(input, joined, 14);
  __m256i prev3 = _mm256_alignr_epi8(input, joined, 13);
  const __m256i byte1High = eid_table(eid_first_high), byte1Low = eid_table(eid_first_low);
  const __m256i byte2High = eid_table(eid_second_high);
  __m256i special = _mm256_and_si256(
      _mm256_and_si256(_mm256_shuffle_epi8(byte1High, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), low4)),
                       _mm256_shuffle_epi8(byte1Low, _mm256_and_si256(prev1, low4))),
      _mm256_shuffle_epi8(byte2High, _mm256_and_si256(_mm256_srli_epi16(input, 4), low4)));
  // A continuation two after a lead of three or four bytes, or three after one of four, is
  // wanted (TWO_CONTS there is no error); anywhere else it is.
  __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
  __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
  __m256i wanted = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
  return _mm256_xor_si256(wanted, special);
}

// The n < 32 bytes from p, then zeros: one load and a mask where the 32 bytes from p lie in
// p's page (bytes past the n are whatever is there, never used: the sanitizers are told
// not to look, as for eid_load_short16), a copy otherwise.
__attribute__((no_sanitize("address", "thread"))) EID_UTF8_TARGET static inline __m256i eid_load_tail32(const uint8_t *p, size_t n) {
  static const uint8_t keep[64] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  if (((uintptr_t)p & 4095) <= 4096 - 32) {
    __m256i mask = _mm256_loadu_si256((const __m256i *)(keep + 32 - n));
    return _mm256_and_si256(_mm256_loadu_si256((const __m256i *)p), mask);
  }
  uint8_t copy[32] = {0};
  memcpy(copy, p, n);
  return _mm256_loadu_si256((const __m256i *)copy);
}

EID_UTF8_TARGET static int eid_utf8_valid_avx2(const uint8_t *p, size_t n) {
  __m256i previous = _mm256_setzero_si256(), errors = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i input = _mm256_loadu_si256((const __m256i *)(p + i));
    errors = _mm256_or_si256(errors, eid_utf8_errors(input, previous));
    previous = input;
  }
  // The rest, and zeros after it (all zeros when there is no rest): a character the end
  // cuts off is followed by ASCII.
  errors = _mm256_or_si256(errors, eid_utf8_errors(eid_load_tail32(p + i, n - i), previous));
  return _mm256_testz_si256(errors, errors);
}
#endif

int eid_utf8_valid(const uint8_t *p, size_t n) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) return eid_utf8_valid_avx2(p, n);
#endif
  return -1;
}
