/* Memory calls: madvise modes, locking, memfd, NUMA policy, protection keys, cross-process copies. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "probe.h"

/* Pages in the anonymous mapping that the madvise and locking calls use. */
#define MAPPING_PAGES 4

/* Bits in the node masks passed to the NUMA calls: one unsigned long. */
#define NODE_MASK_BITS (8 * sizeof(unsigned long))

static void probe_madvise(char *mapping, size_t length)
{
	static const struct {
		const char *call;
		int advice;
	} modes[] = {
		{ "madvise(MADV_DONTNEED)", MADV_DONTNEED },
		{ "madvise(MADV_FREE)", MADV_FREE },
		{ "madvise(MADV_HUGEPAGE)", MADV_HUGEPAGE },
		{ "madvise(MADV_NOHUGEPAGE)", MADV_NOHUGEPAGE },
		{ "madvise(MADV_COLD)", MADV_COLD },
		{ "madvise(MADV_PAGEOUT)", MADV_PAGEOUT },
		{ "madvise(MADV_POPULATE_READ)", MADV_POPULATE_READ },
		{ "madvise(MADV_POPULATE_WRITE)", MADV_POPULATE_WRITE },
		{ "madvise(MADV_MERGEABLE)", MADV_MERGEABLE },
		{ "madvise(MADV_UNMERGEABLE)", MADV_UNMERGEABLE },
		{ "madvise(MADV_DONTFORK)", MADV_DONTFORK },
		{ "madvise(MADV_DOFORK)", MADV_DOFORK },
		{ "madvise(MADV_WIPEONFORK)", MADV_WIPEONFORK },
		{ "madvise(MADV_KEEPONFORK)", MADV_KEEPONFORK },
		{ "madvise(MADV_DONTDUMP)", MADV_DONTDUMP },
	};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		/* Touch every page first, so that each mode acts on resident memory. */
		memset(mapping, 1, length);
		PROBE(modes[i].call, "4 pages of private anonymous memory", RET_VALUE,
		      madvise(mapping, length, modes[i].advice));
	}
}

static void probe_mapping_calls(char *mapping, size_t length, size_t page)
{
	unsigned char residency[MAPPING_PAGES];
	PROBE("mincore", "4 pages of anonymous memory", RET_VALUE, mincore(mapping, length, residency));

	PROBE("mlock2(MLOCK_ONFAULT)", "1 page", RET_VALUE, mlock2(mapping, page, MLOCK_ONFAULT));
	PROBE("munlock", "1 page", RET_VALUE, munlock(mapping, page));
	PROBE("msync(MS_SYNC)", "4 pages of anonymous memory", RET_VALUE, msync(mapping, length, MS_SYNC));
	PROBE("mprotect(PROT_READ)", "last page", RET_VALUE, mprotect(mapping + 3 * page, page, PROT_READ));

	void *moved = (void *)PROBE("mremap(MREMAP_DONTUNMAP)", "1 page, flags=MREMAP_MAYMOVE|MREMAP_DONTUNMAP",
				    RET_ZERO, mremap(mapping, page, page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
	if (moved != MAP_FAILED)
		munmap(moved, page);

	int key = PROBE("pkey_alloc", "flags=0, access_rights=0", RET_ZERO, pkey_alloc(0, 0));
	/* When pkey_alloc failed, key is -1, which pkey_mprotect takes as the default key. */
	PROBE("pkey_mprotect", "1 page, PROT_READ|PROT_WRITE, the key from pkey_alloc", RET_VALUE,
	      pkey_mprotect(mapping, page, PROT_READ | PROT_WRITE, key));
	PROBE("pkey_free", "the key from pkey_alloc", RET_VALUE, pkey_free(key));
}

static void probe_memfd(void)
{
	int fd = PROBE("memfd_create(MFD_CLOEXEC)", "name=probe", RET_ZERO, memfd_create("probe", MFD_CLOEXEC));
	close_if_open(fd);

	fd = PROBE("memfd_create(MFD_ALLOW_SEALING)", "name=probe", RET_ZERO,
		   memfd_create("probe", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	PROBE("fcntl(F_ADD_SEALS)", "F_SEAL_SHRINK|F_SEAL_GROW on the memfd", RET_VALUE,
	      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
	PROBE("fcntl(F_GET_SEALS)", "the sealed memfd", RET_VALUE, fcntl(fd, F_GET_SEALS));
	close_if_open(fd);

	fd = PROBE("memfd_create(MFD_HUGETLB)", "name=probe", RET_ZERO,
		   memfd_create("probe", MFD_CLOEXEC | MFD_HUGETLB));
	close_if_open(fd);

	fd = PROBE("memfd_secret", "flags=0", RET_ZERO, syscall(SYS_memfd_secret, 0));
	close_if_open(fd);
}

/* process_vm_readv and process_vm_writev copy between two buffers of this process. */
static void probe_process_vm(void)
{
	char source[16] = "process_vm data";
	char target[16];
	struct iovec local = { .iov_base = target, .iov_len = sizeof target };
	struct iovec remote = { .iov_base = source, .iov_len = sizeof source };

	PROBE("process_vm_readv", "own pid, 16 bytes", RET_VALUE, process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	PROBE("process_vm_writev", "own pid, 16 bytes", RET_VALUE, process_vm_writev(getpid(), &remote, 1, &local, 1, 0));
}

/* NUMA policy calls with the default policy or node 0, which every Linux system has. */
static void probe_numa(char *mapping, size_t page)
{
	unsigned long node_zero = 1;
	unsigned long node_mask = 0;
	int mode = 0;

	PROBE("mbind(MPOL_DEFAULT)", "1 page, no nodemask", RET_VALUE,
	      syscall(SYS_mbind, mapping, page, MPOL_DEFAULT, NULL, 0, 0));
	PROBE("set_mempolicy(MPOL_DEFAULT)", "no nodemask", RET_VALUE, syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0));
	PROBE("get_mempolicy", "policy of this thread", RET_VALUE, syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0));
	PROBE("get_mempolicy(MPOL_F_MEMS_ALLOWED)", "maxnode=64", RET_VALUE,
	      syscall(SYS_get_mempolicy, NULL, &node_mask, NODE_MASK_BITS, NULL, MPOL_F_MEMS_ALLOWED));
	PROBE("set_mempolicy_home_node", "1 page, home_node=0, flags=0", RET_VALUE,
	      syscall(SYS_set_mempolicy_home_node, mapping, page, 0, 0));
	PROBE("migrate_pages", "own pid, from node 0 to node 0", RET_VALUE,
	      syscall(SYS_migrate_pages, 0, NODE_MASK_BITS, &node_zero, &node_zero));

	/* With nodes NULL, move_pages only reports the node of each page in status. */
	void *pages[1] = { mapping };
	int status[1];
	mapping[0] = 1;
	PROBE("move_pages(query)", "own pid, 1 page, nodes=NULL", RET_VALUE,
	      syscall(SYS_move_pages, 0, 1, pages, NULL, status, 0));
}

static void probe_shared_memory(void)
{
	int id = PROBE("shmget(IPC_PRIVATE)", "size=4096, mode=0600", RET_ZERO, shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
	void *address = (void *)PROBE("shmat", "the new segment", RET_ZERO, shmat(id, NULL, 0));
	PROBE("shmdt", "the attached segment", RET_VALUE, shmdt(address));
	PROBE("shmctl(IPC_RMID)", "the new segment", RET_VALUE, shmctl(id, IPC_RMID, NULL));
}

void probe_memory(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t length = MAPPING_PAGES * page;
	char *mapping = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mapping == MAP_FAILED)
		die("failed to map anonymous memory");

	probe_madvise(mapping, length);
	probe_numa(mapping, page);
	probe_mapping_calls(mapping, length, page);
	probe_memfd();
	probe_process_vm();
	probe_shared_memory();

	munmap(mapping, length);
}
