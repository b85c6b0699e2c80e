/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bpfpin.h: qnet's bpffs directory: one per instance, stable qnet_ names, stale-pin cleanup. */
#ifndef QNET_BPF_BPFPIN_H
#define QNET_BPF_BPFPIN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/** BPFPIN_ROOT - where bpffs is mounted */
#define BPFPIN_ROOT "/sys/fs/bpf"

/** BPFPIN_DIR - qnet's directory under it; instances are its subdirectories */
#define BPFPIN_DIR BPFPIN_ROOT "/qnet"

/** BPFPIN_NAME_MAX - longest instance name */
#define BPFPIN_NAME_MAX 64

/**
 * struct bpfpin - one instance's pin directory
 * @dir:	BPFPIN_DIR/<instance>
 * @owner_fd:	the pinned owner map (pid and start time of this process)
 * @stale_cleaned: instance directories of dead processes removed at open
 * @detached:	programs of dead instances detached from interfaces at open
 */
struct bpfpin {
	char dir[PATH_MAX];
	int owner_fd;
	unsigned int stale_cleaned;
	unsigned int detached;
};

/**
 * bpfpin_log_fn - where libbpf's and libxdp's messages go (one line each)
 * @warn:	true for warnings, false for info/debug
 * @line:	the message, without its newline
 */
typedef void (*bpfpin_log_fn)(bool warn, const char *line);

void bpfpin_lib_log(bpfpin_log_fn fn);
int bpfpin_mount(void);
int bpfpin_open(struct bpfpin *pd, const char *instance);
void bpfpin_close(struct bpfpin *pd);
int bpfpin_path(const struct bpfpin *pd, char *buf, size_t size,
		const char *netdev, const char *role);
int bpfpin_pin(const struct bpfpin *pd, int fd, const char *netdev,
	       const char *role);
void bpfpin_unpin(const struct bpfpin *pd, const char *netdev,
		  const char *role);
int bpfpin_clean_stale(unsigned int *cleaned, unsigned int *detached);

#endif /* QNET_BPF_BPFPIN_H */
