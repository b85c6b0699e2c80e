# SPDX-License-Identifier: GPL-2.0-or-later
# user-lib.sh: shared bash for the guest user-net suite and tools/quickstart:
# a private network namespace around the whole run, background processes
# that are always reaped, ok/FAIL reporting, qnet in daemon and run mode,
# and the host-side servers (HTTP, DNS, TFTP directory). Source it.
#
# Isolation: gs_netns_enter re-executes the calling script inside a new
# namespace qg-PID (only lo, plus 192.0.2.1/32 on lo as a ping target) whose
# /etc/resolv.conf says 127.0.0.1 (ip netns exec bind-mounts
# /etc/netns/qg-PID/resolv.conf), so nothing the guest does can leave the
# machine. The namespace, its resolv.conf and every process left in it are
# removed when the outer script exits, whatever the reason.

gs_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gs_tools=$(cd "$gs_here/../../tools/guest" && pwd)
gs_helper="$gs_here/user-host.py"
# shellcheck source=../../tools/guest/host-lib.sh
. "$gs_tools/host-lib.sh"

gs_failed=0
gs_pids=()
gs_work=
GS_PING_TARGET=192.0.2.1
GS_DNS_NAME=qnet-test.example
GS_DNS_ADDR=192.0.2.77

# gs_skip TEXT: the test cannot run here (exit 77).
gs_skip() { echo "SKIP: $*"; exit 77; }
# gs_ok TEXT / gs_fail TEXT: one result line; a FAIL makes the script fail.
gs_ok() { echo "ok   $*"; }
gs_fail() { echo "FAIL $*"; gs_failed=$((gs_failed + 1)); }
# gs_info TEXT: an indented detail line.
gs_info() { echo "     $*"; }
# gs_check NAME CMD...: run CMD, indent its output, ok/FAIL by its status.
gs_check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && sed 's/^/     | /' <<<"$out"
	if [ "$rc" = 0 ]; then gs_ok "$name"; else gs_fail "$name"; fi
	return "$rc"
}

# gs_need_tools: exit 77 unless root and every tool is there.
gs_need_tools() {
	local t
	[ "$(id -u)" = 0 ] || gs_skip "needs root (network namespaces)"
	for t in ip python3 qemu-system-x86_64 sysctl mktemp; do
		command -v "$t" >/dev/null || gs_skip "$t is missing"
	done
}

# gs_build_guest: build (or reuse) the test guest before entering the
# namespace (a first build downloads Debian packages through apt).
gs_build_guest() {
	local err
	err=$(mktemp) || exit 1
	if ! "$gs_tools/build-guest" --quiet >/dev/null 2>"$err"; then
		cat "$err"
		if grep -qE 'apt-get (download|update)|cannot find the package|needs root' "$err"; then
			rm -f "$err"
			gs_skip "cannot fetch the guest's Debian packages"
		fi
		rm -f "$err"
		echo "FAIL: build-guest failed"
		exit 1
	fi
	rm -f "$err"
}

gs_ns=
gs_ns_child=
# gs_ns_cleanup: stop what still runs in the namespace and remove it.
gs_ns_cleanup() {
	local p left
	trap - EXIT TERM INT
	if [ -n "$gs_ns_child" ] && kill -0 "$gs_ns_child" 2>/dev/null; then
		kill -TERM "$gs_ns_child" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$gs_ns_child" 2>/dev/null || break
			sleep 0.2
		done
	fi
	[ -n "$gs_ns_child" ] && wait "$gs_ns_child" 2>/dev/null
	if [ -n "$gs_ns" ]; then
		# Anything still inside was started by this test: end it by pid.
		left=$(ip netns pids "$gs_ns" 2>/dev/null)
		for p in $left; do
			echo "cleanup: killing leftover pid $p ($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-80))"
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$gs_ns" 2>/dev/null
		rm -rf "/etc/netns/$gs_ns"
	fi
}

# gs_netns_enter "$@": in the outer script, create the namespace, run this
# script again inside it with the same arguments, clean up and exit with its
# status. Inside (QG_NETNS set), return at once. GS_PING=1 inside when the
# namespace's ping_group_range could be opened to every group.
gs_netns_enter() {
	local rc
	[ -n "${QG_NETNS:-}" ] && return 0
	gs_ns=qg-$$
	trap gs_ns_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	ip netns add "$gs_ns" || gs_skip "cannot create a network namespace"
	mkdir -p "/etc/netns/$gs_ns"
	echo "nameserver 127.0.0.1" >"/etc/netns/$gs_ns/resolv.conf"
	ip -n "$gs_ns" link set lo up
	ip -n "$gs_ns" addr add "$GS_PING_TARGET/32" dev lo
	GS_PING=0
	ip netns exec "$gs_ns" sysctl -qw net.ipv4.ping_group_range="0 2147483647" \
		>/dev/null 2>&1 && GS_PING=1
	QG_NETNS=$gs_ns GS_PING=$GS_PING ip netns exec "$gs_ns" "$0" "$@" &
	gs_ns_child=$!
	wait "$gs_ns_child"
	rc=$?
	gs_ns_child=
	exit "$rc"
}

# gs_cleanup: (inside) kill and reap every background process, remove the
# work directory. Installed as the EXIT trap by gs_setup.
gs_cleanup() {
	local p
	for p in "${gs_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${gs_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	gs_pids=()
	[ -n "$gs_work" ] && [ -z "${QG_KEEP:-}" ] && rm -rf "$gs_work"
	[ -n "$gs_work" ] && [ -n "${QG_KEEP:-}" ] && echo "kept $gs_work"
}

# gs_setup NAME: (inside) work directory and traps.
gs_setup() {
	gs_work=$(mktemp -d "${TMPDIR:-/tmp}/qg-$1.XXXXXX") || exit 1
	trap gs_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
}

# gs_bg NAME CMD...: start CMD in the background, output in $gs_work/NAME.log;
# sets gs_pid. The process is killed and reaped by gs_cleanup.
gs_bg() {
	local name=$1
	shift
	"$@" </dev/null >"$gs_work/$name.log" 2>&1 &
	gs_pid=$!
	gs_pids+=("$gs_pid")
}

# gs_forget PID: a background process that has been reaped already.
gs_forget() {
	local p keep=()
	for p in "${gs_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	gs_pids=("${keep[@]}")
}

# gs_mark_ok LOG EVENT NAME [REGEX] [N]: ok when the Nth (default first)
# EVENT marker in LOG is "ok" and matches REGEX; shows the marker.
gs_mark_ok() {
	local line
	line=$(gs_marker_all "$1" "$2" | sed -n "${5:-1}p")
	if [ "$(qgh_status "$line")" = ok ] && { [ -z "${4:-}" ] || grep -qE "$4" <<<"$line"; }; then
		gs_ok "$3"
	else
		gs_fail "$3"
	fi
	gs_info "${line:-no $2 marker}"
}

# gs_stop PID: kill one background process now and reap it.
gs_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	gs_forget "$1"
}

# gs_wait_log FILE PATTERN SECONDS [PID]: wait for an extended regex in FILE.
gs_wait_log() {
	local left=$(($3 * 10))
	while [ "$left" -gt 0 ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		[ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null && break
		left=$((left - 1))
		sleep 0.1
	done
	grep -qE "$2" "$1" 2>/dev/null
}

# gs_servers: (inside) the host side the guest talks to: an HTTP server on
# 127.0.0.1:$gs_http_port serving $gs_work/www (big.bin: 4 MiB random,
# sha256 $gs_big_sha), the DNS server on 127.0.0.1:53 answering
# $GS_DNS_NAME, and the TFTP directory $gs_work/tftp (tftp.bin, $gs_tftp_sha).
gs_servers() {
	mkdir -p "$gs_work/www" "$gs_work/tftp"
	head -c $((4 * 1024 * 1024)) /dev/urandom >"$gs_work/www/big.bin"
	gs_big_sha=$(sha256sum "$gs_work/www/big.bin" | cut -d' ' -f1)
	head -c $((192 * 1024 + 77)) /dev/urandom >"$gs_work/tftp/tftp.bin"
	gs_tftp_sha=$(sha256sum "$gs_work/tftp/tftp.bin" | cut -d' ' -f1)
	gs_bg http python3 -u -m http.server --bind 127.0.0.1 \
		--directory "$gs_work/www" 0
	gs_http_pid=$gs_pid
	gs_wait_log "$gs_work/http.log" ' port [0-9]+ ' 10 "$gs_pid" ||
		{ cat "$gs_work/http.log"; echo "FAIL: no HTTP server"; exit 1; }
	gs_http_port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$gs_work/http.log" | head -1)
	gs_bg dns python3 -u "$gs_helper" dns --addr 127.0.0.1 --port 53 \
		--name "$GS_DNS_NAME=$GS_DNS_ADDR"
	gs_dns_pid=$gs_pid
	gs_wait_log "$gs_work/dns.log" 'dns listening' 10 "$gs_pid" ||
		{ cat "$gs_work/dns.log"; echo "FAIL: no DNS server"; exit 1; }
}

# gs_qmp SOCK JSON|HMP...: one monitor command through qnetctl.
gs_qmp() {
	local s=$1
	shift
	"$QNETCTL" -s "$s" "$@"
}

# gs_marker_all LOG EVENT: every "QNET-GUEST: EVENT ..." line of LOG.
gs_marker_all() {
	grep -ao "QNET-GUEST: $2 .*" "$1" 2>/dev/null
}

# gs_daemon_start OUT NICS ARGS...: start `$QNET ARGS` in the background
# (stdout OUT.log, stderr OUT.err) and wait until it printed an attach line
# for each of NICS NICs. Sets gs_qnet_pid; fails if qnet exits or is slow.
gs_daemon_start() {
	local out=$1 n=$2 left=100 c
	shift 2
	"$QNET" "$@" </dev/null >"$gs_work/$out.log" 2>"$gs_work/$out.err" &
	gs_qnet_pid=$!
	gs_pids+=("$gs_qnet_pid")
	while [ "$left" -gt 0 ]; do
		c=$(grep -c 'attach=' "$gs_work/$out.log" 2>/dev/null)
		[ "${c:-0}" -ge "$n" ] && return 0
		kill -0 "$gs_qnet_pid" 2>/dev/null || break
		left=$((left - 1))
		sleep 0.1
	done
	echo "qnet did not print $n attach lines; stdout:"
	sed 's/^/  | /' "$gs_work/$out.log"
	echo "stderr:"
	sed 's/^/  | /' "$gs_work/$out.err"
	return 1
}

# gs_run_wrapper QMP: make run-guest start `$QNET run -qmp unix:QMP,...
# -- qemu-system-x86_64 ARGS` instead of QEMU (exports QNET_GUEST_QEMU). The
# wrapper logs its arguments (one a line) to $gs_work/qnet-run.cmd, qnet's pid and
# exit status to qnet.pid and qnet.rc, qnet's (and QEMU's) stderr to
# qnet.err, and passes SIGTERM/SIGINT on to qnet.
gs_run_wrapper() {
	cat >"$gs_work/qemu-wrap" <<EOF
#!/bin/bash
cmd=("$QNET" run -qmp "unix:$1,server=on,wait=off" -- qemu-system-x86_64 "\$@")
printf '%s\n' "\${cmd[@]}" >"$gs_work/qnet-run.cmd"
"\${cmd[@]}" 2>>"$gs_work/qnet.err" &
p=\$!
echo \$p >"$gs_work/qnet.pid"
trap 'kill -TERM \$p 2>/dev/null' TERM INT
while :; do
	wait \$p
	rc=\$?
	kill -0 \$p 2>/dev/null || break
done
echo \$rc >"$gs_work/qnet.rc"
exit \$rc
EOF
	chmod 755 "$gs_work/qemu-wrap"
	export QNET_GUEST_QEMU=$gs_work/qemu-wrap
}

# gs_attach_args LOG NIC: from qnet's line "qnet: NIC: attach=...; QEMU:
# NETDEV -device DEVICE", print the two QEMU arguments (one a line):
# "-netdev" NETDEV's value and DEVICE, as a stock QEMU takes them.
gs_attach_args() {
	local line q nd dev
	line=$(grep -a "^qnet: $2: attach=" "$1" | head -1) || return 1
	q=${line#*; QEMU: }
	[ "$q" != "$line" ] || return 1
	nd=${q%% -device *}
	dev=${q#* -device }
	[ "$dev" != "$q" ] || return 1
	nd=${nd#-netdev }
	printf '%s\n%s\n' "$nd" "$dev"
}

# gs_crash_scan FILE: fail if a sanitizer or crash report is in FILE.
gs_crash_scan() {
	if grep -qE 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|Aborted|Assertion .* failed|core dumped' "$1" 2>/dev/null; then
		gs_fail "no crash report in $(basename "$1")"
		grep -E 'Sanitizer|runtime error|Segmentation|Aborted|Assertion|core' "$1" | head -5 | sed 's/^/     | /'
		return 1
	fi
	return 0
}
