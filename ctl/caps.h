/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.h: which capabilities qnet holds, dropping them after setup, -runas. */
#ifndef QNET_CTL_CAPS_H
#define QNET_CTL_CAPS_H

#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/** CAPS_BIT - the mask bit of capability @c, for caps_drop()'s @keep */
#define CAPS_BIT(c) (1ull << (c))

/**
 * DOC: caps
 *
 * Capabilities are per thread in Linux. caps_have() reads the calling
 * thread's effective set. caps_drop() changes the calling thread only (and
 * the bounding set, which is per thread too): call it before the data-path
 * workers start, or in each of them (uworker_call) and then in ctl.
 * caps_runas() uses setuid(), which glibc applies to every thread.
 */

int caps_have(unsigned int cap);
uint64_t caps_effective(void);
int caps_drop(uint64_t keep);
int caps_runas(const char *user, uint64_t keep);
const char *caps_name(unsigned int cap);
int caps_netdev_message(char *buf, size_t len, const char *opt,
			const char *what, int err, unsigned int cap,
			bool fallback);

#endif /* QNET_CTL_CAPS_H */
