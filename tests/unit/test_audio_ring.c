/* Unit tests for audio/ring: capacity rounding, wrap-around, full/empty behaviour, discard,
 * and a two-thread producer/consumer run that checks every sample arrives once, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "audio/ring.h"

static void test_create_rounds_up(void **state)
{
	struct ring *r;

	assert_int_equal(ring_create(&r, 0), -EINVAL);
	assert_int_equal(ring_create(&r, ((size_t)1 << 24) + 1), -EINVAL);
	assert_int_equal(ring_create(&r, 1000), 0);
	assert_int_equal(ring_capacity(r), 1024);
	assert_int_equal(ring_readable(r), 0);
	assert_int_equal(ring_writable(r), 1024);
	ring_destroy(r);
	assert_int_equal(ring_create(&r, 512), 0);
	assert_int_equal(ring_capacity(r), 512);
	ring_destroy(r);
	ring_destroy(NULL);
}

static void test_full_empty_wrap(void **state)
{
	struct ring *r;
	int16_t in[20], out[20];
	int i, round;

	assert_int_equal(ring_create(&r, 16), 0);
	assert_int_equal(ring_pop(r, out, 5), 0);
	for (i = 0; i < 20; i++)
		in[i] = (int16_t)(i * 100 - 700);
	/* Only the capacity fits. */
	assert_int_equal(ring_push(r, in, 20), 16);
	assert_int_equal(ring_writable(r), 0);
	assert_int_equal(ring_push(r, in, 1), 0);
	assert_int_equal(ring_pop(r, out, 20), 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(out[i], in[i]);
	/* Many odd-sized rounds force every wrap position. */
	for (round = 0; round < 100; round++) {
		size_t n = (size_t)(round % 13) + 1;

		for (i = 0; i < (int)n; i++)
			in[i] = (int16_t)(round * 31 + i);
		assert_int_equal(ring_push(r, in, n), n);
		assert_int_equal(ring_readable(r), n);
		assert_int_equal(ring_pop(r, out, 20), n);
		for (i = 0; i < (int)n; i++)
			assert_int_equal(out[i], (int16_t)(round * 31 + i));
	}
	ring_destroy(r);
}

static void test_discard(void **state)
{
	struct ring *r;
	int16_t in[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, out[10];

	assert_int_equal(ring_create(&r, 8), 0);
	assert_int_equal(ring_push(r, in, 8), 8);
	assert_int_equal(ring_discard(r, 5), 5);
	assert_int_equal(ring_pop(r, out, 10), 3);
	assert_int_equal(out[0], 5);
	assert_int_equal(out[2], 7);
	assert_int_equal(ring_discard(r, 5), 0);
	ring_destroy(r);
}

#define THREAD_SAMPLES 3000000u

struct thread_arg {
	struct ring *r;
	atomic_int errors;
};

static void *producer(void *p)
{
	struct thread_arg *a = p;
	int16_t buf[700];
	uint32_t next = 0, x = 12345;

	while (next < THREAD_SAMPLES) {
		size_t n, i, pushed;

		x = x * 1103515245u + 12345u;
		n = 1 + (x >> 16) % 700;
		if (n > THREAD_SAMPLES - next)
			n = THREAD_SAMPLES - next;
		for (i = 0; i < n; i++)
			buf[i] = (int16_t)(next + i);
		pushed = ring_push(a->r, buf, n);
		next += (uint32_t)pushed;
	}
	return NULL;
}

static void *consumer(void *p)
{
	struct thread_arg *a = p;
	int16_t buf[500];
	uint32_t next = 0, x = 999;

	while (next < THREAD_SAMPLES) {
		size_t n, i, got;

		x = x * 1103515245u + 12345u;
		n = 1 + (x >> 16) % 500;
		got = ring_pop(a->r, buf, n);
		if (got > ring_capacity(a->r))
			atomic_fetch_add(&a->errors, 1);
		for (i = 0; i < got; i++)
			if (buf[i] != (int16_t)(next + i))
				atomic_fetch_add(&a->errors, 1);
		next += (uint32_t)got;
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct thread_arg a;
	pthread_t tp, tc;

	assert_int_equal(ring_create(&a.r, 1024), 0);
	atomic_init(&a.errors, 0);
	assert_int_equal(pthread_create(&tc, NULL, consumer, &a), 0);
	assert_int_equal(pthread_create(&tp, NULL, producer, &a), 0);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	assert_int_equal(atomic_load(&a.errors), 0);
	assert_int_equal(ring_readable(a.r), 0);
	ring_destroy(a.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rounds_up),
		cmocka_unit_test(test_full_empty_wrap),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
