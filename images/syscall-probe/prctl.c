/* prctl options, one line each. Every setting applies to this process only. */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "probe.h"

static void probe_names_and_timers(void)
{
	char name[16];

	PROBE("prctl(PR_SET_NAME)", "name=syscall-probe", RET_VALUE, prctl(PR_SET_NAME, "syscall-probe", 0, 0, 0));
	PROBE("prctl(PR_GET_NAME)", "16-byte buffer", RET_VALUE, prctl(PR_GET_NAME, name, 0, 0, 0));
	PROBE("prctl(PR_SET_TIMERSLACK)", "slack=50000 ns", RET_VALUE, prctl(PR_SET_TIMERSLACK, 50000, 0, 0, 0));
	PROBE("prctl(PR_GET_TIMERSLACK)", "after PR_SET_TIMERSLACK 50000", RET_VALUE, prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	PROBE("prctl(PR_GET_TIMING)", "", RET_VALUE, prctl(PR_GET_TIMING, 0, 0, 0, 0));
}

static void probe_process_settings(void)
{
	int value = 0;
	void *address = NULL;

	PROBE("prctl(PR_SET_CHILD_SUBREAPER)", "value=1", RET_VALUE, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	PROBE("prctl(PR_GET_CHILD_SUBREAPER)", "int pointer", RET_VALUE, prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0));
	PROBE("prctl(PR_SET_PDEATHSIG)", "signal 0 (none)", RET_VALUE, prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0));
	PROBE("prctl(PR_GET_PDEATHSIG)", "int pointer", RET_VALUE, prctl(PR_GET_PDEATHSIG, &value, 0, 0, 0));
	PROBE("prctl(PR_GET_DUMPABLE)", "", RET_VALUE, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	PROBE("prctl(PR_SET_THP_DISABLE)", "value=1", RET_VALUE, prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	PROBE("prctl(PR_GET_THP_DISABLE)", "after PR_SET_THP_DISABLE 1", RET_VALUE, prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	PROBE("prctl(PR_MCE_KILL_GET)", "", RET_VALUE, prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	PROBE("prctl(PR_GET_TID_ADDRESS)", "pointer to a pointer", RET_VALUE, prctl(PR_GET_TID_ADDRESS, &address, 0, 0, 0));
	PROBE("prctl(PR_GET_IO_FLUSHER)", "", RET_VALUE, prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0));
	PROBE("prctl(PR_GET_TAGGED_ADDR_CTRL)", "", RET_VALUE, prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));

	unsigned long cookie = 0;
	PROBE("prctl(PR_SCHED_CORE,PR_SCHED_CORE_GET)", "own thread", RET_VALUE,
	      prctl(PR_SCHED_CORE, PR_SCHED_CORE_GET, 0, PR_SCHED_CORE_SCOPE_THREAD, &cookie));
}

static void probe_capability_queries(void)
{
	PROBE("prctl(PR_GET_SECUREBITS)", "", RET_VALUE, prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	PROBE("prctl(PR_GET_KEEPCAPS)", "", RET_VALUE, prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	PROBE("prctl(PR_CAPBSET_READ,CAP_CHOWN)", "", RET_VALUE, prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0));
	PROBE("prctl(PR_CAPBSET_READ,CAP_SYS_ADMIN)", "", RET_VALUE, prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0));
	PROBE("prctl(PR_CAP_AMBIENT,PR_CAP_AMBIENT_IS_SET)", "CAP_CHOWN", RET_VALUE,
	      prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0));
}

static void probe_speculation_controls(void)
{
	PROBE("prctl(PR_GET_SPECULATION_CTRL,PR_SPEC_STORE_BYPASS)", "", RET_VALUE,
	      prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS, 0, 0, 0));
	PROBE("prctl(PR_GET_SPECULATION_CTRL,PR_SPEC_INDIRECT_BRANCH)", "", RET_VALUE,
	      prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH, 0, 0, 0));
	PROBE("prctl(PR_GET_SPECULATION_CTRL,PR_SPEC_L1D_FLUSH)", "", RET_VALUE,
	      prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_L1D_FLUSH, 0, 0, 0));
}

static void probe_memory_map_settings(void)
{
	unsigned int map_size = 0;
	PROBE("prctl(PR_SET_MM,PR_SET_MM_MAP_SIZE)", "query the size of struct prctl_mm_map", RET_VALUE,
	      prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &map_size, 0, 0));
	/* Needs CAP_SYS_RESOURCE. With it, fd -1 fails with EBADF and nothing changes. */
	PROBE("prctl(PR_SET_MM,PR_SET_MM_EXE_FILE)", "fd=-1", RET_VALUE, prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, -1, 0, 0));

	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		die("failed to map anonymous memory");
	PROBE("prctl(PR_SET_VMA,PR_SET_VMA_ANON_NAME)", "1 page, name=probe", RET_VALUE,
	      prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, page, 4096, "probe"));
	munmap(page, 4096);
}

void probe_prctl(void)
{
	probe_names_and_timers();
	probe_process_settings();
	probe_capability_queries();
	probe_speculation_controls();
	probe_memory_map_settings();

	/*
	 * no_new_privs cannot be cleared again. It changes only execve and the installing of
	 * seccomp filters, and no later call of the probe makes either.
	 */
	PROBE("prctl(PR_SET_NO_NEW_PRIVS)", "value=1", RET_VALUE, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	PROBE("prctl(PR_GET_NO_NEW_PRIVS)", "after PR_SET_NO_NEW_PRIVS 1", RET_VALUE, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}
