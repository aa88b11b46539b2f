/* Kernel interfaces: random bytes, clock queries, the kernel log, keys, perf, BPF, userfaultfd. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/*
 * The command number of syslog(2) that returns the size of the kernel log buffer, from the
 * syslog(2) manual page. No header in the build image names the commands.
 */
#define SYSLOG_ACTION_SIZE_BUFFER 10

static void probe_random_and_clocks(void)
{
	char bytes[16];

	PROBE("getrandom(GRND_NONBLOCK)", "16 bytes", RET_VALUE, getrandom(bytes, sizeof bytes, GRND_NONBLOCK));
	PROBE("getrandom(GRND_INSECURE)", "16 bytes", RET_VALUE, getrandom(bytes, sizeof bytes, GRND_INSECURE));
	PROBE("getrandom(GRND_RANDOM|GRND_NONBLOCK)", "16 bytes", RET_VALUE,
	      getrandom(bytes, sizeof bytes, GRND_RANDOM | GRND_NONBLOCK));

	/* With modes=0 these only read. The clock state they return depends on the host's NTP sync. */
	struct timex query = { .modes = 0 };
	PROBE("adjtimex(query)", "modes=0", RET_ZERO, adjtimex(&query));
	memset(&query, 0, sizeof query);
	PROBE("clock_adjtime(CLOCK_REALTIME)", "modes=0", RET_ZERO, clock_adjtime(CLOCK_REALTIME, &query));
	memset(&query, 0, sizeof query);
	PROBE("clock_adjtime(CLOCK_MONOTONIC)", "modes=0", RET_ZERO, clock_adjtime(CLOCK_MONOTONIC, &query));

	struct timespec resolution;
	PROBE("clock_getres(CLOCK_MONOTONIC_RAW)", "", RET_VALUE, clock_getres(CLOCK_MONOTONIC_RAW, &resolution));
	PROBE("clock_getres(CLOCK_TAI)", "", RET_VALUE, clock_getres(CLOCK_TAI, &resolution));

	PROBE("syslog(SYSLOG_ACTION_SIZE_BUFFER)", "returns the kernel log buffer size", RET_VALUE,
	      klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0));
}

/* Keys go to the process keyring, which the kernel drops when the process exits. */
static void probe_keys(void)
{
	PROBE("keyctl(KEYCTL_GET_KEYRING_ID)", "KEY_SPEC_SESSION_KEYRING, create=0", RET_ZERO,
	      syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));

	long key = PROBE("add_key", "type=user, description=syscall-probe, 1-byte payload, process keyring", RET_ZERO,
			 syscall(SYS_add_key, "user", "syscall-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
	char payload[16];
	PROBE("keyctl(KEYCTL_READ)", "the new key, 16-byte buffer", RET_VALUE,
	      syscall(SYS_keyctl, KEYCTL_READ, key, payload, sizeof payload));
	PROBE("keyctl(KEYCTL_REVOKE)", "the new key", RET_VALUE, syscall(SYS_keyctl, KEYCTL_REVOKE, key));
}

static void probe_perf(void)
{
	struct perf_event_attr software = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof software,
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd = PROBE("perf_event_open(PERF_COUNT_SW_TASK_CLOCK)", "own process, any cpu, user space only", RET_ZERO,
		       syscall(SYS_perf_event_open, &software, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
	close_if_open(fd);

	struct perf_event_attr hardware = software;
	hardware.type = PERF_TYPE_HARDWARE;
	hardware.config = PERF_COUNT_HW_INSTRUCTIONS;
	fd = PROBE("perf_event_open(PERF_COUNT_HW_INSTRUCTIONS)", "own process, any cpu, user space only", RET_ZERO,
		   syscall(SYS_perf_event_open, &hardware, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
	close_if_open(fd);
}

static void probe_bpf(void)
{
	union bpf_attr map;
	memset(&map, 0, sizeof map);
	map.map_type = BPF_MAP_TYPE_ARRAY;
	map.key_size = 4;
	map.value_size = 4;
	map.max_entries = 1;
	int fd = PROBE("bpf(BPF_MAP_CREATE)", "array, key_size=4, value_size=4, max_entries=1", RET_ZERO,
		       syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof map));
	close_if_open(fd);

	/* A program with no instructions: the verifier rejects it, if the call gets that far. */
	static const char license[] = "GPL";
	union bpf_attr program;
	memset(&program, 0, sizeof program);
	program.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	program.insn_cnt = 0;
	program.insns = 0;
	program.license = (__u64)(unsigned long)license;
	fd = PROBE("bpf(BPF_PROG_LOAD)", "socket filter with no instructions", RET_ZERO,
		   syscall(SYS_bpf, BPF_PROG_LOAD, &program, sizeof program));
	close_if_open(fd);
}

static void probe_userfaultfd(void)
{
	int fd = PROBE("userfaultfd(0)", "flags=O_CLOEXEC|O_NONBLOCK", RET_ZERO,
		       syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
	close_if_open(fd);

	fd = PROBE("userfaultfd(UFFD_USER_MODE_ONLY)", "flags=UFFD_USER_MODE_ONLY|O_CLOEXEC|O_NONBLOCK", RET_ZERO,
		   syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY | O_CLOEXEC | O_NONBLOCK));
	close_if_open(fd);
}

void probe_kernel_interfaces(void)
{
	probe_random_and_clocks();
	probe_keys();
	probe_perf();
	probe_bpf();
	probe_userfaultfd();
}
