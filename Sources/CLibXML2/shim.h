#ifndef SWITCHYARD_CLIBXML2_SHIM_H
#define SWITCHYARD_CLIBXML2_SHIM_H
/* libxml2 built with ICU includes <unicode/ucnv.h> from encoding.h. Foundation brings its own
 * ICU module (_FoundationICU) whose UErrorCode differs, and clang refuses a Swift module that
 * sees both. Switchyard never touches the ICU members of xmlCharEncodingHandler (the only
 * declarations guarded by LIBXML_ICU_ENABLED, reached only through pointers), so the headers are
 * read without them. */
#include <libxml/xmlversion.h>
#ifdef LIBXML_ICU_ENABLED
#undef LIBXML_ICU_ENABLED
#endif
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlsave.h>
#include <libxml/SAX2.h>
#endif
