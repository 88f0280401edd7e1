/* The PortAudio backend: capture and playback on a sound device chosen by name.
 *
 * Data flow, capture: PortAudio's callback thread downmixes to mono and pushes into a
 * lock-free ring; audio_source_read() on the main loop pops what is there, resamples to
 * 48 kHz when the device runs at another rate, and hands out 960-sample frames (0 until a
 * whole one is ready). Playback: audio_sink_write() resamples if needed and pushes into a
 * ring; the callback waits for 40 ms to be queued, then pops, duplicates to stereo when the
 * device wants two channels, and plays silence when the ring runs dry (an underrun: counted,
 * and it waits for 40 ms again). Both directions cap the ring's fill so latency stays
 * bounded when the device clock and the media tick drift apart: capture drops the oldest
 * audio, playback drops the newest frame.
 *
 * Threads: open/read/write/close on the main loop; the callbacks on PortAudio's thread.
 * The callbacks are REAL-TIME code: they touch only the ring, atomics and their own fields
 * -- no malloc, no locks, no logging, no system calls.
 *
 * PortAudio is loaded with dlopen() at the first use (an open or a listing), not linked: a
 * headless, WAV or null session never maps PortAudio, ALSA, JACK and what they pull in
 * (about 1.4 MB of resident memory). It is found by its soname only (test programs may name
 * another file: util/testhook.h). When it cannot be loaded every call returns -ELIBACC; the library stays loaded once it was.
 *
 * Process-wide state (the only in audio/): the library handle and its entry points, and
 * Pa_Initialize/Pa_Terminate, which are global in PortAudio, so they are reference counted
 * under a mutex (pa_acquire/pa_release); every open stream and every listing holds a
 * reference. On the first initialisation the diagnostics ALSA and JACK print on stderr when
 * probing absent cards are routed to a silent handler (they would corrupt the terminal UI);
 * failures still come back as error codes.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <portaudio.h>

#include "audio/device_backend.h"
#include "audio/resample.h"
#include "audio/ring.h"
#include "util/testhook.h"

#define PA_RING_MS		320	/* ring capacity (rounded up to a power of two) */
#define PA_CAPTURE_KEEP_MS	100	/* capture: above this much waiting, drop the oldest */
#define PA_PLAYBACK_MAX_MS	80	/* playback: above this much queued, drop new frames */
#define PA_PLAYBACK_PREFILL_MS	40	/* playback: queue this much before (re)starting */
#define PA_CB_CHUNK		256	/* frames converted per step inside the callbacks */

#ifndef TTM_PORTAUDIO_LIB
#define TTM_PORTAUDIO_LIB	"libportaudio.so.2"	/* the PortAudio v19 ABI */
#endif

/* The PortAudio functions used here; their types come from portaudio.h. */
#define PA_FUNCTIONS(X) \
	X(Pa_Initialize) X(Pa_Terminate) X(Pa_GetDeviceCount) X(Pa_GetDefaultInputDevice) \
	X(Pa_GetDefaultOutputDevice) X(Pa_GetDeviceInfo) X(Pa_GetHostApiInfo) \
	X(Pa_IsFormatSupported) X(Pa_OpenStream) X(Pa_StartStream) X(Pa_AbortStream) \
	X(Pa_CloseStream)

struct pa_api {
#define PA_FIELD(fn) __typeof__(&fn) fn;
	PA_FUNCTIONS(PA_FIELD)
#undef PA_FIELD
};

static pthread_mutex_t pa_lock = PTHREAD_MUTEX_INITIALIZER;
static void *pa_lib;		/* never closed: host APIs may leave threads and handlers */
static bool pa_load_failed;	/* tried once, in vain: do not retry on every call */
static struct pa_api pa;	/* valid while pa_lib is set; written once, under pa_lock */
static unsigned pa_refs;
static bool pa_quieted;

struct pa_dev {
	PaStream *stream;
	struct ring *ring;
	struct resample *rs;	/* device rate <-> 48 kHz; NULL at 48 kHz */
	struct audio_fifo fifo;	/* capture: 48 kHz samples waiting to become frames */
	int16_t *tmp;		/* main-loop conversion buffer, tmp_cap samples */
	size_t tmp_cap;
	unsigned rate;
	unsigned channels;	/* of the stream: 1 or 2 */
	size_t keep;		/* fill limit in samples (see PA_*_MS) */
	atomic_uint_fast64_t underruns;
	atomic_uint_fast64_t overruns;
	atomic_bool primed;	/* playback: audio was queued at least once */
	uint64_t dropped;	/* main-loop side drops */
	size_t prefill;		/* playback: samples queued before playing (again) */
	bool cb_playing;	/* playback: touched by the callback only */
};

static void alsa_quiet(const char *file, int line, const char *func, int err, const char *fmt,
		       ...)
{
}

static void jack_quiet(const char *msg)
{
}

/* Installs silent error handlers in ALSA and JACK when PortAudio pulled them in. Looked up in
 * PortAudio's own dependencies so ttymeet does not link them itself. */
static void quiet_host_libraries(void)
{
	void (*alsa_set)(void (*)(const char *, int, const char *, int, const char *, ...));
	void (*jack_set)(void (*)(const char *));
	void *sym;

	sym = dlsym(pa_lib, "snd_lib_error_set_handler");
	if (sym) {
		memcpy(&alsa_set, &sym, sizeof(sym));
		alsa_set(alsa_quiet);
	}
	sym = dlsym(pa_lib, "jack_set_error_function");
	if (sym) {
		memcpy(&jack_set, &sym, sizeof(sym));
		jack_set(jack_quiet);
	}
	sym = dlsym(pa_lib, "jack_set_info_function");
	if (sym) {
		memcpy(&jack_set, &sym, sizeof(sym));
		jack_set(jack_quiet);
	}
}

/* Loads the library and resolves every entry point (under pa_lock). Returns 0 or -ELIBACC. */
static int pa_load(void)
{
	const char *name = TESTHOOK(testhook_portaudio_lib, NULL);
	void *lib, *sym;

	if (pa_lib)
		return 0;
	if (pa_load_failed)
		return -ELIBACC;
	lib = dlopen(name ? name : TTM_PORTAUDIO_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		goto fail;
#define PA_RESOLVE(fn) \
	sym = dlsym(lib, #fn); \
	if (!sym) \
		goto fail; \
	memcpy(&pa.fn, &sym, sizeof(sym));
	PA_FUNCTIONS(PA_RESOLVE)
#undef PA_RESOLVE
	pa_lib = lib;
	return 0;
fail:
	if (lib)
		dlclose(lib);
	memset(&pa, 0, sizeof(pa));
	pa_load_failed = true;
	return -ELIBACC;
}

static int pa_errno(PaError err)
{
	switch (err) {
	case paNoError:
		return 0;
	case paInvalidDevice:
	case paDeviceUnavailable:
	case paHostApiNotFound:
		return -ENODEV;
	case paInsufficientMemory:
		return -ENOMEM;
	case paInvalidSampleRate:
	case paInvalidChannelCount:
	case paSampleFormatNotSupported:
		return -ENOTSUP;
	default:
		return -EIO;
	}
}

/* Takes a reference on PortAudio, initialising it for the first user. */
static int pa_acquire(void)
{
	int rc = 0;

	pthread_mutex_lock(&pa_lock);
	if (pa_refs == 0) {
		rc = pa_load();
		if (rc == 0 && !pa_quieted) {
			quiet_host_libraries();
			pa_quieted = true;
		}
		if (rc == 0)
			rc = pa_errno(pa.Pa_Initialize());
	}
	if (rc == 0)
		pa_refs++;
	pthread_mutex_unlock(&pa_lock);
	return rc;
}

static void pa_release(void)
{
	pthread_mutex_lock(&pa_lock);
	if (pa_refs > 0 && --pa_refs == 0)
		pa.Pa_Terminate();
	pthread_mutex_unlock(&pa_lock);
}

static int dev_channels(const PaDeviceInfo *info, bool input)
{
	return input ? info->maxInputChannels : info->maxOutputChannels;
}

/* Finds a device for one direction: the default for NULL/""/"default", else the first whose
 * name equals `name` ignoring case, else the first that contains it. */
static int pa_find(const char *name, bool input, PaDeviceIndex *idx)
{
	PaDeviceIndex n = pa.Pa_GetDeviceCount(), i, any = 0;

	if (n < 0)
		return pa_errno(n);
	if (!name || !*name || !strcasecmp(name, "default")) {
		*idx = input ? pa.Pa_GetDefaultInputDevice() : pa.Pa_GetDefaultOutputDevice();
		return *idx == paNoDevice ? -ENODEV : 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			const PaDeviceInfo *info = pa.Pa_GetDeviceInfo(i);

			if (!info || !info->name || dev_channels(info, input) < 1)
				continue;
			any++;
			if (pass == 0 ? !strcasecmp(info->name, name)
				      : strcasestr(info->name, name) != NULL) {
				*idx = i;
				return 0;
			}
		}
	}
	return any ? -ENOENT : -ENODEV;
}

/* REAL-TIME (PortAudio callback thread): ring and atomics only. */
static int capture_cb(const void *input, void *output, unsigned long frames,
		      const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags,
		      void *user)
{
	struct pa_dev *d = user;
	const int16_t *in = input;
	int16_t mono[PA_CB_CHUNK];
	size_t lost = 0;

	if (!in)
		return paContinue;
	if (flags & paInputOverflow)
		atomic_fetch_add_explicit(&d->overruns, 1, memory_order_relaxed);
	while (frames > 0) {
		size_t n = frames < PA_CB_CHUNK ? frames : PA_CB_CHUNK, i;

		if (d->channels == 1) {
			lost += n - ring_push(d->ring, in, n);
		} else {
			for (i = 0; i < n; i++)
				mono[i] = (int16_t)((in[2 * i] + in[2 * i + 1]) / 2);
			lost += n - ring_push(d->ring, mono, n);
		}
		in += n * d->channels;
		frames -= n;
	}
	if (lost)
		atomic_fetch_add_explicit(&d->overruns, 1, memory_order_relaxed);
	return paContinue;
}

/* REAL-TIME (PortAudio callback thread): ring and atomics only. */
static int playback_cb(const void *input, void *output, unsigned long frames,
		       const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags,
		       void *user)
{
	struct pa_dev *d = user;
	int16_t *out = output;
	int16_t mono[PA_CB_CHUNK];
	bool short_read = false;

	/* After start or an underrun, wait for a little queue so one late tick is no gap. */
	if (!d->cb_playing) {
		if (ring_readable(d->ring) < d->prefill) {
			memset(out, 0, frames * d->channels * sizeof(*out));
			return paContinue;
		}
		d->cb_playing = true;
	}
	while (frames > 0) {
		size_t n = frames < PA_CB_CHUNK ? frames : PA_CB_CHUNK, got, i;

		if (d->channels == 1) {
			got = ring_pop(d->ring, out, n);
			memset(out + got, 0, (n - got) * sizeof(*out));
		} else {
			got = ring_pop(d->ring, mono, n);
			memset(mono + got, 0, (n - got) * sizeof(*mono));
			for (i = 0; i < n; i++)
				out[2 * i] = out[2 * i + 1] = mono[i];
		}
		short_read |= got < n;
		out += n * d->channels;
		frames -= n;
	}
	if (short_read) {
		d->cb_playing = false;
		if (atomic_load_explicit(&d->primed, memory_order_relaxed))
			atomic_fetch_add_explicit(&d->underruns, 1, memory_order_relaxed);
	}
	return paContinue;
}

static void pa_dev_close(struct pa_dev *d)
{
	if (!d)
		return;
	if (d->stream) {
		pa.Pa_AbortStream(d->stream); /* no draining: a switch must not stall the tick */
		pa.Pa_CloseStream(d->stream);
		pa_release();
	}
	ring_destroy(d->ring);
	resample_destroy(d->rs);
	audio_fifo_free(&d->fifo);
	free(d->tmp);
	free(d);
}

/* Picks rate and channel count the device accepts: 48 kHz first, then its default rate;
 * mono first, then stereo. */
static int pa_pick_format(PaStreamParameters *p, const PaDeviceInfo *info, bool input,
			  unsigned *rate)
{
	double rates[2] = { AUDIO_RATE, info->defaultSampleRate };
	int ri, ch;

	for (ri = 0; ri < 2; ri++) {
		if (rates[ri] < RESAMPLE_MIN_RATE || rates[ri] > RESAMPLE_MAX_RATE ||
		    rates[ri] != (unsigned)rates[ri])
			continue;
		for (ch = 1; ch <= 2 && ch <= dev_channels(info, input); ch++) {
			p->channelCount = ch;
			if (pa.Pa_IsFormatSupported(input ? p : NULL, input ? NULL : p, rates[ri]) ==
			    paFormatIsSupported) {
				*rate = (unsigned)rates[ri];
				return 0;
			}
		}
	}
	return -ENOTSUP;
}

static int pa_dev_open(struct pa_dev **out, const char *name, bool input)
{
	PaStreamParameters p = { 0 };
	const PaDeviceInfo *info;
	struct pa_dev *d;
	PaDeviceIndex idx;
	int rc;

	rc = pa_acquire();
	if (rc)
		return rc;
	d = calloc(1, sizeof(*d));
	if (!d) {
		pa_release();
		return -ENOMEM;
	}
	atomic_init(&d->underruns, 0);
	atomic_init(&d->overruns, 0);
	atomic_init(&d->primed, false);
	rc = pa_find(name, input, &idx);
	if (rc)
		goto out;
	info = pa.Pa_GetDeviceInfo(idx);
	if (!info) {
		rc = -ENODEV;
		goto out;
	}
	p.device = idx;
	p.sampleFormat = paInt16;
	p.suggestedLatency = input ? info->defaultLowInputLatency : info->defaultLowOutputLatency;
	rc = pa_pick_format(&p, info, input, &d->rate);
	if (rc)
		goto out;
	d->channels = (unsigned)p.channelCount;
	if (d->rate != AUDIO_RATE) {
		rc = input ? resample_create(&d->rs, d->rate, AUDIO_RATE)
			   : resample_create(&d->rs, AUDIO_RATE, d->rate);
		if (rc)
			goto out;
	}
	rc = ring_create(&d->ring, (size_t)d->rate * PA_RING_MS / 1000);
	if (rc)
		goto out;
	d->keep = (size_t)d->rate * (input ? PA_CAPTURE_KEEP_MS : PA_PLAYBACK_MAX_MS) / 1000;
	d->prefill = (size_t)d->rate * PA_PLAYBACK_PREFILL_MS / 1000;
	/* Capture: one pop of the ring at most; playback: one resampled frame. */
	d->tmp_cap = input ? ring_capacity(d->ring)
			   : (d->rs ? resample_max_out(d->rs, AUDIO_FRAME) : AUDIO_FRAME);
	d->tmp = malloc(d->tmp_cap * sizeof(*d->tmp));
	if (!d->tmp) {
		rc = -ENOMEM;
		goto out;
	}
	if (input) {
		rc = audio_fifo_init(&d->fifo, AUDIO_FRAME + (d->rs ? resample_max_out(d->rs,
						d->tmp_cap) : d->tmp_cap));
		if (rc)
			goto out;
	}
	rc = pa_errno(pa.Pa_OpenStream(&d->stream, input ? &p : NULL, input ? NULL : &p, d->rate,
				    paFramesPerBufferUnspecified, paNoFlag,
				    input ? capture_cb : playback_cb, d));
	if (rc) {
		d->stream = NULL;
		goto out;
	}
	rc = pa_errno(pa.Pa_StartStream(d->stream));
out:
	if (rc) {
		if (!d->stream)
			pa_release();
		pa_dev_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

static int pa_source_open(void **priv, const char *target, unsigned flags)
{
	return pa_dev_open((struct pa_dev **)priv, target, true);
}

static int pa_source_read(void *priv, int16_t *frame)
{
	struct pa_dev *d = priv;
	size_t avail = ring_readable(d->ring), n;
	int rc;

	if (audio_fifo_pop(&d->fifo, frame))
		return 1;
	if (avail > d->keep + AUDIO_FRAME) {
		/* The tick fell behind the device: keep only the newest audio. */
		ring_discard(d->ring, avail - d->keep);
		d->dropped++;
	}
	n = ring_pop(d->ring, d->tmp, d->tmp_cap);
	rc = audio_fifo_feed(&d->fifo, d->rs, d->tmp, n);
	if (rc)
		return rc;
	return audio_fifo_pop(&d->fifo, frame);
}

static void pa_stats(const void *priv, struct audio_dev_stats *st)
{
	const struct pa_dev *d = priv;

	st->underruns = atomic_load_explicit(&d->underruns, memory_order_relaxed);
	st->overruns = atomic_load_explicit(&d->overruns, memory_order_relaxed) + d->dropped;
}

static void pa_source_close(void *priv)
{
	pa_dev_close(priv);
}

static int pa_sink_open(void **priv, const char *target, unsigned flags)
{
	return pa_dev_open((struct pa_dev **)priv, target, false);
}

static int pa_sink_write(void *priv, const int16_t *frame)
{
	struct pa_dev *d = priv;
	const int16_t *src = frame;
	size_t n = AUDIO_FRAME;

	if (d->rs) {
		long got = resample_process(d->rs, frame, AUDIO_FRAME, d->tmp, d->tmp_cap);

		if (got < 0)
			return (int)got;
		src = d->tmp;
		n = (size_t)got;
	}
	if (ring_readable(d->ring) > d->keep || ring_writable(d->ring) < n) {
		d->dropped++;
		return 0;
	}
	ring_push(d->ring, src, n);
	atomic_store_explicit(&d->primed, true, memory_order_relaxed);
	return 1;
}

static int pa_sink_close(void *priv)
{
	pa_dev_close(priv);
	return 0;
}

int dev_portaudio_list(audio_device_cb cb, void *arg)
{
	PaDeviceIndex n, i, def_in, def_out;
	int rc = pa_acquire();

	if (rc)
		return rc;
	n = pa.Pa_GetDeviceCount();
	if (n < 0) {
		rc = pa_errno(n);
		goto out;
	}
	def_in = pa.Pa_GetDefaultInputDevice();
	def_out = pa.Pa_GetDefaultOutputDevice();
	for (i = 0; i < n; i++) {
		const PaDeviceInfo *info = pa.Pa_GetDeviceInfo(i);
		const PaHostApiInfo *api;
		struct audio_device_info di;

		if (!info)
			continue;
		api = pa.Pa_GetHostApiInfo(info->hostApi);
		di.index = i;
		di.name = info->name ? info->name : "";
		di.host_api = api && api->name ? api->name : "";
		di.max_in = info->maxInputChannels;
		di.max_out = info->maxOutputChannels;
		di.default_rate = info->defaultSampleRate;
		di.is_default_in = i == def_in;
		di.is_default_out = i == def_out;
		if (cb)
			cb(&di, arg);
	}
	rc = n;
out:
	pa_release();
	return rc;
}

const struct audio_backend dev_portaudio_backend = {
	.name = "portaudio",
	.source_open = pa_source_open,
	.source_read = pa_source_read,
	.source_stats = pa_stats,
	.source_close = pa_source_close,
	.sink_open = pa_sink_open,
	.sink_write = pa_sink_write,
	.sink_stats = pa_stats,
	.sink_close = pa_sink_close,
};
