/*
 * syscall-probe: calls system calls and their options with harmless arguments and prints
 * one JSON line per call on stdout, in a fixed order, then a summary line. README.md in
 * this folder describes the output. A failing call is a result, not an error, so the exit
 * status is 0 unless the probe cannot run at all (no writable /tmp, or a call that hangs).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

/*
 * Seconds the whole probe may take. Each run described in README.md took under a second.
 * The limit stays below the 60 s default test timeout of gvmatrix, so that a hang is
 * reported with the name of the call.
 */
#define WATCHDOG_SECONDS 30
#define STRINGIFY(value) #value
#define TO_STRING(value) STRINGIFY(value)

const char *current_call = "setup";

static char temp_dir[] = "/tmp/syscall-probe.XXXXXX";
static unsigned long call_count;
static unsigned long failed_count;

/* Symbolic names of the errno values in <asm-generic/errno-base.h> and <asm-generic/errno.h>. */
static const char *const errno_names[] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR",
	[EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC",
	[EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES", [EFAULT] = "EFAULT", [ENOTBLK] = "ENOTBLK", [EBUSY] = "EBUSY",
	[EEXIST] = "EEXIST", [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR",
	[EISDIR] = "EISDIR", [EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE",
	[ENOTTY] = "ENOTTY", [ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC",
	[ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EMLINK] = "EMLINK", [EPIPE] = "EPIPE",
	[EDOM] = "EDOM", [ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK",
	[ENAMETOOLONG] = "ENAMETOOLONG", [ENOLCK] = "ENOLCK", [ENOSYS] = "ENOSYS",
	[ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [ENOMSG] = "ENOMSG", [EIDRM] = "EIDRM",
	[ECHRNG] = "ECHRNG", [EL2NSYNC] = "EL2NSYNC", [EL3HLT] = "EL3HLT", [EL3RST] = "EL3RST",
	[ELNRNG] = "ELNRNG", [EUNATCH] = "EUNATCH", [ENOCSI] = "ENOCSI", [EL2HLT] = "EL2HLT",
	[EBADE] = "EBADE", [EBADR] = "EBADR", [EXFULL] = "EXFULL", [ENOANO] = "ENOANO",
	[EBADRQC] = "EBADRQC", [EBADSLT] = "EBADSLT", [EBFONT] = "EBFONT", [ENOSTR] = "ENOSTR",
	[ENODATA] = "ENODATA", [ETIME] = "ETIME", [ENOSR] = "ENOSR", [ENONET] = "ENONET",
	[ENOPKG] = "ENOPKG", [EREMOTE] = "EREMOTE", [ENOLINK] = "ENOLINK", [EADV] = "EADV",
	[ESRMNT] = "ESRMNT", [ECOMM] = "ECOMM", [EPROTO] = "EPROTO", [EMULTIHOP] = "EMULTIHOP",
	[EDOTDOT] = "EDOTDOT", [EBADMSG] = "EBADMSG", [EOVERFLOW] = "EOVERFLOW",
	[ENOTUNIQ] = "ENOTUNIQ", [EBADFD] = "EBADFD", [EREMCHG] = "EREMCHG",
	[ELIBACC] = "ELIBACC", [ELIBBAD] = "ELIBBAD", [ELIBSCN] = "ELIBSCN",
	[ELIBMAX] = "ELIBMAX", [ELIBEXEC] = "ELIBEXEC", [EILSEQ] = "EILSEQ",
	[ERESTART] = "ERESTART", [ESTRPIPE] = "ESTRPIPE", [EUSERS] = "EUSERS",
	[ENOTSOCK] = "ENOTSOCK", [EDESTADDRREQ] = "EDESTADDRREQ", [EMSGSIZE] = "EMSGSIZE",
	[EPROTOTYPE] = "EPROTOTYPE", [ENOPROTOOPT] = "ENOPROTOOPT",
	[EPROTONOSUPPORT] = "EPROTONOSUPPORT", [ESOCKTNOSUPPORT] = "ESOCKTNOSUPPORT",
	[EOPNOTSUPP] = "EOPNOTSUPP", [EPFNOSUPPORT] = "EPFNOSUPPORT",
	[EAFNOSUPPORT] = "EAFNOSUPPORT", [EADDRINUSE] = "EADDRINUSE",
	[EADDRNOTAVAIL] = "EADDRNOTAVAIL", [ENETDOWN] = "ENETDOWN",
	[ENETUNREACH] = "ENETUNREACH", [ENETRESET] = "ENETRESET",
	[ECONNABORTED] = "ECONNABORTED", [ECONNRESET] = "ECONNRESET", [ENOBUFS] = "ENOBUFS",
	[EISCONN] = "EISCONN", [ENOTCONN] = "ENOTCONN", [ESHUTDOWN] = "ESHUTDOWN",
	[ETOOMANYREFS] = "ETOOMANYREFS", [ETIMEDOUT] = "ETIMEDOUT",
	[ECONNREFUSED] = "ECONNREFUSED", [EHOSTDOWN] = "EHOSTDOWN",
	[EHOSTUNREACH] = "EHOSTUNREACH", [EALREADY] = "EALREADY",
	[EINPROGRESS] = "EINPROGRESS", [ESTALE] = "ESTALE", [EUCLEAN] = "EUCLEAN",
	[ENOTNAM] = "ENOTNAM", [ENAVAIL] = "ENAVAIL", [EISNAM] = "EISNAM",
	[EREMOTEIO] = "EREMOTEIO", [EDQUOT] = "EDQUOT", [ENOMEDIUM] = "ENOMEDIUM",
	[EMEDIUMTYPE] = "EMEDIUMTYPE", [ECANCELED] = "ECANCELED", [ENOKEY] = "ENOKEY",
	[EKEYEXPIRED] = "EKEYEXPIRED", [EKEYREVOKED] = "EKEYREVOKED",
	[EKEYREJECTED] = "EKEYREJECTED", [EOWNERDEAD] = "EOWNERDEAD",
	[ENOTRECOVERABLE] = "ENOTRECOVERABLE", [ERFKILL] = "ERFKILL",
	[EHWPOISON] = "EHWPOISON",
};

/* Writes text as a JSON string. The keys and descriptions are ASCII literals of this program. */
static void print_json_string(const char *text)
{
	putchar('"');
	for (const char *c = text; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if ((unsigned char)*c < 0x20)
			printf("\\u%04x", (unsigned char)*c);
		else
			putchar(*c);
	}
	putchar('"');
}

/* Writes the symbolic name of err. A value missing from the table prints as "errno N". */
static void print_errno_name(int err)
{
	size_t count = sizeof errno_names / sizeof errno_names[0];
	if (err > 0 && (size_t)err < count && errno_names[err] != NULL) {
		print_json_string(errno_names[err]);
		return;
	}
	printf("\"errno %d\"", err);
}

long report(const char *call, const char *args, long ret, int err, enum ret_format format)
{
	call_count++;
	fputs("{\"call\":", stdout);
	print_json_string(call);
	fputs(",\"args\":", stdout);
	print_json_string(args);

	if (ret == -1) {
		failed_count++;
		fputs(",\"ret\":-1,\"errno\":", stdout);
		print_errno_name(err);
	} else {
		long printed = format == RET_ZERO ? 0 : ret;
		printf(",\"ret\":%ld,\"errno\":\"\"", printed);
	}
	fputs("}\n", stdout);

	current_call = "setup";
	return ret;
}

void die(const char *message)
{
	fprintf(stderr, "syscall-probe: %s: %s\n", message, strerror(errno));
	exit(1);
}

void temp_path(char *buffer, size_t size, const char *name)
{
	snprintf(buffer, size, "%s/%s", temp_dir, name);
}

int create_data_file(const char *name, size_t size)
{
	char path[128];
	char block[4096];

	temp_path(path, sizeof path, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		die("failed to create a file in the temporary directory");

	for (size_t i = 0; i < sizeof block; i++)
		block[i] = (char)('a' + i % 26);
	for (size_t written = 0; written < size;) {
		size_t chunk = size - written < sizeof block ? size - written : sizeof block;
		ssize_t n = write(fd, block, chunk);
		if (n <= 0)
			die("failed to write a file in the temporary directory");
		written += (size_t)n;
	}
	return fd;
}

void close_if_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Reports which call hangs, with async-signal-safe functions only. */
static void on_watchdog_alarm(int signal_number)
{
	(void)signal_number;
	static const char prefix[] = "syscall-probe: timed out after " TO_STRING(WATCHDOG_SECONDS) " s in call ";
	ssize_t ignored = write(STDERR_FILENO, prefix, sizeof prefix - 1);
	ignored = write(STDERR_FILENO, current_call, strlen(current_call));
	ignored = write(STDERR_FILENO, "\n", 1);
	(void)ignored;
	_exit(2);
}

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *walk)
{
	(void)info;
	(void)type;
	(void)walk;
	remove(path);
	return 0;
}

int main(void)
{
	/* Line buffering writes each line at once, so the lines before a watchdog _exit are not lost. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	struct sigaction alarm_action = { .sa_handler = on_watchdog_alarm };
	sigaction(SIGALRM, &alarm_action, NULL);
	alarm(WATCHDOG_SECONDS);

	if (mkdtemp(temp_dir) == NULL)
		die("failed to create a temporary directory under /tmp");

	probe_files();
	probe_file_events();
	probe_memory();
	probe_process();
	probe_prctl();
	probe_kernel_interfaces();
	probe_events();
	probe_tty();
	probe_sockets();

	alarm(0);
	nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	/* The summary has a call key too, so that every line of the output is keyed by call. */
	printf("{\"call\":\"summary\",\"summary\":true,\"calls\":%lu,\"failed\":%lu}\n", call_count, failed_count);
	return 0;
}
