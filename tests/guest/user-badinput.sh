#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# user-badinput.sh: guest-user-badinput: bad input against a qnet daemon
# serving a live guest (HARDENING groups D and I): runt and giant frames
# (datagrams, and from the guest itself), bogus stream length prefixes,
# a second VMM on a busy socket, forwards on ports already in use (at start
# and over QMP), malformed forward rules, guestfwd with shell metacharacters
# and to a dead unix socket. Expected: a clear error or drop-and-count,
# nothing crashes, and the guest keeps working (checked after the barrage).
#
# qnet's network: u0 <-> virtio-net-pci (the guest, stream), u2 <-> e1000
# attached by dgram (an injector), u3 <-> rtl8139 attached by stream (an
# injector). Environment: QNET, QNETCTL, QG_KEEP=1. Root only (exit 77).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/user-lib.sh"

if [ -z "${QG_NETNS:-}" ]; then
	gs_need_tools
	[ -x "${QNET:-}" ] || gs_skip "QNET is not set to the qnet binary"
	[ -x "${QNETCTL:-}" ] || gs_skip "QNETCTL is not set to the qnetctl binary"
	gs_build_guest
fi
gs_netns_enter "$@"

gs_setup badinput
gs_servers
w=$gs_work
h=$gs_helper
qmp=$w/qmp.sock
mac0=52:54:00:12:34:56
echo "== badinput: namespace $QG_NETNS, HTTP 127.0.0.1:$gs_http_port"

# qmp_err NAME JSON PATTERN: the QMP command must fail with an "error" reply
# whose text matches PATTERN (qnetctl exits 1 on an error reply).
qmp_err() {
	local out rc
	out=$(gs_qmp "$qmp" "$2" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && grep -q '"error"' <<<"$out" && grep -qE "$3" <<<"$out"; then
		gs_ok "$1"
	else
		gs_fail "$1 (qnetctl status $rc)"
	fi
	gs_info "$(head -c 400 <<<"$out")"
}

# start_fails NAME PATTERN QNET_ARGS...: qnet must refuse to start (status
# 1, not a signal), say PATTERN on stderr and leave no socket behind.
start_fails() {
	local name=$1 pat=$2 rc err
	shift 2
	rm -f "$w/refused.sock"
	timeout 20 "$QNET" -nodefaults "$@" \
		-device "e1000,netdev=x,attach=stream:unix:$w/refused.sock" \
		</dev/null >"$w/start.out" 2>"$w/start.err"
	rc=$?
	err=$(head -3 "$w/start.err")
	if [ "$rc" = 1 ] && grep -qE "$pat" "$w/start.err" && [ ! -e "$w/refused.sock" ]; then
		gs_ok "$name"
	else
		gs_fail "$name (status $rc$([ -e "$w/refused.sock" ] && echo ", socket left behind"))"
	fi
	gs_info "${err:-no message}"
	gs_crash_scan "$w/start.err"
}

# ---- refused at start
gs_bg hold-tcp python3 "$h" hold tcp 0
gs_wait_log "$w/hold-tcp.log" '^hold' 10
busy_tcp=$(sed -n 's/^hold tcp:\([0-9]*\)/\1/p' "$w/hold-tcp.log")
gs_bg hold-udp python3 "$h" hold udp 0
gs_wait_log "$w/hold-udp.log" '^hold' 10
busy_udp=$(sed -n 's/^hold udp:\([0-9]*\)/\1/p' "$w/hold-udp.log")
start_fails "start: TCP forward on a port in use is a clear error" \
	"Could not set up host forwarding rule 'tcp:127.0.0.1:$busy_tcp-:80'" \
	-netdev "user,id=x,hostfwd=tcp:127.0.0.1:$busy_tcp-:80"
start_fails "start: UDP forward on a port in use is a clear error" \
	"Could not set up host forwarding rule 'udp:127.0.0.1:$busy_udp-:80'" \
	-netdev "user,id=x,hostfwd=udp:127.0.0.1:$busy_udp-:80"
start_fails "start: guestfwd to a missing unix socket is a clear error" \
	"$w/nosuch.sock" \
	-netdev "user,id=x,guestfwd=tcp:10.0.2.101:80-unix:$w/nosuch.sock"
start_fails "start: guestfwd command with an unbalanced quote is a clear error" \
	"Invalid guest forwarding" \
	-netdev "user,id=x,guestfwd=tcp:10.0.2.100:1234-cmd:/bin/echo \"oops"

# run_fails NAME STATUS PATTERN QEMU_ARGS...: `qnet run -- qemu ...` must
# exit with STATUS and say PATTERN on stderr (no guest is booted).
run_fails() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	timeout 30 "$QNET" run -- qemu-system-x86_64 -accel tcg -M pc -display none \
		-nodefaults -no-user-config "$@" </dev/null >"$w/run.out" 2>"$w/run.err"
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE "$pat" "$w/run.err"; then gs_ok "$name"; else
		gs_fail "$name (status $rc, want $want)"; fi
	gs_info "$(head -2 "$w/run.err")"
	gs_crash_scan "$w/run.err"
}
run_fails "qnet run: a forward on a port in use stops before QEMU starts" 1 \
	"Could not set up host forwarding rule 'tcp:127.0.0.1:$busy_tcp-:80'" \
	-netdev "user,id=x,hostfwd=tcp:127.0.0.1:$busy_tcp-:80" -device e1000,netdev=x,romfile=
run_fails "qnet run: QEMU's own error and exit status come through" 1 \
	"no-such-option" \
	-netdev user,id=x -device e1000,netdev=x,romfile= -no-such-option

# ---- the daemon
fport=$(qgh_free_port tcp)
eport=$(qgh_free_port tcp)
python3 "$h" stale-unix "$w/stale.sock"
meta="/bin/echo qnet;touch $w/pw1|touch $w/pw2 \$(touch $w/pw3) \`touch $w/pw4\` &&touch $w/pw5 >$w/pw6"
u0="user,id=u0,hostfwd=tcp:127.0.0.1:$fport-:8080,hostfwd=tcp:127.0.0.1:$eport-:7"
u0+=",guestfwd=tcp:10.0.2.100:1234-cmd:$meta"
u0+=",guestfwd=tcp:10.0.2.101:80-unix:$w/stale.sock"
if ! gs_daemon_start qnet 3 -nodefaults \
	-netdev "$u0" -device "virtio-net-pci,netdev=u0,mac=$mac0,attach=stream:unix:$w/vm.sock" \
	-netdev user,id=u2 -device "e1000,netdev=u2,attach=dgram:unix:$w/inj-q.sock@$w/inj-v.sock" \
	-netdev user,id=u3 -device "rtl8139,netdev=u3,attach=stream:unix:$w/inj-s.sock" \
	-qmp "unix:$qmp,server=on,wait=off"; then
	gs_fail "qnet daemon start"
	exit 1
fi
gs_ok "qnet daemon listening (3 NICs)"
sed 's/^/     | /' "$w/qnet.log"
qpid=$gs_qnet_pid

# Bogus length prefixes on the guest's own socket before the VM connects:
# each resets the connection; the VM is accepted afterwards.
gs_check "stream: bogus length prefixes on the VM's socket before it connects" \
	python3 "$h" inject-stream "$w/vm.sock" --arp

mapfile -t a < <(gs_attach_args "$w/qnet.log" virtio-net-pci.0)
[ "${#a[@]}" = 2 ] || { gs_fail "qnet printed a QEMU command line"; exit 1; }
log=$w/guest.log
"$gs_tools/run-guest" --quiet --timeout 180 --log "$log" \
	--script "$here/user-badinput-guest.sh" \
	--env "HTTP_PORT=$gs_http_port" --env "HTTP_SHA=$gs_big_sha" \
	-- -netdev "${a[0]}" -device "${a[1]},romfile=" 2>"$w/run-guest.err" &
gpid=$!
gs_pids+=("$gpid")
if ! qgh_wait_marker "$log" ready 150 "$gpid" >/dev/null; then
	gs_fail "guest never got ready"
	grep -av '^\[' "$log" | tail -30 | sed 's/^/     | /'
	sed 's/^/     | /' "$w/run-guest.err" "$w/qnet.err"
	exit 1
fi

gs_mark_ok "$log" dhcp "guest lease through the VM socket after the bogus prefixes" ' ip=10\.0\.2\.'
for n in 1 2 3; do
	gs_mark_ok "$log" guestfwd-cmd "guestfwd cmd: metacharacters reach the program literally ($n)" '' "$n"
done
left=$(ls "$w"/pw? 2>/dev/null)
if [ -z "$left" ]; then gs_ok "guestfwd cmd: no shell ran (no file created)"; else
	gs_fail "guestfwd cmd: no shell ran: $left"; fi
zomb=$(ps -o pid=,stat=,comm= --ppid "$qpid" 2>/dev/null | awk '$2 ~ /Z/')
if [ -z "$zomb" ]; then gs_ok "guestfwd cmd: children reaped"; else
	gs_fail "guestfwd cmd: children reaped"; gs_info "$zomb"; fi
gs_mark_ok "$log" guestfwd-dead "guestfwd to a dead unix socket: the guest's connection ends"
line=$(qgh_marker "$log" giant)
if [ "$(qgh_status "$line")" = skip ]; then
	echo "SKIP giant frames from the guest: $line"
else
	gs_mark_ok "$log" giant "giant frames from the guest (8042 bytes) are dropped"
fi

# ---- the barrage, while the guest runs
gs_check "stream: a second VMM on the busy VM socket is closed at once" \
	python3 "$h" second-conn "$w/vm.sock"
gs_check "dgram: runts (0-13 bytes), giants (65551-70000) and junk; ARP still answered" \
	python3 "$h" inject-dgram "$w/inj-q.sock" "$w/inj-v.sock"
gs_check "stream: bogus length prefixes (0, 13, 65551, 2^32-1, 0xff..); the link recovers" \
	python3 "$h" inject-stream "$w/inj-s.sock" --arp
fwd() { printf '{"execute":"hostfwd-%s","arguments":{"netdev":"%s","rule":"%s"}}' "$1" "$2" "$3"; }
qmp_err "QMP: TCP forward on a port in use" "$(fwd add u0 "tcp:127.0.0.1:$busy_tcp-:8080")" \
	"Could not set up host forwarding rule"
qmp_err "QMP: UDP forward on a port in use" "$(fwd add u0 "udp:127.0.0.1:$busy_udp-:7")" \
	"Could not set up host forwarding rule"
qmp_err "QMP: a forward duplicating an active one" "$(fwd add u0 "tcp:127.0.0.1:$fport-:8080")" \
	"Could not set up host forwarding rule"
qmp_err "QMP: a bad rule" "$(fwd add u0 "tcp:127.0.0.1:99999-:80")" "Invalid host forwarding rule"
qmp_err "QMP: a huge rule" "$(fwd add u0 "tcp:127.0.0.1:$(printf '1%.0s' $(seq 5000))-:80")" "."
qmp_err "QMP: a forward on a netdev that does not exist" "$(fwd add nosuch "tcp:127.0.0.1:0-:80")" "nosuch"
qmp_err "QMP: removing a forward that does not exist" "$(fwd remove u0 "tcp:127.0.0.1:1")" "not found"
# T-69: re-adding a forward right after removing it (its last connection
# in TIME_WAIT) works.
zport=$(qgh_free_port tcp)
rounds=0
: >"$w/readd.out"
for round in 1 2 3; do
	gs_qmp "$qmp" "$(fwd add u0 "tcp:127.0.0.1:$zport-:7")" >>"$w/readd.out" 2>&1 &&
		python3 "$h" tcp-echo 127.0.0.1 "$zport" "readd-$round" --tries 5 >>"$w/readd.out" 2>&1 &&
		gs_qmp "$qmp" "$(fwd remove u0 "tcp:127.0.0.1:$zport")" >>"$w/readd.out" 2>&1 ||
		break
	rounds=$round
done
if [ "$rounds" = 3 ]; then
	gs_ok "QMP: a forward removed and re-added at once, 3 times, with a connection each time"
else
	gs_fail "QMP: a forward removed and re-added at once (failed in round $((rounds + 1)))"
	sed 's/^/     | /' "$w/readd.out"
fi
out=$(gs_qmp "$qmp" '{"execute":"query-hostfwd"}' 2>&1)
if grep -q "$fport" <<<"$out" && grep -q "$eport" <<<"$out"; then
	gs_ok "the configured forwards are still listed"
else
	gs_fail "the configured forwards are still listed"
fi
gs_info "$(head -c 600 <<<"$out")"

# ---- counters: drop-and-count (transports.md, user.md: which port counts)
js=$(gs_qmp "$qmp" '{"execute":"query-netstats"}' 2>&1)
echo "     query-netstats (per port):"
python3 "$h" drops -v <<<"$js" | sed '$d' || gs_info "$js"
# count REASON MIN PORT WHAT: the drop counter REASON of PORT is >= MIN.
count() {
	local n
	n=$(python3 "$h" drops --ports "$3" <<<"$js" | grep -o "\b$1=[0-9]*" | cut -d= -f2)
	if [ "${n:-0}" -ge "$2" ]; then gs_ok "counted on $3: $1=$n (>= $2: $4)"; else
		gs_fail "counted on $3: $1=${n:-0} (>= $2: $4)"; fi
}
count runt 14 e1000.0 "14 datagrams of 0-13 bytes"
count giant 3 e1000.0 "3 datagrams of 65551-70000 bytes"
[ "$(qgh_status "$(qgh_marker "$log" giant)")" = ok ] &&
	count giant 2 u0 "2 frames of 8042 bytes from the guest, beyond the MRU"
count malformed 3 u2 "lying IPv4 headers and a short ARP among the junk"
count malformed 6 virtio-net-pci.0 "6 bogus length prefixes on the VM's socket"
count malformed 6 rtl8139.0 "6 bogus length prefixes on the injector's socket"
# HARDENING T-31: a bogus length prefix is an error logged (rate-limited).
n=$(grep -ciE 'length|bogus|malformed' "$w/qnet.err")
if [ "$n" -ge 1 ] && [ "$n" -le 12 ]; then
	gs_ok "bogus stream lengths logged, rate-limited ($n lines for 12)"
else
	gs_fail "bogus stream lengths logged, rate-limited ($n lines for 12; HARDENING T-31 wants ERR logged once)"
fi

# ---- the guest keeps working
kill -0 "$qpid" 2>/dev/null && gs_ok "qnet is still running" || gs_fail "qnet is still running"
python3 "$h" http-get "http://127.0.0.1:$fport/cgi-bin/go" --expect go >/dev/null ||
	gs_fail "could not start the guest's second phase"
qgh_wait_marker "$log" after 120 "$gpid" >/dev/null
gs_mark_ok "$log" fetch "after: guest HTTP fetch of 4 MiB, sha256 matches" " bytes=4194304 sha256=$gs_big_sha " 1
gs_mark_ok "$log" ping "after: ping 10.0.2.2" ' host=10\.0\.2\.2 ' 2
gs_mark_ok "$log" guestfwd-cmd-after "after: guestfwd cmd"
sum=$(qgh_field "$(qgh_marker "$log" httpd)" sha256)
gs_check "after: TCP forward, 1 MiB from the guest, sha256 matches" \
	python3 "$h" http-get "http://127.0.0.1:$fport/known.bin" --sha "$sum"
gs_check "after: TCP forward, echo service" python3 "$h" tcp-echo 127.0.0.1 "$eport" after
python3 "$h" http-get "http://127.0.0.1:$fport/cgi-bin/done" --expect done >/dev/null ||
	gs_fail "could not tell the guest to finish"
wait "$gpid"
st=$?
gs_forget "$gpid"
sed -n 's/^RUN-GUEST: /     /p' "$w/run-guest.err"
if [ "$st" = 0 ]; then gs_ok "guest script finished, status 0"; else
	gs_fail "guest script finished, status $st"
	grep -a 'QNET-GUEST: .* fail' "$log" | sed 's/^/     | /'
fi

# ---- qnet ends cleanly
if kill -0 "$qpid" 2>/dev/null; then
	gs_qmp "$qmp" '{"execute":"quit"}' >/dev/null 2>&1
	for _ in $(seq 50); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
fi
wait "$qpid"
rc=$?
gs_forget "$qpid"
if [ "$rc" = 0 ]; then gs_ok "QMP quit: qnet exited 0"; else gs_fail "QMP quit: qnet exited 0 (got $rc)"; fi
left=$(ls "$w"/vm.sock "$w"/inj-q.sock "$w"/inj-s.sock "$qmp" 2>/dev/null)
if [ -z "$left" ]; then gs_ok "qnet removed its sockets"; else gs_fail "qnet removed its sockets: $left"; fi
n=$(wc -l <"$w/qnet.err")
echo "     qnet stderr ($n lines):"
head -40 "$w/qnet.err" | sed 's/^/     | /'
if [ "$n" -le 40 ]; then gs_ok "qnet's error log stays short ($n lines)"; else
	gs_fail "qnet's error log stays short ($n lines; rate limit?)"; fi
gs_crash_scan "$w/qnet.err"

if [ "$gs_failed" = 0 ]; then
	echo "PASS: guest user networking, bad input ($SECONDS s)"
	exit 0
fi
echo "FAILED: $gs_failed check(s), bad input"
exit 1
