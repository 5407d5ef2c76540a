// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of the kwait crate.
 *
 * Much of the wait-queue, spinlock and scheduler API is inline functions and
 * macros, which Rust cannot call. The kernel's own Rust support gives such
 * functions a symbol in rust/helpers; these are the few kwait needs that the
 * kernel's helpers do not have on every version it supports. Each is the C
 * function or macro it is named after and nothing more, so it means exactly
 * what it means in C on every kernel configuration (spin_lock_irq() is a plain
 * function on some, inline on others, a macro without SMP).
 *
 * This object is linked into every module, as the crate is; the functions are
 * not exported, so each module has its own copies.
 */

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

/* Called from Rust only (src/sys.rs declares them there). */
void kwait_spin_lock(spinlock_t *lock);
void kwait_spin_unlock(spinlock_t *lock);
void kwait_spin_lock_irq(spinlock_t *lock);
void kwait_spin_unlock_irq(spinlock_t *lock);
unsigned long kwait_local_irq_save(void);
void kwait_local_irq_restore(unsigned long flags);
void kwait_might_sleep(const char *file, int line);
void kwait_might_resched(void);
void kwait_finish_wait_locked(struct wait_queue_head *wq_head,
			      struct wait_queue_entry *wq_entry);
void __noreturn kwait_thread_exit(long code);
unsigned long kwait_wait_thread_exit(unsigned long timeout);
bool kwait_cpu_online(unsigned int cpu);
unsigned int kwait_current_cpu(void);

void kwait_spin_lock(spinlock_t *lock)
{
	spin_lock(lock);
}

void kwait_spin_unlock(spinlock_t *lock)
{
	spin_unlock(lock);
}

/* spin_lock_irq() assumes interrupts are on, and spin_unlock_irq() turns them on. */
void kwait_spin_lock_irq(spinlock_t *lock)
{
	lockdep_assert_irqs_enabled();
	spin_lock_irq(lock);
}

void kwait_spin_unlock_irq(spinlock_t *lock)
{
	spin_unlock_irq(lock);
}

unsigned long kwait_local_irq_save(void)
{
	unsigned long flags;

	local_irq_save(flags);
	return flags;
}

void kwait_local_irq_restore(unsigned long flags)
{
	local_irq_restore(flags);
}

/*
 * might_sleep(), reporting the Rust caller's file and line. Without
 * CONFIG_DEBUG_ATOMIC_SLEEP, Rust calls kwait_might_resched() instead, and
 * only where might_resched() is not empty.
 */
void kwait_might_sleep(const char *file, int line)
{
#ifdef CONFIG_DEBUG_ATOMIC_SLEEP
	__might_sleep(file, line);
#endif
	might_resched();
}

void kwait_might_resched(void)
{
	might_resched();
}

/*
 * The end of the __wait_event_interruptible_locked() loop, with the queue's
 * lock held: take the entry off the queue and set the task running again.
 */
void kwait_finish_wait_locked(struct wait_queue_head *wq_head,
			      struct wait_queue_entry *wq_entry)
{
	__remove_wait_queue(wq_head, wq_entry);
	__set_current_state(TASK_RUNNING);
}

/*
 * Threads that dropped their own KThread handle end with
 * kwait_thread_exit(); the module's exit counts them out with
 * kwait_wait_thread_exit(). The completion is signalled by
 * kthread_complete_and_exit(), in the kernel's text, so once the waiter sees
 * it the thread runs no code of this module any more.
 */
static DECLARE_COMPLETION(kwait_thread_exited);

void __noreturn kwait_thread_exit(long code)
{
	kthread_complete_and_exit(&kwait_thread_exited, code);
}

/* Returns 0 if no such thread ended within the timeout (in jiffies). */
unsigned long kwait_wait_thread_exit(unsigned long timeout)
{
	return wait_for_completion_timeout(&kwait_thread_exited, timeout);
}

/* Whether cpu names an online CPU, a valid argument for kthread_bind(). */
bool kwait_cpu_online(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_online(cpu);
}

unsigned int kwait_current_cpu(void)
{
	return raw_smp_processor_id();
}
