/* Sound device choice for /device (see device_pick.h). */
#include "ui/device_pick.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void device_pick_init(struct device_pick *p, const char *want)
{
	memset(p, 0, sizeof(*p));
	p->want = want;
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return !*needle;
}

static void consider(struct device_pick_side *s, const struct audio_device_info *d,
		     const char *want, bool is_default)
{
	bool dflt = !strcasecmp(want, "default");
	bool exact = dflt ? is_default : !strcasecmp(d->name, want);
	if (s->exact || !(exact || (!dflt && (!s->name[0] && contains_nocase(d->name, want)))))
		return;
	snprintf(s->name, sizeof(s->name), "%s", d->name);
	s->exact = exact;
}

void device_pick_add(const struct audio_device_info *d, void *arg)
{
	struct device_pick *p = arg;
	p->devices++;
	if (!d->name || !p->want || !*p->want)
		return;
	if (d->max_in > 0)
		consider(&p->in, d, p->want, d->is_default_in);
	if (d->max_out > 0)
		consider(&p->out, d, p->want, d->is_default_out);
}
