// libFuzzer's driver, called from eidolon-fuzz's own main (SwiftPM names the
// executable's entry itself, so libFuzzer's main cannot be the one that runs).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
