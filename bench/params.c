// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters of the benchmark modules, bench_rust and bench_c.
 *
 * The kernel crate of Linux 6.7 and 6.12 has no module parameters, so both
 * modules take theirs here, in the same C code: each parameter's set callback
 * parses the value and passes it to bench_set_param(), which bench_rust
 * implements in Rust and bench_c in C. The callbacks run while the module is
 * being loaded, before its init function. The parameters are not in sysfs: a
 * run is configured once, at insmod.
 *
 *   scenario=pingpong|latency|exclusive   variant=wei|weit|weil|weili|weieli
 *   placement=same|split   rounds=N   warmup=N   waiters=N
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "params.h"

/* A parameter: which one, and for named values, their names. */
struct bench_param_desc {
	enum bench_param param;
	const char *const *names;
	unsigned int count;
};

static const char *const scenario_names[] = { "pingpong", "latency", "exclusive" };
static const char *const variant_names[] = { "wei", "weit", "weil", "weili", "weieli" };
static const char *const placement_names[] = { "same", "split" };

static int bench_param_set(const char *val, const struct kernel_param *kp)
{
	const struct bench_param_desc *desc = kp->arg;
	unsigned int value;
	int ret;

	if (desc->names) {
		ret = __sysfs_match_string(desc->names, desc->count, val);
		if (ret < 0)
			return ret;
		value = ret;
	} else {
		ret = kstrtouint(val, 0, &value);
		if (ret)
			return ret;
	}
	return bench_set_param(desc->param, value);
}

static const struct kernel_param_ops bench_param_ops = {
	.set = bench_param_set,
};

#define BENCH_NAMED(name, id, table)						\
	static const struct bench_param_desc name##_desc = {			\
		.param = id, .names = table, .count = ARRAY_SIZE(table),	\
	};									\
	module_param_cb(name, &bench_param_ops, (void *)&name##_desc, 0)

#define BENCH_NUMBER(name, id)							\
	static const struct bench_param_desc name##_desc = { .param = id };	\
	module_param_cb(name, &bench_param_ops, (void *)&name##_desc, 0)

BENCH_NAMED(scenario, BENCH_PARAM_SCENARIO, scenario_names);
MODULE_PARM_DESC(scenario, "pingpong, latency or exclusive");
BENCH_NAMED(variant, BENCH_PARAM_VARIANT, variant_names);
MODULE_PARM_DESC(variant, "the wait: wei, weit, weil, weili or weieli");
BENCH_NAMED(placement, BENCH_PARAM_PLACEMENT, placement_names);
MODULE_PARM_DESC(placement, "same: all threads on CPU 1; split: wakers on CPU 0, waiters on CPU 1");
BENCH_NUMBER(rounds, BENCH_PARAM_ROUNDS);
MODULE_PARM_DESC(rounds, "measured round trips, wake-ups or events");
BENCH_NUMBER(warmup, BENCH_PARAM_WARMUP);
MODULE_PARM_DESC(warmup, "rounds run first and not measured");
BENCH_NUMBER(waiters, BENCH_PARAM_WAITERS);
MODULE_PARM_DESC(waiters, "waiters on the queue (exclusive scenario)");
