/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vtest.h: device-test harness: checks, a recording peer port, a device + front-end pair. */
#ifndef QNET_TESTS_VTEST_H
#define QNET_TESTS_VTEST_H

#include <stdio.h>
#include <stdlib.h>

#include "datapath/port.h"
#include "datapath/uring/uloop.h"
#include "devices/virtio_net.h"
#include "tests/device/vfe.h"
#include "tests/lib/tcheck.h"

#define VT_CHECK TC_CHECK
#define VT_EQ TC_EQ

/* Pump until @expr holds (fail after 3 s). */
#define VT_UNTIL(e, expr)						\
	do {								\
		int n_ = 0;						\
		while (!(expr)) {					\
			if (++n_ > 3000) {				\
				fprintf(stderr, "%s:%d: %s: timed out: %s\n", \
					__FILE__, __LINE__, __func__, #expr); \
				exit(1);				\
			}						\
			vt_pump(e);					\
		}							\
	} while (0)

#define VSINK_KEEP 64
#define VSINK_FRAME_MAX 65560

/**
 * struct vsink - a netdev port for device tests: records what it receives
 * @port:	the port
 * @accept:	frames it takes per receive() call before holding (-1: all)
 * @frames:	frames received
 * @bytes:	their bytes
 * @nkept:	frames whose copies are in @data (the first VSINK_KEEP)
 * @len:	their lengths
 * @vnet:	their offload headers
 * @has_vnet:	whether they carried one
 * @data:	their bytes
 * @resumes:	resume hook calls
 */
struct vsink {
	struct port port;
	int accept;
	uint64_t frames;
	uint64_t bytes;
	unsigned int nkept;
	uint32_t len[VSINK_KEEP];
	struct virtio_net_hdr_v1 vnet[VSINK_KEEP];
	uint8_t has_vnet[VSINK_KEEP];
	uint8_t *data;
	uint64_t resumes;
};

/**
 * struct venv - a device under test, its peer and a front-end
 * @loop:	the loop the device runs on
 * @vn:		the device
 * @sink:	its peer
 * @fe:		the front-end
 * @dir:	temporary directory (removed at the end)
 * @path:	socket path in it
 */
struct venv {
	struct uloop loop;
	struct virtio_net *vn;
	struct vsink sink;
	struct vfe fe;
	char dir[64];
	char path[108];
};

void vt_pump(void *arg);
void vt_start(struct venv *e, const struct virtio_net_params *p, bool server);
void vt_start_mq(struct venv *e, const struct virtio_net_params *p,
		 bool server, struct uworker *const *workers);
void vt_stop(struct venv *e);
void vt_release(struct venv *e);
void vt_connect(struct venv *e, uint64_t features, uint32_t num);
void vt_connect_q(struct venv *e, uint64_t features, uint32_t num,
		  unsigned int nq);
unsigned int vt_sink_send(struct venv *e, const uint8_t *data, uint32_t len,
			  const struct virtio_net_hdr_v1 *vnet);
void vt_frame(uint8_t *buf, uint32_t len, uint8_t seed);
uint64_t vt_drops(struct venv *e, enum port_drop why);
uint64_t vt_features_default(void);
struct virtio_net_stats vt_stats(struct venv *e);

#endif /* QNET_TESTS_VTEST_H */
