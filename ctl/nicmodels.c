// SPDX-License-Identifier: GPL-2.0-or-later
/* NIC models qnet emulates (e1000, rtl8139, virtio-net-pci) and their props. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "ctl/nicmodels.h"

/*
 * DOC: NIC property tables
 *
 * qnet emulates e1000, rtl8139 and virtio-net-pci. The other PCI NIC
 * models of QEMU 7.2 are known too, flagged @vmm: qnet serves their
 * backend and the VMM emulates the device (over the stream transport, see
 * ARCHITECTURE.md), so the option model accepts them exactly as QEMU does;
 * their -device properties are the ones every PCI NIC has.
 *
 * Each model lists every property QEMU 7.2 prints for "-device MODEL,help",
 * with QEMU's type, default and description, so that "-device MODEL,help"
 * is byte-identical and any QEMU property is accepted. Properties qnet
 * acts on have no SF_IGNORED flag: netdev, mac, id, bootindex, romfile,
 * addr, vectors, mq, the offload switches (csum, guest_*, host_*, gso,
 * mrg_rxbuf, ...), host_mtu, rx_queue_size, tx_queue_size, speed, duplex.
 * The rest (PCIe quirks, migration compat switches) are accepted and
 * recorded but change nothing in qnet.
 */

static const char *const onoffauto[] = { "on", "off", "auto", NULL };

#define P_BOOL(n, d, fl) \
	{ .name = (n), .kind = SK_BOOL, .def = (d), .help = "on/off", \
	  .flags = (fl) }
#define P_BOOL0(n, d, fl) \
	{ .name = (n), .kind = SK_BOOL, .def = (d), .help = "", .flags = (fl) }
#define P_UINT(n, w, d, fl) \
	{ .name = (n), .kind = SK_UINT, .width = (w), .def = (d), .help = "", \
	  .flags = (fl) }
#define P_STR(n, fl) { .name = (n), .kind = SK_STR, .flags = (fl) }

#define IGN SF_IGNORED
#define INR SF_INNER

/* Properties every PCI NIC has. */
#define PCI_PROPS(inner_flags)						\
	P_UINT("acpi-index", 32, "0", IGN),				\
	{ .name = "attach", .kind = SK_STR, .flags = SF_QNET,		\
	  .help = "qnet: where the VMM's own NIC attaches "		\
		  "(stream:unix:PATH, ...)" },				\
	{ .name = "addr", .kind = SK_PCIADDR, .width = 32, .def = "-1",	\
	  .help = "Slot and optional function number, example: 06.0 or 06" }, \
	{ .name = "bootindex", .kind = SK_INT, .width = 32,		\
	  .flags = (inner_flags) },					\
	P_STR("failover_pair_id", IGN),					\
	{ .name = "mac", .kind = SK_MAC, .flags = (inner_flags),	\
	  .help = "Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56" }, \
	P_BOOL("multifunction", "false", IGN),				\
	{ .name = "netdev", .kind = SK_NETDEV, .flags = (inner_flags),	\
	  .help = "ID of a netdev to use as a backend" },		\
	P_UINT("rombar", 32, "1", IGN),					\
	P_STR("romfile", 0),						\
	P_UINT("romsize", 32, "4294967295", IGN),			\
	P_BOOL("x-pcie-extcap-init", "true", IGN),			\
	P_BOOL("x-pcie-lnksta-dllla", "true", IGN)

static const char *const vu_modes[] = { "server", "client", NULL };
static const char *const vu_rx_modes[] = { "auto", "direct", "copy", NULL };

/* qnet: virtio-net served by qnet over vhost-user (ctl/rt_fe_vhost.c). */
#define VHOST_USER_PROPS						\
	{ .name = "vhost-user", .kind = SK_STR, .flags = SF_QNET,	\
	  .help = "qnet: serve this NIC over vhost-user on this unix socket" }, \
	{ .name = "vhost-user-mode", .kind = SK_ENUM, .flags = SF_QNET,	\
	  .values = vu_modes, .def = "\"server\"",			\
	  .help = "qnet: server (qnet listens) or client (qnet connects)" }, \
	{ .name = "vhost-user-reconnect", .kind = SK_UINT, .width = 32,	\
	  .flags = SF_QNET, .def = "1000",				\
	  .help = "qnet: client mode: retry period in ms" },		\
	{ .name = "vhost-user-vmm", .kind = SK_BOOL, .flags = SF_QNET,	\
	  .def = "true",						\
	  .help = "qnet: a VMM keeps config space and control queue" }, \
	{ .name = "vhost-user-rx", .kind = SK_ENUM, .flags = SF_QNET,	\
	  .values = vu_rx_modes, .def = "\"auto\"",			\
	  .help = "qnet: frames from a tap into the guest's buffers: "	\
		  "read straight into them for large frames (auto), "	\
		  "always (direct) or copied (copy)" },			\
	{ .name = "queues", .kind = SK_UINT, .width = 16, .flags = SF_QNET, \
	  .help = "qnet: queue pairs served over vhost-user (needs mq=on)" }

static const struct schema_field e1000_props[] = {
	PCI_PROPS(0),
	P_BOOL("autonegotiation", "true", IGN),
	P_BOOL("extra_mac_registers", "true", IGN),
	P_BOOL("init-vet", "true", IGN),
	P_BOOL("migrate_tso_props", "true", IGN),
	P_BOOL("mitigation", "true", IGN),
};

static const struct schema_field rtl8139_props[] = {
	PCI_PROPS(0),
};

static const struct schema_field virtio_net_pci_props[] = {
	PCI_PROPS(INR),
	VHOST_USER_PROPS,
	P_BOOL("aer", "false", IGN),
	P_BOOL("any_layout", "true", INR | IGN),
	P_BOOL("ats", "false", IGN),
	P_BOOL("csum", "true", INR),
	P_BOOL("ctrl_guest_offloads", "true", INR),
	P_BOOL("ctrl_mac_addr", "true", INR),
	P_BOOL("ctrl_rx", "true", INR),
	P_BOOL("ctrl_rx_extra", "true", INR),
	P_BOOL("ctrl_vlan", "true", INR),
	P_BOOL("ctrl_vq", "true", INR),
	{ .name = "disable-legacy", .kind = SK_ENUM, .def = "\"auto\"",
	  .help = "on/off/auto", .values = onoffauto, .tname = "OnOffAuto" },
	P_BOOL0("disable-modern", "false", 0),
	P_STR("duplex", INR),
	P_BOOL("event_idx", "true", INR),
	P_BOOL0("failover", "false", INR | IGN),
	P_BOOL("gso", "true", INR),
	P_BOOL("guest_announce", "true", INR),
	P_BOOL("guest_csum", "true", INR),
	P_BOOL("guest_ecn", "true", INR),
	P_BOOL("guest_rsc_ext", "false", INR),
	P_BOOL("guest_tso4", "true", INR),
	P_BOOL("guest_tso6", "true", INR),
	P_BOOL("guest_ufo", "true", INR),
	P_BOOL("hash", "false", INR),
	P_BOOL("host_ecn", "true", INR),
	P_UINT("host_mtu", 16, "0", INR),
	P_BOOL("host_tso4", "true", INR),
	P_BOOL("host_tso6", "true", INR),
	P_BOOL("host_ufo", "true", INR),
	P_BOOL("indirect_desc", "true", INR),
	P_BOOL("ioeventfd", "true", IGN),
	P_BOOL("iommu_platform", "false", INR),
	P_BOOL("migrate-extra", "true", IGN),
	P_BOOL("modern-pio-notify", "false", IGN),
	P_BOOL("mq", "false", INR),
	P_BOOL("mrg_rxbuf", "true", INR),
	P_BOOL("notify_on_empty", "true", INR | IGN),
	P_BOOL("packed", "false", INR),
	P_BOOL("page-per-vq", "false", IGN),
	P_BOOL("queue_reset", "true", INR),
	P_UINT("rsc_interval", 32, "300000", INR),
	P_BOOL("rss", "false", INR),
	P_UINT("rx_queue_size", 16, "256", INR),
	{ .name = "speed", .kind = SK_INT, .width = 32, .def = "-1",
	  .help = "", .flags = INR },
	P_BOOL("status", "true", INR),
	P_STR("tx", INR),
	P_UINT("tx_queue_size", 16, "256", INR),
	P_BOOL0("use-disabled-flag", "true", INR | IGN),
	P_BOOL0("use-started", "true", INR | IGN),
	P_UINT("vectors", 32, "4294967295", 0),
	{ .name = "virtio-backend", .kind = SK_CHILD,
	  .tname = "child<virtio-net-device>" },
	P_BOOL("virtio-pci-bus-master-bug-migration", "false", IGN),
	P_BOOL("x-ats-page-aligned", "true", IGN),
	P_BOOL0("x-disable-legacy-check", "false", INR | IGN),
	P_BOOL("x-disable-pcie", "false", IGN),
	P_BOOL0("x-ignore-backend-features", "false", IGN),
	P_BOOL0("x-mtu-bypass-backend", "true", INR | IGN),
	P_BOOL("x-pcie-deverr-init", "true", IGN),
	P_BOOL("x-pcie-flr-init", "true", IGN),
	P_BOOL("x-pcie-lnkctl-init", "true", IGN),
	P_BOOL("x-pcie-pm-init", "true", IGN),
	{ .name = "x-txburst", .kind = SK_INT, .width = 32, .def = "256",
	  .help = "", .flags = INR | IGN },
	P_UINT("x-txtimer", 32, "150000", INR | IGN),
};

static const struct nicmodel nic_e1000 = {
	.name = "e1000",
	.alias = "e1000-82540em",
	.desc = "Intel Gigabit Ethernet",
	.props = SCHEMA_STRUCT("e1000", e1000_props),
};

static const struct nicmodel nic_rtl8139 = {
	.name = "rtl8139",
	.props = SCHEMA_STRUCT("rtl8139", rtl8139_props),
};

static const struct nicmodel nic_virtio_net_pci = {
	.name = "virtio-net-pci",
	.alias = "virtio-net",
	.nic_alias = "virtio",
	.inner = "virtio-net-device",
	.props = SCHEMA_STRUCT("virtio-net-pci", virtio_net_pci_props),
	.multiqueue = true,
};

/* PCI NICs QEMU has and qnet does not emulate: the VMM emulates them. */
static const struct schema_field generic_props[] = {
	PCI_PROPS(0),
};

#define VMM_NIC(var, n, d)						\
	static const struct nicmodel var = {				\
		.name = (n), .desc = (d), .vmm = true,			\
		.props = SCHEMA_STRUCT(n, generic_props),		\
	}
#define VMM_VIRTIO(var, n)						\
	static const struct nicmodel var = {				\
		.name = (n), .vmm = true, .inner = "virtio-net-device",	\
		.props = SCHEMA_STRUCT(n, virtio_net_pci_props),	\
		.multiqueue = true,					\
	}

VMM_NIC(nic_82544gc, "e1000-82544gc", "Intel Gigabit Ethernet");
VMM_NIC(nic_82545em, "e1000-82545em", "Intel Gigabit Ethernet");
VMM_NIC(nic_e1000e, "e1000e", "Intel 82574L GbE Controller");
VMM_NIC(nic_i82550, "i82550", "Intel i82550 Ethernet");
VMM_NIC(nic_i82551, "i82551", "Intel i82551 Ethernet");
VMM_NIC(nic_i82557a, "i82557a", "Intel i82557A Ethernet");
VMM_NIC(nic_i82557b, "i82557b", "Intel i82557B Ethernet");
VMM_NIC(nic_i82557c, "i82557c", "Intel i82557C Ethernet");
VMM_NIC(nic_i82558a, "i82558a", "Intel i82558A Ethernet");
VMM_NIC(nic_i82558b, "i82558b", "Intel i82558B Ethernet");
VMM_NIC(nic_i82559a, "i82559a", "Intel i82559A Ethernet");
VMM_NIC(nic_i82559b, "i82559b", "Intel i82559B Ethernet");
VMM_NIC(nic_i82559c, "i82559c", "Intel i82559C Ethernet");
VMM_NIC(nic_i82559er, "i82559er", "Intel i82559ER Ethernet");
VMM_NIC(nic_i82562, "i82562", "Intel i82562 Ethernet");
VMM_NIC(nic_i82801, "i82801", "Intel i82801 Ethernet");
VMM_NIC(nic_ne2k_pci, "ne2k_pci", NULL);
VMM_NIC(nic_pcnet, "pcnet", NULL);
VMM_NIC(nic_pvrdma, "pvrdma", "RDMA Device");
VMM_NIC(nic_tulip, "tulip", NULL);
VMM_VIRTIO(nic_virtio_nt, "virtio-net-pci-non-transitional");
VMM_VIRTIO(nic_virtio_t, "virtio-net-pci-transitional");
VMM_NIC(nic_vmxnet3, "vmxnet3", "VMWare Paravirtualized Ethernet v3");

/* ne2k_isa: the ISA NE2000 a pc board adds for -nic model=ne2k_isa. */
static const struct schema_field ne2k_isa_props[] = {
	{ .name = "bootindex", .kind = SK_INT, .width = 32 },
	P_UINT("iobase", 32, "768", IGN),
	P_UINT("irq", 32, "9", IGN),
	{ .name = "mac", .kind = SK_MAC,
	  .help = "Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56" },
	{ .name = "netdev", .kind = SK_NETDEV,
	  .help = "ID of a netdev to use as a backend" },
};

static const struct nicmodel nic_ne2k_isa = {
	.name = "ne2k_isa",
	.bus = "ISA",
	.vmm = true,
	.props = SCHEMA_STRUCT("ne2k_isa", ne2k_isa_props),
};

/*
 * netns: qnet's own NIC model (QEMU has none): a tap inside a network
 * namespace is the NIC (ctl/rt_fe_netns.c, docs/netns.md). Only -device
 * creates it; it is not listed with QEMU's models.
 */
static const struct schema_field netns_props[] = {
	{ .name = "address", .kind = SK_STR,
	  .help = "address/prefix of the tap with configure=on (default: the user network's .100)" },
	{ .name = "configure", .kind = SK_BOOL, .def = "false",
	  .help = "bring lo up, set the address and a default route" },
	{ .name = "gateway", .kind = SK_STR,
	  .help = "default route's gateway with configure=on (default: the user network's host)" },
	{ .name = "ifname", .kind = SK_STR, .def = "\"tap0\"",
	  .help = "tap name inside the namespace" },
	{ .name = "mac", .kind = SK_MAC,
	  .help = "Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56" },
	{ .name = "mtu", .kind = SK_UINT, .width = 32, .def = "1500",
	  .help = "MTU of the tap, 68 to 65521" },
	{ .name = "netdev", .kind = SK_NETDEV,
	  .help = "ID of a netdev to use as a backend" },
	{ .name = "netns", .kind = SK_STR,
	  .help = "the namespace: a PID, a path, or a name in /run/netns" },
	{ .name = "rx-bufs", .kind = SK_UINT, .width = 32, .def = "256",
	  .help = "receive buffers, a power of two" },
	{ .name = "tx-slots", .kind = SK_UINT, .width = 32, .def = "256",
	  .help = "tap writes in flight" },
};

static const struct nicmodel nic_netns = {
	.name = "netns",
	.desc = "qnet: a tap inside a network namespace",
	.props = SCHEMA_STRUCT("netns", netns_props),
};

/* Models of qnet's own, found by -device only. */
static const struct nicmodel *const qnet_nicmodels[] = { &nic_netns, NULL };

/* The explicit list of PCI NIC models, sorted as "-nic model=help" lists
 * them; the three qnet emulates first among equals. */
const struct nicmodel *const nicmodels[] = {
	&nic_e1000, &nic_82544gc, &nic_82545em, &nic_e1000e, &nic_i82550,
	&nic_i82551, &nic_i82557a, &nic_i82557b, &nic_i82557c, &nic_i82558a,
	&nic_i82558b, &nic_i82559a, &nic_i82559b, &nic_i82559c,
	&nic_i82559er, &nic_i82562, &nic_i82801, &nic_ne2k_pci, &nic_pcnet,
	&nic_pvrdma, &nic_rtl8139, &nic_tulip, &nic_virtio_net_pci,
	&nic_virtio_nt, &nic_virtio_t, &nic_vmxnet3, &nic_ne2k_isa, NULL,
};

/* Network devices QEMU 7.2 has that are not PCI NICs. */
static const char *const qemu_only_nics[] = {
	"rocker", "usb-net", "virtio-net-device", NULL,
};

/**
 * nicmodels_find_device() - model for a -device driver name (or its
 *	alias): QEMU's models and qnet's own (netns)
 * @driver:	name as typed
 *
 * Return: the model, or NULL
 */
const struct nicmodel *nicmodels_find_device(const char *driver)
{
	size_t i;

	for (i = 0; nicmodels[i]; i++)
		if (!strcmp(nicmodels[i]->name, driver) ||
		    (nicmodels[i]->alias &&
		     !strcmp(nicmodels[i]->alias, driver)))
			return nicmodels[i];
	for (i = 0; qnet_nicmodels[i]; i++)
		if (!strcmp(qnet_nicmodels[i]->name, driver))
			return qnet_nicmodels[i];
	return NULL;
}

/**
 * nicmodels_find_nic() - model for a -nic/-net model= value
 * @model:	name as typed ("virtio" is accepted for virtio-net-pci)
 *
 * Return: the model, or NULL
 */
const struct nicmodel *nicmodels_find_nic(const char *model)
{
	size_t i;

	for (i = 0; nicmodels[i]; i++)
		if (!strcmp(nicmodels[i]->name, model) ||
		    (nicmodels[i]->nic_alias &&
		     !strcmp(nicmodels[i]->nic_alias, model)))
			return nicmodels[i];
	return NULL;
}

/**
 * nicmodels_qemu_only() - is @name a NIC model QEMU has and qnet lacks?
 * @name:	model or driver name
 *
 * Return: true if so
 */
bool nicmodels_qemu_only(const char *name)
{
	size_t i;

	for (i = 0; qemu_only_nics[i]; i++)
		if (!strcmp(qemu_only_nics[i], name))
			return true;
	return false;
}

/**
 * nicmodels_help_list() - "-nic model=help" output
 * @out:	text is appended here
 */
void nicmodels_help_list(struct strbuf *out)
{
	size_t i;

	strbuf_puts(out, "Supported NIC models:\n");
	for (i = 0; nicmodels[i]; i++)
		if (!nicmodels[i]->bus)
			strbuf_printf(out, "%s\n", nicmodels[i]->name);
}

/**
 * nicmodels_help_devices() - "-device help" output (network devices only)
 * @out:	text is appended here
 */
void nicmodels_help_devices(struct strbuf *out)
{
	const struct nicmodel *m, *v[SCHEMA_ARRAY_SIZE(nicmodels)];
	size_t i, j, n = 0;

	for (i = 0; nicmodels[i]; i++) {
		/* insertion sort, case-insensitive like QEMU's list */
		for (j = n; j > 0 && strcasecmp(v[j - 1]->name,
						nicmodels[i]->name) > 0; j--)
			v[j] = v[j - 1];
		v[j] = nicmodels[i];
		n++;
	}
	strbuf_puts(out, "Network devices:\n");
	for (i = 0; i < n; i++) {
		m = v[i];
		strbuf_printf(out, "name \"%s\", bus %s", m->name,
			      m->bus ? m->bus : "PCI");
		if (m->alias)
			strbuf_printf(out, ", alias \"%s\"", m->alias);
		if (m->desc)
			strbuf_printf(out, ", desc \"%s\"", m->desc);
		strbuf_putc(out, '\n');
	}
}

/**
 * nicmodels_prop_owner() - type name QEMU uses for @f in "Property
 *	'TYPE.prop' ..." error texts
 * @m:	model
 * @f:	one of @m's properties
 *
 * Return: @m->inner for properties of the inner virtio device, else the
 * model's name
 */
const char *nicmodels_prop_owner(const struct nicmodel *m,
				 const struct schema_field *f)
{
	return (f->flags & SF_INNER) && m->inner ? m->inner : m->name;
}
