// SPDX-License-Identifier: GPL-2.0-or-later
/* ucase.c: run one -netdev user option case through qnet (options, config, open). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/user.h"
#include "datapath/uring/uloop.h"
#include "tests/unit/user/ucases.h"

/**
 * ucase_expand() - replace "@256"/"@255" by that many 'a's
 * @opts:	case text
 * @out:	expanded text
 * @len:	its size
 */
void ucase_expand(const char *opts, char *out, size_t len)
{
	size_t o = 0;
	int n;

	while (*opts && o + 1 < len) {
		if (opts[0] == '@' && sscanf(opts + 1, "%3d", &n) == 1) {
			while (n-- > 0 && o + 1 < len)
				out[o++] = 'a';
			opts += 4;
			continue;
		}
		out[o++] = *opts++;
	}
	out[o] = '\0';
}

/* split "k=v,k=v" (",," is a comma) into the option set, as QemuOpts */
static int ucase_split(const char *s, struct user_opts *o)
{
	char key[64], *val = malloc(strlen(s) + 1);
	size_t k, v;
	int ret = 0;

	while (val && *s && !ret) {
		for (k = 0; *s && *s != '=' && k < sizeof(key) - 1; s++)
			key[k++] = *s;
		key[k] = '\0';
		if (*s++ != '=') {
			ret = -EINVAL;
			break;
		}
		for (v = 0; *s; s++) {
			if (*s == ',' && s[1] != ',')
				break;
			if (*s == ',')
				s++;
			val[v++] = *s;
		}
		val[v] = '\0';
		if (*s == ',')
			s++;
		ret = user_opts_set(o, key, val);
	}
	free(val);
	return ret;
}

/**
 * ucase_answer() - what qnet says for a case
 * @opts:	the case (expanded)
 * @loop:	a loop to start the netdev on
 * @out:	"info:TEXT" or "err:TEXT"
 * @len:	its size
 *
 * Return: 0, or -1 when the case could not even be split.
 */
int ucase_answer(const char *opts, struct uloop *loop, char *out, size_t len)
{
	struct user_backend *be;
	struct user_opts o;
	struct user_config c;
	struct user_err err;
	char info[256];
	int ret;

	user_opts_init(&o);
	if (ucase_split(opts, &o)) {
		user_opts_free(&o);
		return -1;
	}
	ret = user_config_from_opts(&c, &o, &err);
	user_opts_free(&o);
	if (ret) {
		snprintf(out, len, "err:%s", err.msg);
		return 0;
	}
	ret = user_open(&be, &c, loop, "n0", &err);
	if (ret) {
		snprintf(out, len, "err:%s", err.msg);
	} else {
		user_info_network(user_backend_config(be), info, sizeof(info));
		snprintf(out, len, "info:%s", info);
		user_close(be);
		uloop_run_once(loop, 0);
	}
	user_config_free(&c);
	return 0;
}
