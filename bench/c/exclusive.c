// SPDX-License-Identifier: GPL-2.0
/*
 * Exclusive against shared waiting: N waiters on one queue, one event at a
 * time.
 *
 * The producer (side 0) puts one token on the queue and wakes it, then waits
 * until a waiter has taken the token before it puts the next. The waiters
 * (side 1) wait for a token and race to take it; a non-exclusive wake-up wakes
 * them all, an exclusive one only the first. The producer times the measured
 * events; how many waiters each wake-up woke, user space reads from the
 * waiters' voluntary context switches in /proc once "done" is printed: a
 * waiter sleeps once more for every wake-up. The waiters are stopped at rmmod.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "bench.h"

/* How long the producer lets the waiters fall asleep before the first event. */
#define EX_SETTLE_MS	100

/* The waiters sleep here until a token comes. */
static DECLARE_WAIT_QUEUE_HEAD(ex_wq);
/* The producer sleeps here until the token is taken. */
static DECLARE_WAIT_QUEUE_HEAD(ex_taken_wq);
/*
 * Tokens on the queue, 0 or 1: under ex_wq.lock for the _locked waits;
 * otherwise read with READ_ONCE() and taken with cmpxchg().
 */
static unsigned int ex_tokens;
/* Tokens taken so far. */
static atomic_t ex_taken = ATOMIC_INIT(0);
static u64 ex_start, ex_end;
static struct task_struct *ex_waiters[BENCH_MAX_WAITERS];
static unsigned int ex_started;

static void ex_give(void)
{
	switch (bench_config.variant) {
	case BENCH_WEI:
	case BENCH_WEIT:
		WRITE_ONCE(ex_tokens, 1);
		wake_up(&ex_wq);
		break;
	case BENCH_WEIL:
		spin_lock(&ex_wq.lock);
		ex_tokens = 1;
		wake_up_locked(&ex_wq);
		spin_unlock(&ex_wq.lock);
		break;
	default:
		spin_lock_irq(&ex_wq.lock);
		ex_tokens = 1;
		wake_up_locked(&ex_wq);
		spin_unlock_irq(&ex_wq.lock);
		break;
	}
}

static int ex_producer(void *data)
{
	unsigned int event, total = bench_config.warmup + bench_config.rounds;
	int ret = 0;

	bench_note_cpu(0);
	msleep_interruptible(EX_SETTLE_MS);
	for (event = 0; event < total; event++) {
		if (event == bench_config.warmup)
			ex_start = ktime_get_ns();
		ex_give();
		if (wait_event_interruptible(ex_taken_wq, atomic_read(&ex_taken) > event)) {
			ret = -EINTR;
			break;
		}
	}
	ex_end = ktime_get_ns();
	bench_finished();
	return ret;
}

/* Waits for a token: 1 if this waiter took it, 0 if another did, -EINTR if stopped. */
static int ex_take(void)
{
	long timeout = msecs_to_jiffies(BENCH_TIMEOUT_MS);
	long left;

	switch (bench_config.variant) {
	case BENCH_WEI:
		if (wait_event_interruptible(ex_wq, READ_ONCE(ex_tokens) > 0))
			return -EINTR;
		return cmpxchg(&ex_tokens, 1, 0) == 1;
	case BENCH_WEIT:
		left = wait_event_interruptible_timeout(ex_wq, READ_ONCE(ex_tokens) > 0, timeout);
		if (left < 0)
			return -EINTR;
		if (!left)
			return 0;
		return cmpxchg(&ex_tokens, 1, 0) == 1;
	case BENCH_WEIL:
		spin_lock(&ex_wq.lock);
		if (wait_event_interruptible_locked(ex_wq, ex_tokens > 0)) {
			spin_unlock(&ex_wq.lock);
			return -EINTR;
		}
		ex_tokens = 0;
		spin_unlock(&ex_wq.lock);
		return 1;
	case BENCH_WEILI:
		spin_lock_irq(&ex_wq.lock);
		if (wait_event_interruptible_locked_irq(ex_wq, ex_tokens > 0)) {
			spin_unlock_irq(&ex_wq.lock);
			return -EINTR;
		}
		ex_tokens = 0;
		spin_unlock_irq(&ex_wq.lock);
		return 1;
	default:
		spin_lock_irq(&ex_wq.lock);
		if (wait_event_interruptible_exclusive_locked_irq(ex_wq, ex_tokens > 0)) {
			spin_unlock_irq(&ex_wq.lock);
			return -EINTR;
		}
		ex_tokens = 0;
		spin_unlock_irq(&ex_wq.lock);
		return 1;
	}
}

static int ex_waiter(void *data)
{
	int took;

	bench_note_cpu(1);
	while ((took = ex_take()) >= 0) {
		if (took) {
			atomic_inc(&ex_taken);
			wake_up(&ex_taken_wq);
		}
	}
	return 0;
}

void bench_exclusive_stop(void)
{
	while (ex_started)
		bench_stop(ex_waiters[--ex_started]);
}

int bench_exclusive(void)
{
	struct task_struct *producer;
	int ret, producer_ret;

	for (; ex_started < bench_config.waiters; ex_started++) {
		ex_waiters[ex_started] = bench_spawn(ex_waiter, NULL, bench_cpu(1),
						     "bench-c-waiter");
		if (IS_ERR(ex_waiters[ex_started])) {
			ret = PTR_ERR(ex_waiters[ex_started]);
			bench_exclusive_stop();
			return ret;
		}
	}
	producer = bench_spawn(ex_producer, NULL, bench_cpu(0), "bench-c-waker");
	if (IS_ERR(producer))
		return PTR_ERR(producer);
	ret = bench_wait_finished();
	producer_ret = bench_stop(producer);
	ret = ret ?: producer_ret;
	if (!ret)
		pr_info("exclusive ns=%llu events=%u waiters=%u\n", ex_end - ex_start,
			bench_config.rounds, bench_config.waiters);
	return ret;
}
