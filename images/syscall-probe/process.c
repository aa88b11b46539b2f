/* Process calls: scheduling, I/O priority, pidfds, rseq, membarrier, seccomp and landlock queries. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/kcmp.h>
#include <linux/landlock.h>
#include <linux/membarrier.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "probe.h"

static void probe_scheduling(void)
{
	probe_sched_attr();

	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	PROBE("sched_getaffinity", "own thread, glibc cpu_set_t", RET_VALUE, sched_getaffinity(0, sizeof cpus, &cpus));
	PROBE("sched_setaffinity", "own thread, the mask just read", RET_VALUE, sched_setaffinity(0, sizeof cpus, &cpus));

	PROBE("sched_getscheduler", "own thread", RET_VALUE, sched_getscheduler(0));
	PROBE("sched_get_priority_max(SCHED_FIFO)", "", RET_VALUE, sched_get_priority_max(SCHED_FIFO));

	unsigned int cpu;
	unsigned int node;
	PROBE("getcpu", "cpu and node, no cache", RET_VALUE, syscall(SYS_getcpu, &cpu, &node, NULL));

	PROBE("ioprio_get(IOPRIO_WHO_PROCESS)", "own process", RET_VALUE, syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	PROBE("ioprio_set(IOPRIO_CLASS_BE)", "own process, level 4", RET_VALUE,
	      syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)));
	PROBE("ioprio_get(after IOPRIO_CLASS_BE)", "own process", RET_VALUE,
	      syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
}

static void probe_pidfd(void)
{
	int pidfd = PROBE("pidfd_open", "own pid, flags=0", RET_ZERO, pidfd_open(getpid(), 0));
	PROBE("pidfd_send_signal", "own pidfd, signal 0", RET_VALUE, pidfd_send_signal(pidfd, 0, NULL, 0));

	int copy = PROBE("pidfd_getfd", "own pidfd, fd 1 (stdout)", RET_ZERO, pidfd_getfd(pidfd, STDOUT_FILENO, 0));
	close_if_open(copy);

	/* process_mrelease applies to a process that is being killed, so a live one is EINVAL. */
	PROBE("process_mrelease", "own pidfd, a live process", RET_VALUE, syscall(SYS_process_mrelease, pidfd, 0));

	static char page[4096] __attribute__((aligned(4096)));
	page[0] = 1;
	struct iovec range = { .iov_base = page, .iov_len = sizeof page };
	PROBE("process_madvise(MADV_COLD)", "own pidfd, 1 page", RET_VALUE,
	      syscall(SYS_process_madvise, pidfd, &range, 1, MADV_COLD, 0));

	close_if_open(pidfd);
}

static void probe_identity_calls(void)
{
	PROBE("personality(query)", "persona=0xffffffff", RET_VALUE, personality(0xffffffff));

	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	PROBE("capget", "own process, version 3", RET_VALUE, syscall(SYS_capget, &header, data));

	struct rlimit limit;
	PROBE("prlimit64(RLIMIT_NOFILE)", "own process, read only", RET_VALUE, prlimit(0, RLIMIT_NOFILE, NULL, &limit));

	/* Joins the namespace this process is already in, which needs CAP_SYS_ADMIN. */
	int namespace_fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	PROBE("setns(CLONE_NEWUTS)", "own UTS namespace", RET_VALUE, setns(namespace_fd, CLONE_NEWUTS));
	close_if_open(namespace_fd);
	PROBE("unshare(0)", "no flags", RET_VALUE, unshare(0));

	int first = dup(STDOUT_FILENO);
	PROBE("kcmp(KCMP_FILE)", "own pid, stdout and a dup() of it", RET_VALUE,
	      syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, STDOUT_FILENO, first));
	PROBE("kcmp(KCMP_VM)", "own pid twice", RET_VALUE, syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0));
	close_if_open(first);
}

static void probe_kernel_features(void)
{
	/*
	 * glibc 2.35 and later register an rseq area for each thread at start. Registering the
	 * same area again returns EBUSY. A 0 means glibc's registration had failed, and ENOSYS
	 * means that the kernel has no rseq.
	 */
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	PROBE("rseq(register glibc area again)", "glibc's area, len=32, flags=0, sig=RSEQ_SIG", RET_VALUE,
	      syscall(SYS_rseq, area, 32, 0, RSEQ_SIG));

	PROBE("membarrier(MEMBARRIER_CMD_QUERY)", "flags=0", RET_VALUE,
	      syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0));
	PROBE("membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)", "flags=0", RET_VALUE,
	      syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
	PROBE("membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)", "flags=0", RET_VALUE,
	      syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));

	static const struct {
		const char *call;
		unsigned int action;
	} actions[] = {
		{ "seccomp(SECCOMP_GET_ACTION_AVAIL,SECCOMP_RET_KILL_PROCESS)", SECCOMP_RET_KILL_PROCESS },
		{ "seccomp(SECCOMP_GET_ACTION_AVAIL,SECCOMP_RET_ERRNO)", SECCOMP_RET_ERRNO },
		{ "seccomp(SECCOMP_GET_ACTION_AVAIL,SECCOMP_RET_USER_NOTIF)", SECCOMP_RET_USER_NOTIF },
		{ "seccomp(SECCOMP_GET_ACTION_AVAIL,SECCOMP_RET_TRACE)", SECCOMP_RET_TRACE },
		{ "seccomp(SECCOMP_GET_ACTION_AVAIL,SECCOMP_RET_LOG)", SECCOMP_RET_LOG },
	};
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		unsigned int action = actions[i].action;
		PROBE(actions[i].call, "query only", RET_VALUE,
		      syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action));
	}
	struct seccomp_notif_sizes sizes;
	PROBE("seccomp(SECCOMP_GET_NOTIF_SIZES)", "query only", RET_VALUE,
	      syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes));

	PROBE("landlock_create_ruleset(LANDLOCK_CREATE_RULESET_VERSION)", "attr=NULL, size=0; returns the ABI version",
	      RET_VALUE, syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION));
}

void probe_process(void)
{
	probe_scheduling();
	probe_pidfd();
	probe_clone_calls();
	probe_identity_calls();
	probe_kernel_features();
}
