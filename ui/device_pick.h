/* Which sound devices "/device NAME" means, from the list audio_device_list() gives: for each
 * side (microphone, speaker) the device the PortAudio backend would open for NAME — the
 * default for "default", else the first with channels on that side whose name equals NAME
 * ignoring case, else the first whose name contains it. Pure; any thread.
 */
#ifndef TTM_UI_DEVICE_PICK_H
#define TTM_UI_DEVICE_PICK_H

#include <stdbool.h>
#include <stddef.h>

#include "audio/device.h"

#define DEVICE_PICK_NAME_MAX 256

struct device_pick_side {
	char name[DEVICE_PICK_NAME_MAX]; /* "" when no device fits */
	bool exact;                      /* found by the whole name */
};

struct device_pick {
	const char *want;  /* NAME as typed (not owned) */
	unsigned devices;  /* devices seen */
	struct device_pick_side in, out;
};

/* Starts a pick for want. */
void device_pick_init(struct device_pick *p, const char *want);
/* Feeds one device of the list (an audio_device_cb: arg is the struct device_pick). */
void device_pick_add(const struct audio_device_info *d, void *arg);

#endif
