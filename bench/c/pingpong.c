// SPDX-License-Identifier: GPL-2.0
/*
 * Ping-pong: two kthreads hand a turn back and forth through one wait queue.
 *
 * Each side loops: wait until it is its turn, give the turn to the other side
 * and wake the queue. Ping (side 0) has the first turn, and reads the clock
 * when its wait returns in round `warmup` and every PP_BATCH rounds after,
 * to round `warmup + rounds`: each round between is one round trip. The
 * batches' times let the host see, and set aside, batches that the emulator
 * lost to its own host's scheduler.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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

static DECLARE_WAIT_QUEUE_HEAD(pp_wq);
/*
 * Whose turn it is: 0 ping, 1 pong. The _locked waits read and write it under
 * pp_wq.lock; the others with READ_ONCE() and WRITE_ONCE().
 */
static unsigned int pp_turn;
static unsigned int pp_first, pp_last;
static u64 pp_stamps[BENCH_MAX_SAMPLES + 1];
static u32 pp_batches[BENCH_MAX_SAMPLES];

/* Called by each side when its wait of round `r` returned. */
static void pp_round(unsigned int me, unsigned int r)
{
	if (me || r < pp_first)
		return;
	r -= pp_first;
	if (r % PP_BATCH == 0)
		pp_stamps[r / PP_BATCH] = ktime_get_ns();
}

static int pp_wei(unsigned int me)
{
	unsigned int r, last = pp_last;

	for (r = 0; r <= last; r++) {
		if (wait_event_interruptible(pp_wq, READ_ONCE(pp_turn) == me))
			return -EINTR;
		pp_round(me, r);
		WRITE_ONCE(pp_turn, me ^ 1);
		wake_up(&pp_wq);
	}
	return 0;
}

static int pp_weit(unsigned int me)
{
	long timeout = msecs_to_jiffies(BENCH_TIMEOUT_MS);
	unsigned int r, last = pp_last;
	long left;

	for (r = 0; r <= last; r++) {
		left = wait_event_interruptible_timeout(pp_wq, READ_ONCE(pp_turn) == me, timeout);
		if (left < 0)
			return -EINTR;
		if (!left)
			return -ETIMEDOUT;
		pp_round(me, r);
		WRITE_ONCE(pp_turn, me ^ 1);
		wake_up(&pp_wq);
	}
	return 0;
}

static int pp_weil(unsigned int me)
{
	unsigned int r, last = pp_last;

	for (r = 0; r <= last; r++) {
		spin_lock(&pp_wq.lock);
		if (wait_event_interruptible_locked(pp_wq, pp_turn == me)) {
			spin_unlock(&pp_wq.lock);
			return -EINTR;
		}
		pp_round(me, r);
		pp_turn = me ^ 1;
		wake_up_locked(&pp_wq);
		spin_unlock(&pp_wq.lock);
	}
	return 0;
}

static int pp_weili(unsigned int me)
{
	unsigned int r, last = pp_last;

	for (r = 0; r <= last; r++) {
		spin_lock_irq(&pp_wq.lock);
		if (wait_event_interruptible_locked_irq(pp_wq, pp_turn == me)) {
			spin_unlock_irq(&pp_wq.lock);
			return -EINTR;
		}
		pp_round(me, r);
		pp_turn = me ^ 1;
		wake_up_locked(&pp_wq);
		spin_unlock_irq(&pp_wq.lock);
	}
	return 0;
}

static int pp_weieli(unsigned int me)
{
	unsigned int r, last = pp_last;

	for (r = 0; r <= last; r++) {
		spin_lock_irq(&pp_wq.lock);
		if (wait_event_interruptible_exclusive_locked_irq(pp_wq, pp_turn == me)) {
			spin_unlock_irq(&pp_wq.lock);
			return -EINTR;
		}
		pp_round(me, r);
		pp_turn = me ^ 1;
		wake_up_locked(&pp_wq);
		spin_unlock_irq(&pp_wq.lock);
	}
	return 0;
}

/*
 * The layers experiment (layers=1): the _locked waits with kwait's calls, in
 * C. kwait takes and drops the queue's lock through functions of its own that
 * call spin_lock() and friends, starts a _locked wait with init_wait_entry()
 * where the C macro initialises the entry inline (DEFINE_WAIT), and ends it
 * in a function of its own where the macro is inline: four calls per hand-off
 * that the C macros do not make. If Rust and C differ for the _locked waits,
 * this C should cost what Rust does.
 */
static noinline void layers_spin_lock(spinlock_t *lock)
{
	spin_lock(lock);
}

static noinline void layers_spin_unlock(spinlock_t *lock)
{
	spin_unlock(lock);
}

static noinline void layers_spin_lock_irq(spinlock_t *lock)
{
	spin_lock_irq(lock);
}

static noinline void layers_spin_unlock_irq(spinlock_t *lock)
{
	spin_unlock_irq(lock);
}

static noinline void layers_finish(struct wait_queue_head *wq, struct wait_queue_entry *wait)
{
	__remove_wait_queue(wq, wait);
	__set_current_state(TASK_RUNNING);
}

/* __wait_event_interruptible_locked(), as kwait's wait_locked() makes it. */
static int layers_wait(unsigned int me, int flags, bool irq)
{
	struct wait_queue_entry wait;
	int ret;

	if (pp_turn == me)
		return 0;
	init_wait_entry(&wait, flags);
	do {
		ret = irq ? do_wait_intr_irq(&pp_wq, &wait) : do_wait_intr(&pp_wq, &wait);
		if (ret)
			break;
	} while (pp_turn != me);
	layers_finish(&pp_wq, &wait);
	return ret;
}

static int pp_layers(unsigned int me)
{
	bool irq = bench_config.variant != BENCH_WEIL;
	int flags = bench_config.variant == BENCH_WEIELI ? WQ_FLAG_EXCLUSIVE : 0;
	unsigned int r, last = pp_last;
	int ret;

	for (r = 0; r <= last; r++) {
		if (irq)
			layers_spin_lock_irq(&pp_wq.lock);
		else
			layers_spin_lock(&pp_wq.lock);
		ret = layers_wait(me, flags, irq);
		if (!ret) {
			pp_round(me, r);
			pp_turn = me ^ 1;
			wake_up_locked(&pp_wq);
		}
		if (irq)
			layers_spin_unlock_irq(&pp_wq.lock);
		else
			layers_spin_unlock(&pp_wq.lock);
		if (ret)
			return -EINTR;
	}
	return 0;
}

static int pp_thread(void *data)
{
	unsigned int me = (uintptr_t)data;
	int ret;

	bench_note_cpu(me);
	if (bench_config.layers && bench_config.variant >= BENCH_WEIL) {
		ret = pp_layers(me);
		goto out;
	}
	switch (bench_config.variant) {
	case BENCH_WEI:
		ret = pp_wei(me);
		break;
	case BENCH_WEIT:
		ret = pp_weit(me);
		break;
	case BENCH_WEIL:
		ret = pp_weil(me);
		break;
	case BENCH_WEILI:
		ret = pp_weili(me);
		break;
	default:
		ret = pp_weieli(me);
		break;
	}
out:
	bench_finished();
	return ret;
}

int bench_pingpong(void)
{
	struct task_struct *ping, *pong;
	int ret, ping_ret, pong_ret;
	unsigned int i, batches;

	pp_turn = 0;
	pp_first = bench_config.warmup;
	pp_last = bench_config.warmup + bench_config.rounds;
	pong = bench_spawn(pp_thread, (void *)1UL, bench_cpu(1), "bench-c-pong");
	if (IS_ERR(pong))
		return PTR_ERR(pong);
	ping = bench_spawn(pp_thread, (void *)0UL, bench_cpu(0), "bench-c-ping");
	if (IS_ERR(ping)) {
		bench_stop(pong);
		return PTR_ERR(ping);
	}
	ret = bench_wait_finished();
	ping_ret = bench_stop(ping);
	pong_ret = bench_stop(pong);
	ret = ret ?: ping_ret ?: pong_ret;
	if (ret)
		return ret;
	batches = bench_config.rounds / PP_BATCH;
	for (i = 0; i < batches; i++)
		pp_batches[i] = min_t(u64, pp_stamps[i + 1] - pp_stamps[i], U32_MAX);
	pr_info("pingpong ns=%llu rounds=%u batch=%u\n", pp_stamps[batches] - pp_stamps[0],
		bench_config.rounds, PP_BATCH);
	bench_print_samples(pp_batches, batches);
	return 0;
}
