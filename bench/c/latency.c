// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-up latency: the time from a waker's wake-up call to the woken waiter
 * running, for a waiter that was asleep.
 *
 * The waker (side 0) sleeps a tick or two, so that the waiter is surely
 * asleep, then fires an event: it counts it in lat_events, reads the clock and
 * wakes the queue. The waiter (side 1) reads the clock as soon as its wait for
 * the event returns, records the difference and acknowledges the event; the
 * waker waits for that before it fires the next one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "bench.h"

/* The waiter sleeps here until the next event. */
static DECLARE_WAIT_QUEUE_HEAD(lat_wq);
/* The waker sleeps here until the waiter has recorded the event. */
static DECLARE_WAIT_QUEUE_HEAD(lat_ack_wq);
/*
 * Events fired, and when the last one's wake-up was called; under lat_wq.lock
 * for the _locked waits, READ_ONCE()/WRITE_ONCE() otherwise.
 */
static unsigned int lat_events;
static u64 lat_stamp;
/* Events the waiter has recorded. */
static unsigned int lat_acked;
static u32 lat_samples[BENCH_MAX_SAMPLES];

static void lat_fire(unsigned int event)
{
	switch (bench_config.variant) {
	case BENCH_WEI:
	case BENCH_WEIT:
		WRITE_ONCE(lat_events, event);
		WRITE_ONCE(lat_stamp, ktime_get_ns());
		wake_up(&lat_wq);
		break;
	case BENCH_WEIL:
		spin_lock(&lat_wq.lock);
		lat_events = event;
		lat_stamp = ktime_get_ns();
		wake_up_locked(&lat_wq);
		spin_unlock(&lat_wq.lock);
		break;
	default:
		spin_lock_irq(&lat_wq.lock);
		lat_events = event;
		lat_stamp = ktime_get_ns();
		wake_up_locked(&lat_wq);
		spin_unlock_irq(&lat_wq.lock);
		break;
	}
}

static int lat_waker(void *data)
{
	unsigned int event, total = bench_config.warmup + bench_config.rounds;
	int ret = 0;

	bench_note_cpu(0);
	for (event = 1; event <= total; event++) {
		msleep_interruptible(1);
		lat_fire(event);
		if (wait_event_interruptible(lat_ack_wq, READ_ONCE(lat_acked) == event)) {
			ret = -EINTR;
			break;
		}
	}
	bench_finished();
	return ret;
}

/* Waits for `event`; returns the latency in ns, or a negative errno. */
static s64 lat_wait(unsigned int event)
{
	long timeout = msecs_to_jiffies(BENCH_TIMEOUT_MS);
	u64 now, stamp;
	long left;

	switch (bench_config.variant) {
	case BENCH_WEI:
		if (wait_event_interruptible(lat_wq, READ_ONCE(lat_events) >= event))
			return -EINTR;
		now = ktime_get_ns();
		stamp = READ_ONCE(lat_stamp);
		break;
	case BENCH_WEIT:
		left = wait_event_interruptible_timeout(lat_wq, READ_ONCE(lat_events) >= event,
							timeout);
		if (left < 0)
			return -EINTR;
		if (!left)
			return -ETIMEDOUT;
		now = ktime_get_ns();
		stamp = READ_ONCE(lat_stamp);
		break;
	case BENCH_WEIL:
		spin_lock(&lat_wq.lock);
		if (wait_event_interruptible_locked(lat_wq, lat_events >= event)) {
			spin_unlock(&lat_wq.lock);
			return -EINTR;
		}
		now = ktime_get_ns();
		stamp = lat_stamp;
		spin_unlock(&lat_wq.lock);
		break;
	case BENCH_WEILI:
		spin_lock_irq(&lat_wq.lock);
		if (wait_event_interruptible_locked_irq(lat_wq, lat_events >= event)) {
			spin_unlock_irq(&lat_wq.lock);
			return -EINTR;
		}
		now = ktime_get_ns();
		stamp = lat_stamp;
		spin_unlock_irq(&lat_wq.lock);
		break;
	default:
		spin_lock_irq(&lat_wq.lock);
		if (wait_event_interruptible_exclusive_locked_irq(lat_wq, lat_events >= event)) {
			spin_unlock_irq(&lat_wq.lock);
			return -EINTR;
		}
		now = ktime_get_ns();
		stamp = lat_stamp;
		spin_unlock_irq(&lat_wq.lock);
		break;
	}
	return min_t(u64, now - stamp, U32_MAX);
}

static int lat_waiter(void *data)
{
	unsigned int event, total = bench_config.warmup + bench_config.rounds;
	s64 ns;

	bench_note_cpu(1);
	for (event = 1; event <= total; event++) {
		ns = lat_wait(event);
		if (ns < 0) {
			bench_finished();
			return ns;
		}
		if (event > bench_config.warmup)
			lat_samples[event - bench_config.warmup - 1] = ns;
		WRITE_ONCE(lat_acked, event);
		wake_up(&lat_ack_wq);
	}
	return 0;
}

int bench_latency(void)
{
	struct task_struct *waker, *waiter;
	int ret, waker_ret, waiter_ret;

	waiter = bench_spawn(lat_waiter, NULL, bench_cpu(1), "bench-c-waiter");
	if (IS_ERR(waiter))
		return PTR_ERR(waiter);
	waker = bench_spawn(lat_waker, NULL, bench_cpu(0), "bench-c-waker");
	if (IS_ERR(waker)) {
		bench_stop(waiter);
		return PTR_ERR(waker);
	}
	ret = bench_wait_finished();
	waker_ret = bench_stop(waker);
	waiter_ret = bench_stop(waiter);
	ret = ret ?: waker_ret ?: waiter_ret;
	if (!ret) {
		pr_info("latency n=%u\n", bench_config.rounds);
		bench_print_samples(lat_samples, bench_config.rounds);
	}
	return ret;
}
