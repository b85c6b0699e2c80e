// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_fe_qemu.c: the VMM's command line for `qnet run`: each NIC's options and shared guest memory. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/runtime.h"

/**
 * DOC: the VMM side of each NIC
 *
 * `qnet run` starts QEMU with its own arguments (everything qnet did not
 * take), then each NIC's arguments from its frontend: a `-netdev stream`
 * and the `-device`, or a `-chardev socket` + `-netdev vhost-user` and the
 * `-device` with `vectors=0`; a netns NIC has none. The `-device` keeps
 * every property the user gave except qnet's own (SF_QNET rows of the
 * model: attach, vhost-user*, queues) and the ones qnet sets (netdev,
 * mac). When no NIC is the VMM's, `-nic none` keeps QEMU from adding its
 * default network.
 *
 * vhost-user needs guest memory the VMM shares (a memfd mapped shared).
 * When the command line sets up no memory of its own, qnet adds
 * `-object memory-backend-memfd,id=qnet-mem,size=RAM,share=on -numa
 * node,memdev=qnet-mem` with RAM from `-m` (QEMU's default 128 MiB,
 * rounded up to 8 KiB as QEMU does). A single `-numa node` naming no
 * memory gets `memdev=qnet-mem` instead of a second node (QEMU 7.2 refuses
 * nodes without memory anyway). When the command line names its own
 * backends (`-machine memory-backend=`, `-numa node,memdev=`), uses
 * `-mem-path` or has several nodes without memory, nothing is added and
 * qnet warns (also about a named backend without `share=on`).
 */

#define RT_QEMU_MEM_ID "qnet-mem"
#define RT_QEMU_RAM_DEFAULT (128ull << 20)
#define RT_QEMU_MAX_BACKENDS 16

/**
 * rt_argv_push() - append a copy of @s
 * @a:		the vector
 * @s:		string
 *
 * Return: 0, or -ENOMEM
 */
int rt_argv_push(struct rt_argv *a, const char *s)
{
	char **v = realloc(a->v, sizeof(char *) * (size_t)(a->n + 2));
	char *d;

	if (!v)
		return -ENOMEM;
	a->v = v;
	d = strdup(s);
	if (!d)
		return -ENOMEM;
	v[a->n++] = d;
	v[a->n] = NULL;
	return 0;
}

/**
 * rt_argv_pushf() - append a formatted string
 * @a:		the vector
 * @fmt:	printf format
 *
 * Return: 0, or -ENOMEM
 */
int rt_argv_pushf(struct rt_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	ret = rt_argv_push(a, s);
	free(s);
	return ret;
}

/**
 * rt_argv_free() - free the vector and its strings
 * @a:		the vector
 */
void rt_argv_free(struct rt_argv *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/**
 * rt_qemu_value() - append a property value as QEMU option text
 * @v:		the value
 * @out:	text output (',' doubled)
 *
 * Return: 0, or -EINVAL for values that have no option spelling
 */
static int rt_qemu_value(const struct json_value *v, struct strbuf *out)
{
	const char *s;

	switch (v->type) {
	case JSON_STRING:
		for (s = v->u.s; *s; s++) {
			if (*s == ',')
				strbuf_putc(out, ',');
			strbuf_putc(out, *s);
		}
		return 0;
	case JSON_BOOL:
		return strbuf_puts(out, v->u.b ? "on" : "off");
	case JSON_INT:
		return strbuf_printf(out, "%lld", (long long)v->u.i);
	case JSON_UINT:
		return strbuf_printf(out, "%llu", (unsigned long long)v->u.u);
	default:
		return -EINVAL;
	}
}

/**
 * rt_qemu_device_arg() - the VMM's `-device` text for a NIC
 * @nic:	the NIC
 * @netdev:	the VMM's netdev id for it
 * @out:	text output: `MODEL,netdev=ID,mac=MAC[,id=ID][,props...]`
 *
 * Properties the user gave on `-device` travel along, except those qnet
 * owns (SF_QNET rows) or sets itself.
 *
 * Return: 0, or -ENOMEM
 */
int rt_qemu_device_arg(const struct netconf_nic *nic, const char *netdev,
		       struct strbuf *out)
{
	static const char *const skip[] = { "driver", "netdev", "mac",
					    "macaddr", "model", "type", "id",
					    NULL };
	char mac[18];
	size_t i, k;

	netconf_format_mac(nic->mac, mac);
	strbuf_printf(out, "%s,netdev=%s,mac=%s", nic->model->name, netdev,
		      mac);
	if (nic->id)
		strbuf_printf(out, ",id=%s", nic->id);
	if (nic->origin != NETCONF_FROM_DEVICE || !nic->props ||
	    nic->props->type != JSON_OBJECT)
		return out->oom ? -ENOMEM : 0;
	for (i = 0; i < nic->props->u.obj.n; i++) {
		const struct json_member *m = &nic->props->u.obj.m[i];
		const struct schema_field *f = schema_find(&nic->model->props,
							   m->key);

		for (k = 0; skip[k] && strcmp(skip[k], m->key); k++)
			;
		if (skip[k] || (f && (f->flags & SF_QNET)))
			continue;
		strbuf_printf(out, ",%s=", m->key);
		rt_qemu_value(m->val, out);
	}
	return out->oom ? -ENOMEM : 0;
}

/**
 * rt_qemu_size() - parse a QEMU size (`-m`: a plain number is MiB)
 * @s:		text, up to ',' or the end
 * @out:	bytes
 *
 * Return: 0, or -EINVAL
 */
static int rt_qemu_size(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	uint64_t mul = 1ull << 20;

	if (end == s || v <= 0)
		return -EINVAL;
	switch (*end) {
	case 'b': case 'B': mul = 1; end++; break;
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	default: break;
	}
	if (*end && *end != ',')
		return -EINVAL;
	if (v * (double)mul >= 18446744073709551615.0)
		return -EINVAL;
	*out = (uint64_t)(v * (double)mul);
	return 0;
}

/**
 * rt_qemu_key() - find `key=value` in a QemuOpts string
 * @opts:	`a,b=c,...` (the implied first element is ignored)
 * @key:	key to find
 * @buf:	value output (`,,` undone)
 * @size:	size of @buf
 *
 * Return: true when found
 */
static bool rt_qemu_key(const char *opts, const char *key, char *buf,
			size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = opts;

	while (*p) {
		const char *q = p;

		n = 0;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			q = p + klen + 1;
			while (*q && n + 1 < size) {
				if (*q == ',' && q[1] != ',')
					break;
				buf[n++] = *q;
				q += *q == ',' ? 2 : 1;
			}
			buf[n] = '\0';
			return true;
		}
		while (*q && !(*q == ',' && q[1] != ','))
			q += *q == ',' ? 2 : 1;
		p = *q ? q + 1 : q;
	}
	return false;
}

/**
 * struct rt_qemu_mem - what a QEMU command line says about guest memory
 * @ram:	-m size in bytes
 * @numa:	`-numa node` options without memdev= (nor mem=)
 * @numa_arg:	index of the last one's value in the VMM's arguments
 * @numa_mem:	`-numa node,mem=` options (legacy sizes)
 * @mem_path:	there is a `-mem-path`
 * @ids:	backends the machine or NUMA nodes use
 * @nids:	count
 */
struct rt_qemu_mem {
	uint64_t ram;
	unsigned int numa;
	int numa_arg;
	unsigned int numa_mem;
	bool mem_path;
	char ids[RT_QEMU_MAX_BACKENDS][64];
	unsigned int nids;
};

static void rt_qemu_mem_use(struct rt_qemu_mem *m, const char *id)
{
	size_t n = strnlen(id, sizeof(m->ids[0]) - 1);

	if (m->nids == RT_QEMU_MAX_BACKENDS)
		return;
	memcpy(m->ids[m->nids], id, n);
	m->ids[m->nids++][n] = '\0';
}

/**
 * rt_qemu_opt() - the option name of a VMM argument, without dashes
 * @arg:	one argument
 *
 * Return: the name, or NULL when @arg is not an option
 */
static const char *rt_qemu_opt(const char *arg)
{
	if (arg[0] != '-' || !arg[1])
		return NULL;
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

/**
 * rt_qemu_mem_scan() - read -m, -machine, -numa and -mem-path
 * @vmm:	the VMM's arguments (vmm[0] the binary)
 * @nvmm:	count
 * @m:		result
 * @warn:	text about values qnet cannot read
 */
static void rt_qemu_mem_scan(char *const *vmm, int nvmm,
			     struct rt_qemu_mem *m, struct strbuf *warn)
{
	char buf[256];
	int i;

	memset(m, 0, sizeof(*m));
	m->ram = RT_QEMU_RAM_DEFAULT;
	for (i = 1; i < nvmm; i++) {
		const char *o = rt_qemu_opt(vmm[i]);
		const char *v = i + 1 < nvmm ? vmm[i + 1] : "";

		if (!o)
			continue;
		if (!strcmp(o, "mem-path")) {
			m->mem_path = true;
		} else if (!strcmp(o, "m")) {
			const char *s = NULL;

			if (rt_qemu_key(v, "size", buf, sizeof(buf)))
				s = buf;
			else if (!memchr(v, '=', strcspn(v, ",")))
				s = v;	/* the implied key: -m 512M[,...] */
			if (s && rt_qemu_size(s, &m->ram))
				strbuf_printf(warn, "%scannot read -m %s; guest "
					      "memory for vhost-user sized "
					      "%llu bytes", warn->len ? "\n" : "",
					      v, (unsigned long long)m->ram);
		} else if (!strcmp(o, "machine") || !strcmp(o, "M")) {
			if (rt_qemu_key(v, "memory-backend", buf, sizeof(buf)))
				rt_qemu_mem_use(m, buf);
		} else if (!strcmp(o, "numa")) {
			if (strncmp(v, "node", 4) || (v[4] && v[4] != ','))
				continue;
			if (rt_qemu_key(v, "memdev", buf, sizeof(buf))) {
				rt_qemu_mem_use(m, buf);
			} else if (rt_qemu_key(v, "mem", buf, sizeof(buf))) {
				m->numa_mem++;
			} else {
				m->numa++;
				m->numa_arg = i + 1;
			}
		}
	}
	m->ram = (m->ram + 8191) & ~8191ull;
}

/**
 * rt_qemu_backend_shared() - is the -object that defines backend @id
 * mapped shared
 * @vmm:	the VMM's arguments
 * @nvmm:	count
 * @id:		backend id
 *
 * Return: true when the `-object` with that id has `share=on`, or is a
 * memory-backend-memfd without `share=` (QEMU shares those by default)
 */
static bool rt_qemu_backend_shared(char *const *vmm, int nvmm, const char *id)
{
	char buf[64];
	int i;

	for (i = 1; i + 1 < nvmm; i++) {
		const char *o = rt_qemu_opt(vmm[i]), *v = vmm[i + 1];
		bool share;

		if (!o || strcmp(o, "object"))
			continue;
		if (!rt_qemu_key(v, "id", buf, sizeof(buf)) || strcmp(buf, id))
			continue;
		share = !strncmp(v, "memory-backend-memfd", 20) ||
			strstr(v, "qom-type=memory-backend-memfd");
		if (rt_qemu_key(v, "share", buf, sizeof(buf)))
			share = !strcmp(buf, "on") || !strcmp(buf, "yes") ||
				!strcmp(buf, "true") || !strcmp(buf, "y");
		return share;
	}
	return false;
}

/**
 * rt_qemu_shared_mem() - make the VMM's guest memory shared (vhost-user)
 * @vmm:	the VMM's arguments
 * @nvmm:	count
 * @out:	the VMM's command line so far (starting with a copy of @vmm);
 *		arguments are appended, a lone `-numa node` gets memdev=
 * @warn:	warnings for the user
 *
 * Return: 0, or -ENOMEM
 */
static int rt_qemu_shared_mem(char *const *vmm, int nvmm, struct rt_argv *out,
			      struct strbuf *warn)
{
	struct rt_qemu_mem m;
	unsigned int i;
	char *node;
	int ret;

	rt_qemu_mem_scan(vmm, nvmm, &m, warn);
	for (i = 0; i < m.nids; i++)
		if (!rt_qemu_backend_shared(vmm, nvmm, m.ids[i]))
			strbuf_printf(warn, "%smemory backend '%s' is not "
				      "shared (share=on): vhost-user NICs "
				      "cannot reach guest memory", warn->len ?
				      "\n" : "", m.ids[i]);
	if (m.nids || m.mem_path || m.numa > 1 || m.numa_mem) {
		if (!m.nids)
			strbuf_printf(warn, "%s%s: qnet adds no shared memory; "
				      "vhost-user NICs need guest memory from "
				      "a backend with share=on", warn->len ?
				      "\n" : "", m.mem_path ? "-mem-path" :
				      "-numa nodes qnet cannot extend");
		return 0;
	}
	ret = rt_argv_push(out, "-object");
	if (!ret)
		ret = rt_argv_pushf(out, "memory-backend-memfd,id=%s,size=%llu,"
				    "share=on", RT_QEMU_MEM_ID,
				    (unsigned long long)m.ram);
	if (ret || m.numa) {	/* the one node takes the backend */
		if (ret || asprintf(&node, "%s,memdev=%s", vmm[m.numa_arg],
				    RT_QEMU_MEM_ID) < 0)
			return -ENOMEM;
		free(out->v[m.numa_arg]);
		out->v[m.numa_arg] = node;
		return 0;
	}
	ret = rt_argv_push(out, "-numa");
	if (!ret)
		ret = rt_argv_pushf(out, "node,memdev=%s", RT_QEMU_MEM_ID);
	return ret;
}

/**
 * rt_qemu_argv() - the VMM's full command line for `qnet run`
 * @rt:		runtime with every NIC open
 * @vmm:	the VMM's own arguments (vmm[0] the binary)
 * @nvmm:	count
 * @out:	the command line (caller frees with rt_argv_free())
 * @warn:	warnings for the user, one a line
 *
 * Return: 0, or -errno
 */
int rt_qemu_argv(struct rt *rt, char *const *vmm, int nvmm,
		 struct rt_argv *out, struct strbuf *warn)
{
	bool shared = false;
	int i, ret = 0, before;
	size_t k;

	for (i = 0; i < nvmm && !ret; i++)
		ret = rt_argv_push(out, vmm[i]);
	before = out->n;
	for (k = 0; k < rt->nc->nnics && !ret; k++) {
		struct rt_nic *rnic = rt->nc->nics[k]->priv;

		if (!rnic)
			continue;
		ret = rt_nic_qemu_args(rt, rnic, out);
		shared |= rnic->fe->shared_mem;
	}
	if (!ret && out->n == before) {
		ret = rt_argv_push(out, "-nic");
		if (!ret)
			ret = rt_argv_push(out, "none");
	}
	if (!ret && shared)
		ret = rt_qemu_shared_mem(vmm, nvmm, out, warn);
	return ret;
}
