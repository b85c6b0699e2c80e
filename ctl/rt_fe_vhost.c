// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_fe_vhost.c: NIC frontend: qnet's virtio-net device served over vhost-user. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_tun.h>
#include <sys/un.h>

#include "ctl/rt_be.h"
#include "ctl/runtime.h"
#include "devices/virtio_net.h"
#include "devices/vnet_hdr.h"

/**
 * DOC: vhost-user frontend
 *
 * `-device virtio-net-pci,netdev=ID,vhost-user=PATH`: qnet emulates the
 * virtio-net device and the VMM shares guest memory and the virtqueues
 * over a vhost-user socket at PATH (docs/vhost-user.md).
 *
 *   vhost-user=PATH		  the socket (`qnet run`: default
 *				  `<private dir>/<nic>-vhost.sock`)
 *   vhost-user-mode=server	  qnet listens on PATH (default; the VMM's
 *				  `-chardev socket,path=PATH`)
 *   vhost-user-mode=client	  qnet connects to PATH and retries (the VMM's
 *				  `-chardev socket,path=PATH,server=on`)
 *   vhost-user-reconnect=MS	  client: retry period (default 1000)
 *   vhost-user-vmm=on|off	  on (default): a VMM sits between the guest
 *				  and qnet and keeps the config space and the
 *				  control queue (QEMU); off: the front-end is
 *				  the guest's driver itself (User-Mode
 *				  Linux): qnet serves the config space and,
 *				  with ctrl_vq=on, the control queue
 *   vhost-user-rx=auto|direct|copy  frames from a tap on the same loop:
 *				  read straight into the guest's buffers
 *				  while they are large (auto, default),
 *				  whenever possible (direct), or copied
 *				  (devices/virtio_net_rxd.c)
 *   queues=N			  queue pairs qnet serves (default: the
 *				  netdev's queue count); N > 1 needs mq=on;
 *				  more pairs than a single-queue netdev has
 *				  are joined onto it (rt_fe_mq.c)
 *
 * QEMU's own properties map to struct virtio_net_params: mac, csum,
 * guest_csum, host_tso4/6, host_ecn, guest_tso4/6, guest_ecn, mrg_rxbuf,
 * event_idx, indirect_desc, status, packed, host_mtu (the MTU offered),
 * ctrl_vq (vhost-user-vmm=off only). rx_queue_size/tx_queue_size are the
 * VMM's: it sets the ring sizes (SET_VRING_NUM) and qnet takes any size
 * up to 32768. Queue pairs run on the data-path worker's loop, or each on
 * its queue worker when the netdev is a tap with as many queues
 * (ctl/rt_workers.c).
 *
 * Offload metadata goes to the peer as is (peer_vnet) when the peer takes
 * it: a user netdev (libslirp completes checksums and takes GSO frames
 * whole), or a tap with a vnet header, whose TUNSETOFFLOAD is set at open
 * from the offloads the device offers (guest_csum, guest_tso4/6,
 * guest_ecn), as QEMU sets it from the guest's. What a guest declines is
 * completed by the device in software. Other peers get plain frames.
 */

/**
 * struct rt_fe_vhost_cfg - a vhost-user NIC's parameters
 * @p:		the device's parameters
 * @vc:		the socket's configuration (@vc.path points at @path)
 * @path:	socket path
 * @join:	while open with more queue pairs than the netdev has: the
 *		join between them (rt_fe_mq.c)
 */
struct rt_fe_vhost_cfg {
	struct virtio_net_params p;
	struct vhost_user_config vc;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct rt_fe_mq *join;
};

/* QEMU's boolean virtio-net properties and the parameter each sets. */
static const struct {
	const char *key;
	size_t off;
} rt_fe_vhost_bools[] = {
	{ "csum", offsetof(struct virtio_net_params, csum) },
	{ "guest_csum", offsetof(struct virtio_net_params, guest_csum) },
	{ "host_tso4", offsetof(struct virtio_net_params, host_tso4) },
	{ "host_tso6", offsetof(struct virtio_net_params, host_tso6) },
	{ "host_ecn", offsetof(struct virtio_net_params, host_ecn) },
	{ "guest_tso4", offsetof(struct virtio_net_params, guest_tso4) },
	{ "guest_tso6", offsetof(struct virtio_net_params, guest_tso6) },
	{ "guest_ecn", offsetof(struct virtio_net_params, guest_ecn) },
	{ "mrg_rxbuf", offsetof(struct virtio_net_params, mrg_rxbuf) },
	{ "event_idx", offsetof(struct virtio_net_params, event_idx) },
	{ "indirect_desc", offsetof(struct virtio_net_params, indirect_desc) },
	{ "status", offsetof(struct virtio_net_params, status) },
	{ "packed", offsetof(struct virtio_net_params, packed) },
};

/**
 * rt_fe_vhost_pairs() - the queue pairs qnet serves
 * @nic:	the NIC
 * @p:		parameters (@p->queues set)
 * @err:	error text
 *
 * Return: 0, or -EINVAL
 */
static int rt_fe_vhost_pairs(const struct netconf_nic *nic,
			     struct virtio_net_params *p, struct strbuf *err)
{
	const char *m = nic->model->name;
	uint64_t n = netconf_opt_uint(nic->props, "queues", nic->nqueues);
	uint64_t max = VU_MAX_QUEUE_PAIRS < PORT_MAX_QUEUES ?
		       VU_MAX_QUEUE_PAIRS : PORT_MAX_QUEUES;

	if (n < 1 || n > max) {
		strbuf_printf(err, "Property '%s.queues' doesn't take value "
			      "'%llu' (1 to %llu queue pairs)", m,
			      (unsigned long long)n, (unsigned long long)max);
		return -EINVAL;
	}
	if (n > 1 && !netconf_opt_bool(nic->props, "mq", false)) {
		strbuf_printf(err, "Property '%s.queues' needs mq=on", m);
		return -EINVAL;
	}
	if (n != nic->nqueues && nic->nqueues != 1) {
		strbuf_printf(err, "Property '%s.queues' doesn't take value "
			      "'%llu': netdev '%s' has %u queues", m,
			      (unsigned long long)n, nic->netdev->id,
			      nic->nqueues);
		return -EINVAL;
	}
	p->queues = (unsigned int)n;
	return 0;
}

/**
 * rt_fe_vhost_params() - the device's parameters from the NIC's properties
 * @nic:	the NIC
 * @p:		filled
 * @err:	error text
 *
 * Return: 0, or -EINVAL
 */
static int rt_fe_vhost_params(const struct netconf_nic *nic,
			      struct virtio_net_params *p, struct strbuf *err)
{
	const struct json_value *o = nic->props;
	const struct netconf_netdev *nd = rt_nic_peer(nic);
	bool vmm = netconf_opt_bool(o, "vhost-user-vmm", true);
	const char *rx = netconf_opt_str(o, "vhost-user-rx");
	uint64_t mtu = netconf_opt_uint(o, "host_mtu", 0);
	size_t i;

	virtio_net_params_default(p);
	memcpy(p->mac, nic->mac, 6);
	for (i = 0; i < sizeof(rt_fe_vhost_bools) /
		    sizeof(rt_fe_vhost_bools[0]); i++) {
		bool *b = (bool *)((char *)p + rt_fe_vhost_bools[i].off);

		*b = netconf_opt_bool(o, rt_fe_vhost_bools[i].key, *b);
	}
	if (mtu && (mtu < 68 || mtu > FRAME_MAX_LEN - 18)) {
		strbuf_printf(err, "Property '%s.host_mtu' doesn't take value "
			      "'%llu' (68 to %u)", nic->model->name,
			      (unsigned long long)mtu, FRAME_MAX_LEN - 18);
		return -EINVAL;
	}
	if (mtu) {
		p->mtu = (uint16_t)mtu;
		p->host_mtu = true;
	}
	/* the schema took only these three */
	p->rx_mode = !rx || !strcmp(rx, "auto") ? VN_RX_AUTO
		     : !strcmp(rx, "direct") ? VN_RX_DIRECT : VN_RX_COPY;
	p->serve_config = !vmm;
	p->ctrl_vq = !vmm && netconf_opt_bool(o, "ctrl_vq", true);
	/* libslirp takes checksum/GSO requests whole (backends/user.c);
	 * a tap may too: rt_fe_vhost_peer_offload() */
	p->peer_vnet = nd && !nd->hub && !strcmp(nd->type->name, "user");
	return rt_fe_vhost_pairs(nic, p, err);
}

/**
 * rt_fe_vhost_prepare() - parse the NIC's vhost-user and device properties
 * @rt:		runtime
 * @rnic:	the NIC
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_fe_vhost_prepare(struct rt *rt, struct rt_nic *rnic,
			       struct strbuf *err)
{
	const struct netconf_nic *nic = rnic->nic;
	const char *path = netconf_opt_str(nic->props, "vhost-user");
	const char *mode = netconf_opt_str(nic->props, "vhost-user-mode");
	struct rt_fe_vhost_cfg *c = calloc(1, sizeof(*c));
	char def[PATH_MAX];
	int ret;

	if (!c)
		return -ENOMEM;
	rnic->cfg = c;
	if (!path) {
		ret = rt_nic_socket_path(rt, rnic, "-vhost.sock", def,
					 sizeof(def));
		if (ret && ret != -ENAMETOOLONG) {
			strbuf_printf(err, "cannot create a socket directory: "
				      "%s", strerror(-ret));
			return ret;
		}
		path = def;
	}
	if (!path[0] || strlen(path) >= sizeof(c->path)) {
		strbuf_printf(err, "Property '%s.vhost-user' doesn't take value "
			      "'%s' (a socket path of 1 to %zu bytes)",
			      nic->model->name, path, sizeof(c->path) - 1);
		return -EINVAL;
	}
	memcpy(c->path, path, strlen(path) + 1);	/* length checked above */
	c->vc.path = c->path;
	c->vc.server = !mode || strcmp(mode, "client");
	c->vc.reconnect_ms = (uint32_t)netconf_opt_uint(nic->props,
					"vhost-user-reconnect", 1000);
	return rt_fe_vhost_params(nic, &c->p, err);
}

/**
 * rt_fe_vhost_tun_flags() - TUN_F_* for what a guest takes on RX
 * @caps:	VNET_CAP_* (checksum, TSO4, TSO6, ECN)
 *
 * Return: the flags (TSO only with checksums, ECN only with TSO).
 */
static unsigned int rt_fe_vhost_tun_flags(unsigned int caps)
{
	unsigned int f = 0;

	if (!(caps & VNET_CAP_CSUM))
		return 0;
	f |= TUN_F_CSUM;
	if (caps & VNET_CAP_TSO4)
		f |= TUN_F_TSO4;
	if (caps & VNET_CAP_TSO6)
		f |= TUN_F_TSO6;
	if ((caps & VNET_CAP_ECN) && (caps & (VNET_CAP_TSO4 | VNET_CAP_TSO6)))
		f |= TUN_F_TSO_ECN;
	return f;
}

/**
 * rt_fe_vhost_peer_offload() - let a tap peer take offload metadata
 * @rnic:	the NIC
 * @p:		parameters (@p->peer_vnet set when the tap takes it)
 *
 * Worker thread. Until the guest sets its features, the tap's offloads are
 * those the device offers the guest; rt_fe_vhost_guest_offloads() then
 * narrows them to what it acked.
 */
static void rt_fe_vhost_peer_offload(const struct rt_nic *rnic,
				     struct virtio_net_params *p)
{
	const struct netconf_netdev *nd = rt_nic_peer(rnic->nic);
	unsigned int caps = 0;

	if (p->peer_vnet || !nd || nd->hub || !nd->priv)
		return;
	if (p->guest_csum)
		caps = VNET_CAP_CSUM | (p->guest_tso4 ? VNET_CAP_TSO4 : 0) |
		       (p->guest_tso6 ? VNET_CAP_TSO6 : 0) |
		       (p->guest_ecn ? VNET_CAP_ECN : 0);
	if (!rt_be_tap_set_offload(nd->priv, rt_fe_vhost_tun_flags(caps)))
		p->peer_vnet = true;
}

/**
 * rt_fe_vhost_guest_offloads() - the guest set its features: the tap
 * peer gives it only what it acked (QEMU's
 * virtio_net_apply_guest_offloads()); the kernel segments the rest
 * @arg:	the NIC
 * @caps:	the guest's RX offloads (VNET_CAP_*)
 *
 * Worker thread, the device's pairs quiesced.
 */
static void rt_fe_vhost_guest_offloads(void *arg, unsigned int caps)
{
	const struct rt_nic *rnic = arg;
	const struct rt_fe_vhost_cfg *c = rnic->cfg;
	const struct netconf_netdev *nd = rt_nic_peer(rnic->nic);

	if (!c->p.peer_vnet || !nd || nd->hub || !nd->priv)
		return;
	(void)rt_be_tap_set_offload(nd->priv, rt_fe_vhost_tun_flags(caps));
}

/**
 * rt_fe_vhost_open() - start the device on its socket (worker)
 * @rt:		runtime
 * @rnic:	the NIC
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_fe_vhost_open(struct rt *rt, struct rt_nic *rnic,
			    struct uloop *loop, struct strbuf *err)
{
	struct rt_fe_vhost_cfg *c = rnic->cfg;
	struct uworker *ws[PORT_MAX_QUEUES];
	struct virtio_net *vn;
	int ret;

	rt_fe_vhost_peer_offload(rnic, &c->p);
	ret = virtio_net_open_mq(&vn, &c->p, &c->vc, loop,
				 rt_qw_for_nic(rt, rnic->nic, c->p.queues, ws) ?
				 ws : NULL, rnic->nic->name);
	if (ret) {
		strbuf_printf(err, "cannot %s the VM's vhost-user socket "
			      "'%s': %s", c->vc.server ? "listen on" :
			      "connect to", c->path, ret == -EEXIST ?
			      "a file that is not a socket is in the way" :
			      strerror(-ret));
		return ret;
	}
	rnic->obj = vn;
	rnic->port = virtio_net_port(vn);
	virtio_net_on_features(vn, rt_fe_vhost_guest_offloads, rnic);
	if (c->p.queues <= rnic->nic->nqueues)
		return 0;
	ret = rt_fe_mq_open(&c->join, rnic->port, rnic->nic->name);
	if (ret) {
		strbuf_printf(err, "cannot join %u queue pairs onto netdev "
			      "'%s': %s", c->p.queues, rnic->nic->netdev ?
			      rnic->nic->netdev->id : "(none)", strerror(-ret));
		virtio_net_close(vn);
		rnic->obj = NULL;
		rnic->port = NULL;
		return ret;
	}
	rnic->port = rt_fe_mq_port(c->join);
	return 0;
}

static void rt_fe_vhost_close(struct rt *rt, struct rt_nic *rnic)
{
	struct rt_fe_vhost_cfg *c = rnic->cfg;

	virtio_net_close(rnic->obj);	/* disconnects the device's port */
	rt_fe_mq_close(c->join);
	c->join = NULL;
	rnic->obj = NULL;
	rnic->port = NULL;
}

static void rt_fe_vhost_set_link(struct rt_nic *rnic, bool up)
{
	virtio_net_set_admin_link(rnic->obj, up);
}

static void rt_fe_vhost_release(struct rt_nic *rnic)
{
	free(rnic->cfg);
	rnic->cfg = NULL;
}

/**
 * rt_fe_vhost_vmm() - the VMM's three options for the NIC
 * @rnic:	the NIC
 * @chr:	-chardev value output
 * @nd:		-netdev value output
 * @dev:	-device value output
 *
 * Return: 0, or -ENOMEM
 */
static int rt_fe_vhost_vmm(const struct rt_nic *rnic, struct strbuf *chr,
			   struct strbuf *nd, struct strbuf *dev)
{
	const struct rt_fe_vhost_cfg *c = rnic->cfg;
	const struct netconf_nic *nic = rnic->nic;
	const char *s;

	strbuf_printf(chr, "socket,id=qnet-c%u,path=", rnic->index);
	for (s = c->path; *s; s++) {
		if (*s == ',')
			strbuf_putc(chr, ',');
		strbuf_putc(chr, *s);
	}
	if (!c->vc.server)
		strbuf_puts(chr, ",server=on");
	strbuf_printf(nd, "vhost-user,id=%s,chardev=qnet-c%u", nic->name,
		      rnic->index);
	if (c->p.queues > 1)
		strbuf_printf(nd, ",queues=%u", c->p.queues);
	rt_qemu_device_arg(nic, nic->name, dev);
	if (!json_object_get(nic->props, "vectors"))
		strbuf_puts(dev, ",vectors=0");	/* QEMU 7.2: MSI-X crash */
	return chr->oom || nd->oom || dev->oom ? -ENOMEM : 0;
}

/**
 * rt_fe_vhost_describe() - `vhost-user=PATH; QEMU: ...; memory: ...`
 * @rt:		runtime
 * @rnic:	the NIC
 * @out:	text output
 *
 * Return: 0, or -errno
 */
static int rt_fe_vhost_describe(struct rt *rt, const struct rt_nic *rnic,
				struct strbuf *out)
{
	const struct rt_fe_vhost_cfg *c = rnic->cfg;
	struct strbuf chr = STRBUF_INIT, nd = STRBUF_INIT, dev = STRBUF_INIT;
	int ret = rt_fe_vhost_vmm(rnic, &chr, &nd, &dev);

	if (!ret)
		strbuf_printf(out, "vhost-user=%s (qnet %s, %u queue pair%s); "
			      "QEMU: -chardev %s -netdev %s -device %s; "
			      "memory: -object memory-backend-memfd,"
			      "id=qnet-mem,size=RAM,share=on "
			      "-numa node,memdev=qnet-mem", c->path,
			      c->vc.server ? "listens" : "connects",
			      c->p.queues, c->p.queues > 1 ? "s" : "",
			      strbuf_str(&chr), strbuf_str(&nd),
			      strbuf_str(&dev));
	strbuf_free(&chr);
	strbuf_free(&nd);
	strbuf_free(&dev);
	return ret;
}

/**
 * rt_fe_vhost_qemu_args() - `-chardev ... -netdev vhost-user ... -device ...`
 * @rt:		runtime
 * @rnic:	the NIC
 * @av:		arguments are appended here
 *
 * Return: 0, or -errno
 */
static int rt_fe_vhost_qemu_args(struct rt *rt, const struct rt_nic *rnic,
				 struct rt_argv *av)
{
	struct strbuf chr = STRBUF_INIT, nd = STRBUF_INIT, dev = STRBUF_INIT;
	int ret = rt_fe_vhost_vmm(rnic, &chr, &nd, &dev);

	if (!ret)
		ret = rt_argv_push(av, "-chardev");
	if (!ret)
		ret = rt_argv_push(av, strbuf_str(&chr));
	if (!ret)
		ret = rt_argv_push(av, "-netdev");
	if (!ret)
		ret = rt_argv_push(av, strbuf_str(&nd));
	if (!ret)
		ret = rt_argv_push(av, "-device");
	if (!ret)
		ret = rt_argv_push(av, strbuf_str(&dev));
	strbuf_free(&chr);
	strbuf_free(&nd);
	strbuf_free(&dev);
	return ret;
}

/**
 * rt_fe_vhost_stats() - the device's TX lending counters for `info
 * netstats` / query-netstats (docs/vhost-user.md)
 * @rnic:	the NIC
 * @out:	output: `,"device":{...}` (JSON) or ` device: ...` (text)
 * @json:	which
 */
static void rt_fe_vhost_stats(const struct rt_nic *rnic, struct strbuf *out,
			      bool json)
{
	struct virtio_net_stats s;

	if (!rnic->obj)
		return;
	virtio_net_stats(rnic->obj, &s);
	strbuf_printf(out, json ? ",\"device\":{\"tx_lent\":%llu,"
				  "\"tx_lent_scattered\":%llu,"
				  "\"tx_unshared\":%llu,\"tx_settled\":%llu,"
				  "\"tx_kick_missed\":%llu,\"rx_direct\":%llu,"
				  "\"rx_direct_returned\":%llu,"
				  "\"rx_direct_lost\":%llu,"
				  "\"rx_direct_paused\":%llu,"
				  "\"rx_direct_small\":%llu}"
				: " device: tx_lent=%llu tx_lent_scattered=%llu "
				  "tx_unshared=%llu tx_settled=%llu "
				  "tx_kick_missed=%llu rx_direct=%llu "
				  "rx_direct_returned=%llu rx_direct_lost=%llu "
				  "rx_direct_paused=%llu rx_direct_small=%llu",
		      (unsigned long long)s.tx_lent,
		      (unsigned long long)s.tx_lent_scattered,
		      (unsigned long long)s.tx_unshared,
		      (unsigned long long)s.tx_settled,
		      (unsigned long long)s.tx_kick_missed,
		      (unsigned long long)s.rx_direct,
		      (unsigned long long)s.rx_direct_returned,
		      (unsigned long long)s.rx_direct_lost,
		      (unsigned long long)s.rx_direct_paused,
		      (unsigned long long)s.rx_direct_small);
}

const struct rt_fe rt_fe_vhost = {
	.name = "vhost-user",
	.prepare = rt_fe_vhost_prepare,
	.open = rt_fe_vhost_open,
	.close = rt_fe_vhost_close,
	.set_link = rt_fe_vhost_set_link,
	.release = rt_fe_vhost_release,
	.describe = rt_fe_vhost_describe,
	.qemu_args = rt_fe_vhost_qemu_args,
	.stats = rt_fe_vhost_stats,
	.shared_mem = true,
};
