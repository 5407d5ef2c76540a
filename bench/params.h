/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark modules' parameters (params.c), shared by the Rust module
 * (bench_rust) and its C twin (bench_c), which each implement
 * bench_set_param() in their own language.
 */
#ifndef KWAIT_BENCH_PARAMS_H
#define KWAIT_BENCH_PARAMS_H

/* Which parameter bench_set_param() is given. */
enum bench_param {
	BENCH_PARAM_SCENARIO,
	BENCH_PARAM_VARIANT,
	BENCH_PARAM_PLACEMENT,
	BENCH_PARAM_ROUNDS,
	BENCH_PARAM_WARMUP,
	BENCH_PARAM_WAITERS,
};

/* Values of BENCH_PARAM_SCENARIO, in the order of their names in params.c. */
enum bench_scenario {
	BENCH_PINGPONG,
	BENCH_LATENCY,
	BENCH_EXCLUSIVE,
};

/* Values of BENCH_PARAM_VARIANT: the five interruptible waits. */
enum bench_variant {
	BENCH_WEI,	/* wait_event_interruptible */
	BENCH_WEIT,	/* wait_event_interruptible_timeout */
	BENCH_WEIL,	/* wait_event_interruptible_locked */
	BENCH_WEILI,	/* wait_event_interruptible_locked_irq */
	BENCH_WEIELI,	/* wait_event_interruptible_exclusive_locked_irq */
};

/* Values of BENCH_PARAM_PLACEMENT. */
enum bench_placement {
	BENCH_SAME,	/* every thread on CPU 1 */
	BENCH_SPLIT,	/* the waking side on CPU 0, the waiting side on CPU 1 */
};

/*
 * Stores one parameter; called while the module loads, before its init.
 * Returns 0, or -EINVAL for a value out of range.
 */
int bench_set_param(unsigned int param, unsigned int value);

#endif /* KWAIT_BENCH_PARAMS_H */
