// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of the unload benchmark, in C: a module that starts no thread.
 * It prints the lines the examples print in their init and exit functions, so
 * that its exit is timed the same way; what its rmmod costs, every module's
 * does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int __init floor_init(void)
{
	pr_info("Inside kthread init function\n");
	return 0;
}

static void __exit floor_exit(void)
{
	pr_info("Inside kthread exit function\n");
	pr_info("destroyed threads and completed tasks\n");
}

module_init(floor_init);
module_exit(floor_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kwait developers");
MODULE_DESCRIPTION("Unload benchmark floor: a C module without threads");
