// SPDX-License-Identifier: GPL-2.0-or-later
/* stream_codec.c: QEMU's 4-byte big-endian length-prefix framing, decode and encode. */
#include <errno.h>
#include <string.h>
#include "datapath/stream_codec.h"

/**
 * stream_dec_init() - set up a decoder
 * @d:		the decoder
 * @max_len:	longest frame to accept; 0 for FRAME_MAX_LEN
 *
 * Return: 0, or -EINVAL when @max_len is below FRAME_MIN_LEN or above
 * FRAME_MAX_LEN.
 */
int stream_dec_init(struct stream_dec *d, uint32_t max_len)
{
	if (!max_len)
		max_len = FRAME_MAX_LEN;
	if (max_len < FRAME_MIN_LEN || max_len > FRAME_MAX_LEN)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->max_len = max_len;
	return 0;
}

/**
 * stream_codec_len_ok() - whether a length prefix may stand for a frame
 * @len:	the length the prefix claims
 * @max_len:	the decoder's limit
 *
 * Return: true for FRAME_MIN_LEN <= @len <= @max_len.
 */
bool stream_codec_len_ok(uint32_t len, uint32_t max_len)
{
	return len >= FRAME_MIN_LEN && len <= max_len;
}

/**
 * stream_dec_next() - look at the front of a window of stream bytes
 * @d:		the decoder
 * @win:	the window: bytes received and not yet consumed, contiguous
 * @avail:	how many
 * @len:	set to the frame's length on STREAM_DEC_FRAME (the frame is at
 *		@win + STREAM_HDR_LEN; consume STREAM_HDR_LEN + *@len bytes)
 * @need:	set on STREAM_DEC_NEED to the window size at which calling
 *		again can make progress
 *
 * A partial prefix is judged as soon as it can be: its known bytes
 * followed by zeros already exceeding the limit make it bogus at once.
 *
 * Return: STREAM_DEC_FRAME, STREAM_DEC_NEED or STREAM_DEC_BAD (counted in
 * @d->bad_length; the window is out of step and must be discarded).
 */
enum stream_dec_status stream_dec_next(struct stream_dec *d,
				       const uint8_t *win, size_t avail,
				       uint32_t *len, size_t *need)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < STREAM_HDR_LEN; i++)
		v = (v << 8) | (i < avail ? win[i] : 0);
	if (v > d->max_len || (avail >= STREAM_HDR_LEN && v < FRAME_MIN_LEN)) {
		d->bad_length++;
		d->last_bad = v;
		return STREAM_DEC_BAD;
	}
	if (avail < STREAM_HDR_LEN || avail - STREAM_HDR_LEN < v) {
		*need = avail < STREAM_HDR_LEN ? STREAM_HDR_LEN
					       : STREAM_HDR_LEN + (size_t)v;
		return STREAM_DEC_NEED;
	}
	*len = v;
	d->frames++;
	d->bytes += v;
	return STREAM_DEC_FRAME;
}

/**
 * stream_enc_hdr() - write a length prefix
 * @dst:	STREAM_HDR_LEN bytes
 * @len:	the frame length
 */
void stream_enc_hdr(uint8_t *dst, uint32_t len)
{
	dst[0] = (uint8_t)(len >> 24);
	dst[1] = (uint8_t)(len >> 16);
	dst[2] = (uint8_t)(len >> 8);
	dst[3] = (uint8_t)len;
}

/**
 * csum_add() - add bytes to a 32-bit ones' complement accumulator
 * @sum:	the accumulator
 * @p:		the bytes
 * @n:		how many (an odd last byte is padded with zero)
 *
 * Return: the new accumulator (not folded).
 */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

/**
 * stream_codec_csum() - complete a checksum the sender left to the device
 * @data:	the frame, writable
 * @len:	its length
 * @vnet:	its virtio-net header (VIRTIO_NET_HDR_F_NEEDS_CSUM set)
 *
 * As a virtio-net device does: the ones' complement sum from csum_start to
 * the end of the frame (the field already holds the pseudo-header sum),
 * stored at csum_start + csum_offset. A result of 0 is stored as 0xffff
 * (the same value in ones' complement; UDP needs it).
 *
 * Return: 0, or -EINVAL when the offsets do not fit in the frame.
 */
int stream_codec_csum(uint8_t *data, uint32_t len,
		      const struct virtio_net_hdr_v1 *vnet)
{
	uint32_t start = vnet->csum_start, field = start + vnet->csum_offset;
	uint64_t sum;
	uint16_t c;

	if (start >= len || field > len - 2)
		return -EINVAL;
	sum = csum_add(0, data + start, len - start);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (!c)
		c = 0xffff;
	data[field] = (uint8_t)(c >> 8);
	data[field + 1] = (uint8_t)c;
	return 0;
}

/**
 * stream_enc_frame() - copy a frame out for a socket that carries no
 * offload metadata
 * @dst:	destination
 * @room:	bytes available at @dst
 * @f:		the frame (not modified)
 * @prefix:	write the 4-byte length prefix first (stream framing)
 *
 * A checksum left to the device (VIRTIO_NET_HDR_F_NEEDS_CSUM) is completed
 * in the copy. Segmentation offload cannot be carried: such frames are
 * refused.
 *
 * Return: bytes written (> 0); 0 when they do not fit in @room (nothing
 * written); -EPROTONOSUPPORT for a GSO frame; -EINVAL for checksum offsets
 * outside the frame.
 */
int stream_enc_frame(uint8_t *dst, size_t room, const struct frame *f,
		     bool prefix)
{
	size_t hdr = prefix ? STREAM_HDR_LEN : 0;
	uint8_t *out = dst + hdr;
	int ret;

	if (f->has_vnet && f->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return -EPROTONOSUPPORT;
	if (room < hdr || room - hdr < f->len)
		return 0;
	memcpy(out, f->data, f->len);
	if (f->has_vnet && (f->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		ret = stream_codec_csum(out, f->len, &f->vnet);
		if (ret)
			return ret;
	}
	if (prefix)
		stream_enc_hdr(dst, f->len);
	return (int)(hdr + f->len);
}
