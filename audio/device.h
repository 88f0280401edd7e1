/* Audio sources and sinks behind one small interface, chosen by backend name:
 *   "null"       source: silence; sink: discards
 *   "wav"        source: a WAV file (any rate/channels, resampled to 48 kHz mono; loops or
 *                ends per AUDIO_LOOP); sink: a 48 kHz mono 16-bit WAV file
 *   "portaudio"  capture/playback on a sound device chosen by case-insensitive (sub)name
 * Frames are always AUDIO_FRAME samples: 20 ms, 48 kHz, mono, int16.
 *
 * Threads: each source/sink belongs to the media tick's thread (the GLib main loop); the
 * PortAudio backend adds its callback thread internally, which only touches a lock-free ring.
 * Opening may allocate; read and write do not.
 *
 * Errors: -ENODEV means no sound card (or none for that direction): say so once and carry on
 * listen-only/send-only; -ELIBACC means PortAudio itself cannot be loaded (it is opened at
 * run time: headless and file-only runs never load it), which callers may treat like -ENODEV;
 * -ENOENT is a device name that matched nothing (or a missing file);
 * WAV_E* codes (audio/wav.h) describe bad files. audio_strerror() words all of them.
 */
#ifndef TTM_AUDIO_DEVICE_H
#define TTM_AUDIO_DEVICE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define AUDIO_RATE	48000
#define AUDIO_FRAME	960		/* samples per 20 ms frame */
#define AUDIO_EOF	(-ENODATA)	/* a non-looping source has ended */

#define AUDIO_LOOP	0x1u		/* wav source: start again at the end */

struct audio_source;
struct audio_sink;

struct audio_dev_stats {
	uint64_t frames;	/* frames delivered (source) or accepted (sink) */
	uint64_t underruns;	/* playback: callback found too little (silence played) */
	uint64_t overruns;	/* capture: samples lost, ring full; playback: frames dropped */
};

struct audio_device_info {
	int index;
	const char *name;	/* valid during the callback only */
	const char *host_api;	/* "ALSA", "JACK Audio Connection Kit", ... */
	int max_in;		/* input channels (0: output only) */
	int max_out;
	double default_rate;
	bool is_default_in;
	bool is_default_out;
};

typedef void (*audio_device_cb)(const struct audio_device_info *info, void *arg);

/* Opens a source. target: wav file path, or portaudio device (sub)name (NULL, "" or
 * "default": the default device); ignored by null. flags: AUDIO_LOOP. Returns 0 or a negative
 * code (-EINVAL for an unknown backend name). */
int audio_source_open(struct audio_source **out, const char *backend, const char *target,
		      unsigned flags);

/* Fills frame: returns 1 when a frame was delivered, 0 when none is available yet (capture
 * not caught up), AUDIO_EOF at the end of a non-looping file, other negatives on error. */
int audio_source_read(struct audio_source *src, int16_t frame[AUDIO_FRAME]);

/* Counters of a source. */
void audio_source_stats(const struct audio_source *src, struct audio_dev_stats *st);

/* Closes; NULL is fine. */
void audio_source_close(struct audio_source *src);

/* Opens a sink (target as for sources; a wav file is created or truncated). flags: none yet.
 * Returns 0 or a negative code. */
int audio_sink_open(struct audio_sink **out, const char *backend, const char *target,
		    unsigned flags);

/* Takes one frame: returns 1 when accepted, 0 when dropped because the device is behind
 * (counted as an overrun), negative on error. */
int audio_sink_write(struct audio_sink *sink, const int16_t frame[AUDIO_FRAME]);

/* Whether the sink keeps the call's timeline (a file): a frame of every 20 ms of the call
 * belongs in it, so the media clock writes silence for frames a stall skipped (a device
 * just plays on from now). */
bool audio_sink_keeps_time(const struct audio_sink *sink);

/* Counters of a sink. */
void audio_sink_stats(const struct audio_sink *sink, struct audio_dev_stats *st);

/* Closes (a wav sink finishes its file); NULL is fine. Returns 0 or the first write error. */
int audio_sink_close(struct audio_sink *sink);

/* Lists PortAudio devices through cb (nothing is printed). Returns the number of devices,
 * 0 when there is no sound card, or a negative code (-ELIBACC: no PortAudio). */
int audio_device_list(audio_device_cb cb, void *arg);

/* One-line message for any code these functions (and audio/wav.h) return. */
const char *audio_strerror(int code);

#endif
