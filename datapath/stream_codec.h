/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream_codec.h: QEMU's stream framing (4-byte big-endian length + frame), pure. */
#ifndef QNET_DATAPATH_STREAM_CODEC_H
#define QNET_DATAPATH_STREAM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/frame.h"

/**
 * DOC: stream framing
 *
 * QEMU's -netdev stream, and -netdev socket in its listen/connect modes,
 * put each Ethernet frame on the byte stream as a 4-byte big-endian length
 * followed by that many bytes; -netdev dgram and socket udp/mcast send one
 * frame per datagram, with no prefix. Neither carries a virtio-net header.
 *
 * The decoder works on a window of contiguous bytes the caller keeps (qnet
 * keeps them in a mirror-mapped ring, so a frame that wraps is still
 * contiguous): stream_dec_next() looks at the front of the window and says
 * "a frame of L bytes starts 4 bytes in", "I need N bytes in the window
 * before I can say more" or "this prefix is bogus". It never copies and
 * never allocates, so a prefix claiming 2^32-1 costs nothing: it is bogus
 * as soon as its first byte is non-zero (any value >= 2^24 exceeds
 * FRAME_MAX_LEN), before the other three bytes arrive.
 *
 * A prefix is bogus when the length it claims is 0, shorter than
 * FRAME_MIN_LEN (14, an Ethernet header) or longer than the decoder's
 * limit (at most FRAME_MAX_LEN). QEMU itself accepts short frames and
 * refuses only lengths above its buffer; qnet resets the connection for
 * all three, because a stream that carries such a length is out of step.
 */

/** STREAM_HDR_LEN - bytes of the length prefix */
#define STREAM_HDR_LEN 4

/**
 * enum stream_dec_status - what stream_dec_next() found
 * @STREAM_DEC_FRAME:	a whole frame is in the window
 * @STREAM_DEC_NEED:	more bytes are needed (see @need)
 * @STREAM_DEC_BAD:	the length prefix is bogus: reset the connection
 */
enum stream_dec_status {
	STREAM_DEC_FRAME,
	STREAM_DEC_NEED,
	STREAM_DEC_BAD,
	STREAM_DEC_STATUS_COUNT
};

/**
 * struct stream_dec - length-prefix decoder state and counters
 * @max_len:	longest frame accepted (FRAME_MIN_LEN..FRAME_MAX_LEN)
 * @frames:	frames found
 * @bytes:	their bytes (prefixes not included)
 * @bad_length:	bogus prefixes found
 * @last_bad:	the smallest value the last bogus prefix can stand for
 *		(its known bytes followed by zeros)
 */
struct stream_dec {
	uint32_t max_len;
	uint64_t frames;
	uint64_t bytes;
	uint64_t bad_length;
	uint32_t last_bad;
};

int stream_dec_init(struct stream_dec *d, uint32_t max_len);
enum stream_dec_status stream_dec_next(struct stream_dec *d,
				       const uint8_t *win, size_t avail,
				       uint32_t *len, size_t *need);
bool stream_codec_len_ok(uint32_t len, uint32_t max_len);

void stream_enc_hdr(uint8_t *dst, uint32_t len);
int stream_enc_frame(uint8_t *dst, size_t room, const struct frame *f,
		     bool prefix);
int stream_codec_csum(uint8_t *data, uint32_t len,
		      const struct virtio_net_hdr_v1 *vnet);

#endif /* QNET_DATAPATH_STREAM_CODEC_H */
