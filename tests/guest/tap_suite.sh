#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tap_suite.sh: guest-tap-MODE-FE: the test guest bridged through qnet's tap
# to a namespace running servers: ping, an HTTP transfer with checksum each
# way, iperf3 both ways, qnet's counters against the kernel's.
#
# Usage: tap_suite.sh MODE FE
#   MODE  tap     qnet -netdev tap,ifname=qgtapPID,script=IFUP,downscript=IFDOWN
#                 (IFUP enslaves the tap to the test's bridge)
#         bridge  qnet -netdev bridge,br=qgtbrPID (qnet creates and enslaves)
#         qemu    reference without qnet: QEMU's own -netdev tap, same IFUP
#   FE    e1000   QEMU emulates an e1000 attached to qnet over a stream socket
#                 (attach=stream:unix:...)
#         virtio  virtio-net served by qnet over vhost-user (vhost-user=...)
#
# Topology (root namespace, all created here and removed on every exit path;
# nothing has a route off the machine):
#
#   guest eth0 192.168.77.2 -- QEMU -- qnet -- tap --+
#                                                    bridge qgtbrPID (no address)
#   netns qgt-PID: veth qgtnPID 192.168.77.1 ---------+ (peer qgtvPID)
#                  python3 http.server :8000, iperf3 -s :5201
#
# Checks: the guest's ping/fetch/iperf3/UDP-flood markers, ping and a 4 MiB
# fetch from the namespace into the guest, no TCP segment out of order at
# the server, the bridge's fdb, the tap's offloads against the guest's
# features, `info netstats` bytes against the transfers, qnet's frame
# counts against the kernel's tap counters, (virtio) the guest's chains
# lent to the tap, scattered ones too, and no TX kick missed, quit, tap
# removed, downscript run. Throughput is printed, not asserted.
#
# Environment: QNET, QNETCTL (meson sets them); QG_KEEP=1 keeps the work
# directory; QG_QEMU_NIC_OPTS=K=V,... is appended to the QEMU -device qnet
# prints (guest_tso4=off...: QEMU hides features from the guest that qnet
# offers); QG_NIC_OPTS=K=V,... is appended to qnet's -device
# (vhost-user-rx=direct); QG_TAP_OPTS=K=V,... is appended to the -netdev (vnet_hdr=off:
# no offloads on the tap, qnet segments the guest's TSO frames itself);
# QG_IPERF_SECS (default 3); QG_QUEUES=N (virtio only): a tap with N
# queues and a NIC with N queue pairs (mq=on) on N vCPUs; the guest also
# sends from each vCPU at once (pinned iperf3 uploads to N servers), and
# the suite checks that qnet runs each queue on its own thread
# (qnet-dp-qQ) and that every queue carried frames both ways; QG_PAUSE=1:
# QEMU pauses the guest three times during the download (QMP stop and
# cont: QEMU stops qnet's rings and starts them again), which must still
# complete. Root only; exits 77 when a tool or privilege is missing.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$(cd "$here/../../tools/guest" && pwd)
. "$tools/host-lib.sh"

mode=${1:-}
fe=${2:-}
case "$mode" in tap|bridge|qemu) ;; *) echo "usage: $0 tap|bridge|qemu e1000|virtio"; exit 2 ;; esac
case "$fe" in e1000|virtio) ;; *) echo "unknown FE '$fe'"; exit 2 ;; esac

GUEST_IP=192.168.77.2
SERVER_IP=192.168.77.1
GUEST_MAC=52:54:00:77:00:02
HTTP_PORT=8000
IPERF_PORT=5201
QUEUES=${QG_QUEUES:-1}
IPERF_SECS=${QG_IPERF_SECS:-3}
BIG_SIZE=$((8 * 1024 * 1024))
KNOWN_SIZE=$((4 * 1024 * 1024))

ns=qgt-$$
br=qgtbr$$
vh=qgtv$$
vn=qgtn$$
tapname=qgtap$$		# tap/qemu modes; bridge mode: whatever qnet made
failed=0
work=
pids=()			# background processes of this script (by pid)
qnet_pid=
guest_pid=

skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
info() { echo "     $*"; }
indent() { sed 's/^/     | /'; }

# ---- preconditions
[ "$(id -u)" = 0 ] || skip "needs root (bridge, veth, namespace, tap)"
for t in ip bridge python3 qemu-system-x86_64 iperf3 ldd sha256sum sysctl; do
	command -v "$t" >/dev/null || skip "$t is missing"
done
[ -e /dev/net/tun ] || skip "/dev/net/tun is missing"
if [ "$mode" != qemu ]; then
	[ -x "${QNET:-}" ] || skip "QNET is not set to the qnet binary"
	[ -x "${QNETCTL:-}" ] || skip "QNETCTL is not set to the qnetctl binary"
fi
berr=$(mktemp) || exit 1
if ! gpaths=$("$tools/build-guest" --quiet 2>"$berr"); then
	cat "$berr"
	grep -qE 'apt-get (download|update)|cannot find the package|needs root' "$berr" &&
		{ rm -f "$berr"; skip "cannot fetch the guest's Debian packages"; }
	rm -f "$berr"
	echo "FAIL: build-guest failed"
	exit 1
fi
rm -f "$berr"
eval "$gpaths"	# QNET_GUEST_ROOT: its static busybox pings when the host has no ping

# ---- cleanup (every exit path)
cleanup() {
	local p
	trap - EXIT TERM INT
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	# Anything left inside the namespace was started here: end it by pid.
	for p in $(ip netns pids "$ns" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null	# takes the veth pair with it
	ip link del "$vh" 2>/dev/null
	[ "$mode" != bridge ] && ip link del "$tapname" 2>/dev/null
	ip link del "$br" 2>/dev/null
	if [ -n "$work" ]; then
		if [ -n "${QG_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# bg NAME CMD...: run CMD in the background, output in $work/NAME.log; sets
# bg_pid and remembers it for cleanup.
bg() {
	local name=$1
	shift
	"$@" </dev/null >"$work/$name.log" 2>&1 &
	bg_pid=$!
	pids+=("$bg_pid")
}

# unbg PID: forget PID (it has been reaped).
unbg() {
	local p keep=()
	for p in "${pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	pids=("${keep[@]}")
}

# wait_log FILE ERE SECONDS [PID]: wait for ERE in FILE (fails early if PID
# exits).
wait_log() {
	local left=$(($3 * 10))
	while [ "$left" -gt 0 ]; do
		grep -qaE "$2" "$1" 2>/dev/null && return 0
		[ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null && break
		left=$((left - 1))
		sleep 0.1
	done
	grep -qaE "$2" "$1" 2>/dev/null
}

# nsx CMD...: run CMD in the server namespace.
nsx() { ip netns exec "$ns" "$@"; }

# no6 IFACE [nsx]: no IPv6 on IFACE (keeps router solicitations and MLD
# reports off the segment and out of the counters).
no6() { ${2:-} sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" >/dev/null 2>&1 || true; }

work=$(mktemp -d "${TMPDIR:-/tmp}/qnet-guesttap-$mode-$fe.XXXXXX") || exit 1
t_start=$SECONDS

# ---- topology
if ! ip netns add "$ns"; then skip "cannot create a network namespace"; fi
nsx ip link set lo up
no6 all nsx
no6 default nsx
ip link add "$br" type bridge stp_state 0 forward_delay 0 || { fail "create bridge $br"; exit 1; }
no6 "$br"
ip link set "$br" up
ip link add "$vh" type veth peer name "$vn" netns "$ns" || { fail "create veth $vh/$vn"; exit 1; }
no6 "$vh"
ip link set "$vh" master "$br" up
nsx ip addr add "$SERVER_IP/24" dev "$vn"
nsx ip link set "$vn" up
ok "topology: bridge $br, veth $vh <-> $ns:$vn ($SERVER_IP/24)"

# The tap's ifup/ifdown scripts (QEMU's convention: SCRIPT IFNAME).
cat >"$work/ifup" <<EOF
#!/bin/sh
echo "\$1" >>"$work/ifup.ran"
sysctl -qw "net.ipv6.conf.\$1.disable_ipv6=1" >/dev/null 2>&1
ip link set "\$1" master "$br" && ip link set "\$1" up
EOF
cat >"$work/ifdown" <<EOF
#!/bin/sh
echo "\$1 \$(cat /sys/class/net/\$1/ifindex 2>/dev/null)" >>"$work/ifdown.ran"
EOF
chmod 755 "$work/ifup" "$work/ifdown"

# ---- servers in the namespace
mkdir "$work/www"
head -c "$BIG_SIZE" /dev/urandom >"$work/www/big.bin"
big_sha=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)
bg http ip netns exec "$ns" python3 -u -m http.server --bind "$SERVER_IP" \
	--directory "$work/www" "$HTTP_PORT"
wait_log "$work/http.log" 'Serving HTTP' 10 "$bg_pid" ||
	{ fail "HTTP server in $ns"; indent <"$work/http.log"; exit 1; }
bg iperf ip netns exec "$ns" iperf3 -s --forceflush -B "$SERVER_IP" -p "$IPERF_PORT"
wait_log "$work/iperf.log" 'Server listening' 10 "$bg_pid" ||
	{ fail "iperf3 server in $ns"; indent <"$work/iperf.log"; exit 1; }
# With QUEUES > 1: one more iperf3 server per extra vCPU (ports +1, +2, ...)
for ((i = 1; i < QUEUES; i++)); do
	bg "iperf$i" ip netns exec "$ns" iperf3 -s --forceflush -B "$SERVER_IP" \
		-p $((IPERF_PORT + i))
	wait_log "$work/iperf$i.log" 'Server listening' 10 "$bg_pid" ||
		{ fail "iperf3 server $i in $ns"; indent <"$work/iperf$i.log"; exit 1; }
done
ok "servers in $ns: HTTP $SERVER_IP:$HTTP_PORT (big.bin, 8 MiB), iperf3 $SERVER_IP:$IPERF_PORT"

# ---- iperf3 for the guest: the binary and every library ldd names, at the
# same paths (Debian's iperf3 is dynamically linked).
iperf_bin=$(command -v iperf3)
files=(--file "$iperf_bin:$iperf_bin")
while read -r lib; do
	[ -f "$lib" ] && files+=(--file "$lib:$lib")
done < <(ldd "$iperf_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
				 $1 ~ /^\// { print $1 }')
info "iperf3 for the guest: $(( ${#files[@]} / 2 )) files ($iperf_bin and its libraries)"

# ---- the network side: qnet (or QEMU's own tap)
qmp=$work/qmp.sock
qargs=()
nicname=
shared=()
nicdev=e1000
[ "$fe" = virtio ] && nicdev=virtio-net-pci
case "$mode" in
tap)	backend="tap,id=t0,ifname=$tapname,script=$work/ifup,downscript=$work/ifdown" ;;
bridge)	backend="bridge,id=t0,br=$br" ;;
qemu)	backend="tap,id=n0,ifname=$tapname,script=$work/ifup,downscript=$work/ifdown,vhost=off" ;;
esac
[ -n "${QG_TAP_OPTS:-}" ] && backend+=",$QG_TAP_OPTS"
mqdev=
smp=()
if [ "$QUEUES" -gt 1 ]; then
	[ "$fe" = virtio ] || { echo "QG_QUEUES needs FE virtio"; exit 2; }
	backend+=",queues=$QUEUES"
	mqdev=",mq=on,queues=$QUEUES"
	smp=(--smp "$QUEUES")
fi

if [ "$mode" = qemu ]; then
	qargs=(-netdev "$backend" -device "$nicdev,netdev=n0,mac=$GUEST_MAC,romfile=")
else
	if [ "$fe" = e1000 ]; then
		dev="e1000,netdev=t0,mac=$GUEST_MAC,attach=stream:unix:$work/vm.sock"
	else
		dev="virtio-net-pci,netdev=t0,mac=$GUEST_MAC,vhost-user=$work/vm.sock$mqdev${QG_NIC_OPTS:+,$QG_NIC_OPTS}"
		shared=(--shared-mem)
	fi
	"$QNET" -nodefaults -netdev "$backend" -device "$dev" \
		-qmp "unix:$qmp,server=on,wait=off" \
		</dev/null >"$work/qnet.log" 2>"$work/qnet.err" &
	qnet_pid=$!
	pids+=("$qnet_pid")
	info "qnet -nodefaults -netdev $backend -device $dev -qmp unix:$qmp,server=on,wait=off"
	if ! wait_log "$work/qnet.log" '; QEMU: ' 10 "$qnet_pid"; then
		indent <"$work/qnet.log"
		indent <"$work/qnet.err"
		grep -q "netdev type '$mode' is not implemented" "$work/qnet.err" &&
			skip "this qnet has no -netdev $mode yet"
		grep -qE "vhost-user.*(not found|unknown|invalid)|Property '.*vhost-user' not found" "$work/qnet.err" &&
			skip "this qnet has no vhost-user frontend"
		fail "qnet opened -netdev $mode and printed the QEMU options"
		exit 1
	fi
	line=$(grep -a '; QEMU: ' "$work/qnet.log" | head -1)
	indent <<<"$line"
	nicname=${line#qnet: }
	nicname=${nicname%%:*}
	q=${line#*; QEMU: }
	q=${q%%; memory:*}
	read -ra qargs <<<"$q"
	for i in "${!qargs[@]}"; do
		[ "${qargs[$i]}" = -device ] &&
			qargs[$((i + 1))]+=",romfile=${QG_QEMU_NIC_OPTS:+,$QG_QEMU_NIC_OPTS}"
	done
	[ -n "${QG_PAUSE:-}" ] &&
		qargs+=(-qmp "unix:$work/qemu.qmp,server=on,wait=off")
	ok "qnet ready: NIC $nicname, -netdev $mode"
fi

# tap_wait NAME: wait until the tap NAME is a port of the bridge and up.
tap_wait() {
	local left=100
	while [ "$left" -gt 0 ]; do
		ip -o link show "$1" 2>/dev/null | grep " master $br " |
			grep -qE '[<,]UP[,>]' && return 0
		left=$((left - 1))
		sleep 0.1
	done
	return 1
}

# bridge_tap: print the bridge's port that is not the veth (bridge mode).
bridge_tap() {
	ip -o link show master "$br" 2>/dev/null |
		awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -vx "$vh" | head -1
}

if [ "$mode" = tap ]; then
	if tap_wait "$tapname"; then
		ok "qnet created tap $tapname; its ifup script enslaved it to $br"
	else
		fail "qnet created tap $tapname and ran its ifup script"
		ip -d link show "$tapname" 2>&1 | indent
		indent <"$work/qnet.err"
		exit 1
	fi
	[ "$(cat "$work/ifup.ran" 2>/dev/null)" = "$tapname" ] ||
		fail "ifup ran once with the tap's name (got '$(cat "$work/ifup.ran" 2>/dev/null)')"
elif [ "$mode" = bridge ]; then
	tapname=$(bridge_tap)
	if [ -n "$tapname" ] && tap_wait "$tapname"; then
		no6 "$tapname"
		ok "qnet created tap $tapname and enslaved it to $br (up)"
		[[ "$tapname" == qtap* ]] || fail "the bridge's tap is named qtapN (got $tapname)"
		m1=$(cat "/sys/class/net/$br/mtu")
		m2=$(cat "/sys/class/net/$tapname/mtu")
		[ "$m1" = "$m2" ] || fail "the tap has the bridge's MTU ($m2 vs $m1)"
	else
		fail "qnet created a tap on $br"
		ip -o link show master "$br" 2>&1 | indent
		indent <"$work/qnet.err"
		exit 1
	fi
fi
[ "$mode" != qemu ] && ip -d link show "$tapname" | head -3 | indent

# ---- the guest
log=$work/guest.log
"$tools/run-guest" --quiet --timeout 170 --log "$log" "${shared[@]}" \
	"${smp[@]}" --env "QUEUES=$QUEUES" \
	--append ipv6.disable=1 --script "$here/tap_guest.sh" \
	--env "GUEST_IP=$GUEST_IP" --env "SERVER_IP=$SERVER_IP" \
	--env "HTTP_URL=http://$SERVER_IP:$HTTP_PORT/big.bin" \
	--env "HTTP_SHA=$big_sha" --env "IPERF_PORT=$IPERF_PORT" \
	--env "IPERF_SECS=$IPERF_SECS" --env "KNOWN_SIZE=$KNOWN_SIZE" \
	"${files[@]}" -- "${qargs[@]}" 2>"$work/run-guest.err" &
guest_pid=$!
pids+=("$guest_pid")

# QG_PAUSE: once the upload is done (the download starts), pause and
# resume the guest three times; "$work/paused" says how many went through.
if [ -n "${QG_PAUSE:-}" ]; then
	(
		for _ in $(seq 1500); do
			grep -aq 'QNET-GUEST: iperf ok dir=up' "$log" 2>/dev/null && break
			sleep 0.1
		done
		sleep 0.5
		n=0
		for _ in 1 2 3; do
			"$QNETCTL" -s "$work/qemu.qmp" '{"execute":"stop"}' >/dev/null &&
			sleep 0.2 &&
			"$QNETCTL" -s "$work/qemu.qmp" '{"execute":"cont"}' >/dev/null &&
			n=$((n + 1))
			sleep 0.4
		done
		echo "$n" >"$work/paused"
	) &
	pids+=("$!")
fi

if [ "$mode" = qemu ]; then
	if tap_wait "$tapname"; then
		ok "QEMU created tap $tapname; its ifup script enslaved it to $br"
	else
		fail "QEMU created tap $tapname"
	fi
fi

t0=$SECONDS
guest_up=1
if ! qgh_wait_marker "$log" ready 160 "$guest_pid" >/dev/null; then
	guest_up=0
	fail "guest got ready (ip, ping, fetch, iperf3 both ways)"
	grep -av '^\[' "$log" | tail -30 | indent
	indent <"$work/run-guest.err"
	[ -n "$qnet_pid" ] && indent <"$work/qnet.err"
	[ -n "$qnet_pid" ] && "$QNETCTL" -s "$qmp" info netstats 2>&1 | indent
fi
info "guest ready after $((SECONDS - t0)) s"

# mark_ok EVENT NAME [ERE]: ok when the first EVENT marker is ok (and
# matches ERE); prints the marker.
mark_ok() {
	local line
	line=$(qgh_marker "$log" "$1")
	if [ "$(qgh_status "$line")" = ok ] && { [ -z "${3:-}" ] || grep -qE -- "$3" <<<"$line"; }; then
		ok "$2"
	else
		fail "$2"
	fi
	info "${line:-no $1 marker}"
}
mark_ok link "guest NIC up ($nicdev)" " mac=$GUEST_MAC "
mark_ok ip "guest address $GUEST_IP/24 (static)"
mark_ok reach "guest reaches $SERVER_IP through the tap and the bridge"
mark_ok ping "guest pings $SERVER_IP: 5 of 5 answered" " sent=5 received=5 "
mark_ok fetch "guest HTTP fetch of 8 MiB from $ns, sha256 matches" " bytes=$BIG_SIZE sha256=$big_sha "
grep -a 'tap-guest: iperf3' "$log" | sed 's/^.*tap-guest: /     | /'
up_bytes=0
down_bytes=0
for dir in up down; do
	line=$(grep -ao "QNET-GUEST: iperf [a-z]* dir=$dir .*" "$log" | head -1)
	what="iperf3 guest -> $ns"
	[ "$dir" = down ] && what="iperf3 $ns -> guest (-R)"
	kbps=$(qgh_field "$line" kbps)
	bytes=$(qgh_field "$line" bytes)
	if [ "$(qgh_status "$line")" = ok ] && [ "${bytes:-0}" -gt 0 ] &&
	   awk -v k="${kbps:-0}" 'BEGIN { exit !(k > 0) }'; then
		ok "$what completed: $(awk -v k="$kbps" 'BEGIN { printf "%.1f", k / 1000 }') Mbit/s, $bytes bytes in ${IPERF_SECS} s (informational)"
		[ "$dir" = up ] && up_bytes=$bytes || down_bytes=$bytes
	else
		fail "$what completed"
		info "${line:-no iperf marker for $dir}"
	fi
done

mark_ok udp "guest UDP flood to $ns (iperf3 -u -b 0, 3 s) completed"
if [ -n "${QG_PAUSE:-}" ]; then
	if [ "$(cat "$work/paused" 2>/dev/null)" = 3 ]; then
		ok "QEMU paused and resumed the guest 3 times during the download, which completed"
	else
		fail "QEMU paused and resumed the guest 3 times (got '$(cat "$work/paused" 2>/dev/null)')"
	fi
fi

info "$(qgh_marker "$log" nicstats || echo 'no nicstats marker')"
# The server side's TCP and the tap's kernel counters (informational).
info "$ns TCP: $(nsx awk '/^Tcp:/ { if (h) print "retrans=" $13, "in_errs=" $14, "in_csum_errors=" $16; h = 1 }' /proc/net/snmp)"

# The tap's offloads follow what the guest's NIC takes (QEMU's
# tap_set_offload, docs/tap.md "Offloads"): on for a virtio-net guest that
# negotiated GUEST_CSUM (bit 1) / GUEST_TSO4 (bit 7) on a tap with a vnet
# header; off for an e1000 behind a stream socket (no vnet header there: GSO
# frames could not pass) and for vnet_hdr=off.
offload_check() {
	local k csum tso feat want_csum=off want_tso=off
	k=$(ethtool -k "$tapname" 2>/dev/null)
	csum=$(sed -n 's/^tx-checksumming: \([a-z]*\).*/\1/p' <<<"$k")
	tso=$(sed -n 's/^tcp-segmentation-offload: \([a-z]*\).*/\1/p' <<<"$k")
	feat=$(qgh_field "$(qgh_marker "$log" nicstats)" virtio_features)
	if [ "$fe" = virtio ] && ip -d link show "$tapname" | grep 'vnet_hdr on' >/dev/null; then
		[ "${feat:1:1}" = 1 ] && want_csum=on
		[ "${feat:7:1}" = 1 ] && want_tso=on
	fi
	if [ "$csum" = "$want_csum" ] && [ "$tso" = "$want_tso" ]; then
		ok "tap offloads follow the guest NIC: tx-checksumming=$csum tcp-segmentation-offload=$tso"
	else
		fail "tap offloads follow the guest NIC: tx-checksumming=$csum (want $want_csum) tcp-segmentation-offload=$tso (want $want_tso)"
	fi
	[ "$fe" = virtio ] && info "guest virtio features: $feat"
}
if ! command -v ethtool >/dev/null; then
	echo "SKIP tap offload check: ethtool is missing"
elif [ "$mode" != qemu ] || [ "$fe" = virtio ]; then
	offload_check
fi
info "kernel $tapname: rx_dropped=$(cat "/sys/class/net/$tapname/statistics/rx_dropped" 2>/dev/null) rx_errors=$(cat "/sys/class/net/$tapname/statistics/rx_errors" 2>/dev/null) tx_dropped=$(cat "/sys/class/net/$tapname/statistics/tx_dropped" 2>/dev/null)"

# ---- from the namespace into the guest (while it serves)
known_sha=$(qgh_field "$(qgh_marker "$log" httpd)" sha256)
# http_get URL [SHA|--expect TEXT]: GET from inside the namespace; prints
# bytes, sha256 and seconds; fails on a mismatch.
http_get() {
	nsx python3 - "$@" <<'EOF'
import hashlib, sys, time, urllib.request
url = sys.argv[1]
err = None
for i in range(20):
    try:
        t0 = time.monotonic()
        with urllib.request.urlopen(url, timeout=20) as r:
            body = r.read()
        secs = time.monotonic() - t0
        break
    except Exception as e:
        err = e
        time.sleep(0.2)
else:
    print("GET %s: %s" % (url, err)); sys.exit(1)
sha = hashlib.sha256(body).hexdigest()
print("GET %s: %d bytes sha256 %s in %.2f s (%.1f Mbit/s)" % (
    url, len(body), sha, secs, len(body) * 8 / secs / 1e6 if secs else 0))
if len(sys.argv) > 2:
    if sys.argv[2] == "--expect":
        sys.exit(0 if body.decode().strip() == sys.argv[3] else 1)
    sys.exit(0 if sha == sys.argv[2] else 1)
EOF
}
if [ "$guest_up" = 1 ]; then
	pingcmd=(ping)
	command -v ping >/dev/null || pingcmd=("$QNET_GUEST_ROOT/bin/busybox" ping)
	out=$(nsx "${pingcmd[@]}" -c 3 -W 2 "$GUEST_IP" 2>&1)
	if grep -qE ' 3 (packets )?received' <<<"$out"; then
		ok "$ns pings the guest: 3 of 3 answered"
	else
		fail "$ns pings the guest: 3 of 3 answered"
	fi
	info "$(grep -E 'received|rtt|round-trip' <<<"$out" | tr '\n' ' ')"

	if [ -n "$known_sha" ] && out=$(http_get "http://$GUEST_IP:8080/known.bin" "$known_sha" 2>&1); then
		ok "$ns fetches 4 MiB from the guest's httpd, sha256 matches"
	else
		fail "$ns fetches 4 MiB from the guest's httpd, sha256 matches"
	fi
	info "$out"
fi

# Nothing was lost or reordered between the guest and the namespace: the
# server's TCP queued no segment out of order (a fresh namespace starts at
# 0). The namespace received the iperf3 upload and the 4 MiB from the guest.
# ns_tcpext NAME: a TcpExt counter of the namespace.
ns_tcpext() {
	nsx awk -v name="$1" '/^TcpExt:/ { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == name) c = i; h = 1 } else print (c ? $c : 0) }' /proc/net/netstat
}
# With QUEUES > 1 the count is reported, not checked: an unpinned sender
# that moves to another vCPU switches TX queue once its last segment left
# the guest, but that segment may still wait in the kernel's backlog of the
# CPU that wrote it to the tap while the next one, written by the other
# queue's thread, overtakes it (vhost-net has the same property).
ofo=$(ns_tcpext TCPOFOQueue)
if [ "$QUEUES" -gt 1 ]; then
	info "guest -> $ns: TCPOFOQueue $ofo (queues in parallel: not checked)"
elif [ "$ofo" = 0 ]; then
	ok "guest -> $ns: no TCP segment lost or reordered (TCPOFOQueue 0)"
else
	fail "guest -> $ns: no TCP segment lost or reordered (TCPOFOQueue $ofo)"
fi
info "$ns TcpExt:$(for c in TCPOFOQueue TCPSACKReorder TCPDSACKOldSent TCPDSACKOfoSent TCPFastRetrans TCPLostRetransmit TCPLossProbes TCPTimeouts; do
	printf ' %s=%s' "$c" "$(ns_tcpext "$c")"; done)"

# The bridge learned the guest's MAC on the tap's port.
out=$(bridge fdb show br "$br" 2>&1)
if grep -qi "^$GUEST_MAC dev $tapname " <<<"$out"; then
	ok "the bridge learned the guest's MAC on $tapname"
else
	fail "the bridge learned the guest's MAC on $tapname"
	grep -v permanent <<<"$out" | indent
fi

# ---- qnet's counters (monitor) against what went through
# dev_stats JSON NAME FIELD...: print the FIELDs of port NAME's "device"
# object (a vhost-user NIC's counters) in a query-netstats reply, -1 for
# each one missing.
dev_stats() {
	python3 -c '
import json, sys
for p in json.loads(sys.argv[1])["return"]["ports"]:
    if p["name"] == sys.argv[2]:
        d = p.get("device", {})
        print(*(d.get(f, -1) for f in sys.argv[3:]))' "$@"
}
# port_stats JSON NAME: print "rx_packets tx_packets rx_bytes tx_bytes
# send_drops write_drops" of port NAME in a query-netstats reply. Write-side
# drops are frames the peer handed over that never reached the device
# (io_error, bad_vnet_hdr); the others are frames the port could not hand to
# its peer (link_down, no_peer, queue_full, ...).
port_stats() {
	python3 -c '
import json, sys
try:
    ports = json.loads(sys.argv[1]).get("return", {}).get("ports", [])
except ValueError:
    sys.exit(1)
for p in ports:
    if p.get("name") == sys.argv[2]:
        d = p.get("drops", {})
        w = d.get("io_error", 0) + d.get("bad_vnet_hdr", 0)
        print(p.get("rx_packets", 0), p.get("tx_packets", 0), p.get("rx_bytes", 0),
              p.get("tx_bytes", 0), sum(d.values()) - w, w)
        sys.exit(0)
sys.exit(1)' "$1" "$2"
}
# kstat IFACE COUNTER: the kernel's counter of IFACE (0 if gone).
kstat() { cat "/sys/class/net/$1/statistics/$2" 2>/dev/null || echo 0; }

if [ "$mode" != qemu ]; then
	out=$("$QNETCTL" -s "$qmp" info netstats 2>&1)
	echo "     info netstats:"
	indent <<<"$out"
	js=$("$QNETCTL" -s "$qmp" '{"execute":"query-netstats"}' 2>&1)
	if read -r n_rx n_tx n_rxb n_txb n_sd n_wd < <(port_stats "$js" "$nicname") &&
	   read -r t_rx t_tx t_rxb t_txb t_sd t_wd < <(port_stats "$js" t0); then
		# The guest sent at least the iperf3 upload and the 4 MiB file, and
		# received at least the 8 MiB fetch and the iperf3 download.
		want_tx=$((up_bytes + KNOWN_SIZE))
		want_rx=$((down_bytes + BIG_SIZE))
		if [ "$n_txb" -ge "$want_tx" ] && [ "$n_rxb" -ge "$want_rx" ] &&
		   [ "$n_tx" -gt 1000 ] && [ "$n_rx" -gt 1000 ]; then
			ok "info netstats: $nicname carried the traffic (tx $n_tx frames/$n_txb B >= $want_tx B, rx $n_rx frames/$n_rxb B >= $want_rx B)"
		else
			fail "info netstats: $nicname carried the traffic (tx $n_txb B, want >= $want_tx; rx $n_rxb B, want >= $want_rx)"
		fi
		if [ "$t_rxb" -ge "$want_tx" ] && [ "$t_txb" -ge "$want_rx" ]; then
			ok "info netstats: t0 carried it too (rx $t_rx frames/$t_rxb B, tx $t_tx frames/$t_txb B)"
		else
			fail "info netstats: t0 carried it too (rx $t_rxb B, want >= $want_tx; tx $t_txb B, want >= $want_rx)"
		fi
		info "drops (not handed on / not written): $nicname $n_sd/$n_wd, t0 $t_sd/$t_wd"
		# virtio-net on the tap directly: guest TX chains are lent to
		# the tap, not copied by the device, in one piece or scattered
		# (devices/virtio_net_zc.c).
		if [ "$fe" = virtio ] && [ "$mode" = tap ] &&
		   [[ "${QG_TAP_OPTS:-}" != *vnet_hdr=off* ]]; then
			read -r zc_n zc_u zc_s < <(dev_stats "$js" "$nicname" \
				tx_lent tx_unshared tx_lent_scattered)
			if [ "${zc_n:--1}" -ge 1000 ] && [ "$zc_n" -le "$n_tx" ]; then
				ok "guest TX chains lent to the tap, not copied by the device: $zc_n of $n_tx frames ($zc_u copied after all)"
			else
				fail "guest TX chains lent to the tap (tx_lent ${zc_n:-missing}, want 1000..$n_tx)"
			fi
			# the upload's TCP data: GSO frames in pieces
			if [ "${zc_s:--1}" -ge 100 ]; then
				ok "the guest's scattered chains (GSO frames in pieces) lent too: $zc_s"
			else
				fail "the guest's scattered chains lent (tx_lent_scattered ${zc_s:-missing}, want >= 100)"
			fi
			# RX: the kernel reads the tap straight into the
			# guest's buffers (devices/virtio_net_rxd.c), except
			# on the epoll fallback; VN_RX_AUTO does it for the
			# downloads' GSO frames and copies small frames: a
			# guest without TSO gets only those
			if [ "${QNET_URING:-}" != epoll ]; then
				read -r rd_n rd_l rd_r rd_s < <(dev_stats "$js" "$nicname" \
					rx_direct rx_direct_lost rx_direct_returned rx_direct_small)
				if [[ "${QG_QEMU_NIC_OPTS:-}" == *guest_tso4=off* ]]; then
					if [ "${rd_s:-0}" -ge 1 ] && [ "${rd_n:--1}" -le "$n_rx" ]; then
						ok "a guest without TSO gets MTU-sized frames: qnet copies them (turned to copying $rd_s time(s); $rd_n of $n_rx read directly before)"
					else
						fail "MTU-sized frames copied (rx_direct_small ${rd_s:-missing}, rx_direct ${rd_n:-missing})"
					fi
				elif [ "${rd_n:--1}" -ge 100 ] && [ "$rd_n" -le "$n_rx" ]; then
					ok "frames read from the tap straight into the guest's RX buffers: $rd_n of $n_rx (at ring stops: $rd_l lost, $rd_r buffers given back empty; turned to copying for small frames $rd_s time(s))"
				else
					fail "frames read straight into the guest's RX buffers (rx_direct ${rd_n:-missing}, want 100..$n_rx)"
				fi
			fi
		fi
		# run-guest gives QEMU maxcpus=2, so TCG keeps the guest's
		# barriers: no kick may go missing, even under the UDP flood
		# (the watchdog would count it: devices/virtio_net_mq.c)
		if [ "$fe" = virtio ]; then
			km=$(dev_stats "$js" "$nicname" tx_kick_missed)
			if [ "${km:--1}" = 0 ]; then
				ok "no TX kick went missing (tx_kick_missed 0)"
			else
				fail "no TX kick went missing (tx_kick_missed ${km:-missing})"
			fi
		fi
	else
		fail "query-netstats lists ports $nicname and t0"
		indent <<<"$js"
	fi
fi

# ---- multiqueue: a thread per queue, and every queue used both ways
# queue_stats JSON NAME: "rx tx" frames of each queue of port NAME, a line each.
queue_stats() {
	python3 -c '
import json, sys
for p in json.loads(sys.argv[1]).get("return", {}).get("ports", []):
    if p.get("name") == sys.argv[2]:
        for q in p.get("queues", []):
            print(q["rx_packets"], q["tx_packets"])' "$1" "$2" 2>/dev/null
}
if [ "$QUEUES" -gt 1 ]; then
	threads=$(cat /proc/"$qnet_pid"/task/*/comm 2>/dev/null | sort | tr '\n' ' ')
	for ((i = 0; i < QUEUES; i++)); do
		if grep -qw "qnet-dp-q$i" <<<"$threads"; then
			ok "queue $i runs on its own thread qnet-dp-q$i"
		else
			fail "queue $i runs on its own thread qnet-dp-q$i (threads: $threads)"
		fi
	done
	js=$("$QNETCTL" -s "$qmp" '{"execute":"query-netstats"}' 2>&1)
	i=0
	while read -r qrx qtx; do
		# rx: frames the guest sent on pair i (its pinned upload, >= 1000
		# segments); tx: the server's ACKs, steered back to queue i by the
		# tap's flow table
		if [ "$qrx" -ge 1000 ] && [ "$qtx" -ge 100 ]; then
			ok "t0 queue $i carried frames both ways (rx $qrx, tx $qtx)"
		else
			fail "t0 queue $i carried frames both ways (rx $qrx >= 1000, tx $qtx >= 100)"
		fi
		i=$((i + 1))
	done < <(queue_stats "$js" t0)
	[ "$i" = "$QUEUES" ] || fail "query-netstats lists $QUEUES queues of t0 (got $i)"
	mq=$(qgh_marker "$log" mq)
	case "$mq" in
	*" ok "*|*" ok") ok "guest: $mq" ;;
	*)	fail "guest sent from every vCPU: '$mq'"
		"$QNETCTL" -s "$qmp" info network 2>&1 | indent ;;
	esac
fi

# ---- let the guest finish
if [ "$guest_up" = 1 ]; then
	out=$(http_get "http://$GUEST_IP:8080/cgi-bin/done" --expect "done" 2>&1) ||
		{ fail "told the guest to finish"; info "$out"; kill "$guest_pid" 2>/dev/null; }
else
	kill "$guest_pid" 2>/dev/null
fi
wait "$guest_pid"
st=$?
unbg "$guest_pid"
sed -n 's/^RUN-GUEST: /     /p' "$work/run-guest.err"
if [ "$st" = 0 ]; then ok "guest script finished, status 0"; else
	fail "guest script finished, status $st"
	grep -a 'QNET-GUEST: .* fail' "$log" | indent
	grep -av '^\[' "$log" | tail -15 | indent
	indent <"$work/run-guest.err"
fi

# ---- quiet now: qnet's frame counts against each other and the kernel's
# tap counters (the kernel counts a tap's rx when qnet's write is taken and
# its tx when qnet reads the frame). Re-read a few times in case a late frame
# was in flight.
# counts_agree: read both and print "ok"/"bad" lines for the identities.
counts_agree() {
	local js k_rx k_tx k_txd
	js=$("$QNETCTL" -s "$qmp" '{"execute":"query-netstats"}' 2>&1)
	k_rx=$(kstat "$tapname" rx_packets)
	k_tx=$(kstat "$tapname" tx_packets)
	k_txd=$(kstat "$tapname" tx_dropped)
	if ! read -r n_rx n_tx _ _ n_sd n_wd < <(port_stats "$js" "$nicname") ||
	   ! read -r t_rx t_tx _ _ t_sd t_wd < <(port_stats "$js" t0); then
		echo "bad query-netstats: $js"
		return 1
	fi
	echo "info $nicname rx=$n_rx tx=$n_tx drops=$n_sd/$n_wd; t0 rx=$t_rx tx=$t_tx drops=$t_sd/$t_wd; kernel $tapname rx=$k_rx tx=$k_tx tx_dropped=$k_txd"
	local bad=0
	if [ "$n_tx" -eq "$t_rx" ] && [ "$t_rx" -eq $((k_rx + t_wd)) ]; then
		echo "ok guest -> tap: $nicname tx = t0 rx = kernel rx + t0 write drops ($n_tx)"
	else
		echo "bad guest -> tap: $nicname tx ($n_tx) = t0 rx ($t_rx) = kernel rx ($k_rx) + t0 write drops ($t_wd)"
		bad=1
	fi
	if [ "$t_tx" -eq "$n_rx" ] && [ "$k_tx" -eq $((t_tx + t_sd)) ]; then
		echo "ok tap -> guest: kernel tx = t0 tx + t0 drops ($k_tx = $t_tx + $t_sd), t0 tx = $nicname rx"
	else
		echo "bad tap -> guest: kernel tx ($k_tx) = t0 tx ($t_tx) + t0 drops ($t_sd), t0 tx = $nicname rx ($n_rx)"
		bad=1
	fi
	return "$bad"
}
if [ "$mode" != qemu ]; then
	for _ in 1 2 3 4; do
		sleep 0.3
		out=$(counts_agree) && break
	done
	while read -r w rest; do
		case "$w" in
		ok) ok "$rest" ;;
		bad) fail "$rest" ;;
		*) info "after the guest left: $rest" ;;
		esac
	done <<<"$out"
fi

# ---- shut down: qnet quits, the tap goes, the bridge keeps only the veth
if [ "$mode" != qemu ]; then
	"$QNETCTL" -s "$qmp" '{"execute":"quit"}' >/dev/null 2>&1
	for sig in TERM KILL; do
		for _ in $(seq 80); do kill -0 "$qnet_pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$qnet_pid" 2>/dev/null || break
		fail "qnet still runs 8 s after QMP quit: SIG$sig"
		kill "-$sig" "$qnet_pid"
	done
	wait "$qnet_pid"
	rc=$?
	unbg "$qnet_pid"
	if [ "$rc" = 0 ]; then ok "QMP quit: qnet exited 0"; else fail "QMP quit: qnet exited 0 (got $rc)"; fi
	if [ "${QNET_URING:-}" = epoll ]; then
		if grep -q "the data path runs on epoll" "$work/qnet.err"; then
			ok "qnet ran on the epoll fallback (QNET_URING=epoll) and said so"
		else
			fail "qnet ran on the epoll fallback (QNET_URING=epoll) and said so"
		fi
	fi
	if [ -s "$work/qnet.err" ]; then
		echo "     qnet stderr:"
		head -20 "$work/qnet.err" | indent
	fi
	if grep -qE 'Sanitizer|runtime error:|Segmentation fault|Assertion .* failed' "$work/qnet.err"; then
		fail "no crash report in qnet's stderr"
	fi
	[ -e "$work/vm.sock" ] && fail "qnet removed its socket $work/vm.sock"
fi
for _ in $(seq 30); do ip link show "$tapname" >/dev/null 2>&1 || break; sleep 0.1; done
if ip link show "$tapname" >/dev/null 2>&1; then
	fail "tap $tapname removed at exit"
else
	ok "tap $tapname removed at exit"
fi
if [ "$mode" != bridge ]; then
	if grep -qE "^$tapname [0-9]+$" "$work/ifdown.ran" 2>/dev/null; then
		ok "downscript ran with $tapname (while it existed: ifindex $(awk '{ print $2 }' "$work/ifdown.ran"))"
	else
		fail "downscript ran with $tapname (got '$(cat "$work/ifdown.ran" 2>/dev/null)')"
	fi
fi
left=$(ip -o link show master "$br" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -vx "$vh")
[ -z "$left" ] || fail "the bridge keeps only the veth (also: $left)"

echo "     ($((SECONDS - t_start)) s)"
if [ "$failed" = 0 ]; then
	echo "PASS: guest-tap $mode $fe ($((SECONDS - t_start)) s)"
	exit 0
fi
echo "FAILED: $failed check(s), $mode, $fe"
exit 1
