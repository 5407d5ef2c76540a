/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C twin of the Rust benchmark module: what its files share.
 *
 * bench_c runs one benchmark per insmod, as its parameters say, in kthreads,
 * and prints the result to the kernel log; bench_rust (../rust/) does the
 * same with kwait, line for line. Every wait, wake-up, loop and condition
 * here has its counterpart there. Both take the same parameters, numbers:
 *
 *   scenario=0|1|2   pingpong, latency, exclusive
 *   variant=0..4     wei, weit, weil, weili, weieli (enum bench_variant)
 *   placement=0|1    same: all threads on CPU 1; split: wakers on CPU 0,
 *                    waiters on CPU 1
 *   rounds=N warmup=N waiters=N
 *
 * bench_c also takes layers=1: the ping-pong of the _locked waits with
 * kwait's calls (pingpong.c), an experiment.
 */
#ifndef KWAIT_BENCH_C_H
#define KWAIT_BENCH_C_H

#include <linux/sched.h>
#include <linux/types.h>

enum bench_scenario {
	BENCH_PINGPONG,
	BENCH_LATENCY,
	BENCH_EXCLUSIVE,
};

/* The five interruptible waits. */
enum bench_variant {
	BENCH_WEI,	/* wait_event_interruptible */
	BENCH_WEIT,	/* wait_event_interruptible_timeout */
	BENCH_WEIL,	/* wait_event_interruptible_locked */
	BENCH_WEILI,	/* wait_event_interruptible_locked_irq */
	BENCH_WEIELI,	/* wait_event_interruptible_exclusive_locked_irq */
};

enum bench_placement {
	BENCH_SAME,
	BENCH_SPLIT,
};

/* Limits of the parameters. */
#define BENCH_MAX_SAMPLES	4096	/* latency samples kept per run */
#define BENCH_MAX_WAITERS	16
/* Ping-pong round trips per reading of the clock. */
#define PP_BATCH		100

/* The timeout of the _timeout waits, long enough never to expire. */
#define BENCH_TIMEOUT_MS	10000

/* The run this insmod does: the module parameters, checked by init. */
struct bench_config {
	unsigned int scenario;
	unsigned int variant;
	unsigned int placement;
	unsigned int rounds;
	unsigned int warmup;
	unsigned int waiters;
	bool layers;
};

extern struct bench_config bench_config;

/* The CPU of the waking side (side 0) or the waiting side (side 1). */
unsigned int bench_cpu(unsigned int side);

/* kthread_run() on one CPU, holding a reference to the task; bench_stop() ends both. */
struct task_struct *bench_spawn(int (*fn)(void *), void *data, unsigned int cpu,
				const char *name);
int bench_stop(struct task_struct *task);

/*
 * A thread of the run is done: it finished its work, or failed. The runner
 * waits for the first such thread (bench_wait_finished(), -EINTR if it is
 * stopped first), then stops them all.
 */
void bench_finished(void);
int bench_wait_finished(void);

/* Records that the calling thread runs on the side's CPU, for the report. */
void bench_note_cpu(unsigned int side);

/* The scenarios; each returns 0 or a negative errno, and prints its result. */
int bench_pingpong(void);
int bench_latency(void);
int bench_exclusive(void);
/* Stops the threads the exclusive scenario keeps until the module unloads. */
void bench_exclusive_stop(void);

/* Prints samples (latencies, batch times), eight to a line. */
void bench_print_samples(const u32 *samples, unsigned int count);

#endif /* KWAIT_BENCH_C_H */
