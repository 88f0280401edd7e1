/* One XMPP-over-WebSocket message (RFC 7395: exactly one element) parsed with expat into a
 * small read-only tree, and escaping for the stanzas we write.
 *
 * The input is the server's (untrusted): DTDs, entity declarations and processing
 * instructions are refused (XMPP forbids them), and everything is bounded: nesting
 * (XML_MAX_DEPTH), elements (XML_MAX_NODES), attributes per element (XML_MAX_ATTRS), each
 * attribute value and each element's text (XML_MAX_TEXT). Strings in the tree are UTF-8 as
 * expat checked it (no NUL), NOT sanitized for a screen: use text_sanitize (src/text.h) before
 * showing any. The tree is one allocation owner: xml_free releases everything.
 * Pure, any thread.
 */
#ifndef TTM_SRC_JITSI_XML_H
#define TTM_SRC_JITSI_XML_H

#include <stdbool.h>
#include <stddef.h>

#define XML_MAX_DEPTH 32
#define XML_MAX_NODES 2048
#define XML_MAX_ATTRS 32
#define XML_MAX_TEXT 65536
#define XML_MAX_INPUT (1u << 20)

struct xml_attr {
	const char *ns;    /* namespace URI, "" for none */
	const char *name;  /* local name */
	const char *value;
};

struct xml_node {
	const char *ns;    /* namespace URI, "" for none */
	const char *name;  /* local name */
	const struct xml_attr *attrs;
	unsigned n_attrs;
	const char *text;  /* the character data directly inside, concatenated ("" if none) */
	const struct xml_node *child, *next; /* first child, next sibling */
};

struct xml_doc;

/* Parses one message. Returns 0 and the document, or -EINVAL (not well-formed, a DTD, ...)
 * or -E2BIG (over a bound) with one line in err, or -ENOMEM. */
int xml_parse(const char *text, size_t len, struct xml_doc **out, char *err, size_t errlen);
void xml_free(struct xml_doc *d);
const struct xml_node *xml_root(const struct xml_doc *d);

/* The value of an attribute without namespace, or NULL. */
const char *xml_attr(const struct xml_node *n, const char *name);
/* The first child named name in namespace ns (NULL: any namespace), or NULL. */
const struct xml_node *xml_child(const struct xml_node *n, const char *ns, const char *name);
/* True if n is named name in namespace ns. */
bool xml_is(const struct xml_node *n, const char *ns, const char *name);

/* Writes s escaped for an attribute value or text (&<>"' as entities) to out. Returns the
 * length, or -ENOSPC (out then holds ""). */
int xml_escape(const char *s, char *out, size_t outlen);

#endif
