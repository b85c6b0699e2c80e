#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vhost_test.sh: guest-vhost-MODE: the test guest under QEMU 7.2 with its
# virtio-net NIC served by qnet over vhost-user (qnet's own device), on
# qnet's user networking: DHCP, a 4 MiB (reboot: 8 MiB) HTTP fetch from the
# host through 10.0.2.2 (sha256), the guest's HTTP server, TCP and UDP echo
# through hostfwd, and the virtio features the guest negotiated.
#
# Usage: vhost_test.sh MODE
#   daemon  `qnet ... -device virtio-net-pci,vhost-user=SOCK`, QEMU started
#           with the options qnet printed; the VM is killed (SIGKILL) and a
#           second VM with csum=off,mrg_rxbuf=off,guest_tso4=off attaches to
#           the same qnet
#   run     `qnet run -- qemu-system-x86_64 ... -device virtio-net-pci,...`:
#           qnet rewrites the NIC to vhost-user and adds shared memory
#   mq      as run, with mq=on,queues=2 and 2 vCPUs: two queue pairs joined
#           onto the single-queue user netdev
#   reboot  as daemon, QEMU's vhost-user socket through a relay that logs
#           every message (vhost_reboot.py); QMP system_reset while the
#           guest downloads from the host (paced), then while the host
#           downloads from the guest; after each reset the guest boots
#           again on the same QEMU and qnet: rings stopped and set up again
#           on the same connection, the checks above pass again, no error
#           from QEMU or qnet, TX chains and frames accounted for
# Environment: QNET, QNETCTL (meson sets them); QG_KEEP=1 keeps the work dir.
# Root only: everything runs in a network namespace the test creates and
# removes; exits 77 without root, QEMU, python3 or the guest's packages.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$(cd "$here/../../tools/guest" && pwd)
# shellcheck source=../../tools/guest/host-lib.sh
. "$tools/host-lib.sh"

mode=${1:-}
case "$mode" in daemon|run|mq|reboot) ;; *) echo "usage: $0 daemon|run|mq|reboot"; exit 2 ;; esac

skip() { echo "SKIP: $*"; exit 77; }

# ---- outside: checks, guest build, the namespace; run again inside it.
if [ -z "${VH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	for t in ip python3 qemu-system-x86_64; do
		command -v "$t" >/dev/null || skip "$t is missing"
	done
	[ -x "${QNET:-}" ] || skip "QNET is not set to the qnet binary"
	[ -x "${QNETCTL:-}" ] || skip "QNETCTL is not set to the qnetctl binary"
	if ! err=$("$tools/build-guest" --quiet 2>&1 >/dev/null); then
		echo "$err"
		grep -qE 'apt-get|cannot find the package' <<<"$err" &&
			skip "cannot fetch the guest's Debian packages"
		echo "FAIL: build-guest"
		exit 1
	fi
	ns=qvh-$$
	child=
	outer_cleanup() {
		local p
		trap - EXIT TERM INT
		[ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child"
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			echo "cleanup: killing leftover pid $p"
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	}
	trap outer_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	ip netns add "$ns" || skip "cannot create a network namespace"
	ip -n "$ns" link set lo up
	VH_NS=$ns ip netns exec "$ns" "$0" "$@" &
	child=$!
	wait "$child"
	rc=$?
	child=
	exit "$rc"
fi

# ---- inside the namespace
failed=0
pids=()
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
info() { echo "     $*"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/qvh-$mode.XXXXXX") || exit 1
inner_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	if [ -n "${QG_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap inner_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# check NAME CMD...: ok/FAIL by CMD's status, its output indented.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && sed 's/^/     | /' <<<"$out"
	if [ "$rc" = 0 ]; then ok "$name"; else fail "$name"; fi
	return "$rc"
}

# wait_for FILE REGEX SECONDS [PID]: wait for REGEX in FILE.
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

# The host's HTTP server (127.0.0.1, reached by the guest as 10.0.2.2);
# reboot: vhost_reboot.py's, which paces the first download and logs it.
big_mib=4
[ "$mode" = reboot ] && big_mib=8
mkdir -p "$work/www"
head -c $((big_mib * 1024 * 1024)) /dev/urandom >"$work/www/big.bin"
big_sha=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)
if [ "$mode" = reboot ]; then
	python3 -u "$here/vhost_reboot.py" http "$work/www" "$work/http.log" \
		</dev/null >"$work/http.err" 2>&1 &
else
	python3 -u -m http.server --bind 127.0.0.1 --directory "$work/www" 0 \
		</dev/null >"$work/http.log" 2>&1 &
fi
pids+=($!)
wait_for "$work/http.log" '(^| )port [0-9]+( |$)' 10 "$!" ||
	{ cat "$work/http.log" "$work/http.err" 2>/dev/null; exit 1; }
http_port=$(sed -n 's/\(^\|.* \)port \([0-9]*\)\( .*\|$\)/\2/p' "$work/http.log" | head -1)

fport=$(qgh_free_port tcp)
eport=$(qgh_free_port tcp)
uport=$(qgh_free_port udp)
u0="user,id=u0,hostfwd=tcp:127.0.0.1:$fport-:8080,hostfwd=tcp:127.0.0.1:$eport-:7,hostfwd=udp:127.0.0.1:$uport-:7"

# host_client: the host side of the forwards (python, stdlib only).
host_client() {
	python3 - "$@" <<'EOF'
import hashlib, socket, sys, time, urllib.request
kind = sys.argv[1]
def retry(fn):
    for i in range(50):
        try:
            return fn()
        except OSError as e:
            err = e
            time.sleep(0.2)
    raise err
if kind == "http":
    url, want = sys.argv[2], sys.argv[3]
    data = retry(lambda: urllib.request.urlopen(url, timeout=30).read())
    got = hashlib.sha256(data).hexdigest()
    print(f"{len(data)} bytes sha256={got}")
    sys.exit(0 if got == want or want == "-" else 1)
if kind == "tcp":
    port, text = int(sys.argv[2]), sys.argv[3].encode() + b"\n"
    def once():
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(text)
        got = b""
        while not got.endswith(b"\n"):
            b = s.recv(4096)
            if not b:
                break
            got += b
        s.close()
        if got != text:
            raise OSError("echo: %r" % got)
        return got
    print(retry(once))
if kind == "udp":
    port, text = int(sys.argv[2]), sys.argv[3].encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    for i in range(20):
        s.sendto(text, ("127.0.0.1", port))
        try:
            got, _ = s.recvfrom(4096)
        except socket.timeout:
            continue
        print(got)
        sys.exit(0 if got == text else 1)
    sys.exit(1)
EOF
}

# feature BITS N: print virtio feature bit N of the guest's features string.
feature() { echo "${1:$2:1}"; }

# boot NAME [--smp N] [--shared-mem] -- QEMU_ARGS...: start run-guest in the
# background; sets gpid and glog.
boot() {
	local name=$1
	shift
	glog=$work/$name.log
	"$tools/run-guest" --quiet --timeout 300 --log "$glog" \
		--script "$here/vhost_guest.sh" \
		--env "HTTP_URL=http://10.0.2.2:$http_port/big.bin" \
		--env "HTTP_SHA=$big_sha" "$@" 2>"$work/$name.err" &
	gpid=$!
	pids+=("$gpid")
}

# guest_checks NAME OFFLOADS QUEUES: the guest's markers and the host side
# of the forwards, once the guest is ready. OFFLOADS: on | off.
guest_checks() {
	local name=$1 offl=$2 nq=$3 line bits sum
	if ! qgh_wait_marker "$glog" ready 240 "$gpid" >/dev/null; then
		fail "$name: the guest never got ready"
		grep -av '^\[' "$glog" | tail -20 | sed 's/^/     | /'
		sed 's/^/     | /' "$work/$name.err" "$work"/qnet*.err 2>/dev/null
		return 1
	fi
	line=$(qgh_marker "$glog" features)
	bits=$(qgh_field "$line" bits)
	info "$line"
	if [ "$offl" = on ]; then
		[ "$(feature "$bits" 0)$(feature "$bits" 1)$(feature "$bits" 7)$(feature "$bits" 11)$(feature "$bits" 15)" = 11111 ] &&
			ok "$name: CSUM, GUEST_CSUM, GUEST_TSO4, HOST_TSO4, MRG_RXBUF negotiated" ||
			fail "$name: CSUM, GUEST_CSUM, GUEST_TSO4, HOST_TSO4, MRG_RXBUF negotiated"
	else
		[ "$(feature "$bits" 0)$(feature "$bits" 7)$(feature "$bits" 15)" = 000 ] &&
			ok "$name: CSUM, GUEST_TSO4, MRG_RXBUF off" ||
			fail "$name: CSUM, GUEST_TSO4, MRG_RXBUF off"
	fi
	if [ "$nq" -gt 1 ]; then
		[ "$(feature "$bits" 22)" = 1 ] && [ "$(qgh_field "$line" rxq)" = "$nq" ] &&
			[ "$(qgh_field "$line" txq)" = "$nq" ] &&
			ok "$name: MQ negotiated, $nq RX and TX queues" ||
			fail "$name: MQ negotiated, $nq RX and TX queues"
	fi
	line=$(qgh_marker "$glog" dhcp)
	[[ "$(qgh_status "$line")" = ok && "$line" == *" ip=10.0.2."*" router=10.0.2.2 "* ]] &&
		ok "$name: DHCP lease in 10.0.2.0/24" || fail "$name: DHCP lease in 10.0.2.0/24"
	info "$line"
	line=$(qgh_marker "$glog" fetch)
	[[ "$(qgh_status "$line")" = ok && "$line" == *" bytes=$((big_mib << 20)) sha256=$big_sha "* ]] &&
		ok "$name: $big_mib MiB HTTP fetch from the host via 10.0.2.2, sha256 matches" ||
		fail "$name: $big_mib MiB HTTP fetch from the host via 10.0.2.2, sha256 matches"
	info "$line"
	sum=$(qgh_field "$(qgh_marker "$glog" httpd)" sha256)
	check "$name: TCP forward into the guest: 2 MiB from its httpd, sha256 matches" \
		host_client http "http://127.0.0.1:$fport/known.bin" "${sum:-none}"
	check "$name: TCP forward into the guest: echo" host_client tcp "$eport" "tcp-$name"
	check "$name: UDP forward into the guest: echo" host_client udp "$uport" "udp-$name"
}

# guest_done NAME: tell the guest to finish and check its exit status.
guest_done() {
	local rc
	host_client http "http://127.0.0.1:$fport/cgi-bin/done" - >/dev/null 2>&1
	wait "$gpid"
	rc=$?
	[ "$rc" = 0 ] && ok "$1: guest finished with status 0" ||
		fail "$1: guest finished with status 0 (got $rc)"
}

# netstats SOCK: qnet's per-port counters.
netstats() { "$QNETCTL" -s "$1" info netstats; }
# netstats_has SOCK REGEX: a line of them matches (else they are shown).
netstats_has() {
	local out
	out=$(netstats "$1" 2>&1)
	grep -qE "$2" <<<"$out" && return 0
	sed 's/^/     | /' <<<"$out"
	return 1
}

# qnet_serve SOCK QMP: start qnet in the background serving vn0 over
# vhost-user on SOCK, with QMP on QMP; its pid goes to the caller's qpid
# (and to pids). Fails, showing qnet's output, unless qnet prints the QEMU
# options within 10 s.
qnet_serve() {
	"$QNET" -nodefaults -netdev "$u0" \
		-device "virtio-net-pci,id=vn0,netdev=u0,vhost-user=$1" \
		-qmp "unix:$2,server=on,wait=off" \
		</dev/null >"$work/qnet.log" 2>"$work/qnet.err" &
	qpid=$!
	pids+=("$qpid")
	wait_for "$work/qnet.log" '^qnet: vn0: vhost-user=' 10 "$qpid" &&
		return 0
	fail "qnet listens for the VM"
	sed 's/^/     | /' "$work/qnet.log" "$work/qnet.err"
	return 1
}

# ---- daemon: qnet serves, QEMU attaches with the options qnet printed.
mode_daemon() {
	local sock=$work/vu.sock qmp=$work/qmp.sock line q qargs=() qpid vmpid rc
	qnet_serve "$sock" "$qmp" || return
	line=$(grep -a '^qnet: vn0: vhost-user=' "$work/qnet.log")
	info "$line"
	[[ "$line" == *"-chardev socket,id=qnet-c0,path=$sock -netdev vhost-user,id=vn0,chardev=qnet-c0 -device virtio-net-pci,netdev=vn0,mac=52:54:00:12:34:56,id=vn0,vectors=0;"* &&
	   "$line" == *"memory-backend-memfd,id=qnet-mem,size=RAM,share=on -numa node,memdev=qnet-mem"* ]] &&
		ok "qnet prints the QEMU options (chardev, vhost-user netdev, vectors=0, shared memory)" ||
		fail "qnet prints the QEMU options (chardev, vhost-user netdev, vectors=0, shared memory)"
	[ -S "$sock" ] && ok "qnet listens on $sock" || fail "qnet listens on $sock"
	q=${line#*; QEMU: }
	q=${q%%; memory:*}
	read -r -a qargs <<<"$q"
	qargs[${#qargs[@]} - 1]+=",romfile="

	boot vm1 --shared-mem -- "${qargs[@]}"
	guest_checks vm1 on 1
	netstats_has "$qmp" '^vn0 \(nic, peer u0, link up\): rx_packets=[1-9][0-9]* .*tx_packets=[1-9]' &&
		ok "info netstats: vn0 up, peer u0, frames both ways" ||
		fail "info netstats: vn0 up, peer u0, frames both ways"
	vmpid=$(pgrep -P "$gpid" -f qemu-system | head -1)
	if [ -n "$vmpid" ]; then
		kill -9 "$vmpid"
		wait "$gpid"
		ok "VM 1 killed with SIGKILL (pid $vmpid)"
	else
		fail "VM 1's QEMU found"
	fi
	sleep 0.5
	kill -0 "$qpid" 2>/dev/null && ok "qnet survives the VM's death" ||
		fail "qnet survives the VM's death"
	netstats_has "$qmp" '^vn0 \(nic, peer u0, link down\)' &&
		ok "info netstats: vn0 link down without a VM" ||
		fail "info netstats: vn0 link down without a VM"

	qargs[${#qargs[@]} - 1]+=",csum=off,mrg_rxbuf=off,guest_tso4=off"
	boot vm2 --shared-mem -- "${qargs[@]}"
	guest_checks vm2 off 1
	netstats_has "$qmp" '^vn0 \(nic, peer u0, link up\)' &&
		ok "info netstats: vn0 up again with VM 2" ||
		fail "info netstats: vn0 up again with VM 2"
	guest_done vm2
	kill -TERM "$qpid"
	wait "$qpid"
	rc=$?
	[ "$rc" = 0 ] && ok "qnet exits 0 on SIGTERM" || fail "qnet exits 0 on SIGTERM (got $rc)"
	[ ! -e "$sock" ] && ok "the vhost-user socket is removed" ||
		fail "the vhost-user socket is removed"
	! grep -qE 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error|Segmentation|Assertion' "$work/qnet.err" ||
		fail "no crash report from qnet"
}

# ---- run / mq: `qnet run` rewrites the QEMU command line.
mode_run() {
	local nq=$1 dev="virtio-net-pci,netdev=u0,romfile=" extra=() qpid vm cmd rc devarg
	[ "$nq" -gt 1 ] && dev+=",mq=on,queues=$nq" && extra=(--smp "$nq")
	cat >"$work/qemu-wrap" <<EOF
#!/bin/bash
"$QNET" run -qmp "unix:$work/qmp.sock,server=on,wait=off" -- qemu-system-x86_64 "\$@" 2>>"$work/qnet.err" &
p=\$!
echo \$p >"$work/qnet.pid"
trap 'kill -TERM \$p 2>/dev/null' TERM INT
wait \$p
rc=\$?
echo \$rc >"$work/qnet.rc"
exit \$rc
EOF
	chmod 755 "$work/qemu-wrap"
	QNET_GUEST_QEMU=$work/qemu-wrap boot vm "${extra[@]}" -- -netdev "$u0" -device "$dev"
	wait_for "$work/qnet.pid" . 30 "$gpid"
	qpid=$(cat "$work/qnet.pid" 2>/dev/null)
	vm=
	for _ in $(seq 100); do
		vm=$(pgrep -P "${qpid:-0}" -f qemu-system | head -1)
		[ -n "$vm" ] && break
		sleep 0.1
	done
	cmd=$(tr '\0' ' ' <"/proc/${vm:-0}/cmdline" 2>/dev/null)
	info "QEMU: ${cmd:-(not found)}"
	devarg=$(grep -o -- '-device virtio-net-pci,[^ ]*' <<<"$cmd")
	[[ "$cmd" == *"-chardev socket,id=qnet-c0,path="*"-netdev vhost-user,id=virtio-net-pci.0,chardev=qnet-c0"* &&
	   "$devarg" == "-device virtio-net-pci,netdev=virtio-net-pci.0,mac=52:54:00:12:34:56,"* &&
	   ",$devarg," == *",romfile=,"* && "$devarg," == *",vectors=0,"* &&
	   "$cmd" == *"-object memory-backend-memfd,id=qnet-mem,size=268435456,share=on -numa node,memdev=qnet-mem"* ]] &&
		ok "qnet run gives QEMU a vhost-user NIC with vectors=0 and 256 MiB of shared memory" ||
		fail "qnet run gives QEMU a vhost-user NIC with vectors=0 and 256 MiB of shared memory"
	if [ "$nq" -gt 1 ]; then
		[[ "$cmd" == *"chardev=qnet-c0,queues=$nq "* && "$devarg," == *",mq=on,"* ]] &&
			ok "qnet run: -netdev vhost-user,queues=$nq and mq=on" ||
			fail "qnet run: -netdev vhost-user,queues=$nq and mq=on"
	fi
	guest_checks vm on "$nq"
	grep -aq 'vhost_set_mem_table failed\|falling back on userspace' "$work/vm.err" "$work/qnet.err" &&
		fail "QEMU kept vhost-user (no 'falling back on userspace virtio')"
	guest_done vm
	rc=$(cat "$work/qnet.rc" 2>/dev/null)
	[ "$rc" = 0 ] && ok "qnet run exits with QEMU's status 0" ||
		fail "qnet run exits with QEMU's status 0 (got ${rc:-none})"
	! grep -qE 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error|Segmentation|Assertion' "$work/qnet.err" ||
		fail "no crash report from qnet"
}

# ---- run: what `qnet run` gives a VMM (a stand-in that prints its
# arguments) for the memory set-ups of docs/frontends.md.
argv_checks() {
	local vmm=$work/vmm-args out
	printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$vmm"
	chmod 755 "$vmm"
	# argv_case NAME EXPECT(regex on the joined args) ARGS...
	argv_case() {
		local name=$1 want=$2
		shift 2
		out=$("$QNET" run -- "$vmm" "$@" 2>"$work/argv.err" | tr '\n' ' ')
		if grep -qE -- "$want" <<<"$out"; then
			ok "qnet run, $name"
		else
			fail "qnet run, $name"
			info "args: $out"
			sed 's/^/     | /' "$work/argv.err"
		fi
	}
	argv_case "no -m: 128 MiB memfd and a NUMA node" \
		'-device virtio-net-pci,netdev=virtio-net-pci\.0,mac=52:54:00:12:34:56,vectors=0 -object memory-backend-memfd,id=qnet-mem,size=134217728,share=on -numa node,memdev=qnet-mem $' \
		-nic user,model=virtio
	argv_case "-m size=1G,slots=2,maxmem=2G with a lone -numa node: memdev added to it" \
		'^-m size=1G,slots=2,maxmem=2G -numa node,nodeid=0,memdev=qnet-mem .* -object memory-backend-memfd,id=qnet-mem,size=1073741824,share=on $' \
		-m size=1G,slots=2,maxmem=2G -numa node,nodeid=0 -nic user,model=virtio
	argv_case "own shared backend: nothing added" \
		'memdev=m0 -chardev [^ ]+ -netdev vhost-user,[^ ]+ -device [^ ]+ $' \
		-m 512 -object memory-backend-memfd,id=m0,size=512M -numa node,memdev=m0 -nic user,model=virtio
	argv_case "e1000 stays on stream, vectors= of the user kept, mq passed" \
		'-device virtio-net-pci,netdev=v1,mac=52:54:00:12:34:56,id=v1,(vectors=3,mq=on|mq=on,vectors=3) -netdev stream,id=e1000\.0,[^ ]+ -device e1000,netdev=e1000\.0,mac=52:54:00:12:34:57 ' \
		-netdev user,id=a -device virtio-net-pci,id=v1,netdev=a,vectors=3,mq=on \
		-netdev user,id=b -device e1000,netdev=b
	out=$("$QNET" run -- "$vmm" -m 1G -object memory-backend-ram,id=m0,size=1G \
		-machine memory-backend=m0 -nic user,model=virtio 2>&1 >/dev/null)
	[[ "$out" == *"run: warning: memory backend 'm0' is not shared (share=on)"* ]] &&
		ok "qnet run warns about a memory backend without share=on" ||
		{ fail "qnet run warns about a memory backend without share=on"; info "$out"; }
}

# ---- reboot: QMP system_reset while the guest downloads from the host
# (boot 1), then while the host downloads from the guest (boot 2); the guest
# boots again each time on the same QEMU and qnet. A relay between QEMU and
# qnet logs the vhost-user messages (vhost_reboot.py relay).

# boot_part LOG N: the console of the guest's Nth boot (from its boot marker).
boot_part() { awk -v n="$2" '/QNET-GUEST: boot /{ b++ } b == n' "$1" 2>/dev/null; }
# boots: how many times the guest booted so far.
boots() { grep -ac 'QNET-GUEST: boot ' "$glog" 2>/dev/null; }
# wait_boot_marker N EVENT SECONDS: wait for EVENT in the Nth boot of $glog.
wait_boot_marker() {
	local n=$(($3 * 10))
	while [ "$n" -gt 0 ]; do
		boot_part "$glog" "$1" | grep -a "QNET-GUEST: $2 " >/dev/null && return 0
		kill -0 "$gpid" 2>/dev/null || break
		n=$((n - 1))
		sleep 0.1
	done
	boot_part "$glog" "$1" | grep -a "QNET-GUEST: $2 " >/dev/null
}
# wait_boots N SECONDS: wait until the guest has booted N times.
wait_boots() {
	local n=$(($2 * 10))
	while [ "$(boots)" -lt "$1" ] && [ "$n" -gt 0 ]; do
		kill -0 "$gpid" 2>/dev/null || break
		n=$((n - 1))
		sleep 0.1
	done
	[ "$(boots)" -ge "$1" ]
}
# last_num FILE WORD: the number after WORD on FILE's last line with it.
last_num() { sed -n "s/^$2 \([0-9]*\).*/\1/p" "$1" 2>/dev/null | tail -1; }
# vn_count PORT FIELD: one of qnet's counters of PORT (info netstats).
vn_count() {
	netstats "$qmp" | grep "^$1 " | grep -o " $2=[0-9]*" | cut -d= -f2
}
# flowing PORT FIELD WHAT: the counter rises within half a second.
flowing() {
	local a b
	a=$(vn_count "$1" "$2")
	sleep 0.5
	b=$(vn_count "$1" "$2")
	[ "${b:-0}" -gt "${a:-0}" ] &&
		ok "$3 ($1 $2 $a -> $b in 0.5 s)" || fail "$3 ($1 $2 $a -> $b in 0.5 s)"
}
# u0_drops: libslirp's drops so far (frames the guest's ring did not take).
u0_drops() { netstats "$qmp" | grep '^u0 ' | sed -n 's/.* drops: //p'; }
# reset_guest NAME: QMP system_reset to QEMU; n0: relay log lines before it.
reset_guest() {
	local out
	n0=$(wc -l <"$work/relay.log")
	if ! out=$(python3 "$here/vhost_reboot.py" qmp "$vmqmp" system_reset 2>&1); then
		fail "$1: QMP system_reset to QEMU"
		info "$out"
		return 1
	fi
	ok "$1: QMP system_reset to QEMU"
	info "$1: u0 drops at the reset: $(u0_drops)"
}

# reboot_trace_checks NAME N0: the vhost-user messages after the reset (the
# relay's log after line N0): both rings stopped, then set up again, on the
# same connection.
reboot_trace_checks() {
	local t r last
	t=$(tail -n +"$(($2 + 1))" "$work/relay.log")
	for r in 0 1; do
		last=$(sed -n '/GET_VRING_BASE/h; /GET_VRING_BASE/!H; ${x;p}' <<<"$t")
		grep -q "Q> GET_VRING_BASE .* index=$r " <<<"$t" &&
		grep -q "<B GET_VRING_BASE .* index=$r num=[0-9]" <<<"$t" &&
		grep -q "Q> SET_VRING_BASE .* index=$r " <<<"$last" &&
		grep -q "Q> SET_VRING_KICK .* index=$r nofd=0" <<<"$last" &&
			ok "$1: ring $r stopped (GET_VRING_BASE answered), set up and kicked again" ||
			fail "$1: ring $r stopped (GET_VRING_BASE answered), set up and kicked again"
	done
	! grep -qE ' (connect|closed|error)( |$)' <<<"$t" &&
		ok "$1: the same vhost-user connection throughout (no reconnect)" ||
		fail "$1: the same vhost-user connection throughout (no reconnect)"
	info "$1: vhost-user requests since: $(grep -o 'Q> [A-Z_]*' <<<"$t" |
		cut -c4- | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }')"
}

# after_reset N NAME: boot N comes up and passes guest_checks.
after_reset() {
	local n=$1 full
	if ! wait_boots "$n" 60; then
		fail "$2: the guest boots again"
		grep -av '^\[' "$glog" | tail -20 | sed 's/^/     | /'
		return 1
	fi
	ok "$2: the guest boots again (boot $n, same QEMU, same qnet)"
	if ! wait_boot_marker "$n" ready 180; then
		fail "boot $n: the guest got ready"
		boot_part "$glog" "$n" | grep -av '^\[' | tail -20 | sed 's/^/     | /'
		return 1
	fi
	reboot_trace_checks "$2" "$n0"
	info "$2: u0 drops after it: $(u0_drops)"
	full=$glog
	boot_part "$full" "$n" >"$work/boot$n.log"
	glog=$work/boot$n.log
	guest_checks "boot$n" on 1
	glog=$full
}

# reset_during_download: boot 1 fetches the host's file, paced by the
# host's server; reset while frames flow to the guest.
reset_during_download() {
	local sent=0 i
	if ! wait_boot_marker 1 dhcp 120; then
		fail "boot 1: DHCP lease before the download"
		grep -av '^\[' "$glog" | tail -20 | sed 's/^/     | /'
		return 1
	fi
	for i in $(seq 600); do
		sent=$(last_num "$work/http.log" 'get 1 sent')
		[ "${sent:-0}" -ge $((1 << 20)) ] && break
		kill -0 "$gpid" 2>/dev/null || break
		sleep 0.1
	done
	[ "${sent:-0}" -ge $((1 << 20)) ] &&
		ok "boot 1: the guest's download is under way ($sent of $((big_mib << 20)) bytes sent)" ||
		{ fail "boot 1: the guest's download is under way"; return 1; }
	flowing vn0 rx_packets "boot 1: frames flowing to the guest"
	reset_guest "download" || return 1
	info "reset at $(last_num "$work/http.log" 'get 1 sent') of $((big_mib << 20)) bytes sent"
	! boot_part "$glog" 1 | grep -a 'QNET-GUEST: fetch ' >/dev/null &&
		ok "boot 1: the download had not finished at the reset" ||
		fail "boot 1: the download had not finished at the reset"
}

# reset_during_upload: the host reads the guest's file (TCP forward)
# slowly; reset while frames flow from the guest. The namespace's TCP send
# buffers are capped meanwhile (net.ipv4.tcp_wmem is per namespace), or
# libslirp's socket to the reader would take the whole file at once.
reset_during_upload() {
	local got=0 i wmem rc=0
	wmem=$(cat /proc/sys/net/ipv4/tcp_wmem)
	echo "4096 16384 65536" >/proc/sys/net/ipv4/tcp_wmem
	reset_during_upload_capped || rc=1
	echo "$wmem" >/proc/sys/net/ipv4/tcp_wmem
	return "$rc"
}
reset_during_upload_capped() {
	python3 "$here/vhost_reboot.py" slowget "$fport" /known.bin \
		"$work/slowget.log" </dev/null >/dev/null 2>&1 &
	pids+=($!)
	for i in $(seq 300); do
		got=$(last_num "$work/slowget.log" read)
		[ "${got:-0}" -ge $((256 << 10)) ] && break
		sleep 0.1
	done
	[ "${got:-0}" -ge $((256 << 10)) ] &&
		ok "boot 2: the host's download from the guest is under way ($got bytes read)" ||
		{ fail "boot 2: the host's download from the guest is under way"
		  sed 's/^/     | /' "$work/slowget.log"; return 1; }
	flowing vn0 tx_packets "boot 2: frames flowing from the guest"
	reset_guest "upload" || return 1
	info "reset at $(last_num "$work/slowget.log" read) bytes read"
	! grep -q '^end ' "$work/slowget.log" &&
		ok "boot 2: the host's download had not finished at the reset" ||
		fail "boot 2: the host's download had not finished at the reset"
}

# tx_chains: TX chains qnet consumed over all runs of ring 1, from the
# relay's log (each SET_VRING_BASE to the next GET_VRING_BASE answer).
tx_chains() {
	awk '/ index=1 num=/ && (/Q> SET_VRING_BASE/ || /<B GET_VRING_BASE/) {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^num=/)
				v = substr($i, 5) + 0
		if ($0 ~ /SET_VRING_BASE/) {
			s = v; on = 1
		} else if (on) {
			t += (v - s + 65536) % 65536; on = 0; runs++
		}
	} END { print t + 0, runs + 0 }' "$work/relay.log"
}

mode_reboot() {
	local sock=$work/vu.sock relay=$work/relay.sock qmp=$work/qmp.sock
	local vmqmp=$work/vm-qmp.sock line q qargs=() qpid rpid n0 out rc
	local chains runs txp drops
	qnet_serve "$sock" "$qmp" || return
	python3 -u "$here/vhost_reboot.py" relay "$relay" "$sock" \
		"$work/relay.log" </dev/null 2>"$work/relay.err" &
	rpid=$!
	pids+=("$rpid")
	if ! wait_for "$work/relay.log" '^listening' 10 "$rpid"; then
		fail "the vhost-user relay listens"
		sed 's/^/     | /' "$work/relay.err"
		return
	fi
	line=$(grep -a '^qnet: vn0: vhost-user=' "$work/qnet.log")
	q=${line#*; QEMU: }
	q=${q%%; memory:*}
	q=${q//path=$sock/path=$relay}
	read -r -a qargs <<<"$q"
	qargs[${#qargs[@]} - 1]+=",romfile="
	# run-guest passes -no-reboot, which turns system_reset into a
	# shutdown: the later -action puts the reset back.
	boot vm --shared-mem -- "${qargs[@]}" \
		-qmp "unix:$vmqmp,server=on,wait=off" -action reboot=reset
	reset_during_download || return
	after_reset 2 download || return
	reset_during_upload || return
	after_reset 3 upload || return
	[ "$(boots)" = 3 ] && ok "the guest booted exactly 3 times" ||
		fail "the guest booted exactly 3 times (got $(boots))"
	! grep -q '^get 1 done' "$work/http.log" &&
		grep -q "^get 2 done $((big_mib << 20))\$" "$work/http.log" &&
		grep -q "^get 3 done $((big_mib << 20))\$" "$work/http.log" &&
		ok "HTTP server: the paced GET never completed, the two after the resets did" ||
		{ fail "HTTP server: the paced GET never completed, the two after the resets did"
		  grep -v ' sent ' "$work/http.log" | sed 's/^/     | /'; }

	out=$(netstats "$qmp")
	grep -E '^(vn0|u0) ' <<<"$out" | sed 's/^/     /'
	grep -q '^vn0 (nic, peer u0, link up)' <<<"$out" &&
		ok "info netstats: vn0 still up with peer u0" ||
		fail "info netstats: vn0 still up with peer u0"
	! grep -E '^(vn0|u0) ' <<<"$out" | grep -qE '(runt|giant|bad_vnet_hdr|malformed|io_error)=' &&
		ok "info netstats: no runt, giant, bad header, malformed or I/O error drops" ||
		fail "info netstats: no runt, giant, bad header, malformed or I/O error drops"
	! grep -aiE 'qemu: .*(vhost|error|fail)' "$work/vm.err" &&
		ok "QEMU reports no vhost-user error (no 'vhost vring error', no fallback)" ||
		fail "QEMU reports no vhost-user error (no 'vhost vring error', no fallback)"

	guest_done vm
	kill -0 "$qpid" 2>/dev/null && ok "qnet is alive after the guest's reboots" ||
		fail "qnet is alive after the guest's reboots"
	# QEMU is gone: every ring was stopped and its base reported.
	wait_for "$work/relay.log" ' closed$' 10 "$rpid"
	read -r chains runs < <(tx_chains)
	out=$(netstats "$qmp")
	txp=$(grep '^vn0 ' <<<"$out" | grep -o ' tx_packets=[0-9]*' | cut -d= -f2)
	drops=$(grep '^vn0 ' <<<"$out" | sed -n 's/.* drops: //p' | grep -o '[0-9]*' |
		awk '{ t += $1 } END { print t + 0 }')
	[ "$runs" = 3 ] && [ "$chains" = "$((txp + drops))" ] &&
		ok "every TX chain the guest handed over reached u0 or a counted drop ($chains chains over $runs runs of the TX ring = $txp frames + $drops drops)" ||
		fail "every TX chain the guest handed over reached u0 or a counted drop ($chains chains over ${runs:-0} runs of the TX ring; $txp frames + $drops drops)"
	[ "$(vn_count vn0 rx_packets)" = "$(vn_count u0 tx_packets)" ] &&
	[ "$(vn_count vn0 tx_packets)" = "$(vn_count u0 rx_packets)" ] &&
		ok "info netstats: vn0 and u0 agree (rx = peer's tx, both ways)" ||
		fail "info netstats: vn0 and u0 agree (rx = peer's tx, both ways)"
	netstats_has "$qmp" '^vn0 \(nic, peer u0, link down\)' &&
		ok "info netstats: vn0 link down once QEMU is gone" ||
		fail "info netstats: vn0 link down once QEMU is gone"
	kill -TERM "$qpid"
	wait "$qpid"
	rc=$?
	[ "$rc" = 0 ] && ok "qnet exits 0 on SIGTERM" || fail "qnet exits 0 on SIGTERM (got $rc)"
	# The only line qnet may print here: the ping warning (no ICMP sockets
	# for root's group in the test's namespace).
	out=$(grep -v '^qnet: warning: ping from the guest will not work' "$work/qnet.err")
	[ -z "$out" ] && ok "qnet printed no error, warning or crash report" ||
		{ fail "qnet printed no error, warning or crash report"; sed 's/^/     | /' <<<"$out"; }
}

echo "== guest-vhost-$mode: namespace $VH_NS, HTTP 127.0.0.1:$http_port"
case "$mode" in
daemon) mode_daemon ;;
run) argv_checks; mode_run 1 ;;
mq) mode_run 2 ;;
reboot) mode_reboot ;;
esac
if [ "$failed" -gt 0 ]; then
	echo "guest-vhost-$mode: $failed check(s) failed"
	exit 1
fi
echo "guest-vhost-$mode: all checks passed"
exit 0
