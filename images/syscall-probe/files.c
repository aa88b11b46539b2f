/* File calls: openat2, statx, fallocate modes, in-kernel copies, RWF_ flags, handles, mounts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/quota.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "probe.h"

/* Size of the data files: 16 pages of 4 KiB, so every range below is block-aligned. */
#define DATA_SIZE 65536
#define BLOCK 4096

static void probe_openat2(int dir_fd)
{
	struct open_how beneath = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH };
	int fd = PROBE("openat2(RESOLVE_BENEATH)", "dirfd=temporary directory, path=data", RET_ZERO,
		       syscall(SYS_openat2, dir_fd, "data", &beneath, sizeof beneath));
	close_if_open(fd);

	fd = PROBE("openat2(RESOLVE_BENEATH,escape)", "dirfd=temporary directory, path=..", RET_ZERO,
		   syscall(SYS_openat2, dir_fd, "..", &beneath, sizeof beneath));
	close_if_open(fd);

	struct open_how no_magic = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS };
	fd = PROBE("openat2(RESOLVE_NO_MAGICLINKS)", "path=/proc/self/exe", RET_ZERO,
		   syscall(SYS_openat2, AT_FDCWD, "/proc/self/exe", &no_magic, sizeof no_magic));
	close_if_open(fd);

	struct open_how unknown_resolve = { .flags = O_RDONLY, .resolve = 1ULL << 40 };
	fd = PROBE("openat2(unknown resolve flag)", "path=data, resolve=1<<40", RET_ZERO,
		   syscall(SYS_openat2, dir_fd, "data", &unknown_resolve, sizeof unknown_resolve));
	close_if_open(fd);
}

static void probe_stat_calls(const char *data_path, int data_fd)
{
	struct statx result;

	PROBE("statx(STATX_BASIC_STATS)", "path=data file, flags=0", RET_VALUE,
	      statx(AT_FDCWD, data_path, 0, STATX_BASIC_STATS, &result));
	/* The flags and mask that coreutils 9.1 stat and ls -l pass. */
	PROBE("statx(AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT,STATX_ALL)", "path=data file", RET_VALUE,
	      statx(AT_FDCWD, data_path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_ALL, &result));
	PROBE("statx(AT_EMPTY_PATH)", "fd=data file, path=\"\", mask=STATX_SIZE", RET_VALUE,
	      statx(data_fd, "", AT_EMPTY_PATH, STATX_SIZE, &result));
	PROBE("statx(AT_STATX_DONT_SYNC)", "path=data file, mask=STATX_BTIME", RET_VALUE,
	      statx(AT_FDCWD, data_path, AT_STATX_DONT_SYNC, STATX_BTIME, &result));

	PROBE("faccessat2(AT_EACCESS)", "path=data file, mode=R_OK|W_OK", RET_VALUE,
	      syscall(SYS_faccessat2, AT_FDCWD, data_path, R_OK | W_OK, AT_EACCESS));
	PROBE("faccessat2(AT_SYMLINK_NOFOLLOW)", "path=data file, mode=F_OK", RET_VALUE,
	      syscall(SYS_faccessat2, AT_FDCWD, data_path, F_OK, AT_SYMLINK_NOFOLLOW));
}

/* Runs each fallocate mode on its own file, so that one mode's failure does not change the next. */
static void probe_fallocate(void)
{
	static const struct {
		const char *call;
		const char *args;
		int mode;
		off_t offset;
	} modes[] = {
		{ "fallocate(0)", "offset=65536, len=4096", 0, DATA_SIZE },
		{ "fallocate(FALLOC_FL_KEEP_SIZE)", "offset=65536, len=4096", FALLOC_FL_KEEP_SIZE, DATA_SIZE },
		{ "fallocate(FALLOC_FL_PUNCH_HOLE)", "mode=PUNCH_HOLE|KEEP_SIZE, offset=4096, len=4096",
		  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BLOCK },
		{ "fallocate(FALLOC_FL_ZERO_RANGE)", "offset=4096, len=4096", FALLOC_FL_ZERO_RANGE, BLOCK },
		{ "fallocate(FALLOC_FL_COLLAPSE_RANGE)", "offset=4096, len=4096", FALLOC_FL_COLLAPSE_RANGE, BLOCK },
		{ "fallocate(FALLOC_FL_INSERT_RANGE)", "offset=4096, len=4096", FALLOC_FL_INSERT_RANGE, BLOCK },
	};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		int fd = create_data_file("fallocate", DATA_SIZE);
		PROBE(modes[i].call, modes[i].args, RET_VALUE, fallocate(fd, modes[i].mode, modes[i].offset, BLOCK));
		close(fd);
	}

	/* A file with a punched hole at 4096: SEEK_DATA and SEEK_HOLE report the layout the file system keeps. */
	int fd = create_data_file("sparse", DATA_SIZE);
	fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BLOCK, BLOCK);
	PROBE("lseek(SEEK_HOLE)", "file with a hole at 4096, offset=0", RET_VALUE, lseek(fd, 0, SEEK_HOLE));
	PROBE("lseek(SEEK_DATA)", "file with a hole at 4096, offset=4096", RET_VALUE, lseek(fd, BLOCK, SEEK_DATA));
	close(fd);
}

/* copy_file_range, sendfile, splice, tee and vmsplice on non-blocking pipes, so none can block. */
static void probe_copies(int data_fd)
{
	int copy_fd = create_data_file("copy", 0);
	loff_t in_offset = 0;
	loff_t out_offset = 0;

	PROBE("copy_file_range", "data file to new file, len=4096, flags=0", RET_VALUE,
	      copy_file_range(data_fd, &in_offset, copy_fd, &out_offset, BLOCK, 0));

	off_t sendfile_offset = 0;
	PROBE("sendfile", "data file to regular file, len=4096", RET_VALUE,
	      sendfile(copy_fd, data_fd, &sendfile_offset, BLOCK));

	int first_pipe[2] = { -1, -1 };
	int second_pipe[2] = { -1, -1 };
	if (pipe2(first_pipe, O_NONBLOCK | O_CLOEXEC) == -1 || pipe2(second_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		die("failed to create pipes");

	in_offset = 0;
	PROBE("splice(file to pipe)", "len=4096, flags=SPLICE_F_NONBLOCK", RET_VALUE,
	      splice(data_fd, &in_offset, first_pipe[1], NULL, BLOCK, SPLICE_F_NONBLOCK));
	PROBE("tee", "pipe to pipe, len=4096, flags=SPLICE_F_NONBLOCK", RET_VALUE,
	      tee(first_pipe[0], second_pipe[1], BLOCK, SPLICE_F_NONBLOCK));
	out_offset = 0;
	PROBE("splice(pipe to file)", "len=4096, flags=SPLICE_F_NONBLOCK", RET_VALUE,
	      splice(first_pipe[0], NULL, copy_fd, &out_offset, BLOCK, SPLICE_F_NONBLOCK));

	static char buffer[BLOCK];
	memset(buffer, 'v', sizeof buffer);
	struct iovec vector = { .iov_base = buffer, .iov_len = sizeof buffer };
	PROBE("vmsplice", "4096 bytes of own memory into an empty pipe, flags=SPLICE_F_NONBLOCK", RET_VALUE,
	      vmsplice(first_pipe[1], &vector, 1, SPLICE_F_NONBLOCK));

	PROBE("fcntl(F_SETPIPE_SZ)", "size=131072", RET_VALUE, fcntl(second_pipe[1], F_SETPIPE_SZ, 131072));
	PROBE("fcntl(F_GETPIPE_SZ)", "pipe after F_SETPIPE_SZ", RET_VALUE, fcntl(second_pipe[1], F_GETPIPE_SZ));

	for (int i = 0; i < 2; i++) {
		close(first_pipe[i]);
		close(second_pipe[i]);
	}
	close(copy_fd);
}

static void probe_rwf_flags(int data_fd)
{
	static char buffer[BLOCK];
	struct iovec vector = { .iov_base = buffer, .iov_len = sizeof buffer };

	/* The data file was just written, so its first page is in the page cache. */
	PROBE("preadv2(RWF_NOWAIT)", "4096 bytes at offset 0 of a cached file", RET_VALUE,
	      preadv2(data_fd, &vector, 1, 0, RWF_NOWAIT));
	PROBE("preadv2(RWF_HIPRI)", "4096 bytes at offset 0, file not opened O_DIRECT", RET_VALUE,
	      preadv2(data_fd, &vector, 1, 0, RWF_HIPRI));
	PROBE("pwritev2(RWF_HIPRI)", "4096 bytes at offset 0, file not opened O_DIRECT", RET_VALUE,
	      pwritev2(data_fd, &vector, 1, 0, RWF_HIPRI));
	PROBE("pwritev2(RWF_NOWAIT)", "4096 bytes at offset 0", RET_VALUE,
	      pwritev2(data_fd, &vector, 1, 0, RWF_NOWAIT));
	PROBE("pwritev2(RWF_DSYNC)", "4096 bytes at offset 0", RET_VALUE,
	      pwritev2(data_fd, &vector, 1, 0, RWF_DSYNC));
	PROBE("pwritev2(RWF_APPEND)", "4096 bytes, offset ignored", RET_VALUE,
	      pwritev2(data_fd, &vector, 1, 0, RWF_APPEND));
	PROBE("pwritev2(unknown flag)", "4096 bytes at offset 0, flags=1<<30", RET_VALUE,
	      pwritev2(data_fd, &vector, 1, 0, 1 << 30));
}

static void probe_advice_and_sync(int data_fd)
{
	PROBE("fadvise64(POSIX_FADV_DONTNEED)", "whole data file", RET_VALUE,
	      syscall(SYS_fadvise64, data_fd, 0, 0, POSIX_FADV_DONTNEED));
	PROBE("readahead", "offset=0, count=4096", RET_VALUE, readahead(data_fd, 0, BLOCK));
	PROBE("sync_file_range(SYNC_FILE_RANGE_WRITE)", "offset=0, nbytes=4096", RET_VALUE,
	      sync_file_range(data_fd, 0, BLOCK, SYNC_FILE_RANGE_WRITE));
	PROBE("fdatasync", "data file", RET_VALUE, fdatasync(data_fd));
	PROBE("syncfs", "file system of the data file", RET_VALUE, syncfs(data_fd));
}

static void probe_handles(const char *data_path)
{
	/* struct file_handle ends in a flexible array, so the handle gets MAX_HANDLE_SZ bytes of room. */
	union {
		struct file_handle handle;
		char room[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} storage = { .handle.handle_bytes = MAX_HANDLE_SZ };
	int mount_id;

	PROBE("name_to_handle_at", "path=data file, flags=0", RET_VALUE,
	      name_to_handle_at(AT_FDCWD, data_path, &storage.handle, &mount_id, 0));

	/* The mount fd is the temporary directory: the data file's mount. */
	char dir_path[128];
	temp_path(dir_path, sizeof dir_path, "");
	int mount_fd = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = PROBE("open_by_handle_at", "handle of the data file, flags=O_RDONLY", RET_ZERO,
		       open_by_handle_at(mount_fd, &storage.handle, O_RDONLY | O_CLOEXEC));
	close_if_open(fd);
	close_if_open(mount_fd);
}

static void probe_descriptors(int data_fd)
{
	int first = dup(data_fd);
	int second = dup(data_fd);
	int low = first < second ? first : second;
	int high = first < second ? second : first;

	PROBE("close_range(CLOSE_RANGE_CLOEXEC)", "two dup()s of the data file", RET_VALUE,
	      close_range(low, high, CLOSE_RANGE_CLOEXEC));
	PROBE("close_range(0)", "two dup()s of the data file", RET_VALUE, close_range(low, high, 0));

	PROBE("flock(LOCK_EX|LOCK_NB)", "data file", RET_VALUE, flock(data_fd, LOCK_EX | LOCK_NB));
	PROBE("flock(LOCK_UN)", "data file", RET_VALUE, flock(data_fd, LOCK_UN));

	struct flock range = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = BLOCK };
	PROBE("fcntl(F_OFD_SETLK)", "write lock on the first 4096 bytes", RET_VALUE, fcntl(data_fd, F_OFD_SETLK, &range));
	range.l_type = F_UNLCK;
	PROBE("fcntl(F_OFD_SETLK,F_UNLCK)", "unlock the first 4096 bytes", RET_VALUE, fcntl(data_fd, F_OFD_SETLK, &range));

	/*
	 * A lease is taken and released on a read-only fd of its own file. Nothing else opens
	 * that file in between, because a lease break would send SIGIO, which ends the process.
	 */
	int lease_file = create_data_file("lease", 0);
	close(lease_file);
	char lease_path[128];
	temp_path(lease_path, sizeof lease_path, "lease");
	int lease_fd = open(lease_path, O_RDONLY | O_CLOEXEC);
	PROBE("fcntl(F_SETLEASE,F_RDLCK)", "read-only fd of own file", RET_VALUE, fcntl(lease_fd, F_SETLEASE, F_RDLCK));
	PROBE("fcntl(F_GETLEASE)", "after F_SETLEASE", RET_VALUE, fcntl(lease_fd, F_GETLEASE));
	PROBE("fcntl(F_SETLEASE,F_UNLCK)", "release the lease", RET_VALUE, fcntl(lease_fd, F_SETLEASE, F_UNLCK));
	close_if_open(lease_fd);
}

static void probe_names(int dir_fd)
{
	close(create_data_file("first", 16));
	close(create_data_file("second", 16));

	PROBE("renameat2(RENAME_NOREPLACE)", "first to third, third missing", RET_VALUE,
	      renameat2(dir_fd, "first", dir_fd, "third", RENAME_NOREPLACE));
	PROBE("renameat2(RENAME_EXCHANGE)", "third and second", RET_VALUE,
	      renameat2(dir_fd, "third", dir_fd, "second", RENAME_EXCHANGE));
	PROBE("renameat2(RENAME_WHITEOUT)", "second to fourth", RET_VALUE,
	      renameat2(dir_fd, "second", dir_fd, "fourth", RENAME_WHITEOUT));

	int tmpfile_fd = PROBE("openat(O_TMPFILE)", "dirfd=temporary directory, mode=0600", RET_ZERO,
			       openat(dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
	PROBE("linkat(AT_EMPTY_PATH)", "O_TMPFILE fd to linked", RET_VALUE,
	      linkat(tmpfile_fd, "", dir_fd, "linked", AT_EMPTY_PATH));
	char proc_path[64];
	snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", tmpfile_fd);
	PROBE("linkat(AT_SYMLINK_FOLLOW)", "/proc/self/fd of the O_TMPFILE fd to linked-proc", RET_VALUE,
	      linkat(AT_FDCWD, proc_path, dir_fd, "linked-proc", AT_SYMLINK_FOLLOW));
	close_if_open(tmpfile_fd);

	PROBE("mknodat(S_IFIFO)", "path=fifo, mode=0600", RET_VALUE, mknodat(dir_fd, "fifo", S_IFIFO | 0600, 0));
	PROBE("mknodat(S_IFCHR)", "path=null, device 1:3 (like /dev/null)", RET_VALUE,
	      mknodat(dir_fd, "null", S_IFCHR | 0600, makedev(1, 3)));

	struct timespec now[2] = { { .tv_nsec = UTIME_NOW }, { .tv_nsec = UTIME_OMIT } };
	PROBE("utimensat(UTIME_NOW)", "path=fifo, atime only", RET_VALUE, utimensat(dir_fd, "fifo", now, 0));
}

static void probe_xattrs(const char *data_path)
{
	char value[64];
	char names[256];

	PROBE("setxattr(user.)", "name=user.probe, value=hello", RET_VALUE,
	      setxattr(data_path, "user.probe", "hello", 5, 0));
	PROBE("getxattr(user.)", "name=user.probe", RET_VALUE, getxattr(data_path, "user.probe", value, sizeof value));
	PROBE("listxattr", "data file", RET_VALUE, listxattr(data_path, names, sizeof names));
	PROBE("removexattr(user.)", "name=user.probe", RET_VALUE, removexattr(data_path, "user.probe"));
	PROBE("setxattr(trusted.)", "name=trusted.probe, value=hello", RET_VALUE,
	      setxattr(data_path, "trusted.probe", "hello", 5, 0));
}

/*
 * Mount and swap calls. Each needs CAP_SYS_ADMIN, which a default container lacks. With
 * it, each change would stay inside the container's own mount namespace.
 */
static void probe_mount_calls(const char *dir_path)
{
	int fd = PROBE("fsopen", "fs=tmpfs, flags=FSOPEN_CLOEXEC", RET_ZERO, fsopen("tmpfs", FSOPEN_CLOEXEC));
	close_if_open(fd);

	fd = PROBE("open_tree(OPEN_TREE_CLONE)", "path=temporary directory", RET_ZERO,
		   open_tree(AT_FDCWD, dir_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
	close_if_open(fd);

	fd = PROBE("open_tree(0)", "path=temporary directory, an O_PATH fd without a clone", RET_ZERO,
		   open_tree(AT_FDCWD, dir_path, OPEN_TREE_CLOEXEC));
	close_if_open(fd);

	struct mount_attr attributes = { .attr_set = MOUNT_ATTR_NOSUID };
	PROBE("mount_setattr(MOUNT_ATTR_NOSUID)", "path=temporary directory", RET_VALUE,
	      mount_setattr(AT_FDCWD, dir_path, 0, &attributes, sizeof attributes));

	char missing[128];
	temp_path(missing, sizeof missing, "missing-swap-file");
	PROBE("swapon", "path does not exist, flags=0", RET_VALUE, swapon(missing, 0));

	int format;
	PROBE("quotactl(Q_GETFMT)", "USRQUOTA, special=/ (not a block device)", RET_VALUE,
	      quotactl(QCMD(Q_GETFMT, USRQUOTA), "/", 0, (caddr_t)&format));
}

void probe_files(void)
{
	char dir_path[128];
	char data_path[128];
	temp_path(dir_path, sizeof dir_path, "");
	temp_path(data_path, sizeof data_path, "data");

	int data_fd = create_data_file("data", DATA_SIZE);
	int dir_fd = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd == -1)
		die("failed to open the temporary directory");

	probe_openat2(dir_fd);
	probe_stat_calls(data_path, data_fd);
	probe_fallocate();
	probe_copies(data_fd);
	probe_rwf_flags(data_fd);
	probe_advice_and_sync(data_fd);
	probe_handles(data_path);
	probe_descriptors(data_fd);
	probe_names(dir_fd);
	probe_xattrs(data_path);
	probe_mount_calls(dir_path);

	close(dir_fd);
	close(data_fd);
}
