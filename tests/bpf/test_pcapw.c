// SPDX-License-Identifier: GPL-2.0-or-later
/* test_pcapw.c: pcap writer and user-space capture: files tcpdump reads, symlinks refused, write errors stop the capture. */

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "datapath/frame.h"
#include "datapath/pcapw.h"
#include "datapath/bpf/capture.h"
#include "tests/bpf/btest.h"

static char dir[] = "/tmp/qnet-pcapw-XXXXXX";
static char path[1024];

/* Lines tcpdump -r prints for @file with @expr, or -1 without tcpdump. */
static int tcpdump_count(const char *file, const char *expr)
{
	char cmd[1200], line[512];
	int n = 0;
	FILE *p;

	if (access("/usr/bin/tcpdump", X_OK) && access("/usr/sbin/tcpdump", X_OK))
		return -1;
	snprintf(cmd, sizeof(cmd), "tcpdump -nn -r '%s' %s 2>/dev/null", file,
		 expr ? expr : "");
	p = popen(cmd, "r");
	BT_CHECK(p);
	while (fgets(line, sizeof(line), p))
		n++;
	pclose(p);
	return n;
}

static void test_writer(void)
{
	struct pcapw_file f;
	struct pcapw_buf b;
	uint8_t frame[1514];
	unsigned int i;
	struct stat st;
	int n;

	snprintf(path, sizeof(path), "%s/w.pcap", dir);
	BT_EQ(pcapw_open(&f, path, 128), 0);
	BT_EQ(pcapw_buf_init(&b, &f, 4096), 0);
	for (i = 0; i < 100; i++) {
		bt_frame(frame, 60 + i * 10, bt_guest, 0x0800, (uint8_t)i);
		BT_EQ(pcapw_add(&b, 1700000000ull * 1000000000ull + i * 1000,
				frame, 60 + i * 10, 60 + i * 10), 0);
	}
	BT_EQ(pcapw_flush(&b), 0);
	BT_EQ(atomic_load(&f.records), 100);
	BT_EQ(pcapw_check(&f), 0);
	pcapw_buf_fini(&b);
	pcapw_close(&f);
	/* 24 + 100 records of 16 + min(len, 128) */
	BT_EQ(stat(path, &st), 0);
	{
		off_t want = 24;

		for (i = 0; i < 100; i++)
			want += 16 + (60 + i * 10 < 128 ? 60 + i * 10 : 128);
		BT_EQ(st.st_size, want);
	}
	n = tcpdump_count(path, NULL);
	if (n >= 0)
		BT_EQ(n, 100);

	/* reopening truncates */
	BT_EQ(pcapw_open(&f, path, 65535), 0);
	pcapw_close(&f);
	BT_EQ(stat(path, &st), 0);
	BT_EQ(st.st_size, 24);
}

static void test_refused(void)
{
	struct pcapw_file f;
	char target[600], fifo[600];

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(path, sizeof(path), "%s/link.pcap", dir);
	BT_EQ(symlink(target, path), 0);
	BT_EQ(pcapw_open(&f, path, 65535), -ELOOP);
	BT_CHECK(access(target, F_OK) != 0);	/* nothing created through it */
	unlink(path);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	BT_EQ(mkfifo(fifo, 0600), 0);
	BT_CHECK(pcapw_open(&f, fifo, 65535) < 0);
	unlink(fifo);
	BT_EQ(pcapw_open(&f, dir, 65535), -EISDIR);
	BT_EQ(pcapw_open(&f, path, 0), -EINVAL);
}

/* A removed capture file stops the capture at the next check. */
static void test_removed(void)
{
	struct pcapw_file f;
	struct pcapw_buf b;
	uint8_t frame[64];

	snprintf(path, sizeof(path), "%s/gone.pcap", dir);
	BT_EQ(pcapw_open(&f, path, 65535), 0);
	BT_EQ(pcapw_buf_init(&b, &f, 0), 0);
	bt_frame(frame, 64, bt_guest, 0x0800, 1);
	BT_EQ(pcapw_add(&b, 0, frame, 64, 64), 0);
	BT_EQ(unlink(path), 0);
	BT_EQ(pcapw_check(&f), -ENOENT);
	BT_EQ(pcapw_add(&b, 0, frame, 64, 64), -ENOENT);
	BT_EQ(pcapw_flush(&b), -ENOENT);
	BT_EQ(atomic_load(&f.lost), 2);
	pcapw_buf_fini(&b);
	pcapw_close(&f);
}

/* Disk full (a 64 KiB tmpfs): the file stops, records are counted lost. */
static void test_full(void)
{
	char mnt[600];
	struct pcapw_file f;
	struct pcapw_buf b;
	uint8_t frame[1500];
	unsigned int i;
	int err = 0;

	if (geteuid() != 0) {
		printf("disk-full case skipped (needs root to mount a tmpfs)\n");
		return;
	}
	snprintf(mnt, sizeof(mnt), "%s/small", dir);
	BT_EQ(mkdir(mnt, 0700), 0);
	BT_EQ(mount("tmpfs", mnt, "tmpfs", 0, "size=64k"), 0);
	snprintf(path, sizeof(path), "%s/full.pcap", mnt);
	BT_EQ(pcapw_open(&f, path, 65535), 0);
	BT_EQ(pcapw_buf_init(&b, &f, 8192), 0);
	bt_frame(frame, sizeof(frame), bt_guest, 0x0800, 1);
	for (i = 0; i < 200 && !err; i++)
		err = pcapw_add(&b, 0, frame, sizeof(frame), sizeof(frame));
	if (!err)
		err = pcapw_flush(&b);
	BT_EQ(err, -ENOSPC);
	BT_CHECK(atomic_load(&f.lost) > 0);
	BT_EQ(pcapw_add(&b, 0, frame, 64, 64), -ENOSPC);
	pcapw_buf_fini(&b);
	pcapw_close(&f);
	BT_EQ(umount(mnt), 0);
	rmdir(mnt);
}

/* Frames on the stack, owned by nobody. */
static struct frame *mkframe(struct frame *f, uint8_t *buf, uint32_t len,
			     uint16_t proto, uint8_t seed)
{
	bt_frame(buf, len, bt_guest, proto, seed);
	memset(f, 0, sizeof(*f));
	f->data = buf;
	f->len = len;
	f->cap = len;
	f->refs = 1;
	return f;
}

/* User-space capture: directions, status, filters, counters, the file. */
static void test_user_capture(void)
{
	static uint8_t bufs[8][2000];
	struct frame fr[8], *fp[8];
	struct capture_config cfg = {
		.id = "f1", .netdev = "n0", .kind = CAPTURE_DUMP,
		.maxlen = 100, .queue = CAPTURE_QUEUE_ALL, .status = true,
		.filter = "ip", .nqueues = 2,
	};
	struct capture_stats st;
	struct capture *c;
	unsigned int i;
	char err[256];

	snprintf(path, sizeof(path), "%s/user.pcap", dir);
	cfg.file = path;
	for (i = 0; i < 8; i++)
		fp[i] = mkframe(&fr[i], bufs[i], 60 + i * 200,
				i % 2 ? 0x0806 : 0x0800, (uint8_t)i);
	BT_EQ(capture_open(&c, &cfg, err, sizeof(err)), 0);
	BT_EQ(capture_user_run(c, CAPTURE_RX, 0, fp, 8), 0);
	BT_EQ(capture_user_run(c, CAPTURE_TX, 1, fp, 8), 0);
	BT_EQ(capture_set_status(c, false), 0);
	BT_EQ(capture_user_run(c, CAPTURE_RX, 0, fp, 8), 0);
	BT_EQ(capture_set_status(c, true), 0);
	BT_EQ(capture_user_run(c, CAPTURE_RX, 5, fp, 8), 0);	/* bad queue */
	BT_EQ(capture_stats(c, &st), 0);
	BT_EQ(st.seen, 24);
	BT_EQ(st.matched, 8);
	BT_EQ(st.copied, 8);
	BT_EQ(st.bytes, 2 * (60 + 100 + 100 + 100));
	BT_EQ(st.kernel_dirs, 0);
	BT_EQ(capture_user_flush(c, 0), 0);
	BT_EQ(capture_user_flush(c, 1), 0);
	BT_EQ(capture_stats(c, &st), 0);
	BT_EQ(st.written, 8);
	capture_close(c);
	if (tcpdump_count(path, NULL) >= 0) {
		BT_EQ(tcpdump_count(path, NULL), 8);
		BT_EQ(tcpdump_count(path, "arp"), 0);
	}

	/* queue=rx skips tx frames; a drop filter returns the mask */
	cfg.kind = CAPTURE_DROP;
	cfg.queue = CAPTURE_QUEUE_RX;
	cfg.filter = "arp";
	BT_EQ(capture_open(&c, &cfg, err, sizeof(err)), 0);
	BT_EQ(capture_user_run(c, CAPTURE_TX, 0, fp, 8), 0);
	BT_EQ(capture_user_run(c, CAPTURE_RX, 0, fp, 8), 0xaa);
	cfg.kind = CAPTURE_ALLOW;
	capture_close(c);
	BT_EQ(capture_open(&c, &cfg, err, sizeof(err)), 0);
	BT_EQ(capture_user_run(c, CAPTURE_RX, 0, fp, 8), 0x55);
	BT_EQ(capture_stats(c, &st), 0);
	BT_EQ(st.dropped, 4);
	capture_close(c);

	/* bad expressions and configurations */
	cfg.filter = "tcp port";
	BT_EQ(capture_open(&c, &cfg, err, sizeof(err)), -EINVAL);
	BT_CHECK(err[0]);
	cfg.filter = NULL;	/* a drop filter needs an expression */
	BT_EQ(capture_open(&c, &cfg, err, sizeof(err)), -EINVAL);
	cfg.kind = CAPTURE_DUMP;
	cfg.file = NULL;
	BT_EQ(capture_open(&c, &cfg, err, sizeof(err)), -EINVAL);
	unlink(path);
}

int main(void)
{
	BT_CHECK(mkdtemp(dir));
	test_writer();
	test_refused();
	test_removed();
	test_full();
	test_user_capture();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	BT_EQ(system(path), 0);
	printf("pcapw: ok\n");
	return 0;
}
