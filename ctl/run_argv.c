// SPDX-License-Identifier: GPL-2.0-or-later
/* run_argv.c: split a QEMU command line into network options and the rest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/run_argv.h"

/**
 * DOC: what `qnet run` takes from a QEMU command line
 *
 * `-netdev`, `-nic` and `-net` always; `-device D` when D is a NIC model qnet
 * serves (the caller's @is_nic decides); `-object filter-*` and
 * `-object qnet-filter` (qnet's own, which QEMU would refuse) since filters
 * belong to netdevs qnet now owns. Options may be spelled with one or two
 * dashes and as `-opt=value`. `-nodefaults` stays on the VMM's command line
 * and is also reported, since it changes qnet's default network. Everything
 * else is the VMM's and keeps its order.
 */

/**
 * opt_name() - the option name of an argument, without leading dashes
 * @arg:	one argv entry
 *
 * Return: pointer past the dashes, or NULL if @arg is not an option
 */
static const char *opt_name(const char *arg)
{
	if (arg[0] != '-' || !arg[1])
		return NULL;
	arg++;
	if (arg[0] == '-')
		arg++;
	return arg;
}

/**
 * opt_is() - does an option name (possibly `name=value`) match @want
 * @name:	option name after the dashes
 * @want:	option to test for
 * @inl:	set to the inline value after '=', or NULL
 *
 * Return: true on a match
 */
static bool opt_is(const char *name, const char *want, const char **inl)
{
	size_t n = strlen(want);

	*inl = NULL;
	if (strncmp(name, want, n))
		return false;
	if (name[n] == '\0')
		return true;
	if (name[n] == '=') {
		*inl = name + n + 1;
		return true;
	}
	return false;
}

/**
 * json_string_field() - find `"key": "value"` at the top of a JSON object
 * @json:	the text
 * @key:	field name
 * @buf:	where the value goes
 * @size:	size of @buf
 *
 * Good enough to classify a `-device` JSON argument: qnet's own JSON parser
 * validates it fully later.
 *
 * Return: 0, or -ENOENT
 */
static int json_string_field(const char *json, const char *key, char *buf,
			     unsigned int size)
{
	size_t klen = strlen(key);
	const char *p = json;

	while ((p = strchr(p, '"'))) {
		const char *v;
		size_t n;

		if (strncmp(p + 1, key, klen) || p[1 + klen] != '"') {
			p++;
			continue;
		}
		v = p + 2 + klen;
		v += strspn(v, " \t\n\r");
		if (*v++ != ':')
			return -ENOENT;
		v += strspn(v, " \t\n\r");
		if (*v++ != '"')
			return -ENOENT;
		n = strcspn(v, "\"");
		if (n >= size)
			return -ENOENT;
		memcpy(buf, v, n);
		buf[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

/**
 * run_argv_device_driver() - the driver name of a `-device` argument
 * @arg:	`DRIVER,k=v...`, `driver=DRIVER,...` or JSON
 * @buf:	where the name goes
 * @size:	size of @buf
 *
 * Return: 0, or -ENOENT when no driver is named
 */
int run_argv_device_driver(const char *arg, char *buf, unsigned int size)
{
	const char *p = arg;

	if (arg[0] == '{')
		return json_string_field(arg, "driver", buf, size);
	while (p && *p) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);

		if (p == arg && !eq) {
			if (n >= size)
				return -ENOENT;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 0;
		}
		if (eq && eq - p == 6 && !strncmp(p, "driver", 6)) {
			size_t vl = n - 7;

			if (vl >= size)
				return -ENOENT;
			memcpy(buf, eq + 1, vl);
			buf[vl] = '\0';
			return 0;
		}
		p = p[n] ? p + n + 1 : NULL;
	}
	return -ENOENT;
}

/**
 * push() - append one string to a NULL-ended vector
 * @vec:	the vector
 * @n:		its length
 * @s:		string to append (not copied)
 *
 * Return: 0, or -ENOMEM
 */
static int push(char ***vec, int *n, char *s)
{
	char **v = realloc(*vec, sizeof(char *) * (size_t)(*n + 2));

	if (!v)
		return -ENOMEM;
	v[(*n)++] = s;
	v[*n] = NULL;
	*vec = v;
	return 0;
}

/**
 * take_net() - is this option one qnet takes, and its canonical name
 * @name:	option name after the dashes (may hold `=value`)
 * @val:	the option's value
 * @is_nic:	decides whether a -device driver is a NIC qnet serves
 * @inl:	set to an inline value, if any
 *
 * Return: "-netdev", "-nic", "-net", "-device", "-object" or NULL
 */
static const char *take_net(const char *name, const char *val,
			    bool (*is_nic)(const char *driver),
			    const char **inl)
{
	static const char *const always[] = { "netdev", "nic", "net" };
	static const char *const canon[] = { "-netdev", "-nic", "-net" };
	char drv[64];
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (opt_is(name, always[i], inl))
			return canon[i];
	if (opt_is(name, "device", inl)) {
		const char *v = *inl ? *inl : val;

		if (v && !run_argv_device_driver(v, drv, sizeof(drv)) &&
		    is_nic(drv))
			return "-device";
		return NULL;
	}
	if (opt_is(name, "object", inl)) {
		const char *v = *inl ? *inl : val;
		char type[64];

		if (!v)
			return NULL;
		if (v[0] == '{') {
			if (json_string_field(v, "qom-type", type, sizeof(type)))
				return NULL;
		} else {
			size_t n = strcspn(v, ",");

			if (n >= sizeof(type))
				return NULL;
			memcpy(type, v, n);
			type[n] = '\0';
			if (!strncmp(type, "qom-type=", 9))
				memmove(type, type + 9, strlen(type + 9) + 1);
		}
		return strncmp(type, "filter-", 7) &&
		       strcmp(type, "qnet-filter") ? NULL : "-object";
	}
	return NULL;
}

/**
 * run_argv_split() - take qnet's network options out of a QEMU command line
 * @argc:	entries in @argv
 * @argv:	the VMM command line, argv[0] the VMM binary
 * @is_nic:	decides whether a -device driver is a NIC qnet serves
 * @out:	the result; strings point into @argv
 *
 * Return: 0, -EINVAL when a network option lacks its value, or -ENOMEM
 */
int run_argv_split(int argc, char **argv, bool (*is_nic)(const char *driver),
		   struct run_argv *out)
{
	int i, ret = 0;

	memset(out, 0, sizeof(*out));
	if (argc < 1)
		return -EINVAL;
	ret = push(&out->vmm, &out->nvmm, argv[0]);
	for (i = 1; !ret && i < argc; i++) {
		const char *name = opt_name(argv[i]);
		const char *canon, *inl = NULL;
		char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (name && !strcmp(name, "nodefaults"))
			out->nodefaults = true;
		canon = name ? take_net(name, val, is_nic, &inl) : NULL;
		if (!canon) {
			ret = push(&out->vmm, &out->nvmm, argv[i]);
			continue;
		}
		if (!inl && !val) {
			ret = -EINVAL;
			break;
		}
		ret = push(&out->net, &out->nnet, (char *)canon);
		if (!ret)
			ret = push(&out->net, &out->nnet,
				   inl ? (char *)inl : val);
		if (!inl)
			i++;
	}
	if (ret)
		run_argv_free(out);
	return ret;
}

/**
 * run_argv_free() - release the vectors of a split command line
 * @ra:		the result of run_argv_split()
 */
void run_argv_free(struct run_argv *ra)
{
	free(ra->vmm);
	free(ra->net);
	memset(ra, 0, sizeof(*ra));
}
