#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# smoke.sh: guest-smoke-qemu-user: boot the test guest with e1000, rtl8139 and
# virtio-net-pci on QEMU's user networking; check the DHCP lease, a download
# from a host HTTP server and TCP/UDP connections from the host into the guest.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$(cd "$here/../../tools/guest" && pwd)
. "$tools/host-lib.sh"
models=${QNET_SMOKE_MODELS:-e1000 rtl8139 virtio-net-pci}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; failed=1; }

command -v python3 >/dev/null || skip "python3 is missing"
command -v qemu-system-x86_64 >/dev/null ||
	[ "$(id -u)" = 0 ] || skip "qemu-system-x86_64 is missing (qemu-system-x86)"

work=$(mktemp -d "${TMPDIR:-/tmp}/qnet-smoke.XXXXXX")
pids=()	# live children: the HTTP server and the current run-guest
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
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

# Host HTTP server on 127.0.0.1 (the guest reaches it as 10.0.2.2).
mkdir "$work/www"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$work/www/big.bin"
sha=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)
python3 -u -m http.server --bind 127.0.0.1 --directory "$work/www" 0 \
	>"$work/http.log" 2>&1 &
hpid=$!
pids=("$hpid")
hport=
for _ in $(seq 50); do
	hport=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$work/http.log" | head -1)
	[ -n "$hport" ] && break
	sleep 0.1
done
[ -n "$hport" ] || { cat "$work/http.log"; echo "FAIL: no HTTP server"; exit 1; }

# host_checks FPORT EPORT UPORT MODEL EXPECT_SHA: talk to the guest through
# the hostfwd ports: fetch /known.bin, the CGI echo, TCP and UDP echo, then
# /cgi-bin/done. Prints one line per check; returns non-zero on a failure.
host_checks() {
	python3 - "$@" <<'EOF'
import hashlib, socket, sys, time, urllib.request
fport, eport, uport, model, want = sys.argv[1:6]
base = "http://127.0.0.1:%s" % fport
def get(path, tries=50):
    for i in range(tries):
        try:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                return r.read()
        except Exception as e:
            err = e
            time.sleep(0.2)
    raise err
ok = True
body = get("/known.bin")
got = hashlib.sha256(body).hexdigest()
print("host fetch /known.bin: %d bytes sha256 %s" % (len(body), got))
if got != want:
    print("  expected %s" % want); ok = False
echo = get("/cgi-bin/echo?qnet-" + model).decode().strip()
print("host cgi echo: %r" % echo)
ok &= echo == "qnet-" + model
msg = b"qnet-tcp-echo-" + model.encode()
for i in range(50):
    try:
        with socket.create_connection(("127.0.0.1", int(eport)), 10) as s:
            s.sendall(msg + b"\n"); s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                b = s.recv(4096)
                if not b: break
                data += b
        if data: break
    except OSError:
        pass
    time.sleep(0.2)
print("host tcp echo: %r" % data)
ok &= data == msg + b"\n"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(1)
data = b""
for i in range(10):
    u.sendto(b"qnet-udp-" + model.encode(), ("127.0.0.1", int(uport)))
    try:
        data = u.recv(4096); break
    except socket.timeout:
        pass
print("host udp echo: %r" % data)
ok &= data == b"qnet-udp-" + model.encode()
print("host done: %r" % get("/cgi-bin/done").decode().strip())
sys.exit(0 if ok else 1)
EOF
}

# smoke MODEL: one boot with the NIC MODEL; sets failed=1 on a failure.
smoke() {
	local model=$1 log="$work/$1.log" fport eport uport gpid line ip sum st
	fport=$(qgh_free_port tcp)
	eport=$(qgh_free_port tcp)
	uport=$(qgh_free_port udp)
	"$tools/run-guest" --quiet --timeout 240 --log "$log" \
		--script "$here/smoke-guest.sh" \
		--env "HTTP_URL=http://10.0.2.2:$hport/big.bin" \
		--env "HTTP_SHA=$sha" \
		-- -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$fport-:8080,hostfwd=tcp:127.0.0.1:$eport-:7,hostfwd=udp:127.0.0.1:$uport-:7" \
		-device "$model,netdev=n0,romfile=" 2>"$work/$model.err" &
	gpid=$!
	pids=("$hpid" "$gpid")
	if ! line=$(qgh_wait_marker "$log" ready 200 "$gpid"); then
		fail "$model: guest never got ready"
		grep -v '^\[' "$log"
		kill "$gpid" 2>/dev/null
		wait "$gpid"
		pids=("$hpid")
		return
	fi
	line=$(qgh_marker "$log" dhcp)
	ip=$(qgh_field "$line" ip)
	echo "$model: $line"
	[[ "$ip" =~ ^10\.0\.2\.[0-9]+$ ]] || fail "$model: lease '$ip' not in 10.0.2.0/24"
	line=$(qgh_marker "$log" fetch)
	echo "$model: $line"
	if [ "$(qgh_status "$line")" != ok ] ||
	   [ "$(qgh_field "$line" sha256)" != "$sha" ] ||
	   [ "$(qgh_field "$line" bytes)" != $((4 * 1024 * 1024)) ]; then
		fail "$model: guest fetch from the host"
	fi
	line=$(qgh_marker "$log" httpd)
	sum=$(qgh_field "$line" sha256)
	host_checks "$fport" "$eport" "$uport" "$model" "$sum" |
		sed "s/^/$model: /" || fail "$model: host to guest checks"
	wait "$gpid"
	st=$?
	pids=("$hpid")
	sed "s/^/$model: /" "$work/$model.err"
	[ "$st" = 0 ] || { fail "$model: guest status $st"; grep -v '^\[' "$log"; }
}

failed=0
for m in $models; do
	smoke "$m"
done
[ "$failed" = 0 ] && echo "PASS: guest smoke over QEMU user networking ($models)"
exit "$failed"
