// The commit a build was made from: scripts/install and scripts/release pass
// -Xcc -DEIDOLON_COMMIT='"<hash>"'; any other build says "unknown".
#ifndef EIDOLON_COMMIT
#define EIDOLON_COMMIT "unknown"
#endif

static inline const char *eidolon_build_commit(void) { return EIDOLON_COMMIT; }
