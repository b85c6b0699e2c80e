/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmm_stream.h: a VMM's own NIC attaches to qnet over QEMU's stream/dgram framing. */
#ifndef QNET_DEVICES_VMM_STREAM_H
#define QNET_DEVICES_VMM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/port.h"
#include "datapath/stream_addr.h"
#include "datapath/stream_link.h"
#include "datapath/uring/uloop.h"

/**
 * DOC: attach= grammar
 *
 * A NIC the VMM emulates itself attaches to qnet with the device property
 * attach= (on -device e1000|rtl8139|virtio-net-pci|...). qnet is the
 * server: it listens (stream) or binds (dgram) before the VMM starts.
 *
 *   attach   = "stream:" saddr | "dgram:" daddr
 *   saddr    = "unix:" PATH              qnet listens on PATH
 *            | "inet:" HOST ":" PORT     qnet listens on HOST:PORT
 *            | "inet:[" V6 "]:" PORT     (IPv6 literal in brackets)
 *            | "fd:" N                   a socket qnet inherits: a
 *                                        listening one, or one end of a
 *                                        connected pair (one connection)
 *   daddr    = "unix:" PATH "@" PATH     qnet's path @ the VMM's path
 *            | "inet:" HOST ":" PORT "@" HOST ":" PORT
 *            | "fd:" N                   a bound, connected datagram socket
 *
 * Read "@" as "and sends to": the address before it is qnet's (the one the
 * VMM sends to), the one after it the VMM's. HOST may be empty in a stream
 * address (listen on every address); PORT may be 0 (the kernel picks one;
 * vmm_stream_qemu_args() on the open transport shows it). Paths are at most
 * 107 bytes; a dgram path cannot contain "@". Inside a -device option a
 * comma in a path is written ",," as usual (ctl undoes that before
 * calling vmm_stream_parse()).
 *
 * QEMU side (vmm_stream_qemu_netdev()):
 *   stream:unix:P     -netdev stream,id=ID,server=off,addr.type=unix,addr.path=P
 *   stream:inet:H:N   -netdev stream,id=ID,server=off,addr.type=inet,addr.host=H,addr.port=N
 *                     legacy: -netdev socket,id=ID,connect=H:N
 *   stream:fd:N       -netdev stream,id=ID,server=off,addr.type=fd,addr.str=M
 *                     (M: the VMM's end of the pair)
 *   dgram:unix:A@B    -netdev dgram,id=ID,local.type=unix,local.path=B,remote.type=unix,remote.path=A
 *   dgram:inet:A@B    -netdev dgram,id=ID,local.type=inet,...B...,remote.type=inet,...A...
 *                     legacy: -netdev socket,id=ID,udp=A,localaddr=B
 */

/**
 * enum vmm_stream_transport - which QEMU framing the VMM speaks
 * @VMM_STREAM_STREAM:	length-prefixed frames on a stream socket
 * @VMM_STREAM_DGRAM:	one frame per datagram
 */
enum vmm_stream_transport {
	VMM_STREAM_STREAM,
	VMM_STREAM_DGRAM,
	VMM_STREAM_TRANSPORT_COUNT
};

/**
 * enum vmm_stream_flavour - which QEMU option to print for the VMM side
 * @VMM_STREAM_QEMU_NETDEV:	-netdev stream / -netdev dgram (QEMU 7.2+)
 * @VMM_STREAM_QEMU_SOCKET:	legacy -netdev socket (inet and fd only)
 */
enum vmm_stream_flavour {
	VMM_STREAM_QEMU_NETDEV,
	VMM_STREAM_QEMU_SOCKET,
	VMM_STREAM_FLAVOUR_COUNT
};

/**
 * struct vmm_stream_config - what attach= says, plus tuning
 * @transport:	stream or dgram
 * @addr:	stream: where qnet listens (or the fd it inherits);
 *		dgram: qnet's own address (or its fd)
 * @remote:	dgram: the VMM's address (unset for an fd)
 * @has_remote:	@remote is set
 * @max_len:	longest frame (0: FRAME_MAX_LEN)
 * @bufsize:	bytes per ring (0: STREAM_LINK_BUF_DEFAULT)
 */
struct vmm_stream_config {
	enum vmm_stream_transport transport;
	struct stream_addr addr;
	struct stream_addr remote;
	bool has_remote;
	uint32_t max_len;
	uint32_t bufsize;
};

struct vmm_stream;

/**
 * struct vmm_stream_notify - connection events (ctl turns them into QMP
 * NETDEV_STREAM_CONNECTED / DISCONNECTED and its own log)
 * @event:	called in the loop thread
 * @arg:	its argument
 */
struct vmm_stream_notify {
	void (*event)(struct vmm_stream *vs, enum stream_link_event ev,
		      void *arg);
	void *arg;
};

int vmm_stream_parse(const char *spec, struct vmm_stream_config *cfg,
		     const char **why);
int vmm_stream_format(const struct vmm_stream_config *cfg, char *buf,
		      size_t size);
int vmm_stream_qemu_netdev(const struct vmm_stream_config *cfg,
			   enum vmm_stream_flavour flavour, const char *id,
			   int vmm_fd, char *buf, size_t size);

int vmm_stream_open(struct vmm_stream **out,
		    const struct vmm_stream_config *cfg, struct uloop *loop,
		    const char *name, const struct vmm_stream_notify *notify);
void vmm_stream_close(struct vmm_stream *vs);
struct port *vmm_stream_port(struct vmm_stream *vs);
bool vmm_stream_connected(const struct vmm_stream *vs);
uint64_t vmm_stream_bad_length(const struct vmm_stream *vs);
uint64_t vmm_stream_refused(const struct vmm_stream *vs);
const struct stream_link_stats *vmm_stream_stats(const struct vmm_stream *vs);
int vmm_stream_info(const struct vmm_stream *vs, char *buf, size_t size);
int vmm_stream_peer(const struct vmm_stream *vs, struct stream_addr *peer);
int vmm_stream_qemu_args(const struct vmm_stream *vs,
			 enum vmm_stream_flavour flavour, const char *id,
			 int vmm_fd, char *buf, size_t size);
void vmm_stream_set_link(struct vmm_stream *vs, bool up);

#endif /* QNET_DEVICES_VMM_STREAM_H */
