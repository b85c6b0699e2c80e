// SPDX-License-Identifier: GPL-2.0-or-later
/* vfe.c: synthetic vhost-user front-end: memory, negotiation, rings, kicks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/device/vfe.h"
#include <linux/virtio_config.h>

#define BIT(n) (1ull << (n))

/**
 * vfe_now_ms() - monotonic milliseconds
 *
 * Return: the time.
 */
static uint64_t vfe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * vfe_init() - create guest memory (not yet shared)
 * @fe:		the front-end
 * @mem_size:	guest memory bytes (a multiple of 2 pages)
 * @pump:	called while waiting (runs the back-end in-process), or NULL
 * @arg:	its argument
 *
 * Return: 0 or -errno.
 */
int vfe_init(struct vfe *fe, size_t mem_size, void (*pump)(void *), void *arg)
{
	memset(fe, 0, sizeof(*fe));
	fe->sock = -1;
	fe->listen = -1;
	fe->pump = pump;
	fe->pump_arg = arg;
	fe->timeout_ms = 5000;
	fe->memfd = memfd_create("vfe-guest", MFD_CLOEXEC);
	if (fe->memfd < 0)
		return -errno;
	if (ftruncate(fe->memfd, (off_t)(mem_size + VFE_PREFIX)) < 0)
		return -errno;
	fe->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fe->memfd, (off_t)VFE_PREFIX);
	if (fe->mem == MAP_FAILED)
		return -errno;
	fe->mem_size = mem_size;
	fe->brk = VFE_GPA_BASE + VFE_MAX_Q * VFE_RING_SPAN;
	return 0;
}

/**
 * vfe_forget_rings() - close the rings' eventfds and forget their layout
 * (a new connection sets them up afresh)
 * @fe:	the front-end
 */
void vfe_forget_rings(struct vfe *fe)
{
	unsigned int i;

	for (i = 0; i < VFE_MAX_Q; i++) {
		struct vfe_ring *r = &fe->ring[i];

		if (r->num) {
			close(r->kick);
			close(r->call);
			close(r->err);
		}
		r->num = 0;
	}
	fe->nq = 0;
}

/**
 * vfe_fini() - close everything the front-end holds
 * @fe:	the front-end
 */
void vfe_fini(struct vfe *fe)
{
	vfe_close(fe);
	if (fe->listen >= 0)
		close(fe->listen);
	fe->listen = -1;
	vfe_forget_rings(fe);
	if (fe->mem && fe->mem != MAP_FAILED)
		munmap(fe->mem, fe->mem_size);
	fe->mem = NULL;
	if (fe->memfd >= 0)
		close(fe->memfd);
	fe->memfd = -1;
}

/**
 * vfe_unix() - fill a unix socket address
 * @sa:		filled
 * @path:	the path
 *
 * Return: 0, or -ENAMETOOLONG.
 */
static int vfe_unix(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/**
 * vfe_connect() - connect to a listening back-end
 * @fe:		the front-end
 * @path:	socket path
 *
 * Return: 0 or -errno.
 */
int vfe_connect(struct vfe *fe, const char *path)
{
	struct sockaddr_un sa;
	int ret = vfe_unix(&sa, path);

	if (ret)
		return ret;
	fe->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fe->sock < 0)
		return -errno;
	if (connect(fe->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(fe->sock);
		fe->sock = -1;
		return ret;
	}
	return 0;
}

/**
 * vfe_listen() - listen for a back-end that connects (QEMU's server=on)
 * @fe:		the front-end
 * @path:	socket path (removed first)
 *
 * Return: 0 or -errno.
 */
int vfe_listen(struct vfe *fe, const char *path)
{
	struct sockaddr_un sa;
	int ret = vfe_unix(&sa, path);

	if (ret)
		return ret;
	unlink(path);
	fe->listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fe->listen < 0)
		return -errno;
	if (bind(fe->listen, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fe->listen, 1) < 0)
		return -errno;
	return 0;
}

/**
 * vfe_accept() - wait (pumping) for the back-end to connect
 * @fe:	the front-end (listening)
 *
 * Return: 0, or -ETIMEDOUT.
 */
int vfe_accept(struct vfe *fe)
{
	uint64_t end = vfe_now_ms() + fe->timeout_ms;

	while (vfe_now_ms() < end) {
		struct pollfd p = { .fd = fe->listen, .events = POLLIN };

		if (poll(&p, 1, fe->pump ? 0 : 10) == 1) {
			fe->sock = accept4(fe->listen, NULL, NULL, SOCK_CLOEXEC);
			return fe->sock < 0 ? -errno : 0;
		}
		if (fe->pump)
			fe->pump(fe->pump_arg);
	}
	return -ETIMEDOUT;
}

/**
 * vfe_close() - drop the connection (the back-end sees EOF)
 * @fe:	the front-end
 */
void vfe_close(struct vfe *fe)
{
	if (fe->sock >= 0)
		close(fe->sock);
	fe->sock = -1;
}

/**
 * vfe_send() - send one raw message
 * @fe:		the front-end
 * @req:	request
 * @flags:	header flags (version included)
 * @payload:	payload
 * @size:	its size (also put in the header)
 * @fds:	fds to pass
 * @nfds:	how many
 *
 * Return: 0 or -errno.
 */
int vfe_send(struct vfe *fe, uint32_t req, uint32_t flags, const void *payload,
	     uint32_t size, const int *fds, unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct vu_hdr h = { req, flags, size };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, size } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	if (nfds > 16)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	n = sendmsg(fe->sock, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(h) + size ? 0 : -EIO;
}

/**
 * vfe_recv() - wait (pumping) for one message from the back-end
 * @fe:	the front-end
 * @m:	filled
 *
 * Return: 0; -ECONNRESET on EOF; -ETIMEDOUT; -errno.
 */
int vfe_recv(struct vfe *fe, struct vu_msg *m)
{
	uint64_t end = vfe_now_ms() + fe->timeout_ms;
	size_t got = 0, want = sizeof(m->hdr);

	while (got < want) {
		ssize_t n = recv(fe->sock, (uint8_t *)m + got, want - got,
				 MSG_DONTWAIT);

		if (n == 0)
			return -ECONNRESET;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (n > 0) {
			got += (size_t)n;
			if (got == sizeof(m->hdr)) {
				if (m->hdr.size > sizeof(m->p))
					return -EPROTO;
				want += m->hdr.size;
			}
			continue;
		}
		if (vfe_now_ms() > end)
			return -ETIMEDOUT;
		if (fe->pump) {
			fe->pump(fe->pump_arg);
		} else {
			struct pollfd p = { .fd = fe->sock, .events = POLLIN };

			poll(&p, 1, 10);
		}
	}
	return 0;
}

/**
 * vfe_has_reply() - whether a request is answered even without REPLY_ACK
 * @req:	the request
 *
 * Return: true for the GET_* requests.
 */
static bool vfe_has_reply(uint32_t req)
{
	return req == VU_GET_FEATURES || req == VU_GET_PROTOCOL_FEATURES ||
	       req == VU_GET_VRING_BASE || req == VU_GET_QUEUE_NUM ||
	       req == VU_GET_MAX_MEM_SLOTS || req == VU_GET_CONFIG;
}

/**
 * vfe_call() - send a request and wait for its reply or ack
 * @fe:		the front-end
 * @req:	request
 * @payload:	payload
 * @size:	its size
 * @fds:	fds
 * @nfds:	how many
 * @reply:	filled with the reply (may be NULL)
 *
 * Return: for an acked request the ack (0 accepted, non-zero refused);
 * 0 for a request with a reply of its own (in @reply) or none; -errno
 * when the connection failed.
 */
int vfe_call(struct vfe *fe, uint32_t req, const void *payload, uint32_t size,
	     const int *fds, unsigned int nfds, struct vu_msg *reply)
{
	bool own = vfe_has_reply(req), ack = (fe->pf & BIT(VU_PF_REPLY_ACK));
	struct vu_msg m;
	int ret;

	ret = vfe_send(fe, req, VU_VERSION | (ack ? VU_FLAG_NEED_REPLY : 0),
		       payload, size, fds, nfds);
	if (ret)
		return ret;
	if (!own && !ack)
		return 0;
	ret = vfe_recv(fe, reply ? reply : &m);
	if (ret)
		return ret;
	if (!reply)
		reply = &m;
	if (reply->hdr.request != req || !(reply->hdr.flags & VU_FLAG_REPLY))
		return -EPROTO;
	if (own)
		return 0;
	return reply->hdr.size == 8 && reply->p.u64 == 0 ? 0 : 1;
}

/**
 * vfe_get_u64() - a GET request answered with a u64
 * @fe:		the front-end
 * @req:	the request
 * @out:	the value
 *
 * Return: 0, -EPROTO for a reply of the wrong size, or -errno.
 */
int vfe_get_u64(struct vfe *fe, uint32_t req, uint64_t *out)
{
	struct vu_msg r;
	int ret = vfe_call(fe, req, NULL, 0, NULL, 0, &r);

	if (ret)
		return ret;
	if (r.hdr.size != 8)
		return -EPROTO;
	*out = r.p.u64;
	return 0;
}

/**
 * vfe_mem_table() - share the guest memory as VFE_REGIONS regions
 * @fe:	the front-end
 *
 * Return: the ack (0 accepted), or -errno.
 */
int vfe_mem_table(struct vfe *fe)
{
	struct vu_mem_table t = { .nregions = VFE_REGIONS };
	int fds[VFE_REGIONS];
	uint64_t part = fe->mem_size / VFE_REGIONS;
	unsigned int i;

	for (i = 0; i < VFE_REGIONS; i++) {
		t.r[i].gpa = VFE_GPA_BASE + i * part;
		t.r[i].size = part;
		t.r[i].uva = (uint64_t)(uintptr_t)fe->mem + i * part;
		t.r[i].mmap_offset = VFE_PREFIX + i * part;
		fds[i] = fe->memfd;
	}
	return vfe_call(fe, VU_SET_MEM_TABLE, &t, 8 + 32 * VFE_REGIONS, fds,
			VFE_REGIONS, NULL);
}

/**
 * vfe_uva() - front-end user address of a guest address
 * @fe:		the front-end
 * @gpa:	guest address
 *
 * Return: the user address.
 */
static uint64_t vfe_uva(struct vfe *fe, uint64_t gpa)
{
	return (uint64_t)(uintptr_t)fe->mem + (gpa - VFE_GPA_BASE);
}

/**
 * vfe_ring_setup() - lay out ring @q and send NUM, BASE, ADDR, CALL, ERR,
 * KICK (and ENABLE when protocol features were acked)
 * @fe:		the front-end
 * @q:		ring index
 * @num:	size (power of two, at most VFE_MAX_NUM)
 *
 * Return: 0, the first non-zero ack, or -errno.
 */
int vfe_ring_setup(struct vfe *fe, unsigned int q, uint32_t num)
{
	struct vfe_ring *r = &fe->ring[q];
	uint64_t base = VFE_GPA_BASE + q * VFE_RING_SPAN, v;
	struct vu_vring_state st = { q, num };
	struct vu_vring_addr a = { .index = q };
	int ret;

	if (r->num) {	/* running: stop it first, as QEMU does */
		struct vu_msg rep;

		if ((ret = vfe_call(fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &rep)))
			return ret;
	} else {
		r->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		r->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		r->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	r->num = num;
	r->packed = fe->features & BIT(VIRTIO_F_RING_PACKED);
	r->avail_wrap = r->used_wrap = true;
	r->npend = 0;
	r->desc_gpa = base;
	r->avail_gpa = base + 0x4000;
	r->used_gpa = base + 0x5000;
	r->desc = vfe_ptr(fe, r->desc_gpa);
	r->avail = vfe_ptr(fe, r->avail_gpa);
	r->used = vfe_ptr(fe, r->used_gpa);
	memset(r->desc, 0, 0x8000);
	r->avail_idx = r->last_used = 0;
	r->next_free = 0;
	memset(r->busy, 0, sizeof(r->busy));
	r->nfreed = 0;
	a.desc = vfe_uva(fe, r->desc_gpa);
	a.avail = vfe_uva(fe, r->avail_gpa);
	a.used = vfe_uva(fe, r->used_gpa);
	if ((ret = vfe_call(fe, VU_SET_VRING_NUM, &st, 8, NULL, 0, NULL)))
		return ret;
	st.num = r->packed ? 0x8000 : 0;	/* packed: wrap counter 1 */
	if ((ret = vfe_call(fe, VU_SET_VRING_BASE, &st, 8, NULL, 0, NULL)))
		return ret;
	if ((ret = vfe_call(fe, VU_SET_VRING_ADDR, &a, 40, NULL, 0, NULL)))
		return ret;
	v = q;
	if ((ret = vfe_call(fe, VU_SET_VRING_CALL, &v, 8, &r->call, 1, NULL)))
		return ret;
	if ((ret = vfe_call(fe, VU_SET_VRING_ERR, &v, 8, &r->err, 1, NULL)))
		return ret;
	if ((ret = vfe_call(fe, VU_SET_VRING_KICK, &v, 8, &r->kick, 1, NULL)))
		return ret;
	if (fe->features & BIT(VU_F_PROTOCOL_FEATURES)) {
		st.num = 1;
		ret = vfe_call(fe, VU_SET_VRING_ENABLE, &st, 8, NULL, 0, NULL);
	}
	return ret;
}

/**
 * vfe_setup() - negotiate like QEMU and set up @nq rings
 * @fe:		the front-end (connected)
 * @features:	virtio features to ack (masked with the offer; protocol
 *		features bit added when offered)
 * @nq:		rings (RX 0, TX 1, ...)
 * @num:	ring size
 *
 * Return: 0, a non-zero ack, or -errno.
 */
int vfe_setup(struct vfe *fe, uint64_t features, unsigned int nq, uint32_t num)
{
	uint64_t offer, pf;
	unsigned int i;
	int ret;

	if ((ret = vfe_get_u64(fe, VU_GET_FEATURES, &offer)))
		return ret;
	fe->pf = 0;
	if (offer & BIT(VU_F_PROTOCOL_FEATURES)) {
		if ((ret = vfe_get_u64(fe, VU_GET_PROTOCOL_FEATURES, &pf)))
			return ret;
		pf &= BIT(VU_PF_REPLY_ACK) | BIT(VU_PF_MQ) | BIT(VU_PF_MTU) |
		      BIT(VU_PF_RARP) | BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
		      BIT(VU_PF_CONFIG) | BIT(VU_PF_RESET_DEVICE);
		if ((ret = vfe_call(fe, VU_SET_PROTOCOL_FEATURES, &pf, 8, NULL,
				    0, NULL)))
			return ret;
		fe->pf = pf;
		features |= BIT(VU_F_PROTOCOL_FEATURES);
	}
	if ((ret = vfe_call(fe, VU_SET_OWNER, NULL, 0, NULL, 0, NULL)))
		return ret;
	fe->features = features & offer;
	if ((ret = vfe_call(fe, VU_SET_FEATURES, &fe->features, 8, NULL, 0,
			    NULL)))
		return ret;
	if ((ret = vfe_mem_table(fe)))
		return ret;
	for (i = 0; i < nq; i++)
		if ((ret = vfe_ring_setup(fe, i, num)))
			return ret;
	fe->nq = nq;
	return 0;
}

/**
 * vfe_alloc() - guest memory for buffers (never freed)
 * @fe:		the front-end
 * @len:	bytes
 *
 * Return: the guest address (64-byte aligned), or 0 when memory ran out.
 */
uint64_t vfe_alloc(struct vfe *fe, uint64_t len)
{
	uint64_t a = (fe->brk + 63) & ~63ull;

	if (a + len > VFE_GPA_BASE + fe->mem_size)
		return 0;
	fe->brk = a + len;
	return a;
}

/**
 * vfe_ptr() - front-end pointer to a guest address
 * @fe:		the front-end
 * @gpa:	guest address inside its memory
 *
 * Return: the pointer.
 */
void *vfe_ptr(struct vfe *fe, uint64_t gpa)
{
	return fe->mem + (gpa - VFE_GPA_BASE);
}

/**
 * vfe_post_packed() - vfe_post() for a packed ring: the list takes the
 * next @n slots; its buffer id is its first slot; the first descriptor's
 * flags are stored by vfe_publish()
 * @fe:	the front-end
 * @r:	the ring
 * @b:	the descriptors
 * @n:	how many
 *
 * Return: the buffer id.
 */
static int vfe_post_packed(struct vfe *fe, struct vfe_ring *r,
			   const struct vfe_buf *b, unsigned int n)
{
	struct vring_packed_desc *d = (struct vring_packed_desc *)r->desc;
	uint16_t id = r->avail_idx, avail = 1u << VRING_PACKED_DESC_F_AVAIL,
		 used = 1u << VRING_PACKED_DESC_F_USED;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t slot = r->avail_idx;
		uint16_t flags = b[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0) |
				 (r->avail_wrap ? avail : used);

		d[slot].addr = b[i].addr;
		d[slot].len = b[i].len;
		d[slot].id = id;
		if (i == 0) {
			r->pend_slot[r->npend] = slot;
			r->pend_flags[r->npend++] = flags;
		} else {
			d[slot].flags = flags;
		}
		if (++r->avail_idx == r->num) {
			r->avail_idx = 0;
			r->avail_wrap = !r->avail_wrap;
		}
	}
	r->chain_len[id] = (uint16_t)n;
	return id;
}

/* Are the @n descriptors from @head on (round the ring) all not out? */
static bool vfe_free_run(const struct vfe_ring *r, uint32_t head,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && !r->busy[(head + i) % r->num]; i++)
		;
	return i == n;
}

/**
 * vfe_post() - write a chain of @n descriptors and add it to the avail
 * ring (not yet published: vfe_publish())
 * @fe:	the front-end
 * @q:	ring
 * @b:	the descriptors, in chain order
 * @n:	how many (1..num)
 *
 * Return: the head index.
 */
int vfe_post(struct vfe *fe, unsigned int q, const struct vfe_buf *b,
	     unsigned int n)
{
	struct vfe_ring *r = &fe->ring[q];
	uint32_t head = r->next_free % r->num, i, tries;
	bool ok;

	if (r->packed)
		return vfe_post_packed(fe, r, b, n);
	/* round robin while the device completes in order; else the
	 * chains reaped last first (a guest's free list): O(1) where the
	 * device completes out of order, as direct RX does */
	ok = vfe_free_run(r, head, n);
	while (!ok && r->nfreed) {
		head = r->freed[--r->nfreed];
		ok = vfe_free_run(r, head, n);
	}
	/* else n descriptors in a row that are not out, anywhere */
	for (tries = 0; !ok && tries < r->num; tries++) {
		head = (r->next_free + tries) % r->num;
		ok = vfe_free_run(r, head, n);
	}
	if (!ok)
		return -1;
	r->next_free = head;
	for (i = 0; i < n; i++) {
		uint32_t d = (head + i) % r->num;

		r->busy[d] = 1;
		r->desc[d].addr = b[i].addr;
		r->desc[d].len = b[i].len;
		r->desc[d].flags = b[i].flags |
				   (i + 1 < n ? VRING_DESC_F_NEXT : 0);
		r->desc[d].next = (uint16_t)((d + 1) % r->num);
	}
	r->next_free += n;
	r->chain_len[head] = (uint16_t)n;
	r->avail->ring[r->avail_idx % r->num] = (uint16_t)head;
	r->avail_idx++;
	return (int)head;
}

/**
 * vfe_publish() - make the posted chains visible (avail->idx)
 * @fe:	the front-end
 * @q:	ring
 */
void vfe_publish(struct vfe *fe, unsigned int q)
{
	struct vfe_ring *r = &fe->ring[q];

	if (r->packed) {
		struct vring_packed_desc *d = (struct vring_packed_desc *)r->desc;
		unsigned int i;

		for (i = 0; i < r->npend; i++)
			__atomic_store_n(&d[r->pend_slot[i]].flags, r->pend_flags[i],
					 __ATOMIC_RELEASE);
		r->npend = 0;
		return;
	}
	__atomic_store_n(&fe->ring[q].avail->idx, fe->ring[q].avail_idx,
			 __ATOMIC_RELEASE);
}

/**
 * vfe_kick() - publish and signal the kick eventfd
 * @fe:	the front-end
 * @q:	ring
 */
void vfe_kick(struct vfe *fe, unsigned int q)
{
	uint64_t one = 1;

	vfe_publish(fe, q);
	if (write(fe->ring[q].kick, &one, 8) != 8)
		perror("vfe_kick");
}

/**
 * vfe_reap_packed() - vfe_reap() for a packed ring
 * @r:		the ring
 * @id:		buffer id
 * @len:	length
 *
 * Return: true if a used descriptor was there.
 */
static bool vfe_reap_packed(struct vfe_ring *r, uint32_t *id, uint32_t *len)
{
	struct vring_packed_desc *d = (struct vring_packed_desc *)r->desc;
	uint16_t f = __atomic_load_n(&d[r->last_used].flags, __ATOMIC_ACQUIRE);
	bool a = f & (1u << VRING_PACKED_DESC_F_AVAIL);
	bool u = f & (1u << VRING_PACKED_DESC_F_USED);
	unsigned int skip;

	if (a != r->used_wrap || u != r->used_wrap)
		return false;
	*id = d[r->last_used].id;
	*len = d[r->last_used].len;
	skip = *id < r->num && r->chain_len[*id] ? r->chain_len[*id] : 1;
	r->last_used = (uint16_t)(r->last_used + skip);
	if (r->last_used >= r->num) {
		r->last_used = (uint16_t)(r->last_used - r->num);
		r->used_wrap = !r->used_wrap;
	}
	return true;
}

/**
 * vfe_reap() - take the next used element
 * @fe:		the front-end
 * @q:		ring
 * @id:		its head
 * @len:	its length
 *
 * Return: true if there was one.
 */
bool vfe_reap(struct vfe *fe, unsigned int q, uint32_t *id, uint32_t *len)
{
	struct vfe_ring *r = &fe->ring[q];
	uint16_t idx;
	struct vring_used_elem *e;

	if (r->packed)
		return vfe_reap_packed(r, id, len);
	idx = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
	if (idx == r->last_used)
		return false;
	e = &r->used->ring[r->last_used % r->num];
	*id = e->id;
	*len = e->len;
	r->last_used++;
	if (*id < r->num) {	/* its descriptors may be handed out again */
		uint32_t d = *id, i, nd = r->chain_len[d] ? r->chain_len[d] : 1;

		for (i = 0; i < nd && d < r->num; i++) {
			r->busy[d] = 0;
			d = r->desc[d].next;
		}
		if (r->nfreed < VFE_MAX_NUM)
			r->freed[r->nfreed++] = (uint16_t)*id;
	}
	return true;
}

/**
 * vfe_read_fd() - read and clear an eventfd
 * @fd:	the fd
 *
 * Return: its count (0 when not signalled).
 */
static uint64_t vfe_read_fd(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, 8) != 8)
		return 0;
	return v;
}

/**
 * vfe_call_pending() - whether the back-end signalled the call fd (clears)
 * @fe:	the front-end
 * @q:	ring
 *
 * Return: true if signalled.
 */
bool vfe_call_pending(struct vfe *fe, unsigned int q)
{
	return vfe_read_fd(fe->ring[q].call) != 0;
}

/**
 * vfe_err_pending() - how often the back-end signalled the error fd (clears)
 * @fe:	the front-end
 * @q:	ring
 *
 * Return: the count.
 */
int vfe_err_pending(struct vfe *fe, unsigned int q)
{
	return (int)vfe_read_fd(fe->ring[q].err);
}

/**
 * vfe_count_dir() - entries in a /proc directory or lines in a file
 * @path:	the path
 * @lines:	count lines of a file instead of directory entries
 *
 * Return: the count, or -1.
 */
static int vfe_count_dir(const char *path, bool lines)
{
	int n = 0;

	if (lines) {
		FILE *f = fopen(path, "r");
		int c;

		if (!f)
			return -1;
		while ((c = fgetc(f)) != EOF)
			n += c == '\n';
		fclose(f);
		return n;
	} else {
		DIR *d = opendir(path);
		struct dirent *e;

		if (!d)
			return -1;
		while ((e = readdir(d)))
			n += e->d_name[0] != '.';
		closedir(d);
		return n - 1;	/* the directory's own fd */
	}
}

/**
 * vfe_count_fds() - open fds of this process
 *
 * Return: the count.
 */
int vfe_count_fds(void)
{
	return vfe_count_dir("/proc/self/fd", false);
}

/**
 * vfe_count_maps() - mappings of this process
 *
 * Return: the count.
 */
int vfe_count_maps(void)
{
	return vfe_count_dir("/proc/self/maps", true);
}
