// SPDX-License-Identifier: GPL-2.0-or-later
/* bpfpin.c: qnet's bpffs directory: one per instance, stable qnet_ names, stale-pin cleanup. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <xdp/libxdp.h>

#include "datapath/bpf/bpfpin.h"

/**
 * DOC: pin directory
 *
 * Every qnet process pins its programs and maps under
 * BPFPIN_DIR/<instance>/qnet_<netdev>_<role>, so `bpftool prog show
 * pinned ...` and `bpftool map dump pinned ...` find them by name. The
 * directory also holds `qnet_owner`, an array map with the owner's pid and
 * start time. At open, every instance directory whose owner is gone (a
 * crashed qnet) is cleaned: XDP programs it pinned are detached from the
 * interfaces of the current network namespace where they are still
 * attached (netlink attachments outlive the process; TC programs are
 * attached through links, which do not), then the pins and the directory
 * are removed. A directory whose owner is alive is left alone, and opening
 * an instance name that a live process holds fails with -EBUSY.
 */

#define BPFPIN_OWNER "qnet_owner"
#define BPFPIN_GRACE_S 10	/* a directory with no owner yet may be young */

/**
 * struct bpfpin_owner - value of the owner map
 * @pid:	the owning process
 * @pad:	zero
 * @start:	its start time, in clock ticks since boot (/proc/PID/stat)
 */
struct bpfpin_owner {
	uint32_t pid;
	uint32_t pad;
	uint64_t start;
};

/* @a/@b into @buf; returns 0 or -ENAMETOOLONG. */
static int path_join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bpfpin_log_fn lib_log;

static void lib_line(bool warn, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	if (!lib_log)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	lib_log(warn, line);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	lib_line(level == LIBBPF_WARN, fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	lib_line(level == LIBXDP_WARN, fmt, ap);
	return 0;
}

/**
 * bpfpin_lib_log() - route libbpf's and libxdp's messages (they print to
 * stderr by themselves otherwise)
 * @fn:		where each line goes; NULL: nowhere
 *
 * qnet's own functions never print: ctl calls this once at startup, with
 * its logger (or NULL), before loading anything.
 */
void bpfpin_lib_log(bpfpin_log_fn fn)
{
	lib_log = fn;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

/**
 * bpfpin_mount() - make sure bpffs is mounted at BPFPIN_ROOT
 *
 * Return: 0 when it is (or was just mounted), or -errno.
 */
int bpfpin_mount(void)
{
	struct statfs st;

	if (statfs(BPFPIN_ROOT, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(BPFPIN_ROOT, 0700) && errno != EEXIST)
		return -errno;
	if (mount("bpf", BPFPIN_ROOT, "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

/* Start time of @pid in clock ticks, or 0 when it does not exist. */
static uint64_t pid_start(uint32_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* field 3 (state) follows ") "; start time is field 22 */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return start;
}

/* Whether the owner recorded in @dir is a live process. */
static bool dir_owner_alive(const char *dir, time_t mtime)
{
	struct bpfpin_owner o;
	char path[PATH_MAX];
	uint32_t key = 0;
	int fd, err;

	if (path_join(path, sizeof(path), dir, BPFPIN_OWNER))
		return false;
	fd = bpf_obj_get(path);
	if (fd < 0)	/* being created, or left half-made by a crash */
		return time(NULL) - mtime < BPFPIN_GRACE_S;
	err = bpf_map_lookup_elem(fd, &key, &o);
	close(fd);
	if (err)
		return false;
	return o.pid && pid_start(o.pid) == o.start;
}

/* Detach program @id from every interface of this netns that runs it. */
static unsigned int detach_prog_id(uint32_t id)
{
	struct if_nameindex *ifs, *i;
	unsigned int n = 0;

	ifs = if_nameindex();
	if (!ifs)
		return 0;
	for (i = ifs; i->if_index; i++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		struct xdp_multiprog *mp;
		struct xdp_program *p;

		/* ids first: libxdp 1.3's lookup leaks a program fd per call */
		if (bpf_xdp_query((int)i->if_index, 0, &q) ||
		    (!q.drv_prog_id && !q.skb_prog_id))
			continue;
		if (q.drv_prog_id == id || q.skb_prog_id == id) {
			if (!bpf_xdp_detach((int)i->if_index,
					    q.drv_prog_id == id ?
					    XDP_FLAGS_DRV_MODE :
					    XDP_FLAGS_SKB_MODE, NULL))
				n++;
			continue;
		}
		mp = xdp_multiprog__get_from_ifindex(i->if_index);
		if (!mp || libxdp_get_error(mp))
			continue;
		if (xdp_multiprog__is_legacy(mp)) {
			p = xdp_multiprog__main_prog(mp);
			if (p && xdp_program__id(p) == id &&
			    !xdp_multiprog__detach(mp))
				n++;
		} else {
			for (p = xdp_multiprog__next_prog(NULL, mp); p;
			     p = xdp_multiprog__next_prog(p, mp)) {
				if (xdp_program__id(p) != id)
					continue;
				if (!xdp_program__detach(p, i->if_index,
					xdp_multiprog__attach_mode(mp), 0))
					n++;
				break;
			}
		}
		xdp_multiprog__close(mp);
	}
	if_freenameindex(ifs);
	return n;
}

/* Detach the XDP programs pinned in @dir; returns how many were. */
static unsigned int dir_detach(const char *dir)
{
	struct bpf_prog_info info;
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int n = 0;
	uint32_t len;
	DIR *d;
	int fd;

	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l < 4 || strcmp(de->d_name + l - 4, "_xdp"))
			continue;
		if (path_join(path, sizeof(path), dir, de->d_name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_PROG_TYPE_XDP)
			n += detach_prog_id(info.id);
		close(fd);
	}
	closedir(d);
	return n;
}

/* Remove every entry of @dir (pins only: bpffs holds nothing else) and it. */
static int dir_remove(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (path_join(path, sizeof(path), dir, de->d_name))
			continue;
		if (unlink(path) && errno == EISDIR)
			dir_remove(path);
	}
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}

/**
 * bpfpin_clean_stale() - remove the pin directories of dead qnet processes
 * @cleaned:	directories removed (may be NULL)
 * @detached:	programs detached from interfaces (may be NULL)
 *
 * Return: 0, or -errno when BPFPIN_DIR cannot be read (-ENOENT: nothing to do).
 */
int bpfpin_clean_stale(unsigned int *cleaned, unsigned int *detached)
{
	char path[PATH_MAX];
	unsigned int nc = 0, nd = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(BPFPIN_DIR);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (path_join(path, sizeof(path), BPFPIN_DIR, de->d_name))
			continue;
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (dir_owner_alive(path, st.st_mtime))
			continue;
		nd += dir_detach(path);
		if (!dir_remove(path))
			nc++;
	}
	closedir(d);
	if (cleaned)
		*cleaned = nc;
	if (detached)
		*detached = nd;
	return 0;
}

/* Instance names are file names: letters, digits, '-', '_', '.', not dots only. */
static bool name_ok(const char *s)
{
	size_t i, n = strlen(s);
	bool dots = true;

	if (!n || n >= BPFPIN_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!(c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') ||
		      (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
		if (c != '.')
			dots = false;
	}
	return !dots;
}

/* Create, fill and pin the owner map of a fresh directory. */
static int owner_create(struct bpfpin *pd)
{
	struct bpfpin_owner o = { .pid = (uint32_t)getpid() };
	char path[PATH_MAX];
	uint32_t key = 0;
	int fd, err;

	o.start = pid_start(o.pid);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, BPFPIN_OWNER, sizeof(key),
			    sizeof(o), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &key, &o, BPF_ANY))
		goto err_fd;
	if (path_join(path, sizeof(path), pd->dir, BPFPIN_OWNER)) {
		errno = ENAMETOOLONG;
		goto err_fd;
	}
	if (bpf_obj_pin(fd, path))
		goto err_fd;
	pd->owner_fd = fd;
	return 0;
err_fd:
	err = -errno;
	close(fd);
	return err;
}

/**
 * bpfpin_open() - mount bpffs if needed, clean stale instances, make ours
 * @pd:		the directory to set up
 * @instance:	instance name (letters, digits, '-', '_', '.'); NULL: "pid<PID>"
 *
 * Return: 0; -EINVAL for a bad name; -EBUSY when a live process holds the
 * instance; -EPERM without the privilege to mount or use bpffs; -errno.
 */
int bpfpin_open(struct bpfpin *pd, const char *instance)
{
	char name[BPFPIN_NAME_MAX];
	int err;

	memset(pd, 0, sizeof(*pd));
	pd->owner_fd = -1;
	if (!instance) {
		snprintf(name, sizeof(name), "pid%d", (int)getpid());
		instance = name;
	}
	if (!name_ok(instance))
		return -EINVAL;
	err = bpfpin_mount();
	if (err)
		return err;
	if (mkdir(BPFPIN_DIR, 0700) && errno != EEXIST)
		return -errno;
	bpfpin_clean_stale(&pd->stale_cleaned, &pd->detached);
	err = path_join(pd->dir, sizeof(pd->dir), BPFPIN_DIR, instance);
	if (err)
		return err;
	if (mkdir(pd->dir, 0700))
		return errno == EEXIST ? -EBUSY : -errno;
	err = owner_create(pd);
	if (err) {
		rmdir(pd->dir);
		pd->dir[0] = 0;
	}
	return err;
}

/**
 * bpfpin_close() - unpin everything of this instance and remove its directory
 * @pd:		the directory (opened or not: a zeroed one is ignored)
 */
void bpfpin_close(struct bpfpin *pd)
{
	if (pd->dir[0])
		dir_remove(pd->dir);
	if (pd->owner_fd >= 0)
		close(pd->owner_fd);
	pd->owner_fd = -1;
	pd->dir[0] = 0;
}

/**
 * bpfpin_path() - the pin path of one object: <dir>/qnet_<netdev>_<role>
 * @pd:		the directory
 * @buf:	result
 * @size:	its size
 * @netdev:	netdev (or filter) id
 * @role:	what the object is ("xdp", "xsks", "cap_stats", ...)
 *
 * Return: 0, -EINVAL for an id with '/', or -ENAMETOOLONG.
 */
int bpfpin_path(const struct bpfpin *pd, char *buf, size_t size,
		const char *netdev, const char *role)
{
	int n;

	if (!pd->dir[0] || strchr(netdev, '/') || strchr(role, '/'))
		return -EINVAL;
	n = snprintf(buf, size, "%s/qnet_%s_%s", pd->dir, netdev, role);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/**
 * bpfpin_pin() - pin a program or map fd under its stable name
 * @pd:		the directory (NULL: pinning is off, nothing happens)
 * @fd:		program or map
 * @netdev:	netdev (or filter) id
 * @role:	what it is
 *
 * An old pin of the same name (left by this instance) is replaced.
 *
 * Return: 0 or -errno.
 */
int bpfpin_pin(const struct bpfpin *pd, int fd, const char *netdev,
	       const char *role)
{
	char path[PATH_MAX];
	int err;

	if (!pd)
		return 0;
	err = bpfpin_path(pd, path, sizeof(path), netdev, role);
	if (err)
		return err;
	if (!bpf_obj_pin(fd, path))
		return 0;
	if (errno != EEXIST)
		return -errno;
	unlink(path);
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

/**
 * bpfpin_unpin() - remove one pin (a missing one is not an error)
 * @pd:		the directory (NULL: nothing happens)
 * @netdev:	netdev (or filter) id
 * @role:	what it is
 */
void bpfpin_unpin(const struct bpfpin *pd, const char *netdev,
		  const char *role)
{
	char path[PATH_MAX];

	if (pd && !bpfpin_path(pd, path, sizeof(path), netdev, role))
		unlink(path);
}
