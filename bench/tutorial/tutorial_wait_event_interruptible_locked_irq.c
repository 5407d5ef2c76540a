// SPDX-License-Identifier: GPL-2.0
/*
 * The C tutorial's example 4, wait_event_interruptible_locked_irq, as published
 * (seed-interruptible-wait-event-apis.txt), for the unload and size
 * benchmarks: the twin the Rust module of the same name replaces. Only what a
 * module needs to build cleanly changed: kernel style, static functions and
 * variables, the functions in the order they are called, and a pr_fmt()
 * prefix, so that the kernel log says which module printed a line.
 *
 * Example 4 uses a counter `i` that its published declarations lack (they
 * declare an unused `wait` entry and `wait_flag` instead): `i` is declared
 * as examples 2, 3 and 5 declare it, and the unused two are left out.
 *
 * Its bugs stay, since they are what is measured: both threads pace with
 * msleep(1000), which kthread_stop() cannot cut short, and the waiter ignores
 * the wait's result.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/wait.h>

static struct task_struct *wait_thread;
static struct task_struct *wake_thread;
static DECLARE_WAIT_QUEUE_HEAD(wqueue);
static int i;

static int wait_thread_fn(void *data)
{
	unsigned long flags;

	while (!kthread_should_stop()) {
		spin_lock_irqsave(&wqueue.lock, flags);
		wait_event_interruptible_locked_irq(wqueue, i > 3);
		pr_info("wait thread execution i value = %d\n", i);
		spin_unlock_irqrestore(&wqueue.lock, flags);
		msleep(1000);
	}
	return 0;
}

static int wake_thread_fn(void *data)
{
	while (!kthread_should_stop()) {
		pr_info("wake thread execution i value = %d\n", i);
		i++;
		wake_up(&wqueue);
		msleep(1000);
	}
	return 0;
}

static void thread_start(void)
{
	pr_info("initialized waitqueue head\n");
	wake_thread = kthread_run(wake_thread_fn, NULL, "wait_event_interruptible_locked_irq wake_thread example");
	if (IS_ERR(wake_thread))
		pr_info("error creating thread\n");
	else
		pr_info("kthread created successfully\n");
	wait_thread = kthread_run(wait_thread_fn, NULL, "wait_event_interruptible_locked_irq wait_thread example");
	if (IS_ERR(wait_thread))
		pr_info("error creating thread\n");
	else
		pr_info("kthread created successfully\n");
}

static void thread_stop(void)
{
	kthread_stop(wake_thread);
	kthread_stop(wait_thread);
	pr_info("destroyed threads and completed tasks\n");
}

static int __init wait_event_interruptible_locked_irq_init(void)
{
	pr_info("Inside kthread init function\n");
	thread_start();
	return 0;
}

static void __exit wait_event_interruptible_locked_irq_exit(void)
{
	pr_info("Inside kthread exit function\n");
	thread_stop();
}

module_init(wait_event_interruptible_locked_irq_init);
module_exit(wait_event_interruptible_locked_irq_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Linux Usr");
MODULE_DESCRIPTION("Example of wait_event_interruptible_locked_irq");
