/* Terminal ioctls on a new pseudo-terminal pair (master and slave, as pty(7) names them) of the container's devpts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "probe.h"

/* Opens the slave side by its path, for runtimes without TIOCGPTPEER. */
static int open_slave_by_path(int master_fd)
{
	char path[64];
	if (ptsname_r(master_fd, path, sizeof path) != 0)
		return -1;
	return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

static void probe_slave_ioctls(int slave_fd)
{
	struct termios settings;
	PROBE("ioctl(TCGETS)", "slave side", RET_VALUE, ioctl(slave_fd, TCGETS, &settings));
	PROBE("ioctl(TCSETS)", "slave side, the settings just read", RET_VALUE, ioctl(slave_fd, TCSETS, &settings));

	struct winsize size = { 0 };
	PROBE("ioctl(TIOCGWINSZ)", "slave side", RET_VALUE, ioctl(slave_fd, TIOCGWINSZ, &size));
	struct winsize new_size = { .ws_row = 24, .ws_col = 80 };
	PROBE("ioctl(TIOCSWINSZ)", "slave side, 24 rows, 80 columns", RET_VALUE, ioctl(slave_fd, TIOCSWINSZ, &new_size));

	/* Queues one byte as input of this pseudo-terminal only, which no other process reads. */
	char byte = 'x';
	PROBE("ioctl(TIOCSTI)", "slave side, one byte, not the controlling terminal", RET_VALUE,
	      ioctl(slave_fd, TIOCSTI, &byte));

	pid_t group = 0;
	PROBE("ioctl(TIOCGPGRP)", "slave side, not the controlling terminal", RET_VALUE,
	      ioctl(slave_fd, TIOCGPGRP, &group));
	pid_t session = 0;
	PROBE("ioctl(TIOCGSID)", "slave side, not the controlling terminal", RET_VALUE,
	      ioctl(slave_fd, TIOCGSID, &session));

	int discipline = 0;
	PROBE("ioctl(TIOCGETD)", "slave side", RET_VALUE, ioctl(slave_fd, TIOCGETD, &discipline));
	PROBE("ioctl(TIOCEXCL)", "slave side", RET_VALUE, ioctl(slave_fd, TIOCEXCL));
	PROBE("ioctl(TIOCNXCL)", "slave side", RET_VALUE, ioctl(slave_fd, TIOCNXCL));

	int modem_lines = 0;
	PROBE("ioctl(TIOCMGET)", "slave side, a pseudo-terminal has no modem lines", RET_VALUE,
	      ioctl(slave_fd, TIOCMGET, &modem_lines));
	int queued = 0;
	PROBE("ioctl(TIOCOUTQ)", "slave side", RET_VALUE, ioctl(slave_fd, TIOCOUTQ, &queued));
	PROBE("ioctl(TCFLSH)", "slave side, TCIOFLUSH", RET_VALUE, ioctl(slave_fd, TCFLSH, TCIOFLUSH));
}

void probe_tty(void)
{
	int master_fd = PROBE("openat(/dev/ptmx)", "flags=O_RDWR|O_NOCTTY", RET_ZERO,
			       open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));

	int number = -1;
	PROBE("ioctl(TIOCGPTN)", "master side", RET_VALUE, ioctl(master_fd, TIOCGPTN, &number));
	int unlock = 0;
	PROBE("ioctl(TIOCSPTLCK)", "master side, unlock", RET_VALUE, ioctl(master_fd, TIOCSPTLCK, &unlock));

	int slave_fd = PROBE("ioctl(TIOCGPTPEER)", "master side, O_RDWR|O_NOCTTY", RET_ZERO,
			       ioctl(master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (slave_fd == -1)
		slave_fd = open_slave_by_path(master_fd);

	probe_slave_ioctls(slave_fd);

	int readable = 0;
	PROBE("ioctl(FIONREAD,pty)", "master side, nothing written", RET_VALUE, ioctl(master_fd, FIONREAD, &readable));

	close_if_open(slave_fd);
	close_if_open(master_fd);
}
