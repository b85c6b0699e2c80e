/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rt_filter.h: the runtime's eBPF side: -object filter-dump, the af-xdp netdev, qnet's bpffs pin directory. */
#ifndef QNET_CTL_RT_FILTER_H
#define QNET_CTL_RT_FILTER_H

#include "ctl/json.h"
#include "ctl/runtime.h"
#include "ctl/strbuf.h"
#include "datapath/bpf/bpfpin.h"

/* -netdev af-xdp (rt_be_afxdp.c), for rt_backends.c's table */
int rt_be_afxdp_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		     struct strbuf *err);
void rt_be_afxdp_close(struct rt *rt, struct rt_netdev *rn);

/* Filter objects on opened netdevs (rt_filter.c), worker side */
int rt_filter_open_all(struct rt *rt, struct strbuf *err);
void rt_filter_netdev_close(struct rt *rt, struct rt_netdev *rn);

/* The instance's pin directory (rt_filter.c) */
const struct bpfpin *rt_filter_pins(struct rt *rt, int *err);
void rt_filter_lib_log(struct rt *rt);
void rt_filter_warn(struct rt *rt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rt_filter_fini(struct rt *rt);

/* Monitor (rt_filter.c), control thread */
int rt_filter_qom_set(void *ctx, const char *path, const char *prop,
		      const struct json_value *value, struct strbuf *err);
int rt_filter_json(void *ctx, struct strbuf *out);

#endif /* QNET_CTL_RT_FILTER_H */
