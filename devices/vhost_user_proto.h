/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_user_proto.h: vhost-user wire format: requests, protocol features, payloads. */
#ifndef QNET_DEVICES_VHOST_USER_PROTO_H
#define QNET_DEVICES_VHOST_USER_PROTO_H

#include <assert.h>
#include <stdint.h>

/* Message flags (header). */
#define VU_VERSION		0x1u
#define VU_VERSION_MASK		0x3u
#define VU_FLAG_REPLY		(1u << 2)
#define VU_FLAG_NEED_REPLY	(1u << 3)

/* Feature bit 30: the back-end speaks GET/SET_PROTOCOL_FEATURES. */
#define VU_F_PROTOCOL_FEATURES	30

/* vring u64 payloads (KICK/CALL/ERR): bits 0-7 index, bit 8 no fd. */
#define VU_VRING_IDX_MASK	0xffull
#define VU_VRING_NOFD		(1ull << 8)

/** VU_MAX_FDS - most fds one message may carry */
#define VU_MAX_FDS 8

/** VU_MEM_TABLE_MAX - regions in one SET_MEM_TABLE */
#define VU_MEM_TABLE_MAX 8

/** VU_CONFIG_MAX - device config space bytes (GET_CONFIG) */
#define VU_CONFIG_MAX 256

/**
 * enum vu_request - front-end requests (vhost-user spec numbering)
 */
enum vu_request {
	VU_NONE = 0,
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SEND_RARP = 19,
	VU_NET_SET_MTU = 20,
	VU_SET_BACKEND_REQ_FD = 21,
	VU_IOTLB_MSG = 22,
	VU_SET_VRING_ENDIAN = 23,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_CREATE_CRYPTO_SESSION = 26,
	VU_CLOSE_CRYPTO_SESSION = 27,
	VU_POSTCOPY_ADVISE = 28,
	VU_POSTCOPY_LISTEN = 29,
	VU_POSTCOPY_END = 30,
	VU_GET_INFLIGHT_FD = 31,
	VU_SET_INFLIGHT_FD = 32,
	VU_GPU_SET_SOCKET = 33,
	VU_RESET_DEVICE = 34,
	VU_VRING_KICK = 35,
	VU_GET_MAX_MEM_SLOTS = 36,
	VU_ADD_MEM_REG = 37,
	VU_REM_MEM_REG = 38,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
	VU_REQUEST_COUNT
};

/**
 * enum vu_protocol_feature - protocol feature bits
 */
enum vu_protocol_feature {
	VU_PF_MQ = 0,
	VU_PF_LOG_SHMFD = 1,
	VU_PF_RARP = 2,
	VU_PF_REPLY_ACK = 3,
	VU_PF_MTU = 4,
	VU_PF_BACKEND_REQ = 5,
	VU_PF_CROSS_ENDIAN = 6,
	VU_PF_CRYPTO_SESSION = 7,
	VU_PF_PAGEFAULT = 8,
	VU_PF_CONFIG = 9,
	VU_PF_BACKEND_SEND_FD = 10,
	VU_PF_HOST_NOTIFIER = 11,
	VU_PF_INFLIGHT_SHMFD = 12,
	VU_PF_RESET_DEVICE = 13,
	VU_PF_INBAND_NOTIFICATIONS = 14,
	VU_PF_CONFIGURE_MEM_SLOTS = 15,
	VU_PF_STATUS = 16,
	VU_PF_COUNT
};

/**
 * struct vu_hdr - message header
 * @request:	enum vu_request
 * @flags:	version and VU_FLAG_*
 * @size:	payload bytes that follow
 */
struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

/** struct vu_vring_state - index + number (NUM, BASE, ENABLE) */
struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

/** struct vu_vring_addr - ring addresses (front-end user addresses) */
struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

/** struct vu_mem_region - one region of a memory table */
struct vu_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

/** struct vu_mem_table - SET_MEM_TABLE payload */
struct vu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region r[VU_MEM_TABLE_MAX];
};

/** struct vu_mem_single - ADD_MEM_REG / REM_MEM_REG payload */
struct vu_mem_single {
	uint64_t padding;
	struct vu_mem_region r;
};

/** struct vu_config - GET_CONFIG / SET_CONFIG payload */
struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VU_CONFIG_MAX];
};

/**
 * struct vu_msg - a whole message (header and the largest payload)
 */
struct vu_msg {
	struct vu_hdr hdr;
	union {
		uint64_t u64;
		struct vu_vring_state state;
		struct vu_vring_addr addr;
		struct vu_mem_table mem;
		struct vu_mem_single reg;
		struct vu_config config;
		uint8_t raw[512];
	} p;
} __attribute__((packed));

/** VU_PAYLOAD_MAX - largest payload accepted */
#define VU_PAYLOAD_MAX sizeof(((struct vu_msg *)0)->p)

static_assert(sizeof(struct vu_hdr) == 12, "vhost-user header is 12 bytes");
static_assert(sizeof(struct vu_vring_addr) == 40, "vring address payload");
static_assert(sizeof(struct vu_mem_single) == 40, "single region payload");
static_assert(sizeof(struct vu_mem_table) == 8 + 32 * VU_MEM_TABLE_MAX,
	      "memory table payload");

#endif /* QNET_DEVICES_VHOST_USER_PROTO_H */
