#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest_vhost.sh: guest-vhost-user-qemu: boot the test guest under QEMU with
# virtio-net-pci on vhost-user served by qnet's virtio-net device
# (vu-responder: its peer answers ARP and ping as 10.0.2.2); the guest
# pings with small and 1400-byte payloads. Then the same VM is started a
# second time against the same, still running device (reconnection), with
# packed virtqueues (virtio-net-pci packed=on).
# Usage: guest_vhost.sh PATH/TO/vu-responder
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$(cd "$here/../../tools/guest" && pwd)
. "$tools/host-lib.sh"
resp=${1:?usage: guest_vhost.sh VU-RESPONDER}

skip() { echo "SKIP: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/qnet-vhost-guest.XXXXXX")
rpid=
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

if ! "$tools/build-guest" >/dev/null 2>"$work/build.err"; then
	cat "$work/build.err"
	grep -qE 'apt-get (download|update)|cannot find the package|needs root' \
		"$work/build.err" && skip "cannot fetch the guest's Debian packages"
	echo "FAIL: build-guest failed"
	exit 1
fi

"$resp" "$work/vu.sock" >"$work/resp.log" 2>&1 &
rpid=$!
for _ in $(seq 50); do
	grep -q ready "$work/resp.log" && break
	sleep 0.1
done
grep -q ready "$work/resp.log" || { cat "$work/resp.log"; echo "FAIL: no responder"; exit 1; }

cat >"$work/t.sh" <<'EOS'
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
qg_carrier eth0 5
qg_ping 10.0.2.2 3 || exit 2
out=$(ping -c 3 -s 1400 -W 5 10.0.2.2 2>&1)
echo "$out" | grep -q ' 0% packet loss' && qg_mark bigping ok || { qg_mark bigping fail; exit 3; }
exit 0
EOS

failed=0
for run in 1 2; do
	log="$work/guest$run.log"
	packed=$([ $run = 2 ] && echo ,packed=on)
	"$tools/run-guest" --quiet --timeout 180 --log "$log" --shared-mem \
		--script "$work/t.sh" --append ipv6.disable=1 -- \
		-chardev socket,id=c0,path="$work/vu.sock" \
		-netdev vhost-user,id=n0,chardev=c0 \
		-device virtio-net-pci,netdev=n0,vectors=0,romfile=$packed
	st=$?
	echo "run $run: guest status $st"
	grep 'QNET-GUEST: \(link\|ping\|bigping\|done\)' "$log"
	if [ "$st" != 0 ]; then
		echo "FAIL: run $run: guest status $st"
		tail -20 "$log"
		failed=1
	fi
done

kill "$rpid"
wait "$rpid"
rpid=
cat "$work/resp.log"
icmp=$(sed -n 's/.* icmp=\([0-9]*\) .*/\1/p' "$work/resp.log")
conn=$(sed -n 's/.* connects=\([0-9]*\) .*/\1/p' "$work/resp.log")
[ "${icmp:-0}" -ge 12 ] || { echo "FAIL: responder answered ${icmp:-0} pings, expected >= 12"; failed=1; }
[ "${conn:-0}" -ge 2 ] || { echo "FAIL: ${conn:-0} connections, expected 2"; failed=1; }
[ "$failed" = 0 ] && echo "PASS"
exit "$failed"
