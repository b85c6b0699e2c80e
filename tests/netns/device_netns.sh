#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# device_netns.sh: netns-device: `qnet -netdev user -device netns,...` serves
# a network namespace the test creates, through the real qnet binary:
# the tap inside (name, address, route, MTU, MAC), an HTTP download from a
# server on the host's 127.0.0.1 reached from the namespace as 10.0.2.2
# (sha256), a TCP forward into the namespace, set_link off/on as the tap's
# carrier, the tap removed when qnet stops, and `qnet run` with a netns NIC
# (nothing of it on the VMM's command line, which gets -nic none).
# Environment: QNET, QNETCTL (meson sets them). Root only; exits 77 without
# root, ip, python3, /dev/net/tun, or io_uring multishot read.
set -uo pipefail

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, taps)"
for t in ip python3 sha256sum; do
	command -v "$t" >/dev/null || skip "$t is missing"
done
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"
[ -x "${QNET:-}" ] || skip "QNET is not set to the qnet binary"
[ -x "${QNETCTL:-}" ] || skip "QNETCTL is not set to the qnetctl binary"

ns=qnd-$$
failed=0
pids=()
work=$(mktemp -d "${TMPDIR:-/tmp}/qnd.XXXXXX") || exit 1
cleanup() {
	local p
	trap - EXIT TERM INT
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
info() { echo "     $*"; }
nsx() { ip netns exec "$ns" "$@"; }

# wait_for FILE REGEX SECONDS [PID]
wait_for() {
	local n=$(($3 * 10))
	while [ "$n" -gt 0 ]; do
		grep -qaE "$2" "$1" 2>/dev/null && return 0
		[ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null && break
		n=$((n - 1))
		sleep 0.1
	done
	grep -qaE "$2" "$1" 2>/dev/null
}

# fetch URL SHA: download with python (retrying the first connection),
# compare the sha256; prints bytes and hash.
cat >"$work/fetch.py" <<'EOF'
import hashlib, sys, time, urllib.request
url, want = sys.argv[1], sys.argv[2]
for i in range(30):
    try:
        data = urllib.request.urlopen(url, timeout=30).read()
        break
    except OSError as e:
        err = e
        time.sleep(0.2)
else:
    print("fetch failed:", err)
    sys.exit(1)
got = hashlib.sha256(data).hexdigest()
print(f"{len(data)} bytes sha256={got}")
sys.exit(0 if got == want else 1)
EOF
fetch() { python3 "$work/fetch.py" "$@"; }

ip netns add "$ns" || skip "cannot create a network namespace"

# The host's HTTP server, in the root namespace on 127.0.0.1.
mkdir -p "$work/www" "$work/nswww"
head -c $((8 * 1024 * 1024)) /dev/urandom >"$work/www/big.bin"
sha=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)
python3 -u -m http.server --bind 127.0.0.1 --directory "$work/www" 0 \
	</dev/null >"$work/http.log" 2>&1 &
pids+=($!)
wait_for "$work/http.log" ' port [0-9]+ ' 10 "$!" || { cat "$work/http.log"; exit 1; }
hport=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$work/http.log" | head -1)
fport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# start_qnet NAME ARGS...: qnet in the background; waits for its netns line.
start_qnet() {
	local name=$1
	shift
	"$QNET" "$@" </dev/null >"$work/$name.log" 2>"$work/$name.err" &
	qpid=$!
	pids+=("$qpid")
	if ! wait_for "$work/$name.log" '^qnet: [^ ]+: netns=' 15 "$qpid"; then
		sed 's/^/     | /' "$work/$name.log" "$work/$name.err"
		grep -qi 'multishot' "$work/$name.err" &&
			skip "io_uring has no multishot read here"
		fail "$name: qnet serves the namespace"
		return 1
	fi
	info "$(grep -a '^qnet: ' "$work/$name.log" | head -1)"
	return 0
}

stop_qnet() {
	local rc
	kill -TERM "$qpid"
	wait "$qpid"
	rc=$?
	[ "$rc" = 0 ] && ok "$1: qnet exits 0 on SIGTERM" || fail "$1: qnet exits 0 on SIGTERM (got $rc)"
}

# ---- 1: by name, configure=on, defaults from the user network
qmp=$work/qmp.sock
if start_qnet qnet1 -nodefaults \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$fport-10.0.2.100:8080" \
	-device "netns,id=ns0,netdev=n0,netns=$ns,configure=on" \
	-qmp "unix:$qmp,server=on,wait=off"; then
	line=$(grep -a '^qnet: ns0: ' "$work/qnet1.log")
	[[ "$line" == "qnet: ns0: netns=$ns ifname=tap0 mac=52:54:00:12:34:56 address=10.0.2.100/24 gateway=10.0.2.2" ]] &&
		ok "qnet names the namespace, tap, MAC, address and gateway" ||
		fail "qnet names the namespace, tap, MAC, address and gateway"
	link=$(nsx ip -o link show tap0 2>&1)
	info "$link"
	[[ "$link" == *"<"*"UP"*"LOWER_UP"*">"*" mtu 1500 "* && "$link" == *"link/ether 52:54:00:12:34:56 "* ]] &&
		ok "tap0 is up in the namespace, MTU 1500, the NIC's MAC" ||
		fail "tap0 is up in the namespace, MTU 1500, the NIC's MAC"
	nsx ip -o -4 addr show tap0 | grep -q ' 10\.0\.2\.100/24 ' &&
		ok "tap0 has 10.0.2.100/24 (the user network's .100)" ||
		fail "tap0 has 10.0.2.100/24 (the user network's .100)"
	nsx ip route show default | grep -q '^default via 10\.0\.2\.2 dev tap0' &&
		ok "default route via 10.0.2.2" || fail "default route via 10.0.2.2"
	if out=$(nsx python3 "$work/fetch.py" "http://10.0.2.2:$hport/big.bin" "$sha" 2>&1); then
		ok "8 MiB HTTP download from the host's 127.0.0.1 via 10.0.2.2, sha256 matches"
	else
		fail "8 MiB HTTP download from the host's 127.0.0.1 via 10.0.2.2, sha256 matches"
	fi
	info "$out"
	# a server inside the namespace, reached from the host through hostfwd
	head -c $((1024 * 1024 + 17)) /dev/urandom >"$work/nswww/small.bin"
	nsha=$(sha256sum "$work/nswww/small.bin" | cut -d' ' -f1)
	nsx python3 -m http.server --bind 10.0.2.100 --directory "$work/nswww" 8080 \
		</dev/null >"$work/nshttp.log" 2>&1 &
	nspid=$!
	pids+=("$nspid")
	if out=$(fetch "http://127.0.0.1:$fport/small.bin" "$nsha" 2>&1); then
		ok "TCP forward into the namespace: 1 MiB from its server, sha256 matches"
	else
		fail "TCP forward into the namespace: 1 MiB from its server, sha256 matches"
	fi
	info "$out"
	kill "$nspid" 2>/dev/null
	"$QNETCTL" -s "$qmp" set_link ns0 off >/dev/null
	sleep 0.3
	nsx ip -o link show tap0 | grep -q 'NO-CARRIER' &&
		ok "set_link ns0 off: tap0 loses its carrier" ||
		fail "set_link ns0 off: tap0 loses its carrier"
	"$QNETCTL" -s "$qmp" set_link ns0 on >/dev/null
	sleep 0.3
	nsx ip -o link show tap0 | grep -q 'LOWER_UP' &&
		ok "set_link ns0 on: tap0 has its carrier again" ||
		fail "set_link ns0 on: tap0 has its carrier again"
	stats=$("$QNETCTL" -s "$qmp" info netstats 2>&1)
	grep -qE '^ns0 \(nic, peer n0, link up\): rx_packets=[1-9]' <<<"$stats" &&
		ok "info netstats: ns0 peered with n0, frames counted" ||
		{ fail "info netstats: ns0 peered with n0, frames counted"; info "$stats"; }
	stop_qnet qnet1
	nsx ip link show tap0 >/dev/null 2>&1 && fail "tap0 is gone after qnet stopped" ||
		ok "tap0 is gone after qnet stopped"
fi

# ---- 2: by path, own ifname, MTU, MAC, address
if start_qnet qnet2 -nodefaults -netdev user,id=n0 \
	-device "netns,netdev=n0,netns=/run/netns/$ns,ifname=qn0,mtu=1400,mac=52:54:00:ab:cd:ef,configure=on,address=10.0.2.77/24,gateway=10.0.2.2"; then
	link=$(nsx ip -o link show qn0 2>&1)
	info "$link"
	[[ "$link" == *" mtu 1400 "* && "$link" == *"link/ether 52:54:00:ab:cd:ef "* ]] &&
		ok "netns=PATH, ifname=qn0, mtu=1400, mac=52:54:00:ab:cd:ef" ||
		fail "netns=PATH, ifname=qn0, mtu=1400, mac=52:54:00:ab:cd:ef"
	nsx ip -o -4 addr show qn0 | grep -q ' 10\.0\.2\.77/24 ' &&
		ok "address=10.0.2.77/24" || fail "address=10.0.2.77/24"
	if out=$(nsx python3 "$work/fetch.py" "http://10.0.2.2:$hport/big.bin" "$sha" 2>&1); then
		ok "download at MTU 1400, sha256 matches"
	else
		fail "download at MTU 1400, sha256 matches"
	fi
	info "$out"
	stop_qnet qnet2
fi

# ---- 3: errors name the option
out=$("$QNET" -nodefaults -netdev user,id=n0 -device netns,netdev=n0 2>&1)
[[ "$out" == *"-device netns,netdev=n0: Parameter 'netns' is missing"* ]] &&
	ok "netns= is required" || { fail "netns= is required"; info "$out"; }
out=$("$QNET" -nodefaults -netdev user,id=n0 -device "netns,netdev=n0,netns=qnd-none-$$" 2>&1)
[[ "$out" == *"cannot serve namespace 'qnd-none-$$': "* ]] &&
	ok "a missing namespace is an error naming it" ||
	{ fail "a missing namespace is an error naming it"; info "$out"; }
out=$("$QNET" -nodefaults -netdev user,id=n0 -device "netns,netdev=n0,netns=$ns,address=10.0.2.300/24" 2>&1)
[[ "$out" == *"Property 'netns.address' doesn't take value '10.0.2.300/24'"* ]] &&
	ok "a bad address is refused" || { fail "a bad address is refused"; info "$out"; }
out=$("$QNET" -nic user,model=netns 2>&1)
[[ "$out" == *"Unsupported NIC model: netns"* ]] &&
	ok "-nic model=netns is refused (-device only)" ||
	{ fail "-nic model=netns is refused (-device only)"; info "$out"; }

# ---- 4: qnet run: the netns NIC is qnet's, the VMM gets -nic none
cat >"$work/vmm" <<EOF
#!/bin/bash
printf '%s\n' "\$@" >"$work/vmm.args"
ip netns exec "$ns" python3 "$work/fetch.py" "http://10.0.2.2:$hport/big.bin" "$sha" >"$work/vmm.out" 2>&1
EOF
chmod 755 "$work/vmm"
"$QNET" run -- "$work/vmm" -M pc -netdev user,id=n0 \
	-device "netns,netdev=n0,netns=$ns,configure=on" >"$work/run.log" 2>&1
rc=$?
info "VMM args: $(tr '\n' ' ' <"$work/vmm.args" 2>/dev/null)"
[ "$rc" = 0 ] && ok "qnet run: the VMM's fetch through the namespace worked (status 0)" ||
	{ fail "qnet run: the VMM's fetch through the namespace worked (status $rc)"; sed 's/^/     | /' "$work/run.log" "$work/vmm.out"; }
[ "$(tr '\n' ' ' <"$work/vmm.args" 2>/dev/null)" = "-M pc -nic none " ] &&
	ok "qnet run: the VMM gets its own arguments and -nic none" ||
	fail "qnet run: the VMM gets its own arguments and -nic none"
nsx ip link show tap0 >/dev/null 2>&1 && fail "qnet run: tap0 removed at the end" ||
	ok "qnet run: tap0 removed at the end"

if [ "$failed" -gt 0 ]; then
	echo "netns-device: $failed check(s) failed"
	exit 1
fi
echo "netns-device: all checks passed"
exit 0
