/* XML messages parsed with expat into a bounded tree (contract in xml.h).
 *
 * Data flow: expat calls start/end/text handlers; start allocates a node from the document's
 * arena and links it under the open element; text accumulates in a per-depth buffer and is
 * copied into the arena when the element ends. Any bound crossed stops the parser. Names come
 * from expat's namespace processing as "URI\x01local".
 *
 * Memory: messages carry chat (a Jitsi meeting's MUC), so every copy made while parsing lives
 * in locked memory that is overwritten when freed (net/lockpool.h): the arena, the text
 * buffers, and expat's own buffers (its memory suite).
 */
#include "src/jitsi/xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "net/lockpool.h"

#define NS_SEP '\x01'

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct xml_doc {
	struct chunk *chunks;
	size_t arena_total;
	struct xml_node *root;
	/* while parsing */
	XML_Parser p;
	struct xml_node *open[XML_MAX_DEPTH];
	struct xml_node *last_child[XML_MAX_DEPTH];
	char *text[XML_MAX_DEPTH];
	size_t text_len[XML_MAX_DEPTH], text_cap[XML_MAX_DEPTH];
	unsigned depth, nodes;
	int err;
	const char *why;
};

static void *arena(struct xml_doc *d, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct chunk *c = d->chunks;
	if (!c || c->cap - c->used < n) {
		/* chunks fit the pool's largest small block: no system call per message */
		size_t small = LOCKPOOL_MAX_SMALL - sizeof(*c);
		size_t cap = n > small ? n : small;
		if (d->arena_total + cap > 4 * (size_t)XML_MAX_INPUT)
			return NULL;
		c = lockpool_alloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = d->chunks;
		c->used = 0;
		c->cap = cap;
		d->chunks = c;
		d->arena_total += cap;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

static char *arena_strndup(struct xml_doc *d, const char *s, size_t n)
{
	char *p = arena(d, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void stop(struct xml_doc *d, int err, const char *why)
{
	if (!d->err) {
		d->err = err;
		d->why = why;
	}
	XML_StopParser(d->p, XML_FALSE);
}

/* "URI\x01local" or "local" into ns and name. */
static bool split_name(struct xml_doc *d, const char *full, const char **ns, const char **name)
{
	const char *sep = strchr(full, NS_SEP);
	if (!sep) {
		*ns = "";
		*name = arena_strndup(d, full, strlen(full));
		return *name != NULL;
	}
	*ns = arena_strndup(d, full, (size_t)(sep - full));
	*name = arena_strndup(d, sep + 1, strlen(sep + 1));
	return *ns && *name;
}

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **atts)
{
	struct xml_doc *d = user;
	if (d->err)
		return;
	if (d->depth >= XML_MAX_DEPTH)
		return stop(d, -E2BIG, "elements nested too deeply");
	if (++d->nodes > XML_MAX_NODES)
		return stop(d, -E2BIG, "too many elements");
	unsigned n = 0;
	while (atts[2 * n])
		n++;
	if (n > XML_MAX_ATTRS)
		return stop(d, -E2BIG, "too many attributes");
	struct xml_node *node = arena(d, sizeof(*node));
	struct xml_attr *attrs = n ? arena(d, n * sizeof(*attrs)) : NULL;
	if (!node || (n && !attrs))
		return stop(d, -ENOMEM, "out of memory");
	memset(node, 0, sizeof(*node));
	if (!split_name(d, name, &node->ns, &node->name))
		return stop(d, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		size_t vl = strlen(atts[2 * i + 1]);
		if (vl > XML_MAX_TEXT)
			return stop(d, -E2BIG, "an attribute value is too long");
		if (!split_name(d, atts[2 * i], &attrs[i].ns, &attrs[i].name) ||
		    !(attrs[i].value = arena_strndup(d, atts[2 * i + 1], vl)))
			return stop(d, -ENOMEM, "out of memory");
	}
	node->attrs = attrs;
	node->n_attrs = n;
	node->text = "";
	if (d->depth == 0) {
		d->root = node;
	} else {
		struct xml_node *parent = d->open[d->depth - 1];
		if (d->last_child[d->depth - 1])
			d->last_child[d->depth - 1]->next = node;
		else
			parent->child = node;
		d->last_child[d->depth - 1] = node;
	}
	d->open[d->depth] = node;
	d->last_child[d->depth] = NULL;
	d->text_len[d->depth] = 0;
	d->depth++;
}

static void XMLCALL on_end(void *user, const XML_Char *name)
{
	struct xml_doc *d = user;
	(void)name;
	if (d->err || d->depth == 0)
		return;
	d->depth--;
	size_t n = d->text_len[d->depth];
	if (n) {
		char *t = arena_strndup(d, d->text[d->depth], n);
		if (!t)
			return stop(d, -ENOMEM, "out of memory");
		d->open[d->depth]->text = t;
	}
}

static void XMLCALL on_text(void *user, const XML_Char *s, int len)
{
	struct xml_doc *d = user;
	if (d->err || d->depth == 0 || len <= 0)
		return;
	unsigned k = d->depth - 1;
	size_t need = d->text_len[k] + (size_t)len;
	if (need > XML_MAX_TEXT)
		return stop(d, -E2BIG, "a text is too long");
	if (need > d->text_cap[k]) {
		size_t cap = d->text_cap[k] ? d->text_cap[k] : 256;
		while (cap < need)
			cap *= 2;
		char *t = lockpool_alloc(cap);
		if (!t)
			return stop(d, -ENOMEM, "out of memory");
		if (d->text_len[k])
			memcpy(t, d->text[k], d->text_len[k]);
		lockpool_free(d->text[k]);
		d->text[k] = t;
		d->text_cap[k] = cap;
	}
	memcpy(d->text[k] + d->text_len[k], s, (size_t)len);
	d->text_len[k] = need;
}

static void XMLCALL on_doctype(void *user, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal;
	stop(user, -EINVAL, "a DTD (XMPP forbids them)");
}

static void XMLCALL on_entity(void *user, const XML_Char *name, int pe, const XML_Char *value,
			      int vlen, const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)pe, (void)value, (void)vlen, (void)base, (void)sysid, (void)pubid;
	(void)notation;
	stop(user, -EINVAL, "an entity declaration");
}

static void XMLCALL on_pi(void *user, const XML_Char *target, const XML_Char *data)
{
	(void)target, (void)data;
	stop(user, -EINVAL, "a processing instruction (XMPP forbids them)");
}

/* expat's memory suite over the pool: a size header in front of each block, for realloc. */
static void *mm_malloc(size_t n)
{
	size_t *p = lockpool_alloc(n + sizeof(max_align_t));
	if (!p)
		return NULL;
	*p = n;
	return (char *)p + sizeof(max_align_t);
}

static void mm_free(void *q)
{
	if (q)
		lockpool_free((char *)q - sizeof(max_align_t));
}

static void *mm_realloc(void *q, size_t n)
{
	if (!q)
		return mm_malloc(n);
	size_t old = *(size_t *)((char *)q - sizeof(max_align_t));
	void *r = mm_malloc(n);
	if (!r)
		return NULL;
	memcpy(r, q, old < n ? old : n);
	mm_free(q);
	return r;
}

static const XML_Memory_Handling_Suite locked_suite = { mm_malloc, mm_realloc, mm_free };

void xml_free(struct xml_doc *d)
{
	if (!d)
		return;
	for (struct chunk *c = d->chunks, *n; c; c = n) {
		n = c->next;
		lockpool_free(c);
	}
	for (unsigned i = 0; i < XML_MAX_DEPTH; i++)
		lockpool_free(d->text[i]);
	free(d);
}

int xml_parse(const char *text, size_t len, struct xml_doc **out, char *err, size_t errlen)
{
	*out = NULL;
	if (len > XML_MAX_INPUT) {
		snprintf(err, errlen, "an XML message over %u bytes", XML_MAX_INPUT);
		return -E2BIG;
	}
	struct xml_doc *d = calloc(1, sizeof(*d));
	if (!d || !(d->p = XML_ParserCreate_MM("UTF-8", &locked_suite, (const XML_Char[]){ NS_SEP, 0 }))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	XML_SetUserData(d->p, d);
	XML_SetElementHandler(d->p, on_start, on_end);
	XML_SetCharacterDataHandler(d->p, on_text);
	XML_SetStartDoctypeDeclHandler(d->p, on_doctype);
	XML_SetEntityDeclHandler(d->p, on_entity);
	XML_SetProcessingInstructionHandler(d->p, on_pi);
	enum XML_Status st = XML_Parse(d->p, text, (int)len, XML_TRUE);
	int rc = d->err;
	if (!rc && st != XML_STATUS_OK) {
		rc = -EINVAL;
		snprintf(err, errlen, "not well-formed XML (%s at byte %lu)",
			 XML_ErrorString(XML_GetErrorCode(d->p)),
			 (unsigned long)XML_GetCurrentByteIndex(d->p));
	} else if (rc) {
		snprintf(err, errlen, "refused XML: %s", d->why);
	} else if (!d->root) {
		rc = -EINVAL;
		snprintf(err, errlen, "an XML message without an element");
	}
	XML_ParserFree(d->p);
	d->p = NULL;
	if (rc) {
		xml_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

const struct xml_node *xml_root(const struct xml_doc *d)
{
	return d ? d->root : NULL;
}

const char *xml_attr(const struct xml_node *n, const char *name)
{
	for (unsigned i = 0; n && i < n->n_attrs; i++)
		if (!n->attrs[i].ns[0] && !strcmp(n->attrs[i].name, name))
			return n->attrs[i].value;
	return NULL;
}

bool xml_is(const struct xml_node *n, const char *ns, const char *name)
{
	return n && !strcmp(n->name, name) && (!ns || !strcmp(n->ns, ns));
}

const struct xml_node *xml_child(const struct xml_node *n, const char *ns, const char *name)
{
	for (const struct xml_node *c = n ? n->child : NULL; c; c = c->next)
		if (xml_is(c, ns, name))
			return c;
	return NULL;
}

int xml_escape(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen == 0)
		return -ENOSPC;
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		}
		size_t n = rep ? strlen(rep) : 1;
		if (o + n >= outlen) {
			out[0] = '\0';
			return -ENOSPC;
		}
		if (rep)
			memcpy(out + o, rep, n);
		else
			out[o] = *s;
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}
