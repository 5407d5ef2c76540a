// SPDX-License-Identifier: GPL-2.0
/*
 * bench_c: the C twin of bench_rust, written with the C wait-queue and
 * kthread macros.
 *
 * One insmod runs one benchmark, chosen by the module parameters (bench.h):
 * init starts a runner kthread and returns; the runner starts
 * the benchmark's threads, bound to their CPUs, waits until they are done and
 * prints the result, then "done STATUS". It keeps what it started until
 * rmmod, so that user space can read the threads' context-switch counts in
 * /proc first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched/task.h>
#include <linux/smp.h>
#include <linux/wait.h>

#include "bench.h"

struct bench_config bench_config = {
	.scenario = BENCH_PINGPONG,
	.variant = BENCH_WEI,
	.placement = BENCH_SAME,
	.rounds = 10000,
	.warmup = 1000,
	.waiters = 4,
};

/* Upper bound of rounds and warmup, so that their sum never overflows. */
#define BENCH_MAX_ROUNDS	100000000

module_param_named(scenario, bench_config.scenario, uint, 0444);
MODULE_PARM_DESC(scenario, "0 pingpong, 1 latency, 2 exclusive");
module_param_named(variant, bench_config.variant, uint, 0444);
MODULE_PARM_DESC(variant, "the wait: 0 wei, 1 weit, 2 weil, 3 weili, 4 weieli");
module_param_named(placement, bench_config.placement, uint, 0444);
MODULE_PARM_DESC(placement, "0: all threads on CPU 1; 1: wakers on CPU 0, waiters on CPU 1");
module_param_named(rounds, bench_config.rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "measured round trips, wake-ups or events");
module_param_named(warmup, bench_config.warmup, uint, 0444);
MODULE_PARM_DESC(warmup, "rounds run first and not measured");
module_param_named(waiters, bench_config.waiters, uint, 0444);
MODULE_PARM_DESC(waiters, "waiters on the queue (exclusive scenario), 1 to 16");
module_param_named(layers, bench_config.layers, bool, 0444);
MODULE_PARM_DESC(layers, "ping-pong of the _locked waits with kwait's calls (an experiment)");

/* Whether the parameters are in range, as bench_rust's declare them. */
static bool bench_config_valid(const struct bench_config *c)
{
	if (c->scenario > BENCH_EXCLUSIVE || c->variant > BENCH_WEIELI ||
	    c->placement > BENCH_SPLIT || !c->rounds || c->rounds > BENCH_MAX_ROUNDS ||
	    c->warmup > BENCH_MAX_ROUNDS || !c->waiters || c->waiters > BENCH_MAX_WAITERS)
		return false;
	if (c->scenario == BENCH_LATENCY && c->rounds > BENCH_MAX_SAMPLES)
		return false;
	if (c->scenario == BENCH_PINGPONG &&
	    (c->rounds % PP_BATCH || c->rounds / PP_BATCH > BENCH_MAX_SAMPLES))
		return false;
	return true;
}

unsigned int bench_cpu(unsigned int side)
{
	return bench_config.placement == BENCH_SPLIT ? side : 1;
}

struct task_struct *bench_spawn(int (*fn)(void *), void *data, unsigned int cpu,
				const char *name)
{
	struct task_struct *task;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return ERR_PTR(-EINVAL);
	task = kthread_create(fn, data, "%s", name);
	if (IS_ERR(task))
		return task;
	kthread_bind(task, cpu);
	/* The thread may return before it is stopped: keep its task. */
	get_task_struct(task);
	wake_up_process(task);
	return task;
}

int bench_stop(struct task_struct *task)
{
	int ret = kthread_stop(task);

	put_task_struct(task);
	return ret;
}

static DECLARE_WAIT_QUEUE_HEAD(finished_wq);
static atomic_t finished = ATOMIC_INIT(0);

void bench_finished(void)
{
	atomic_inc(&finished);
	wake_up(&finished_wq);
}

int bench_wait_finished(void)
{
	if (wait_event_interruptible(finished_wq, atomic_read(&finished) > 0))
		return -EINTR;
	return 0;
}

/* The CPUs each side's threads were seen on, one bit per CPU. */
static atomic_t seen_cpus[2];

void bench_note_cpu(unsigned int side)
{
	atomic_or(BIT(raw_smp_processor_id()), &seen_cpus[side]);
}

void bench_print_samples(const u32 *s, unsigned int count)
{
	unsigned int i = 0;

	for (; i + 8 <= count; i += 8)
		pr_info("samples %u %u %u %u %u %u %u %u\n",
			s[i], s[i + 1], s[i + 2], s[i + 3], s[i + 4], s[i + 5], s[i + 6], s[i + 7]);
	for (; i < count; i++)
		pr_info("samples %u\n", s[i]);
}

static struct task_struct *runner;
/* The runner idles here, after its report, until rmmod stops it. */
static DECLARE_WAIT_QUEUE_HEAD(idle_wq);

static int runner_fn(void *data)
{
	int ret;

	switch (bench_config.scenario) {
	case BENCH_PINGPONG:
		ret = bench_pingpong();
		break;
	case BENCH_LATENCY:
		ret = bench_latency();
		break;
	default:
		ret = bench_exclusive();
		break;
	}
	pr_info("cpus %#x %#x\n", atomic_read(&seen_cpus[0]), atomic_read(&seen_cpus[1]));
	pr_info("done %d\n", ret);
	wait_event_interruptible(idle_wq, kthread_should_stop());
	bench_exclusive_stop();
	return ret;
}

static int __init bench_init(void)
{
	const struct bench_config *c = &bench_config;

	if (!bench_config_valid(c))
		return -EINVAL;
	pr_info("run scenario=%u variant=%u placement=%u rounds=%u warmup=%u waiters=%u\n",
		c->scenario, c->variant, c->placement, c->rounds, c->warmup, c->waiters);
	runner = kthread_run(runner_fn, NULL, "bench-c-runner");
	return PTR_ERR_OR_ZERO(runner);
}

static void __exit bench_exit(void)
{
	kthread_stop(runner);
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kwait developers");
MODULE_DESCRIPTION("C twin of the kwait wait-queue benchmarks");
