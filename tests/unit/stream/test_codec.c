// SPDX-License-Identifier: GPL-2.0-or-later
/* test_codec.c: the length-prefix codec: split prefixes, many frames, boundaries, bogus lengths. */
#include <errno.h>
#include <string.h>
#include "datapath/stream_codec.h"
#include "tests/unit/stream/stest.h"

static uint8_t wire[1 << 20];
static uint8_t win[1 << 20];

/* Encode @n frames of lengths 14 + (i * 37) % 1500 into @wire; return bytes. */
static size_t make_wire(unsigned int n)
{
	struct frame f = { 0 };
	static uint8_t data[FRAME_MAX_LEN];
	size_t at = 0;
	unsigned int i, j;
	int ret;

	for (i = 0; i < n; i++) {
		f.len = 14 + (i * 37) % 1500;
		f.data = data;
		for (j = 0; j < f.len; j++)
			data[j] = (uint8_t)(i + j);
		ret = stream_enc_frame(wire + at, sizeof(wire) - at, &f, true);
		ST_EQ(ret, 4 + f.len);
		at += (size_t)ret;
	}
	return at;
}

/*
 * Feed @len bytes of @wire in chunks of @chunk (1 = byte by byte) into a
 * growing window, decoding after each chunk as a reader would; check every
 * frame's length and bytes.
 */
static void feed(size_t len, size_t chunk, unsigned int nframes)
{
	struct stream_dec d;
	size_t have = 0, fed = 0, need = 0, off = 0;
	unsigned int got = 0, j;
	uint32_t flen;

	ST_EQ(stream_dec_init(&d, 0), 0);
	while (fed < len) {
		size_t c = chunk < len - fed ? chunk : len - fed;

		memcpy(win + have, wire + fed, c);
		have += c;
		fed += c;
		for (;;) {
			enum stream_dec_status st = stream_dec_next(
				&d, win + off, have - off, &flen, &need);

			if (st == STREAM_DEC_NEED) {
				ST_CHECK(need > have - off);
				ST_CHECK(need <= 4 + FRAME_MAX_LEN);
				break;
			}
			ST_EQ(st, STREAM_DEC_FRAME);
			ST_EQ(flen, 14 + (got * 37) % 1500);
			for (j = 0; j < flen; j++)
				ST_EQ(win[off + 4 + j], (uint8_t)(got + j));
			off += 4 + flen;
			got++;
		}
	}
	ST_EQ(got, nframes);
	ST_EQ(off, len);
	ST_EQ(d.frames, nframes);
	ST_EQ(d.bad_length, 0);
}

static void test_split_and_batch(void)
{
	size_t len = make_wire(200);
	size_t chunks[] = { 1, 2, 3, 5, 7, 4096, 65536, sizeof(wire) };
	unsigned int i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
		feed(len, chunks[i], 200);
}

static void test_boundaries(void)
{
	struct stream_dec d;
	uint8_t b[4 + FRAME_MAX_LEN + 8];
	uint32_t len = 0;
	size_t need = 0;

	ST_EQ(stream_dec_init(&d, 0), 0);
	/* exactly FRAME_MIN_LEN and exactly FRAME_MAX_LEN are frames */
	memset(b, 0, sizeof(b));
	stream_enc_hdr(b, FRAME_MIN_LEN);
	ST_EQ(stream_dec_next(&d, b, 3, &len, &need), STREAM_DEC_NEED);
	ST_EQ(need, 4);
	ST_EQ(stream_dec_next(&d, b, 4, &len, &need), STREAM_DEC_NEED);
	ST_EQ(need, 4 + FRAME_MIN_LEN);
	ST_EQ(stream_dec_next(&d, b, 4 + FRAME_MIN_LEN - 1, &len, &need),
	      STREAM_DEC_NEED);
	ST_EQ(stream_dec_next(&d, b, 4 + FRAME_MIN_LEN, &len, &need),
	      STREAM_DEC_FRAME);
	ST_EQ(len, FRAME_MIN_LEN);
	stream_enc_hdr(b, FRAME_MAX_LEN);
	ST_EQ(stream_dec_next(&d, b, 4 + FRAME_MAX_LEN - 1, &len, &need),
	      STREAM_DEC_NEED);
	ST_EQ(need, 4 + FRAME_MAX_LEN);
	ST_EQ(stream_dec_next(&d, b, 4 + FRAME_MAX_LEN, &len, &need),
	      STREAM_DEC_FRAME);
	ST_EQ(len, FRAME_MAX_LEN);
	/* a smaller configured limit: limit ok, limit + 1 bogus */
	ST_EQ(stream_dec_init(&d, 1514), 0);
	stream_enc_hdr(b, 1514);
	ST_EQ(stream_dec_next(&d, b, 4 + 1514, &len, &need), STREAM_DEC_FRAME);
	stream_enc_hdr(b, 1515);
	ST_EQ(stream_dec_next(&d, b, 4, &len, &need), STREAM_DEC_BAD);
	ST_EQ(d.bad_length, 1);
	ST_EQ(stream_dec_init(&d, 13), -EINVAL);
	ST_EQ(stream_dec_init(&d, FRAME_MAX_LEN + 1), -EINVAL);
}

static void test_bogus(void)
{
	static const uint32_t bad[] = { 0, 1, 13, FRAME_MAX_LEN + 1, 1u << 24,
					0xffffffffu };
	struct stream_dec d;
	uint8_t b[8];
	uint32_t len;
	size_t need;
	unsigned int i;

	ST_EQ(stream_dec_init(&d, 0), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		stream_enc_hdr(b, bad[i]);
		ST_EQ(stream_dec_next(&d, b, 4, &len, &need), STREAM_DEC_BAD);
		ST_EQ(d.last_bad, bad[i]);
		ST_CHECK(!stream_codec_len_ok(bad[i], FRAME_MAX_LEN));
	}
	ST_EQ(d.bad_length, i);
	/* 2^32-1 is bogus from its first byte: nothing more is awaited */
	b[0] = 0xff;
	ST_EQ(stream_dec_next(&d, b, 1, &len, &need), STREAM_DEC_BAD);
	/* 0x00 0x01 0x00: at least 65536 ... 65791: still possible */
	b[0] = 0;
	b[1] = 1;
	b[2] = 0;
	ST_EQ(stream_dec_next(&d, b, 3, &len, &need), STREAM_DEC_NEED);
	/* 0x00 0x01 0x01: at least 65792 > FRAME_MAX_LEN */
	b[2] = 1;
	ST_EQ(stream_dec_next(&d, b, 3, &len, &need), STREAM_DEC_BAD);
	/* a zero prefix waits for its fourth byte, then is bogus */
	memset(b, 0, 4);
	ST_EQ(stream_dec_next(&d, b, 3, &len, &need), STREAM_DEC_NEED);
	ST_EQ(stream_dec_next(&d, b, 4, &len, &need), STREAM_DEC_BAD);
	ST_EQ(d.frames, 0);
}

static void test_encode(void)
{
	uint8_t data[64], out[128];
	struct frame f = { .data = data, .len = 60 };
	unsigned int i;
	uint32_t sum;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	/* no room: nothing written */
	memset(out, 0xee, sizeof(out));
	ST_EQ(stream_enc_frame(out, 63, &f, true), 0);
	ST_EQ(out[0], 0xee);
	ST_EQ(stream_enc_frame(out, 64, &f, true), 64);
	ST_EQ(out[0], 0);
	ST_EQ(out[3], 60);
	ST_CHECK(!memcmp(out + 4, data, 60));
	ST_EQ(stream_enc_frame(out, 60, &f, false), 60);
	ST_CHECK(!memcmp(out, data, 60));
	/* GSO cannot be carried */
	f.has_vnet = 1;
	f.vnet.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	ST_EQ(stream_enc_frame(out, sizeof(out), &f, true), -EPROTONOSUPPORT);
	/* checksum completed in the copy, frame untouched */
	f.vnet.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	f.vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	f.vnet.csum_start = 34;
	f.vnet.csum_offset = 16;
	ST_EQ(stream_enc_frame(out, sizeof(out), &f, false), 60);
	ST_EQ(data[50], 50);
	/* with the pseudo-header sum the field held (50, 51) added back,
	 * the region sums to -0, as a receiver verifies it */
	for (sum = 50u << 8 | 51u, i = 34; i < 60; i += 2)
		sum += (uint32_t)out[i] << 8 | out[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ST_EQ(sum, 0xffff);
	/* offsets outside the frame */
	f.vnet.csum_offset = 25;
	ST_EQ(stream_enc_frame(out, sizeof(out), &f, false), -EINVAL);
	f.vnet.csum_start = 60;
	f.vnet.csum_offset = 0;
	ST_EQ(stream_enc_frame(out, sizeof(out), &f, false), -EINVAL);
}

int main(void)
{
	test_split_and_batch();
	test_boundaries();
	test_bogus();
	test_encode();
	printf("stream codec: ok\n");
	return 0;
}
