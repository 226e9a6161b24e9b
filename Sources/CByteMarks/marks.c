// SwiftPM builds a C target from at least one source file; the header holds it all.
#include "CByteMarks.h"
