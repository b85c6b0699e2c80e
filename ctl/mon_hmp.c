// SPDX-License-Identifier: GPL-2.0-or-later
/* mon_hmp.c: the human monitor (HMP): QEMU's command texts and messages. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/mon.h"
#include "ctl/mon_server.h"

/**
 * DOC: HMP
 *
 * Commands and their messages follow QEMU 7.2's human monitor. Output lines
 * end in "\r\n" on the socket, and the prompt is QEMU's "(qemu) " so scripts
 * written for QEMU's monitor work unchanged. `info netstats` is qnet's own.
 * The same executor serves QMP's `human-monitor-command` (with "\n" ends).
 */

#define HMP_ARGS_MAX 4

/**
 * struct hmp_cmd - one HMP command
 * @name:	command word
 * @args:	usage shown by help
 * @help:	one-line description
 * @min:	fewest arguments
 * @max:	most arguments (the last one takes the rest of the line)
 * @run:	the command
 */
struct hmp_cmd {
	const char *name;
	const char *args;
	const char *help;
	int min;
	int max;
	int (*run)(const struct mon_ctx *m, int argc, char **argv,
		   struct strbuf *out);
};

static const struct hmp_cmd hmp_cmds[];

/**
 * hmp_err() - format a runtime error the way QEMU's HMP does
 * @out:	output
 * @err:	the message
 *
 * Return: 0 (the command itself completed)
 */
static int hmp_err(struct strbuf *out, const struct strbuf *err)
{
	strbuf_printf(out, "Error: %s\n", strbuf_str(err));
	return 0;
}

/**
 * hmp_info() - `info network|usernet|netstats`
 * @m:		monitor context
 * @argc:	argument count
 * @argv:	arguments
 * @out:	output text
 *
 * Return: 0, or -EINVAL for an unknown item
 */
static int hmp_info(const struct mon_ctx *m, int argc, char **argv,
		    struct strbuf *out)
{
	if (argc < 2) {
		strbuf_puts(out, "info network  -- show the network state\n"
			       "info netstats -- show qnet's frame counters\n"
			       "info usernet  -- show user network stack "
			       "connection states\n");
		return 0;
	}
	if (!strcmp(argv[1], "network"))
		return m->ops->info_network(m->rt, out);
	if (!strcmp(argv[1], "usernet"))
		return m->ops->info_usernet(m->rt, out);
	if (!strcmp(argv[1], "netstats"))
		return m->ops->info_netstats(m->rt, out);
	return -EINVAL;
}

/**
 * hmp_set_link() - `set_link NAME on|off`
 * @m:		monitor context
 * @argc:	argument count
 * @argv:	arguments
 * @out:	output text
 *
 * Return: 0, or -EINVAL for a bad state word
 */
static int hmp_set_link(const struct mon_ctx *m, int argc, char **argv,
			struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	bool up;

	if (!strcmp(argv[2], "on"))
		up = true;
	else if (!strcmp(argv[2], "off"))
		up = false;
	else {
		strbuf_puts(out, "Expected 'on' or 'off'\n");
		return -EINVAL;
	}
	if (m->ops->set_link(m->rt, argv[1], up, &err))
		hmp_err(out, &err);
	strbuf_free(&err);
	return 0;
}

/**
 * hmp_netdev_add() - `netdev_add TYPE,id=...`
 * @m:		monitor context
 * @argc:	argument count
 * @argv:	arguments
 * @out:	output text
 *
 * Return: 0
 */
static int hmp_netdev_add(const struct mon_ctx *m, int argc, char **argv,
			  struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	if (m->ops->netdev_add(m->rt, argv[1], &err))
		hmp_err(out, &err);
	strbuf_free(&err);
	return 0;
}

/**
 * hmp_netdev_del() - `netdev_del ID`
 * @m:		monitor context
 * @argc:	argument count
 * @argv:	arguments
 * @out:	output text
 *
 * Return: 0
 */
static int hmp_netdev_del(const struct mon_ctx *m, int argc, char **argv,
			  struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	if (m->ops->netdev_del(m->rt, argv[1], &err))
		hmp_err(out, &err);
	strbuf_free(&err);
	return 0;
}

/**
 * hmp_hostfwd() - `hostfwd_add|hostfwd_remove [NETDEV] RULE`
 * @m:		monitor context
 * @argc:	argument count
 * @argv:	arguments
 * @out:	output text
 *
 * QEMU prints these messages without an "Error: " prefix.
 *
 * Return: 0
 */
static int hmp_hostfwd(const struct mon_ctx *m, int argc, char **argv,
		       struct strbuf *out)
{
	const char *netdev = argc == 3 ? argv[1] : NULL;
	const char *rule = argv[argc - 1];
	struct strbuf err = STRBUF_INIT;
	int ret;

	if (!strcmp(argv[0], "hostfwd_add"))
		ret = m->ops->hostfwd_add(m->rt, netdev, rule, &err);
	else
		ret = m->ops->hostfwd_remove(m->rt, netdev, rule, out, &err);
	if (ret)
		strbuf_printf(out, "%s\n", strbuf_str(&err));
	strbuf_free(&err);
	return 0;
}

/**
 * hmp_help() - `help [COMMAND]`
 * @m:		monitor context
 * @argc:	argument count
 * @argv:	arguments
 * @out:	output text
 *
 * Return: 0
 */
static int hmp_help(const struct mon_ctx *m, int argc, char **argv,
		    struct strbuf *out)
{
	const struct hmp_cmd *c;

	for (c = hmp_cmds; c->name; c++)
		if (argc < 2 || !strcmp(argv[1], c->name))
			strbuf_printf(out, "%s %s -- %s\n", c->name, c->args,
				    c->help);
	return 0;
}

/**
 * hmp_quit() - `quit`: stop qnet
 * @m:		monitor context
 * @argc:	argument count
 * @argv:	arguments
 * @out:	output text
 *
 * Return: 0
 */
static int hmp_quit(const struct mon_ctx *m, int argc, char **argv,
		    struct strbuf *out)
{
	m->ops->quit(m->rt);
	return 0;
}

static const struct hmp_cmd hmp_cmds[] = {
	{ "help", "[cmd]", "show the help", 0, 1, hmp_help },
	{ "info", "[network|netstats|usernet]", "show the network state",
	  0, 1, hmp_info },
	{ "netdev_add", "[user|tap|socket|stream|dgram|...],id=str[,prop=value][,...]",
	  "add host network device", 1, 1, hmp_netdev_add },
	{ "netdev_del", "id", "remove host network device", 1, 1,
	  hmp_netdev_del },
	{ "set_link", "name on|off", "change the link status of a network adapter",
	  2, 2, hmp_set_link },
	{ "hostfwd_add", "[netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
	  "redirect TCP or UDP connections from host to guest (requires -net user)",
	  1, 2, hmp_hostfwd },
	{ "hostfwd_remove", "[netdev_id] [tcp|udp]:[hostaddr]:hostport",
	  "remove host-to-guest TCP or UDP redirection", 1, 2, hmp_hostfwd },
	{ "quit", "", "quit qnet", 0, 0, hmp_quit },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

/**
 * hmp_split() - split a command line into words
 * @line:	the line, modified in place
 * @argv:	words found
 * @max:	most words; the last takes the rest of the line
 *
 * Return: number of words
 */
static int hmp_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	while (*p && argc < max) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		argv[argc++] = p;
		if (argc == max)
			break;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	if (argc == max) {	/* trim the trailing blanks of the last word */
		char *e = argv[argc - 1] + strlen(argv[argc - 1]);

		while (e > argv[argc - 1] && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
	}
	return argc;
}

/**
 * mon_hmp_exec() - run one HMP command line
 * @m:		monitor context
 * @line:	the command line
 * @out:	output text with "\n" line ends
 *
 * Return: 0, or -errno when the command is unknown or misused (the message
 * is in @out either way)
 */
int mon_hmp_exec(const struct mon_ctx *m, const char *line, struct strbuf *out)
{
	char buf[MON_IN_MAX + 1], *argv[HMP_ARGS_MAX + 1];
	const struct hmp_cmd *c;
	int argc, ret;
	char *word;
	size_t n;

	snprintf(buf, sizeof(buf), "%s", line);
	word = buf + strspn(buf, " \t");
	if (!*word)
		return 0;
	n = strcspn(word, " \t");
	for (c = hmp_cmds; c->name; c++)
		if (strlen(c->name) == n && !strncmp(word, c->name, n))
			break;
	if (!c->name) {
		strbuf_printf(out, "unknown command: '%.*s'\n", (int)n, word);
		return -ENOENT;
	}
	argc = hmp_split(word, argv, c->max + 1);
	if (argc - 1 < c->min) {
		strbuf_printf(out, "%s: missing argument\n"
			    "Try \"help %s\" for more information\n",
			    c->name, c->name);
		return -EINVAL;
	}
	ret = c->run(m, argc, argv, out);
	if (ret == -EINVAL)
		strbuf_printf(out, "Try \"help %s\" for more information\n",
			    c->name);
	return ret;
}

/**
 * hmp_send() - write text to a client with "\r\n" line ends
 * @c:		the client
 * @text:	text with "\n" line ends
 */
static void hmp_send(struct mon_client *c, const char *text)
{
	struct strbuf crlf = STRBUF_INIT;
	const char *p;

	for (p = text; *p; p++) {
		if (*p == '\n')
			strbuf_add(&crlf, "\r\n", 2);
		else
			strbuf_add(&crlf, p, 1);
	}
	strbuf_puts(&crlf, "(qemu) ");
	mon_client_write(c, strbuf_str(&crlf), crlf.len);
	strbuf_free(&crlf);
}

/**
 * hmp_greet() - banner and first prompt
 * @c:		the new client
 */
static void hmp_greet(struct mon_client *c)
{
	hmp_send(c, "qnet " QNET_VERSION
		 " monitor - type 'help' for more information\n");
}

/**
 * hmp_message() - one command line from a client
 * @c:		the client
 * @msg:	the line
 * @len:	its length
 */
static void hmp_message(struct mon_client *c, char *msg, size_t len)
{
	const struct mon_ctx *m = mon_client_ctx(c);
	struct strbuf out = STRBUF_INIT;
	mon_hmp_exec(m, msg, &out);
	hmp_send(c, strbuf_str(&out));
	strbuf_free(&out);
}

const struct mon_handler mon_hmp_handler = {
	.greet = hmp_greet,
	.message = hmp_message,
};
