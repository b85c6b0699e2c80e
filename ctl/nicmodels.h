// SPDX-License-Identifier: GPL-2.0-or-later
/* NIC models qnet emulates (e1000, rtl8139, virtio-net-pci) and their props. */
#ifndef QNET_CTL_NICMODELS_H
#define QNET_CTL_NICMODELS_H

#include <stdbool.h>

#include "ctl/schema.h"

/**
 * struct nicmodel - one NIC device model and its -device properties
 * @name:	QEMU type name, also the NIC's model in info network
 * @alias:	-device alias ("virtio-net", "e1000-82540em"), or NULL
 * @nic_alias:	-nic/-net model= alias ("virtio"), or NULL
 * @desc:	description shown by "-device help", or NULL
 * @inner:	type that owns the SF_INNER properties in error texts
 *		("virtio-net-device"), or NULL
 * @props:	every property QEMU 7.2 lists for "-device NAME,help"
 * @multiqueue:	the model can use several queue pairs (mq=on)
 * @vmm:	qnet does not emulate it; the VMM does (qnet serves the
 *		backend)
 * @bus:	bus when not PCI ("ISA"); such models are not listed by
 *		model=help
 */
struct nicmodel {
	const char *name;
	const char *alias;
	const char *nic_alias;
	const char *desc;
	const char *inner;
	struct schema_struct props;
	bool multiqueue;
	bool vmm;
	const char *bus;
};

extern const struct nicmodel *const nicmodels[];

const struct nicmodel *nicmodels_find_device(const char *driver);
const struct nicmodel *nicmodels_find_nic(const char *model);
bool nicmodels_qemu_only(const char *name);
void nicmodels_help_list(struct strbuf *out);
void nicmodels_help_devices(struct strbuf *out);
const char *nicmodels_prop_owner(const struct nicmodel *m,
				 const struct schema_field *f);

#endif /* QNET_CTL_NICMODELS_H */
