#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# user-suite.sh: guest-user-MODE-MODEL: boot the test guest with two MODEL
# NICs served by qnet's -netdev user (one open, one restrict=on) and check
# DHCP, DNS, an HTTP download, TFTP, ping, TCP/UDP forwards, restrict=on, a
# forward added and removed at run time over QMP, and the monitor's view.
#
# Usage: user-suite.sh MODE MODEL
#   MODE   run     `qnet run ... -- qemu-system-x86_64 ...` (qnet takes the
#                  -netdev/-device options out and starts QEMU)
#          daemon  `qnet ... attach=stream:unix:...`, then a stock QEMU with
#                  the -netdev stream qnet printed
#          qemu    QEMU's own -netdev user (reference; no qnet)
#   MODEL  e1000 | rtl8139 | virtio-net-pci
# Environment: QNET, QNETCTL (paths; meson sets them), QG_KEEP=1 keeps the
# work directory. Root only (a private network namespace); exit 77 otherwise.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/user-lib.sh"

mode=${1:-}
model=${2:-}
case "$mode" in run|daemon|qemu) ;; *) echo "usage: $0 run|daemon|qemu MODEL"; exit 2 ;; esac
case "$model" in e1000|rtl8139|virtio-net-pci) ;; *) echo "unknown model '$model'"; exit 2 ;; esac

if [ -z "${QG_NETNS:-}" ]; then
	gs_need_tools
	[ "$mode" = qemu ] || [ -x "${QNET:-}" ] ||
		gs_skip "QNET is not set to the qnet binary"
	[ -x "${QNETCTL:-}" ] || gs_skip "QNETCTL is not set to the qnetctl binary"
	gs_build_guest
fi
gs_netns_enter "$@"

# ---- inside the namespace from here on
gs_setup "user-$mode-$model"
grep -q '^nameserver 127.0.0.1' /etc/resolv.conf ||
	gs_fail "namespace resolv.conf is not 127.0.0.1: $(head -1 /etc/resolv.conf)"
gs_servers
echo "== $mode $model: namespace $QG_NETNS, HTTP 127.0.0.1:$gs_http_port, DNS 127.0.0.1:53, ping relay $([ "$GS_PING" = 1 ] && echo on || echo off)"

fport=$(qgh_free_port tcp)	# u0 tcp -> guest httpd 8080
eport=$(qgh_free_port tcp)	# u0 tcp -> guest echo 7
uport=$(qgh_free_port udp)	# u0 udp -> guest echo 7
rport=$(qgh_free_port tcp)	# u1 (restrict=on) tcp -> guest httpd 8080
aport=$(qgh_free_port tcp)	# added at run time -> guest httpd 8080
mac0=52:54:00:12:34:56
mac1=52:54:00:12:34:57
qmp=$gs_work/qmp.sock
u0="user,id=u0,tftp=$gs_work/tftp,hostfwd=tcp:127.0.0.1:$fport-:8080,hostfwd=tcp:127.0.0.1:$eport-:7,hostfwd=udp:127.0.0.1:$uport-:7"
u1="user,id=u1,net=10.0.3.0/24,restrict=on,hostfwd=tcp:127.0.0.1:$rport-:8080"

log=$gs_work/guest.log
qargs=()
case "$mode" in
run)
	# Both spellings QEMU users write: -nic for the first NIC (it cannot
	# say romfile=), -netdev/-device for the second.
	gs_run_wrapper "$qmp"
	qargs=(-nic "$u0,model=$model,mac=$mac0"
	       -netdev "$u1" -device "$model,netdev=u1,mac=$mac1,romfile=")
	;;
daemon)
	if ! gs_daemon_start qnet 2 -nodefaults \
		-netdev "$u0" -device "$model,netdev=u0,mac=$mac0,attach=stream:unix:$gs_work/vm0.sock" \
		-netdev "$u1" -device "$model,netdev=u1,mac=$mac1,attach=stream:unix:$gs_work/vm1.sock" \
		-qmp "unix:$qmp,server=on,wait=off"; then
		gs_fail "$mode $model: qnet daemon start"
		exit 1
	fi
	gs_ok "qnet daemon listening"
	sed 's/^/     | /' "$gs_work/qnet.log"
	for n in 0 1; do
		mapfile -t a < <(gs_attach_args "$gs_work/qnet.log" "$model.$n")
		if [ "${#a[@]}" != 2 ]; then
			gs_fail "qnet printed a QEMU command line for $model.$n"
			exit 1
		fi
		qargs+=(-netdev "${a[0]}" -device "${a[1]},romfile=")
	done
	# A QMP client that stays connected and logs the events.
	gs_bg qmp-events python3 "$gs_helper" qmp-events "$qmp"
	gs_wait_log "$gs_work/qmp-events.log" 'qmp-events: ready' 10 "$gs_pid" ||
		gs_fail "QMP event listener connected"
	;;
qemu)
	qargs=(-nic "$u0,model=$model,mac=$mac0"
	       -netdev "$u1" -device "$model,netdev=u1,mac=$mac1,romfile="
	       -qmp "unix:$qmp,server=on,wait=off")
	;;
esac

ping_target=
[ "$GS_PING" = 1 ] && ping_target=$GS_PING_TARGET
t0=$SECONDS
"$gs_tools/run-guest" --quiet --timeout 180 --log "$log" \
	--script "$here/user-guest.sh" \
	--env "MAC0=$mac0" --env "MAC1=$mac1" \
	--env "HTTP_PORT=$gs_http_port" --env "HTTP_SHA=$gs_big_sha" \
	--env "DNS_NAME=$GS_DNS_NAME" \
	--env "TFTP_FILE=tftp.bin" --env "TFTP_SHA=$gs_tftp_sha" \
	--env "PING_TARGET=$ping_target" \
	-- "${qargs[@]}" 2>"$gs_work/run-guest.err" &
gpid=$!
gs_pids+=("$gpid")

if ! line=$(qgh_wait_marker "$log" ready 150 "$gpid"); then
	gs_fail "$mode $model: guest never got ready"
	grep -av '^\[' "$log" | tail -30 | sed 's/^/     | /'
	sed 's/^/     | /' "$gs_work/run-guest.err" "$gs_work/qnet.err" 2>/dev/null
	exit 1
fi
echo "guest ready after $((SECONDS - t0)) s"

# ---- what the guest did on its own (markers)
gs_mark_ok "$log" dhcp "DHCP lease in 10.0.2.0/24" ' ip=10\.0\.2\.[0-9]+ mask=24 router=10\.0\.2\.2 dns=10\.0\.2\.3 '
gs_mark_ok "$log" dhcp "DHCP lease in 10.0.3.0/24 on the restrict=on NIC" ' ip=10\.0\.3\.[0-9]+ ' 2
gs_mark_ok "$log" nslookup "DNS through 10.0.2.3 ($GS_DNS_NAME -> $GS_DNS_ADDR)" " addr=$GS_DNS_ADDR( |,)"
if grep -q "name=$GS_DNS_NAME type=1 .*answered=True" "$gs_work/dns.log"; then
	gs_ok "the host's resolver answered the forwarded query"
else
	gs_fail "the host's resolver answered the forwarded query"
fi
gs_info "$(grep -c 'dns query' "$gs_work/dns.log") queries: $(grep -m1 'dns query' "$gs_work/dns.log")"
gs_mark_ok "$log" fetch "guest HTTP fetch of 4 MiB via 10.0.2.2, sha256 matches" " bytes=4194304 sha256=$gs_big_sha "
gs_mark_ok "$log" tftp "TFTP download, sha256 matches" " sha256=$gs_tftp_sha"
gs_mark_ok "$log" ping "ping 10.0.2.2 (answered by libslirp)" ' host=10\.0\.2\.2 '
if [ "$GS_PING" = 1 ]; then
	gs_mark_ok "$log" ping "ping $GS_PING_TARGET (relayed through an ICMP datagram socket)" " host=$GS_PING_TARGET " 2
else
	echo "SKIP relayed ping: net.ipv4.ping_group_range cannot be set here"
fi
gs_mark_ok "$log" restrict-tcp "restrict=on: the guest's TCP connection to the host is refused"
gs_mark_ok "$log" nslookup "UDP to the host through the open NIC (DNS at 10.0.2.2)" " addr=$GS_DNS_ADDR( |,)" 2
gs_mark_ok "$log" restrict-udp "restrict=on: the guest's UDP to the host gets no answer"
sum=$(qgh_field "$(qgh_marker "$log" httpd)" sha256)

# ---- host into the guest through the forwards
h=$gs_helper
gs_check "TCP forward: 1 MiB from the guest's httpd, sha256 matches" \
	python3 "$h" http-get "http://127.0.0.1:$fport/known.bin" --sha "$sum"
gs_check "TCP forward: CGI echo" \
	python3 "$h" http-get "http://127.0.0.1:$fport/cgi-bin/echo?$model-$mode" --expect "$model-$mode"
gs_check "TCP forward: echo service" python3 "$h" tcp-echo 127.0.0.1 "$eport" "tcp-$model-$mode"
gs_check "UDP forward: echo service" python3 "$h" udp-echo 127.0.0.1 "$uport" "udp-$model-$mode"
gs_check "restrict=on: the forward into the guest still works" \
	python3 "$h" http-get "http://127.0.0.1:$rport/cgi-bin/echo?restricted" --expect restricted

# ---- forward added and removed at run time
if [ "$mode" = qemu ]; then
	add=(hostfwd_add u0 "tcp:127.0.0.1:$aport-:8080")
	del=(hostfwd_remove u0 "tcp:127.0.0.1:$aport")
	list=(info usernet)
else
	add=("{\"execute\":\"hostfwd-add\",\"arguments\":{\"netdev\":\"u0\",\"rule\":\"tcp:127.0.0.1:$aport-:8080\"}}")
	del=("{\"execute\":\"hostfwd-remove\",\"arguments\":{\"netdev\":\"u0\",\"rule\":\"tcp:127.0.0.1:$aport\"}}")
	list=('{"execute":"query-hostfwd"}')
fi
gs_check "QMP: forward 127.0.0.1:$aport added at run time" gs_qmp "$qmp" "${add[@]}"
out=$(gs_qmp "$qmp" "${list[@]}" 2>&1)
if grep -q "$aport" <<<"$out"; then gs_ok "the new forward is listed"; else gs_fail "the new forward is listed"; fi
gs_info "$(tr -d '\r' <<<"$out" | head -c 600)"
gs_check "the new forward reaches the guest" \
	python3 "$h" http-get "http://127.0.0.1:$aport/cgi-bin/echo?added" --expect added
gs_check "QMP: the forward removed at run time" gs_qmp "$qmp" "${del[@]}"
gs_check "the removed forward's port refuses connections" python3 "$h" tcp-refused 127.0.0.1 "$aport"
out=$(gs_qmp "$qmp" "${list[@]}" 2>&1)
if ! grep -q "$aport" <<<"$out"; then gs_ok "the removed forward is no longer listed"; else gs_fail "the removed forward is no longer listed"; fi
if [ "$mode" != qemu ]; then
	out=$(gs_qmp "$qmp" "${del[@]}" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && grep -q '"error"' <<<"$out"; then
		gs_ok "QMP: removing it again is a structured error"
	else
		gs_fail "QMP: removing it again is a structured error (qnetctl status $rc)"
	fi
	gs_info "$out"
fi
gs_check "the other forwards still work" python3 "$h" tcp-echo 127.0.0.1 "$eport" "again-$model"

# ---- the monitor's view
out=$(gs_qmp "$qmp" info network 2>&1 | tr -d '\r')
echo "     info network:"
tr -d '\r' <<<"$out" | sed 's/^/     | /'
if grep -q "^$model.0: index=0,type=nic,model=$model,macaddr=$mac0" <<<"$out" &&
   grep -q "^$model.1: index=0,type=nic,model=$model,macaddr=$mac1" <<<"$out" &&
   grep -q '^ \\ u0: index=0,type=user,net=10.0.2.0,restrict=off' <<<"$out" &&
   grep -q '^ \\ u1: index=0,type=user,net=10.0.3.0,restrict=on' <<<"$out"; then
	gs_ok "info network shows both NICs with their user netdevs (QEMU's text)"
else
	gs_fail "info network shows both NICs with their user netdevs (QEMU's text)"
fi
if [ "$mode" != qemu ]; then
	out=$(gs_qmp "$qmp" info netstats 2>&1)
	echo "     info netstats:"
	tr -d '\r' <<<"$out" | sed 's/^/     | /'
	js=$(gs_qmp "$qmp" '{"execute":"query-netstats"}' 2>&1)
	read -r rx tx rxb txb < <(python3 "$h" port "$model.0" <<<"$js")
	# The guest downloaded 4 MiB and uploaded 1 MiB through this NIC.
	if [ "${rxb:-0}" -gt 4194304 ] && [ "${txb:-0}" -gt 1048576 ]; then
		gs_ok "query-netstats counts the traffic on $model.0 (rx=$rx/${rxb}B tx=$tx/${txb}B)"
	else
		gs_fail "query-netstats counts the traffic on $model.0 (rx=${rx:-?}/${rxb:-?}B tx=${tx:-?}/${txb:-?}B)"
		gs_info "$js"
	fi
fi

# ---- let the guest finish
python3 "$h" http-get "http://127.0.0.1:$fport/cgi-bin/done" --expect done >/dev/null ||
	gs_fail "could not tell the guest to finish"
wait "$gpid"
st=$?
gs_forget "$gpid"
sed -n 's/^RUN-GUEST: /     /p' "$gs_work/run-guest.err"
if [ "$st" = 0 ]; then gs_ok "guest script finished, status 0"; else
	gs_fail "guest script finished, status $st"
	grep -a 'QNET-GUEST: .* fail' "$log" | sed 's/^/     | /'
fi

# ---- qnet afterwards
case "$mode" in
run)
	rc=$(cat "$gs_work/qnet.rc" 2>/dev/null)
	if [ "$rc" = 0 ]; then gs_ok "qnet run exited with QEMU's status 0"; else
		gs_fail "qnet run exited with QEMU's status 0 (got '${rc:-none}')"; fi
	qpid=$(cat "$gs_work/qnet.pid" 2>/dev/null)
	if [ -n "$qpid" ] && ls -d "${XDG_RUNTIME_DIR:-/tmp}/qnet-$qpid-"* >/dev/null 2>&1; then
		gs_fail "qnet run removed its socket directory"
		ls -la "${XDG_RUNTIME_DIR:-/tmp}/qnet-$qpid-"* | sed 's/^/     | /'
	else
		gs_ok "qnet run removed its socket directory"
	fi
	[ -e "$qmp" ] && gs_fail "qnet run removed its QMP socket"
	;;
daemon)
	# transports.md: the VM's connect and disconnect are QMP events, as
	# QEMU's stream netdev reports them.
	for ev in NETDEV_STREAM_CONNECTED NETDEV_STREAM_DISCONNECTED; do
		for _ in $(seq 30); do
			n=$(grep -c "\"$ev\"" "$gs_work/qmp-events.log")
			[ "$n" -ge 2 ] && break
			sleep 0.1
		done
		if [ "$n" = 2 ]; then gs_ok "QMP event $ev for each NIC"; else
			gs_fail "QMP event $ev for each NIC (got $n, want 2)"; fi
	done
	grep -a '"event"' "$gs_work/qmp-events.log" | head -4 | sed 's/^/     | /'
	if kill -0 "$gs_qnet_pid" 2>/dev/null; then
		gs_ok "qnet keeps running after the VM left"
		gs_qmp "$qmp" '{"execute":"quit"}' >/dev/null 2>&1
		for _ in $(seq 50); do kill -0 "$gs_qnet_pid" 2>/dev/null || break; sleep 0.1; done
		wait "$gs_qnet_pid"
		rc=$?
		gs_forget "$gs_qnet_pid"
		if [ "$rc" = 0 ]; then gs_ok "QMP quit: qnet exited 0"; else gs_fail "QMP quit: qnet exited 0 (got $rc)"; fi
	else
		wait "$gs_qnet_pid"
		gs_fail "qnet keeps running after the VM left (exited $?)"
	fi
	left=$(ls "$gs_work"/vm*.sock "$qmp" 2>/dev/null)
	if [ -z "$left" ]; then gs_ok "qnet removed its sockets"; else gs_fail "qnet removed its sockets: $left"; fi
	;;
esac
if [ -s "$gs_work/qnet.err" ]; then
	echo "     qnet stderr:"
	sed 's/^/     | /' "$gs_work/qnet.err" | head -40
fi
gs_crash_scan "$gs_work/qnet.err"
# QNET_URING=epoll: the data path ran on the epoll fallback, and said so
if [ "${QNET_URING:-}" = epoll ]; then
	# grep reads the files itself: "cat | grep -q" under pipefail fails
	# when grep stops early and cat takes SIGPIPE on the second file
	if grep -qs "the data path runs on epoll" "$gs_work/qnet.err" \
	   "$gs_work/run-guest.err"; then
		gs_ok "qnet ran on the epoll fallback (QNET_URING=epoll) and said so"
	else
		gs_fail "qnet ran on the epoll fallback (QNET_URING=epoll) and said so"
	fi
fi
if [ "$GS_PING" = 1 ] && grep -q 'ping from the guest will not work' "$gs_work/qnet.err" 2>/dev/null; then
	gs_fail "no ping warning where ping_group_range allows ping"
fi

if [ "$gs_failed" = 0 ]; then
	echo "PASS: guest user networking, $mode, $model ($((SECONDS)) s)"
	exit 0
fi
echo "FAILED: $gs_failed check(s), $mode, $model"
exit 1
