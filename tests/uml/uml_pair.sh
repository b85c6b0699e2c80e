#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uml_pair.sh: guest-vhost-user-uml-tcp: two User-Mode Linux guests on two
# qnet virtio-net devices joined back to back (vu-responder pair). Guest B
# sends 4 MiB of random data over TCP to guest A; A checks the sha256.
# Linux's virtio_net uses checksum offload and TSO: once with the offload
# metadata passed from device to device (GSO frames reach A whole), once
# with qnet completing checksums and segmenting in software ("sw").
# Usage: uml_pair.sh PATH/TO/vu-responder
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$(cd "$here/../../tools/guest" && pwd)
. "$here/uml-lib.sh"
resp=${1:?usage: uml_pair.sh VU-RESPONDER}
uml_check

work=$(mktemp -d "${TMPDIR:-/tmp}/qnet-umlpair.XXXXXX")
rpid=
apid=
bpid=
cleanup() {
	[ -n "$apid" ] && kill -9 "$apid" 2>/dev/null
	[ -n "$bpid" ] && kill -9 "$bpid" 2>/dev/null
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

cat >"$work/t.sh" <<'EOS'
if [ "$ROLE" = a ]; then
	ip addr add 10.0.2.15/24 dev eth0
	ip link set eth0 up
	qg_mark listen ok
	nc -l -p 5000 >/tmp/r || { qg_mark recv fail; exit 2; }
	qg_mark recv ok bytes=$(wc -c </tmp/r) sha256=$(sha256sum </tmp/r | cut -d' ' -f1)
	exit 0
fi
ip addr add 10.0.2.16/24 dev eth0
ip link set eth0 up
dd if=/dev/urandom of=/tmp/f bs=65536 count=64 2>/dev/null
i=0
until nc 10.0.2.15 5000 </tmp/f; do
	i=$((i + 1))
	[ "$i" -lt 40 ] || { qg_mark send fail; exit 2; }
	usleep 250000
done
qg_mark send ok bytes=$(wc -c </tmp/f) sha256=$(sha256sum </tmp/f | cut -d' ' -f1)
exit 0
EOS
uml_initrd "$tools" "$work" "$work/t.sh"

failed=0
for mode in vnet sw; do
	rm -f "$work"/*.sock
	"$resp" pair "$work/a.sock" "$work/b.sock" $([ $mode = sw ] && echo sw) \
		>"$work/resp.log" 2>&1 &
	rpid=$!
	for _ in $(seq 50); do
		grep -q ready "$work/resp.log" && break
		sleep 0.1
	done
	apid=$(uml_boot "$work" qnetA "$work/a.sock" "$work/a.log" ROLE=a)
	bpid=$(uml_boot "$work" qnetB "$work/b.sock" "$work/b.log" ROLE=b)
	sta=$(uml_wait "$apid" "$work/a.log" 90)
	apid=
	stb=$(uml_wait "$bpid" "$work/b.log" 30)
	bpid=
	kill "$rpid"
	wait "$rpid"
	rpid=
	echo "== $mode"
	grep -h 'QNET-GUEST: \(link\|recv\|send\|done\)' "$work/a.log" "$work/b.log"
	cat "$work/resp.log"
	recv=$(grep -h 'QNET-GUEST: recv ok' "$work/a.log")
	send=$(grep -h 'QNET-GUEST: send ok' "$work/b.log")
	rs=$(echo "$recv" | sed -n 's/.*sha256=\([0-9a-f]*\).*/\1/p')
	ss=$(echo "$send" | sed -n 's/.*sha256=\([0-9a-f]*\).*/\1/p')
	if [ "$sta" != 0 ] || [ "$stb" != 0 ] || [ -z "$rs" ] || [ "$rs" != "$ss" ] ||
	   ! echo "$recv" | grep -q 'bytes=4194304'; then
		echo "FAIL: $mode: A status $sta, B status $stb, sha256 '$rs' vs '$ss'"
		tail -15 "$work/a.log" "$work/b.log"
		failed=1
	fi
	if [ $mode = sw ] && ! grep -q 'B: .*tx_sw_segs=[1-9]' "$work/resp.log" &&
	   ! grep -q 'A: .*tx_sw_segs=[1-9]' "$work/resp.log"; then
		echo "FAIL: sw: no software segmentation happened (TSO not used?)"
		failed=1
	fi
done
[ "$failed" = 0 ] && echo "PASS"
exit "$failed"
