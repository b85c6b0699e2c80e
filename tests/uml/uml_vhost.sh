#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uml_vhost.sh: guest-vhost-user-uml: a second, non-QEMU vhost-user
# front-end. User-Mode Linux's virtio_uml driver attaches Linux's own
# virtio_net to qnet's virtio-net device (vu-responder, serving the config
# space and the control queue); the guest pings the responder's 10.0.2.2.
# UML negotiates directly with qnet (no VMM), maps memory through a large
# mmap_offset and uses pipes for calls (docs/vhost-user.md).
# Usage: uml_vhost.sh PATH/TO/vu-responder
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$(cd "$here/../../tools/guest" && pwd)
. "$here/uml-lib.sh"
resp=${1:?usage: uml_vhost.sh VU-RESPONDER}
uml_check

work=$(mktemp -d "${TMPDIR:-/tmp}/qnet-uml.XXXXXX")
rpid=
upid=
cleanup() {
	[ -n "$upid" ] && kill -9 "$upid" 2>/dev/null
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

cat >"$work/t.sh" <<'EOS'
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
qg_ping 10.0.2.2 3 || exit 2
out=$(ping -c 3 -s 1400 -W 5 10.0.2.2 2>&1)
echo "$out" | grep -q ' 0% packet loss' && qg_mark bigping ok || { qg_mark bigping fail; exit 3; }
exit 0
EOS
uml_initrd "$tools" "$work" "$work/t.sh"

"$resp" "$work/vu.sock" uml >"$work/resp.log" 2>&1 &
rpid=$!
for _ in $(seq 50); do
	grep -q ready "$work/resp.log" && break
	sleep 0.1
done
grep -q ready "$work/resp.log" || { cat "$work/resp.log"; echo "FAIL: no responder"; exit 1; }

upid=$(uml_boot "$work" qnetvu "$work/vu.sock" "$work/uml.log")
st=$(uml_wait "$upid" "$work/uml.log" 60)
upid=
kill "$rpid"
wait "$rpid"
rpid=
grep 'QNET-GUEST:' "$work/uml.log"
cat "$work/resp.log"
failed=0
if [ "$st" != 0 ]; then
	echo "FAIL: UML guest status $st"
	tail -30 "$work/uml.log"
	failed=1
fi
icmp=$(sed -n 's/.* icmp=\([0-9]*\) .*/\1/p' "$work/resp.log")
[ "${icmp:-0}" -ge 6 ] || { echo "FAIL: responder answered ${icmp:-0} pings, expected >= 6"; failed=1; }
[ "$failed" = 0 ] && echo "PASS"
exit "$failed"
