/* Event fds and waits: inotify, fanotify, eventfd, epoll, timerfd, signalfd, futexes, io_uring, mqueue. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <mqueue.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* Timeout of the futex waits, in case a runtime waits although the futex word differs. */
#define FUTEX_TIMEOUT_NS 10000000L

void probe_file_events(void)
{
	char dir_path[128];
	temp_path(dir_path, sizeof dir_path, "");

	int inotify_fd = PROBE("inotify_init1", "flags=IN_CLOEXEC|IN_NONBLOCK", RET_ZERO,
			       inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
	int watch = PROBE("inotify_add_watch", "temporary directory, IN_CREATE|IN_DELETE", RET_ZERO,
			  inotify_add_watch(inotify_fd, dir_path, IN_CREATE | IN_DELETE));

	/* The kernel queues IN_CREATE during the create call, so the read below finds one event. */
	close(create_data_file("watched", 0));
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	PROBE("read(inotify)", "after creating a file named watched; returns the event size", RET_VALUE,
	      read(inotify_fd, events, sizeof events));
	PROBE("inotify_rm_watch", "the watch just added", RET_VALUE, inotify_rm_watch(inotify_fd, watch));
	close_if_open(inotify_fd);

	int fanotify_fd = PROBE("fanotify_init(FAN_CLASS_NOTIF)", "event_f_flags=O_RDONLY", RET_ZERO,
				fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY));
	close_if_open(fanotify_fd);

	fanotify_fd = PROBE("fanotify_init(FAN_REPORT_FID)", "FAN_CLASS_NOTIF, event_f_flags=O_RDONLY", RET_ZERO,
			    fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_REPORT_FID, O_RDONLY));
	PROBE("fanotify_mark(FAN_MARK_ADD)", "the FAN_REPORT_FID group, FAN_CREATE on the temporary directory",
	      RET_VALUE, fanotify_mark(fanotify_fd, FAN_MARK_ADD, FAN_CREATE, AT_FDCWD, dir_path));
	close_if_open(fanotify_fd);
}

static void probe_event_fds(void)
{
	uint64_t count = 0;
	int event_fd = PROBE("eventfd2", "initval=0, flags=EFD_CLOEXEC|EFD_NONBLOCK", RET_ZERO,
			     eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	PROBE("read(eventfd,empty)", "8 bytes from a counter at 0", RET_VALUE, read(event_fd, &count, sizeof count));
	count = 1;
	PROBE("write(eventfd)", "add 1", RET_VALUE, write(event_fd, &count, sizeof count));

	int epoll_fd = PROBE("epoll_create1", "flags=EPOLL_CLOEXEC", RET_ZERO, epoll_create1(EPOLL_CLOEXEC));
	struct epoll_event interest = { .events = EPOLLIN };
	PROBE("epoll_ctl(EPOLL_CTL_ADD)", "the eventfd, EPOLLIN", RET_VALUE,
	      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, event_fd, &interest));
	struct epoll_event ready[4];
	struct timespec no_wait = { 0, 0 };
	PROBE("epoll_pwait2", "timeout=0, the eventfd is readable; returns the ready count", RET_VALUE,
	      syscall(SYS_epoll_pwait2, epoll_fd, ready, 4, &no_wait, NULL, 0));
	int second_epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event exclusive = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	PROBE("epoll_ctl(EPOLLEXCLUSIVE)", "the eventfd again, through a second epoll fd", RET_VALUE,
	      epoll_ctl(second_epoll_fd, EPOLL_CTL_ADD, event_fd, &exclusive));
	close_if_open(second_epoll_fd);
	close_if_open(epoll_fd);
	close_if_open(event_fd);

	int timer_fd = PROBE("timerfd_create(CLOCK_MONOTONIC)", "flags=TFD_CLOEXEC|TFD_NONBLOCK", RET_ZERO,
			     timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
	struct itimerspec one_hour = { .it_value = { .tv_sec = 3600 } };
	struct itimerspec current;
	PROBE("timerfd_settime", "relative, 1 hour", RET_VALUE, timerfd_settime(timer_fd, 0, &one_hour, NULL));
	PROBE("timerfd_gettime", "the armed timer", RET_VALUE, timerfd_gettime(timer_fd, &current));
	close_if_open(timer_fd);

	timer_fd = PROBE("timerfd_create(CLOCK_REALTIME)", "flags=TFD_CLOEXEC|TFD_NONBLOCK", RET_ZERO,
			 timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct itimerspec later = { .it_value = { .tv_sec = now.tv_sec + 3600 } };
	PROBE("timerfd_settime(TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET)", "absolute, 1 hour ahead", RET_VALUE,
	      timerfd_settime(timer_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &later, NULL));
	close_if_open(timer_fd);

	timer_fd = PROBE("timerfd_create(CLOCK_BOOTTIME_ALARM)", "flags=TFD_CLOEXEC", RET_ZERO,
			 timerfd_create(CLOCK_BOOTTIME_ALARM, TFD_CLOEXEC));
	close_if_open(timer_fd);

	/* SIGUSR1 stays blocked and is never sent, so the signalfd stays empty. */
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGUSR1);
	sigprocmask(SIG_BLOCK, &signals, NULL);
	int signal_fd = PROBE("signalfd4", "SIGUSR1, flags=SFD_CLOEXEC|SFD_NONBLOCK", RET_ZERO,
			      signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
	struct signalfd_siginfo info;
	PROBE("read(signalfd,empty)", "no signal pending", RET_VALUE, read(signal_fd, &info, sizeof info));
	close_if_open(signal_fd);
}

/* Futex waits on a word whose value differs from the expected one, so each returns at once. */
static void probe_futexes(void)
{
	static uint32_t word = 1;

	struct timespec timeout = { 0, FUTEX_TIMEOUT_NS };
	PROBE("futex(FUTEX_WAIT_PRIVATE)", "word=1, expected 0, timeout 10 ms", RET_VALUE,
	      syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &timeout, NULL, 0));
	PROBE("futex(FUTEX_WAKE_PRIVATE)", "wake 1, no waiter; returns the woken count", RET_VALUE,
	      syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));

	struct futex_waitv waiter = {
		.val = 0,
		.uaddr = (uint64_t)(uintptr_t)&word,
		.flags = FUTEX_32 | FUTEX_PRIVATE_FLAG,
	};
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += FUTEX_TIMEOUT_NS;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	PROBE("futex_waitv", "1 waiter, word=1, expected 0, 10 ms deadline", RET_VALUE,
	      syscall(SYS_futex_waitv, &waiter, 1, 0, &deadline, CLOCK_MONOTONIC));
}

static void probe_io_uring(void)
{
	struct io_uring_params params = { 0 };
	int ring_fd = PROBE("io_uring_setup", "entries=1", RET_ZERO, syscall(SYS_io_uring_setup, 1, &params));

	PROBE("io_uring_enter", "to_submit=0, min_complete=0, flags=0", RET_VALUE,
	      syscall(SYS_io_uring_enter, ring_fd, 0, 0, 0, NULL, 0));

	/* IORING_REGISTER_PROBE fills one entry per operation code that the kernel supports. */
	size_t probe_size = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *operations = calloc(1, probe_size);
	if (operations == NULL)
		die("failed to allocate memory");
	PROBE("io_uring_register(IORING_REGISTER_PROBE)", "256 operation slots", RET_VALUE,
	      syscall(SYS_io_uring_register, ring_fd, IORING_REGISTER_PROBE, operations, 256));
	free(operations);
	close_if_open(ring_fd);
}

static void probe_message_queue(void)
{
	/*
	 * The name lives in the container's IPC namespace. A queue left by an interrupted
	 * earlier run is removed first, and O_NONBLOCK keeps a full queue from blocking.
	 */
	mq_unlink("/syscall-probe");
	struct mq_attr attributes = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	mqd_t queue = (mqd_t)PROBE("mq_open(O_CREAT)", "name=/syscall-probe, maxmsg=1, msgsize=16", RET_ZERO,
				   mq_open("/syscall-probe", O_CREAT | O_RDWR | O_NONBLOCK | O_CLOEXEC, 0600, &attributes));
	PROBE("mq_timedsend", "5 bytes, O_NONBLOCK queue", RET_VALUE, mq_send(queue, "hello", 5, 0));
	PROBE("mq_unlink", "name=/syscall-probe", RET_VALUE, mq_unlink("/syscall-probe"));
	if (queue != (mqd_t)-1)
		mq_close(queue);
}

void probe_events(void)
{
	probe_event_fds();
	probe_futexes();
	probe_io_uring();
	probe_message_queue();

	int pipe_fds[2] = { -1, -1 };
	PROBE("pipe2(O_DIRECT)", "packet mode", RET_VALUE, pipe2(pipe_fds, O_DIRECT | O_CLOEXEC));
	close_if_open(pipe_fds[0]);
	close_if_open(pipe_fds[1]);
}
