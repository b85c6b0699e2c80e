/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.h: -netdev user (libslirp): typed configuration, QEMU's option rules, forwards, the port. */
#ifndef QNET_BACKENDS_USER_H
#define QNET_BACKENDS_USER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "datapath/port.h"

/**
 * DOC: user backend
 *
 * The -netdev user backend is libslirp behind a port (datapath/port.h).
 * ctl turns `-netdev user,...` text into a struct user_opts (one raw string
 * per key, as QemuOpts keeps them), user_config_from_opts() applies QEMU's
 * rules (defaults, derivations and the exact error texts of QEMU 7.2), and
 * user_open() starts libslirp on a uloop with the resulting struct
 * user_config.  A config can also be built directly (QMP/JSON): start from
 * user_config_defaults() and check it with user_config_check().
 *
 * Errors: functions return 0 or -errno; where QEMU prints a message, the
 * text (without the "PROG: -netdev ...: " prefix, which ctl adds) is left
 * in a struct user_err.  Nothing here prints.
 *
 * Threads: the user_config/user_opts/user_fwd_parse helpers are pure and
 * callable anywhere.  Everything taking a struct user_backend runs in the
 * thread that owns its uloop (ctl uses uworker_call()).
 */

struct uloop;
struct user_backend;

/** USER_ERR_MAX - longest error text, with its NUL */
#define USER_ERR_MAX 1536

/** USER_RULE_MAX - QEMU keeps each -netdev forwarding rule in 1024 bytes */
#define USER_RULE_MAX 1024

/** USER_MTU_MIN - smallest MTU/MRU libslirp accepts */
#define USER_MTU_MIN 68

/** USER_MTU_MAX - largest MTU/MRU libslirp accepts */
#define USER_MTU_MAX 65521

/** USER_MTU_DEFAULT - libslirp's MTU and MRU when none is given */
#define USER_MTU_DEFAULT 1500

/** USER_SMBD_DEFAULT - the smbd Debian's QEMU runs for smb= */
#define USER_SMBD_DEFAULT "/usr/sbin/smbd"

/**
 * struct user_err - error text for ctl to print
 * @msg:	QEMU's text (or qnet's, where QEMU has none), NUL terminated
 */
struct user_err {
	char msg[USER_ERR_MAX];
};

/* --- options as given (QemuOpts level) ------------------------------------ */

/**
 * enum user_opt - the keys of -netdev user; QEMU's first, in the order its
 * schema visits them (which decides which bad value is reported first)
 */
enum user_opt {
	USER_OPT_HOSTNAME,
	USER_OPT_RESTRICT,
	USER_OPT_IPV4,
	USER_OPT_IPV6,
	USER_OPT_IP,
	USER_OPT_NET,
	USER_OPT_HOST,
	USER_OPT_TFTP,
	USER_OPT_BOOTFILE,
	USER_OPT_DHCPSTART,
	USER_OPT_DNS,
	USER_OPT_DNSSEARCH,
	USER_OPT_DOMAINNAME,
	USER_OPT_IPV6_PREFIX,
	USER_OPT_IPV6_PREFIXLEN,
	USER_OPT_IPV6_HOST,
	USER_OPT_IPV6_DNS,
	USER_OPT_SMB,
	USER_OPT_SMBSERVER,
	USER_OPT_HOSTFWD,
	USER_OPT_GUESTFWD,
	USER_OPT_TFTP_SERVER_NAME,
	USER_OPT_IPV6_NET, /* split into prefix/prefixlen, as QEMU does */
	/* qnet extensions: what libslirp can do and QEMU does not expose */
	USER_OPT_MTU,
	USER_OPT_MRU,
	USER_OPT_HOST_LOOPBACK,
	USER_OPT_OUTBOUND,
	USER_OPT_OUTBOUND6,
	USER_OPT_DHCP,
	USER_OPT_DNS_PROXY,
	USER_OPT_COUNT
};

/**
 * struct user_opt_list - values of a repeatable key, in the order given
 * @v:	the values (owned)
 * @n:	how many
 */
struct user_opt_list {
	char **v;
	unsigned int n;
};

/**
 * struct user_opts - raw option strings of one -netdev user
 * @val:	last value given per key (owned), NULL when absent; the
 *		repeatable keys (hostfwd, guestfwd, dnssearch) use @list
 * @list:	values of the repeatable keys, indexed by enum user_opt
 */
struct user_opts {
	char *val[USER_OPT_COUNT];
	struct user_opt_list list[USER_OPT_COUNT];
};

void user_opts_init(struct user_opts *o);
void user_opts_free(struct user_opts *o);
int user_opts_set(struct user_opts *o, const char *key, const char *value);
const char *user_opt_name(enum user_opt opt);
int user_opt_lookup(const char *key);

/* --- forwarding rules ----------------------------------------------------- */

/**
 * enum user_fwd_proto - what a host forwarding rule listens on
 * @USER_FWD_TCP:	a TCP port (IPv4, or IPv6 with [addr])
 * @USER_FWD_UDP:	a UDP port
 * @USER_FWD_UNIX:	a unix stream socket (QEMU 8.0+ syntax)
 */
enum user_fwd_proto {
	USER_FWD_TCP,
	USER_FWD_UDP,
	USER_FWD_UNIX,
	USER_FWD_PROTO_COUNT
};

/**
 * union user_sockaddr - a host address of a forward
 * @sa:		generic view (family)
 * @in:		AF_INET
 * @in6:	AF_INET6
 * @un:		AF_UNIX
 */
union user_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
};

/**
 * struct user_fwd_rule - one parsed hostfwd rule
 * @proto:	tcp, udp or unix
 * @host:	address to listen on (port in network order; port 0: the
 *		kernel picks one; address 0.0.0.0: every interface)
 * @host_len:	its length
 * @guest:	guest IPv4 address (0.0.0.0: the first DHCP address)
 * @guest6:	guest IPv6 address, when @guest_v6 (:: : the address the
 *		guest uses in IPv6 neighbour discovery)
 * @guest_v6:	the guest side is IPv6 (always so for an IPv6 host address)
 * @guest_port:	guest port (host order, 1..65535)
 */
struct user_fwd_rule {
	enum user_fwd_proto proto;
	union user_sockaddr host;
	socklen_t host_len;
	struct in_addr guest;
	struct in6_addr guest6;
	bool guest_v6;
	uint16_t guest_port;
};

/**
 * enum user_guestfwd_kind - where a guest forwarding rule leads
 * @USER_GUESTFWD_CMD:	a command run per connection (no shell)
 * @USER_GUESTFWD_UNIX:	a unix socket connected per connection
 * @USER_GUESTFWD_DEV:	any other QEMU chardev spec (refused at open)
 */
enum user_guestfwd_kind {
	USER_GUESTFWD_CMD,
	USER_GUESTFWD_UNIX,
	USER_GUESTFWD_DEV,
	USER_GUESTFWD_KIND_COUNT
};

/**
 * struct user_guestfwd_rule - one parsed guestfwd rule
 * @server:	guest-visible address (0.0.0.0: libslirp picks net | .4)
 * @port:	guest-visible TCP port
 * @kind:	command, unix socket or other device
 * @target:	the command, the socket path or the device spec; points into
 *		the rule text given to the parser
 */
struct user_guestfwd_rule {
	struct in_addr server;
	uint16_t port;
	enum user_guestfwd_kind kind;
	const char *target;
};

int user_fwd_parse(const char *rule, struct user_fwd_rule *out,
		   const char **why);
int user_fwd_parse_remove(const char *spec, struct user_fwd_rule *out,
			  const char **why);
int user_guestfwd_parse(const char *rule, struct user_guestfwd_rule *out,
			const char **why);
uint16_t user_fwd_host_port(const struct user_fwd_rule *r);
int user_fwd_format(const struct user_fwd_rule *r, char *buf, size_t len);

/* --- typed configuration -------------------------------------------------- */

/**
 * struct user_hostfwd - a hostfwd rule with its text
 * @text:	the rule as given (owned; at most USER_RULE_MAX - 1 bytes)
 * @rule:	parsed
 */
struct user_hostfwd {
	char *text;
	struct user_fwd_rule rule;
};

/**
 * struct user_guestfwd - a guestfwd rule with its text
 * @text:	the rule as given (owned); @rule.target points into it
 * @rule:	parsed
 */
struct user_guestfwd {
	char *text;
	struct user_guestfwd_rule rule;
};

/**
 * struct user_config - everything one user netdev needs, typed
 * @restricted:		restrict=on: the guest reaches only forwards
 * @ipv4:		IPv4 on
 * @ipv6:		IPv6 on
 * @net:		network address (masked)
 * @mask:		its netmask
 * @host:		the gateway/host address (net | .2)
 * @dhcp_start:		first DHCP lease (net | .15)
 * @dns:		DNS address (net | .3)
 * @smbserver:		SMB server address; 0.0.0.0: libslirp's (net | .4)
 * @ipv6_prefix:	IPv6 prefix (fec0::)
 * @ipv6_prefixlen:	its length (64)
 * @ipv6_host:		IPv6 host address (prefix | ::2)
 * @ipv6_dns:		IPv6 DNS address (prefix | ::3)
 * @hostname:		DHCP client hostname, or NULL
 * @tftp:		TFTP root, or NULL (no TFTP server)
 * @tftp_server_name:	DHCP option 66, or NULL
 * @bootfile:		DHCP boot file, or NULL
 * @smb:		directory exported over SMB, or NULL
 * @domainname:		DHCP domain name, or NULL
 * @dnssearch:		DHCP domain search list (@ndnssearch names, owned)
 * @ndnssearch:		names in @dnssearch
 * @hostfwd:		host forwards, in the order given
 * @nhostfwd:		how many
 * @guestfwd:		guest forwards, in the order given
 * @nguestfwd:		how many
 * @mtu:		qnet: interface MTU, 0 for USER_MTU_DEFAULT
 * @mru:		qnet: interface MRU, 0 for USER_MTU_DEFAULT
 * @host_loopback:	qnet: the guest may reach the host's loopback
 *			through the host address (QEMU: always on)
 * @dhcp:		qnet: built-in DHCP server on (QEMU: always on)
 * @dns_proxy:		qnet: built-in DNS forwarder on (QEMU: always on)
 * @has_outbound:	qnet: @outbound is set
 * @outbound:		qnet: host address outbound IPv4 sockets bind to
 * @has_outbound6:	qnet: @outbound6 is set
 * @outbound6:		qnet: host address outbound IPv6 sockets bind to
 * @smbd:		the smbd to run for @smb (owned; NULL for
 *			USER_SMBD_DEFAULT)
 * @ack_coalesce_off:	qnet: send every pure TCP ACK libslirp makes (by
 *			default those a later ACK of the same flush
 *			supersedes are dropped, see docs/user.md); for
 *			tests and measurements, no option sets it
 *
 * Strings and arrays are owned (user_config_free()).  libslirp's protocol
 * emulation (tcp_emu) is never enabled.
 */
struct user_config {
	bool restricted;
	bool ipv4;
	bool ipv6;
	struct in_addr net;
	struct in_addr mask;
	struct in_addr host;
	struct in_addr dhcp_start;
	struct in_addr dns;
	struct in_addr smbserver;
	struct in6_addr ipv6_prefix;
	unsigned int ipv6_prefixlen;
	struct in6_addr ipv6_host;
	struct in6_addr ipv6_dns;
	char *hostname;
	char *tftp;
	char *tftp_server_name;
	char *bootfile;
	char *smb;
	char *domainname;
	char **dnssearch;
	unsigned int ndnssearch;
	struct user_hostfwd *hostfwd;
	unsigned int nhostfwd;
	struct user_guestfwd *guestfwd;
	unsigned int nguestfwd;
	unsigned int mtu;
	unsigned int mru;
	bool host_loopback;
	bool dhcp;
	bool dns_proxy;
	bool has_outbound;
	struct in_addr outbound;
	bool has_outbound6;
	struct in6_addr outbound6;
	char *smbd;
	bool ack_coalesce_off;
};

void user_config_defaults(struct user_config *c);
void user_config_free(struct user_config *c);
int user_config_copy(struct user_config *dst, const struct user_config *src);
int user_config_check(const struct user_config *c, struct user_err *err);
int user_config_from_opts(struct user_config *c, const struct user_opts *o,
			  struct user_err *err);
int user_config_add_hostfwd(struct user_config *c, const char *rule,
			    struct user_err *err);
int user_config_add_guestfwd(struct user_config *c, const char *rule,
			     struct user_err *err);
int user_config_add_dnssearch(struct user_config *c, const char *name);
int user_config_set_str(char **field, const char *value);

/* --- the backend ---------------------------------------------------------- */

/**
 * struct user_stats - counters of one user backend (frames and their drops
 * are in the port's struct port_stats)
 * @in_frames:		frames handed to slirp_input()
 * @in_csum:		of which had their checksum completed (NEEDS_CSUM)
 * @in_gso:		of which were GSO frames handed over whole
 * @in_spoofed:		frames dropped (as malformed) for a source address
 *			the guest cannot own
 * @out_frames:		frames libslirp sent toward the guest
 * @out_padded:		of which were padded to 60 bytes
 * @out_dropped:	of which were dropped before port_send (no pool
 *			buffer, or the queue full inside receive())
 * @polls:		slirp_pollfds_poll() calls
 * @fills:		slirp_pollfds_fill() calls
 * @watches:		fds watched now
 * @poll_errors:	poll requests the kernel ended with an error
 * @pri_checks:		poll(2) calls confirming io_uring's POLLPRI
 * @pri_false:		POLLPRI reports that were not urgent data
 * @timers:		libslirp timer expiries
 * @guest_errors:	libslirp's guest_error reports
 * @held:		times receive() held its sender (re-entered from
 *			libslirp)
 * @ack_pure:		pure TCP ACKs libslirp sent toward the guest (no
 *			data, only the ACK flag, no options but timestamps;
 *			counted by ACK coalescing, so 0 while it is off)
 * @ack_coalesced:	of which were dropped because a later ACK of the
 *			same connection in the same flush superseded them
 *			(counted as "filtered" on the port)
 */
struct user_stats {
	uint64_t in_frames;
	uint64_t in_csum;
	uint64_t in_gso;
	uint64_t in_spoofed;
	uint64_t out_frames;
	uint64_t out_padded;
	uint64_t out_dropped;
	uint64_t polls;
	uint64_t fills;
	uint64_t watches;
	uint64_t poll_errors;
	uint64_t pri_checks;
	uint64_t pri_false;
	uint64_t timers;
	uint64_t guest_errors;
	uint64_t held;
	uint64_t ack_pure;
	uint64_t ack_coalesced;
};

/**
 * struct user_fwd_entry - one active host forward, for listing
 * @rule:	the rule
 * @text:	its text (valid until the next add/remove on the backend)
 * @port:	the port actually bound (differs from the rule's for port 0;
 *		0 for unix, or when it could not be found out)
 */
struct user_fwd_entry {
	struct user_fwd_rule rule;
	const char *text;
	uint16_t port;
};

int user_open(struct user_backend **out, const struct user_config *cfg,
	      struct uloop *loop, const char *name, struct user_err *err);
struct port *user_port(struct user_backend *be);
int user_close(struct user_backend *be);
const struct user_config *user_backend_config(const struct user_backend *be);
void user_get_stats(const struct user_backend *be, struct user_stats *out);
const char *user_last_guest_error(const struct user_backend *be);

int user_fwd_add(struct user_backend *be, const char *rule,
		 struct user_err *err);
int user_fwd_remove(struct user_backend *be, const char *spec,
		    struct user_err *err);
unsigned int user_fwd_list(const struct user_backend *be,
			   struct user_fwd_entry *out, unsigned int max);

/* --- monitor text --------------------------------------------------------- */

int user_info_network(const struct user_config *c, char *buf, size_t len);
int user_info_usernet(struct user_backend *be, int hub_id, char *buf,
		      size_t len);

/* --- ping and libslirp's own messages ------------------------------------- */

int user_ping_check(char *why, size_t len);
bool user_ping_available(const struct user_backend *be);
const char *user_ping_warning(const struct user_backend *be);
int user_log_take(char *buf, size_t len);
void user_log_capture(void);

#endif /* QNET_BACKENDS_USER_H */
