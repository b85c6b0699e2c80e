// SPDX-License-Identifier: GPL-2.0-or-later
/* user_smb.c: smb=DIR: a private smbd configuration, run per guest connection on ports 139/445. */

#include <errno.h>
#include <ftw.h>
#include <glib.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/user_int.h"

/**
 * DOC: smb
 *
 * As QEMU does: check that smbd exists ("Could not find 'SMBD', please
 * install it") and that the directory is readable and searchable, make a
 * private directory (qnet-smb.XXXXXX under $TMPDIR or /tmp) holding an
 * smb.conf that binds smbd to 127.0.0.1 and exports the directory as share
 * "qemu" (guest access, forced to the current user), and have libslirp run
 * "SMBD -l DIR -s DIR/smb.conf" for each guest connection to the SMB
 * address (smbserver=, default net | .4) on ports 139 and 445.  The
 * private directory is removed when the backend closes.  smbd= (the path)
 * is only settable through the typed config, for tests and packagers.
 */

/**
 * smb_write_conf() - write the private smb.conf
 * @path:	file to create
 * @dir:	the private directory
 * @share:	the exported directory
 * @user:	the user smbd acts as
 *
 * Return: 0 or -errno.
 */
static int smb_write_conf(const char *path, const char *dir, const char *share,
			  const char *user)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	fprintf(f, "[global]\n");
	fprintf(f, "private dir=%s\n", dir);
	fprintf(f, "interfaces=127.0.0.1\nbind interfaces only=yes\n");
	fprintf(f, "pid directory=%s\nlock directory=%s\n", dir, dir);
	fprintf(f, "state directory=%s\ncache directory=%s\n", dir, dir);
	fprintf(f, "ncalrpc dir=%s/ncalrpc\n", dir);
	fprintf(f, "log file=%s/log.smbd\n", dir);
	fprintf(f, "smb passwd file=%s/smbpasswd\n", dir);
	fprintf(f, "security = user\nmap to guest = Bad User\n");
	fprintf(f, "load printers = no\nprinting = bsd\n");
	fprintf(f, "disable spoolss = yes\nusershare max shares = 0\n");
	fprintf(f, "[qemu]\npath=%s\nread only=no\nguest ok=yes\n", share);
	fprintf(f, "force user=%s\n", user);
	ret = ferror(f) ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/**
 * smb_cmdline() - the command libslirp runs: SMBD -l DIR -s CONF, quoted
 * @smbd:	smbd path
 * @dir:	private directory
 * @conf:	config file
 *
 * Return: a g_malloc'd string.
 */
static char *smb_cmdline(const char *smbd, const char *dir, const char *conf)
{
	gchar *a = g_shell_quote(smbd), *b = g_shell_quote(dir);
	gchar *c = g_shell_quote(conf);
	char *cmd = g_strdup_printf("%s -l %s -s %s", a, b, c);

	g_free(a);
	g_free(b);
	g_free(c);
	return cmd;
}

/**
 * user_smb_start() - set up smb= for a backend
 * @be:		the backend, libslirp running
 * @err:	QEMU's text on failure
 *
 * Return: 0 (also without smb=), -ENOENT (no smbd), or another -errno.
 */
int user_smb_start(struct user_backend *be, struct user_err *err)
{
	const char *smbd = be->cfg.smbd ? be->cfg.smbd : USER_SMBD_DEFAULT;
	const char *tmp = getenv("TMPDIR"), *share = be->cfg.smb;
	struct in_addr srv = be->cfg.smbserver;
	char conf[sizeof(be->smb_dir) + 16], *cmd;
	struct passwd *pw;
	int ret;

	if (!share)
		return 0;
	pw = getpwuid(geteuid());
	if (!pw)
		return user_err_set(err, -ENOENT,
				    "Failed to retrieve user name");
	if (access(smbd, F_OK))
		return user_err_set(err, -ENOENT,
				    "Could not find '%s', please install it",
				    smbd);
	if (access(share, R_OK | X_OK))
		return user_err_set(err, -errno,
				    "Error accessing shared directory '%s': %s",
				    share, strerror(errno));
	if (!tmp || !*tmp || strlen(tmp) > sizeof(be->smb_dir) - 20)
		tmp = "/tmp";
	snprintf(be->smb_dir, sizeof(be->smb_dir), "%s/qnet-smb.XXXXXX", tmp);
	if (!mkdtemp(be->smb_dir)) {
		be->smb_dir[0] = '\0';
		return user_err_set(err, -errno,
				    "Could not create samba server dir");
	}
	snprintf(conf, sizeof(conf), "%s/smb.conf", be->smb_dir);
	ret = smb_write_conf(conf, be->smb_dir, share, pw->pw_name);
	if (ret)
		return user_err_set(err, ret,
				    "Could not create samba server "
				    "configuration file '%s': %s",
				    conf, strerror(-ret));
	cmd = smb_cmdline(smbd, be->smb_dir, conf);
	ret = slirp_add_exec(be->slirp, cmd, &srv, 139) < 0 ||
	      slirp_add_exec(be->slirp, cmd, &srv, 445) < 0;
	g_free(cmd);
	if (ret)
		return user_err_set(err, -EINVAL,
				    "Conflicting/invalid smbserver address");
	return 0;
}

/* nftw callback: remove one entry, depth first */
static int smb_rm(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/**
 * user_smb_stop() - remove the private smbd directory
 * @be:	the backend
 */
void user_smb_stop(struct user_backend *be)
{
	if (!be->smb_dir[0])
		return;
	nftw(be->smb_dir, smb_rm, 16, FTW_DEPTH | FTW_PHYS);
	be->smb_dir[0] = '\0';
}
