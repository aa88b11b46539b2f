/*
 * Socket calls: socket families, socket options, loopback TCP and UDP, socket ioctls. Every
 * socket is bound to the loopback interface of the container's network namespace, and
 * nothing leaves it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

/* Milliseconds to wait for loopback data before FIONREAD, so the count does not depend on timing. */
#define LOOPBACK_WAIT_MS 2000

static int set_int_option(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof value);
}

static void probe_tcp_options(int fd)
{
	struct linger linger = { .l_onoff = 1, .l_linger = 0 };
	PROBE("setsockopt(SOL_SOCKET,SO_LINGER)", "on, 0 s", RET_VALUE, setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
	PROBE("setsockopt(SOL_SOCKET,SO_REUSEADDR)", "1", RET_VALUE, set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1));
	PROBE("setsockopt(SOL_SOCKET,SO_REUSEPORT)", "1", RET_VALUE, set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1));
	PROBE("setsockopt(SOL_SOCKET,SO_KEEPALIVE)", "1", RET_VALUE, set_int_option(fd, SOL_SOCKET, SO_KEEPALIVE, 1));
	PROBE("setsockopt(SOL_SOCKET,SO_BINDTODEVICE)", "\"\" (no device)", RET_VALUE,
	      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "", 0));
	struct timeval receive_timeout = { .tv_sec = 5 };
	PROBE("setsockopt(SOL_SOCKET,SO_RCVTIMEO)", "5 s", RET_VALUE,
	      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout));
	PROBE("setsockopt(SOL_SOCKET,SO_PRIORITY)", "6, the highest without CAP_NET_ADMIN", RET_VALUE,
	      set_int_option(fd, SOL_SOCKET, SO_PRIORITY, 6));
	PROBE("setsockopt(SOL_SOCKET,SO_MARK)", "1, needs CAP_NET_ADMIN", RET_VALUE, set_int_option(fd, SOL_SOCKET, SO_MARK, 1));

	PROBE("setsockopt(IPPROTO_TCP,TCP_NODELAY)", "1", RET_VALUE, set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	PROBE("setsockopt(IPPROTO_TCP,TCP_CORK)", "1", RET_VALUE, set_int_option(fd, IPPROTO_TCP, TCP_CORK, 1));
	PROBE("setsockopt(IPPROTO_TCP,TCP_CORK,off)", "0", RET_VALUE, set_int_option(fd, IPPROTO_TCP, TCP_CORK, 0));
	PROBE("setsockopt(IPPROTO_TCP,TCP_FASTOPEN)", "queue length 5", RET_VALUE, set_int_option(fd, IPPROTO_TCP, TCP_FASTOPEN, 5));
	PROBE("setsockopt(IPPROTO_TCP,TCP_FASTOPEN_CONNECT)", "1", RET_VALUE,
	      set_int_option(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1));
	PROBE("setsockopt(IPPROTO_TCP,TCP_CONGESTION)", "cubic", RET_VALUE,
	      setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", strlen("cubic")));
	PROBE("setsockopt(IPPROTO_TCP,TCP_KEEPIDLE)", "60 s", RET_VALUE, set_int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, 60));
	PROBE("setsockopt(IPPROTO_TCP,TCP_USER_TIMEOUT)", "10000 ms", RET_VALUE,
	      set_int_option(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 10000));
	PROBE("setsockopt(IPPROTO_TCP,TCP_QUICKACK)", "1", RET_VALUE, set_int_option(fd, IPPROTO_TCP, TCP_QUICKACK, 1));
	PROBE("setsockopt(IPPROTO_TCP,TCP_DEFER_ACCEPT)", "5 s", RET_VALUE, set_int_option(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5));
	PROBE("setsockopt(IPPROTO_TCP,TCP_NOTSENT_LOWAT)", "16384 bytes", RET_VALUE,
	      set_int_option(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 16384));
	PROBE("setsockopt(IPPROTO_IP,IP_TOS)", "0x10 (low delay)", RET_VALUE, set_int_option(fd, IPPROTO_IP, IP_TOS, 0x10));
	PROBE("setsockopt(IPPROTO_IP,IP_TTL)", "32", RET_VALUE, set_int_option(fd, IPPROTO_IP, IP_TTL, 32));

	char congestion[16];
	socklen_t length = sizeof congestion;
	PROBE("getsockopt(IPPROTO_TCP,TCP_CONGESTION)", "16-byte buffer", RET_VALUE,
	      getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, congestion, &length));
	struct tcp_info info;
	length = sizeof info;
	PROBE("getsockopt(IPPROTO_TCP,TCP_INFO)", "sizeof(struct tcp_info)", RET_VALUE,
	      getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length));
	int type = 0;
	length = sizeof type;
	PROBE("getsockopt(SOL_SOCKET,SO_TYPE)", "int", RET_VALUE, getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length));
}

/*
 * A loopback TCP connection: listen, connect, accept, then 5 bytes from client to server.
 * Its sockets are new ones, because options such as TCP_DEFER_ACCEPT would delay accept.
 */
static void probe_tcp_connection(void)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t length = sizeof address;
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	PROBE("bind(AF_INET)", "127.0.0.1, port 0", RET_VALUE, bind(listener, (struct sockaddr *)&address, sizeof address));
	PROBE("listen", "backlog=1", RET_VALUE, listen(listener, 1));
	getsockname(listener, (struct sockaddr *)&address, &length);

	int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	PROBE("connect(AF_INET)", "to the listener on 127.0.0.1", RET_VALUE,
	      connect(client, (struct sockaddr *)&address, sizeof address));
	struct pollfd wait_for = { .fd = listener, .events = POLLIN };
	poll(&wait_for, 1, LOOPBACK_WAIT_MS);
	int server = PROBE("accept4", "flags=SOCK_CLOEXEC|SOCK_NONBLOCK", RET_ZERO,
			   accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK));
	PROBE("sendto(MSG_NOSIGNAL)", "5 bytes, client to server", RET_VALUE, send(client, "hello", 5, MSG_NOSIGNAL));

	wait_for.fd = server;
	poll(&wait_for, 1, LOOPBACK_WAIT_MS);
	int readable = 0;
	PROBE("ioctl(FIONREAD,tcp)", "server side, 5 bytes sent", RET_VALUE, ioctl(server, FIONREAD, &readable));
	int unsent = 0;
	PROBE("ioctl(TIOCOUTQ,tcp)", "client side", RET_VALUE, ioctl(client, TIOCOUTQ, &unsent));

	char buffer[16];
	PROBE("recvfrom(MSG_PEEK)", "server side, 16-byte buffer", RET_VALUE,
	      recv(server, buffer, sizeof buffer, MSG_PEEK | MSG_DONTWAIT));
	/* libmemcached passes MSG_NOSIGNAL to recv as well. */
	PROBE("recvfrom(MSG_NOSIGNAL)", "server side, 16-byte buffer, MSG_DONTWAIT", RET_VALUE,
	      recv(server, buffer, sizeof buffer, MSG_NOSIGNAL | MSG_DONTWAIT));
	PROBE("shutdown(SHUT_WR)", "client side", RET_VALUE, shutdown(client, SHUT_WR));

	close_if_open(server);
	close_if_open(client);
	close_if_open(listener);
}

static void probe_tcp(void)
{
	int fd = PROBE("socket(AF_INET,SOCK_STREAM)", "", RET_ZERO, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	probe_tcp_options(fd);
	close_if_open(fd);
	probe_tcp_connection();

	int ipv6_fd = PROBE("socket(AF_INET6,SOCK_STREAM)", "", RET_ZERO, socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
	PROBE("setsockopt(IPPROTO_IPV6,IPV6_V6ONLY)", "1", RET_VALUE, set_int_option(ipv6_fd, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	PROBE("setsockopt(IPPROTO_IPV6,IPV6_TCLASS)", "0x10", RET_VALUE, set_int_option(ipv6_fd, IPPROTO_IPV6, IPV6_TCLASS, 0x10));
	struct sockaddr_in6 address6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	PROBE("bind(AF_INET6)", "::1, port 0", RET_VALUE, bind(ipv6_fd, (struct sockaddr *)&address6, sizeof address6));
	close_if_open(ipv6_fd);
}

static void probe_interface_ioctls(int fd)
{
	int readable = 0;
	PROBE("ioctl(FIONREAD,udp)", "nothing received", RET_VALUE, ioctl(fd, FIONREAD, &readable));
	int non_blocking = 1;
	PROBE("ioctl(FIONBIO)", "1", RET_VALUE, ioctl(fd, FIONBIO, &non_blocking));
	struct timeval stamp;
	PROBE("ioctl(SIOCGSTAMP)", "nothing received", RET_VALUE, ioctl(fd, SIOCGSTAMP, &stamp));

	struct ifreq requests[16];
	struct ifconf list = { .ifc_len = sizeof requests, .ifc_req = requests };
	PROBE("ioctl(SIOCGIFCONF)", "room for 16 interfaces", RET_VALUE, ioctl(fd, SIOCGIFCONF, &list));

	static const struct {
		const char *call;
		unsigned long request;
	} loopback_requests[] = {
		{ "ioctl(SIOCGIFINDEX)", SIOCGIFINDEX },
		{ "ioctl(SIOCGIFFLAGS)", SIOCGIFFLAGS },
		{ "ioctl(SIOCGIFMTU)", SIOCGIFMTU },
		{ "ioctl(SIOCGIFADDR)", SIOCGIFADDR },
		{ "ioctl(SIOCGIFNETMASK)", SIOCGIFNETMASK },
		{ "ioctl(SIOCGIFHWADDR)", SIOCGIFHWADDR },
		{ "ioctl(SIOCGIFTXQLEN)", SIOCGIFTXQLEN },
	};
	for (size_t i = 0; i < sizeof loopback_requests / sizeof loopback_requests[0]; i++) {
		struct ifreq request;
		memset(&request, 0, sizeof request);
		strcpy(request.ifr_name, "lo");
		PROBE(loopback_requests[i].call, "interface lo", RET_VALUE, ioctl(fd, loopback_requests[i].request, &request));
	}

	struct ifreq by_index = { .ifr_ifindex = (int)if_nametoindex("lo") };
	PROBE("ioctl(SIOCGIFNAME)", "index of lo", RET_VALUE, ioctl(fd, SIOCGIFNAME, &by_index));
}

static void probe_udp(void)
{
	int fd = PROBE("socket(AF_INET,SOCK_DGRAM)", "", RET_ZERO, socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));

	/* A classic BPF program of one instruction that accepts every packet whole. */
	struct sock_filter accept_all[] = { { .code = BPF_RET | BPF_K, .k = 0xffffffff } };
	struct sock_fprog program = { .len = 1, .filter = accept_all };
	PROBE("setsockopt(SOL_SOCKET,SO_ATTACH_FILTER)", "classic BPF, accept all", RET_VALUE,
	      setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program));
	PROBE("setsockopt(SOL_SOCKET,SO_DETACH_FILTER)", "", RET_VALUE, set_int_option(fd, SOL_SOCKET, SO_DETACH_FILTER, 0));
	PROBE("setsockopt(SOL_SOCKET,SO_TIMESTAMP)", "1", RET_VALUE, set_int_option(fd, SOL_SOCKET, SO_TIMESTAMP, 1));
	PROBE("setsockopt(SOL_SOCKET,SO_BROADCAST)", "1", RET_VALUE, set_int_option(fd, SOL_SOCKET, SO_BROADCAST, 1));
	PROBE("setsockopt(IPPROTO_IP,IP_RECVERR)", "1", RET_VALUE, set_int_option(fd, IPPROTO_IP, IP_RECVERR, 1));
	PROBE("setsockopt(IPPROTO_IP,IP_PKTINFO)", "1", RET_VALUE, set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1));
	PROBE("setsockopt(IPPROTO_IP,IP_MTU_DISCOVER)", "IP_PMTUDISC_DO", RET_VALUE,
	      set_int_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO));
	PROBE("setsockopt(SOL_UDP,UDP_SEGMENT)", "1400 bytes", RET_VALUE, set_int_option(fd, SOL_UDP, UDP_SEGMENT, 1400));

	struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	PROBE("bind(AF_INET,SOCK_DGRAM)", "127.0.0.1, port 0", RET_VALUE, bind(fd, (struct sockaddr *)&address, sizeof address));

	probe_interface_ioctls(fd);
	close_if_open(fd);
}

/* A Unix socket pair that passes an fd with SCM_RIGHTS. */
static void probe_unix(void)
{
	int pair[2] = { -1, -1 };
	PROBE("socketpair(AF_UNIX,SOCK_STREAM)", "", RET_VALUE, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair));
	PROBE("setsockopt(SOL_SOCKET,SO_PASSCRED)", "1", RET_VALUE, set_int_option(pair[0], SOL_SOCKET, SO_PASSCRED, 1));
	struct ucred credentials;
	socklen_t length = sizeof credentials;
	PROBE("getsockopt(SOL_SOCKET,SO_PEERCRED)", "", RET_VALUE,
	      getsockopt(pair[0], SOL_SOCKET, SO_PEERCRED, &credentials, &length));

	char byte = 'f';
	struct iovec data = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr header;
		char room[CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof control);
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control.room, .msg_controllen = sizeof control.room };
	struct cmsghdr *rights = CMSG_FIRSTHDR(&message);
	rights->cmsg_level = SOL_SOCKET;
	rights->cmsg_type = SCM_RIGHTS;
	rights->cmsg_len = CMSG_LEN(sizeof(int));
	int passed = STDOUT_FILENO;
	memcpy(CMSG_DATA(rights), &passed, sizeof passed);
	PROBE("sendmsg(SCM_RIGHTS)", "1 byte and stdout's fd", RET_VALUE, sendmsg(pair[1], &message, MSG_NOSIGNAL));

	memset(&control, 0, sizeof control);
	message.msg_controllen = sizeof control.room;
	PROBE("recvmsg(SCM_RIGHTS)", "1 byte and an fd, MSG_CMSG_CLOEXEC", RET_VALUE,
	      recvmsg(pair[0], &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT));
	struct cmsghdr *received = CMSG_FIRSTHDR(&message);
	if (received != NULL && received->cmsg_type == SCM_RIGHTS) {
		int fd;
		memcpy(&fd, CMSG_DATA(received), sizeof fd);
		close(fd);
	}

	close_if_open(pair[0]);
	close_if_open(pair[1]);
}

static void probe_other_families(void)
{
	int fd = PROBE("socket(AF_NETLINK,NETLINK_ROUTE)", "", RET_ZERO, socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
	struct sockaddr_nl netlink_address = { .nl_family = AF_NETLINK };
	PROBE("bind(AF_NETLINK)", "pid 0, no groups", RET_VALUE,
	      bind(fd, (struct sockaddr *)&netlink_address, sizeof netlink_address));
	close_if_open(fd);

	/* A ping socket needs the group in net.ipv4.ping_group_range, and a raw one needs CAP_NET_RAW. */
	fd = PROBE("socket(AF_INET,SOCK_DGRAM,IPPROTO_ICMP)", "ping socket", RET_ZERO,
		   socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP));
	close_if_open(fd);
	fd = PROBE("socket(AF_INET,SOCK_RAW,IPPROTO_ICMP)", "", RET_ZERO, socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
	close_if_open(fd);
	fd = PROBE("socket(AF_PACKET,SOCK_DGRAM)", "", RET_ZERO, socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	close_if_open(fd);

	fd = PROBE("socket(AF_ALG,SOCK_SEQPACKET)", "kernel crypto API", RET_ZERO, socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
	struct sockaddr_alg algorithm = { .salg_family = AF_ALG, .salg_type = "hash", .salg_name = "sha256" };
	PROBE("bind(AF_ALG)", "hash, sha256", RET_VALUE, bind(fd, (struct sockaddr *)&algorithm, sizeof algorithm));
	close_if_open(fd);

	fd = PROBE("socket(AF_VSOCK,SOCK_STREAM)", "", RET_ZERO, socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
	close_if_open(fd);
}

void probe_sockets(void)
{
	probe_tcp();
	probe_udp();
	probe_unix();
	probe_other_families();
}
