/*
 * clone3 and sched_setattr, in a file of their own: struct clone_args and the
 * SCHED_FLAG_ macros come from <linux/sched.h>, whose CLONE_ and SCHED_ macros clash
 * with glibc's <sched.h>. glibc 2.36 has no wrapper for either call.
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

/*
 * Calls clone3 with flags. The child exits at once with status 0, and the parent reaps it.
 * Without CLONE_VM the child runs on a copy of the parent's memory. It makes one more
 * system call, exit, and touches nothing else, so stdout's buffer is not written twice.
 */
static void probe_clone3(const char *call, const char *args, uint64_t flags)
{
	int pidfd = -1;
	struct clone_args clone_args = {
		.flags = flags,
		.exit_signal = SIGCHLD,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
	};

	fflush(stdout);
	current_call = call;
	errno = 0;
	long pid = syscall(SYS_clone3, &clone_args, sizeof clone_args);
	if (pid == 0)
		syscall(SYS_exit, 0);
	int err = errno;

	report(call, args, pid, err, RET_ZERO);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	close_if_open(pidfd);
}

void probe_sched_attr(void)
{
	struct sched_attr attributes = { 0 };
	PROBE("sched_getattr", "own thread, size=sizeof(struct sched_attr)", RET_VALUE,
	      syscall(SYS_sched_getattr, 0, &attributes, sizeof attributes, 0));

	struct sched_attr normal = { .size = sizeof normal, .sched_policy = SCHED_NORMAL, .sched_nice = 0 };
	PROBE("sched_setattr(SCHED_NORMAL)", "own thread, nice=0", RET_VALUE, syscall(SYS_sched_setattr, 0, &normal, 0));

	/* A minimum utilization clamp of 0 is the default, so the call changes nothing. */
	struct sched_attr clamped = {
		.size = sizeof clamped,
		.sched_policy = SCHED_NORMAL,
		.sched_flags = SCHED_FLAG_KEEP_ALL | SCHED_FLAG_UTIL_CLAMP_MIN,
		.sched_util_min = 0,
	};
	PROBE("sched_setattr(SCHED_FLAG_UTIL_CLAMP_MIN)", "own thread, util_min=0", RET_VALUE,
	      syscall(SYS_sched_setattr, 0, &clamped, 0));
}

void probe_clone_calls(void)
{
	probe_clone3("clone3(0)", "exit_signal=SIGCHLD, child exits at once", 0);
	probe_clone3("clone3(CLONE_PIDFD)", "exit_signal=SIGCHLD, child exits at once", CLONE_PIDFD);
	probe_clone3("clone3(CLONE_CLEAR_SIGHAND)", "exit_signal=SIGCHLD, child exits at once", CLONE_CLEAR_SIGHAND);
}
