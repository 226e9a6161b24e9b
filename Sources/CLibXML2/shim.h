#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, and its encoding.h then pulls in the system's
// ICU headers, which clash with the ICU copy inside Swift's Foundation. We never
// touch the ICU parts of libxml2's structs, only pointers to them, so leave them out.
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
