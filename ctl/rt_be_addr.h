/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rt_be_addr.h: socket addresses of stream/dgram/socket netdevs from netconf's options, with QEMU's texts. */
#ifndef QNET_CTL_RT_BE_ADDR_H
#define QNET_CTL_RT_BE_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl/json.h"
#include "ctl/strbuf.h"
#include "datapath/stream_addr.h"

int rt_be_sockaddr(const struct json_value *a, const char *opt,
		   struct stream_addr *out, struct strbuf *err);
int rt_be_host_port(const char *s, struct stream_addr *out,
		    struct strbuf *err);
int rt_be_numeric(const struct stream_addr *a, int socktype, char *buf,
		  size_t size, const char **gai);
int rt_be_fd_type(int fd, bool *listening);
int rt_be_connect_now(const struct stream_addr *a, int *fdp);
struct json_value *rt_be_addr_json(const struct stream_addr *a);

#endif /* QNET_CTL_RT_BE_ADDR_H */
