/* Shared declarations of the syscall probe: the JSON line writer and the probe groups. */
#ifndef SYSCALL_PROBE_H
#define SYSCALL_PROBE_H

#include <errno.h>
#include <stddef.h>

/* The form in which report() prints the return value of a call that succeeded. */
enum ret_format {
	/* The value itself: byte counts, sizes, flags, versions, 0. */
	RET_VALUE,
	/* 0 for any success, for values that change between runs: fds, pids, ids, addresses. */
	RET_ZERO,
};

/*
 * Prints one JSON line for a finished call and returns ret unchanged, so that callers
 * keep the fd or the address. A return value of -1 means that the call failed with err.
 */
long report(const char *call, const char *args, long ret, int err, enum ret_format format);

/* The call that runs now, named in the message when the watchdog alarm fires. */
extern const char *current_call;

/*
 * Runs expr, a system call with -1 as its failure value, and reports it under the key
 * call. Evaluates to the raw return value.
 */
#define PROBE(call, args, format, expr)                                            \
	({                                                                         \
		current_call = (call);                                             \
		errno = 0;                                                         \
		long probe_ret_ = (long)(expr);                                    \
		report((call), (args), probe_ret_, errno, (format));               \
	})

/* Writes the message and errno's text to stderr and exits with status 1. */
void die(const char *message) __attribute__((noreturn));

/* Writes the path of name inside the probe's temporary directory into buffer. */
void temp_path(char *buffer, size_t size, const char *name);

/* Creates name in the temporary directory with size bytes of a fixed pattern and returns an O_RDWR fd. */
int create_data_file(const char *name, size_t size);

/* Closes fd unless it is -1, the fd of a call that failed. */
void close_if_open(int fd);

/* The probe groups, in the order main() runs them. */
void probe_files(void);
void probe_file_events(void);
void probe_memory(void);
void probe_process(void);
void probe_sched_attr(void);
void probe_clone_calls(void);
void probe_prctl(void);
void probe_kernel_interfaces(void);
void probe_events(void);
void probe_tty(void);
void probe_sockets(void);

#endif
