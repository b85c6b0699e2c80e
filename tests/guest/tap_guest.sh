# SPDX-License-Identifier: GPL-2.0-or-later
# tap_guest.sh: guest side of guest-tap-* (runs as /test.sh): a static
# address on the bridged segment, ping, an HTTP fetch with checksum,
# iperf3 both ways and a UDP flood against the server namespace, then serve
# the host until it calls done. Needs (run-guest --env) GUEST_IP, SERVER_IP, HTTP_URL, HTTP_SHA,
# IPERF_PORT, IPERF_SECS, KNOWN_SIZE, QUEUES; iperf3 and its libraries come
# in with run-guest --file at their host paths. With QUEUES > 1, one iperf3
# upload per vCPU at once, each pinned (taskset) so that the driver sends
# on every TX queue (XPS maps vCPU i to queue i), to IPERF_PORT + i.

export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu

# tap_iperf up|down: one iperf3 run against SERVER_IP (down: -R, the server
# sends); copies iperf3's summary to the console and reports
# "iperf ok dir= kbps= bytes=" (the receiver's line).
tap_iperf() {
	local dir=$1 flag='' out rc line kbps bytes
	[ "$dir" = down ] && flag=-R
	out=$(iperf3 -c "$SERVER_IP" -p "$IPERF_PORT" -t "$IPERF_SECS" -f k \
		$flag 2>&1)
	rc=$?
	echo "$out" | grep -E 'sender|receiver|error|iperf' |
		sed "s/^/tap-guest: iperf3 $dir: /" >"$QG_CONSOLE"
	line=$(echo "$out" | grep 'receiver$' | tail -1)
	kbps=$(echo "$line" | awk '{ for (i = 2; i <= NF; i++)
		if ($i == "Kbits/sec") print $(i - 1) }')
	bytes=$(echo "$line" | awk '{ for (i = 2; i <= NF; i++) {
		m = 0
		if ($i == "Bytes") m = 1
		if ($i == "KBytes") m = 1024
		if ($i == "MBytes") m = 1048576
		if ($i == "GBytes") m = 1073741824
		# iperf3 rounds (1.11 GBytes): report the least it can mean
		# (no ^: busybox awk in the guest has no math library)
		d = index($(i - 1), ".")
		d = d ? length($(i - 1)) - d : 0
		for (p = 1; d > 0; d--)
			p *= 10
		if (m) { printf "%d", ($(i - 1) - 0.5 / p) * m; exit }
	} }')
	if [ "$rc" != 0 ] || [ -z "$kbps" ] || [ -z "$bytes" ]; then
		qg_mark iperf fail dir="$dir" rc="$rc"
		return 1
	fi
	qg_mark iperf ok dir="$dir" kbps="$kbps" bytes="$bytes" secs="$IPERF_SECS"
}

# tap_udp: a UDP flood from the guest (iperf3 -u -b 0, 1400-byte
# datagrams, 3 s): the TX ring full and kicked as fast as the guest can,
# where a lost kick shows (guest-tap-*-virtio check tx_kick_missed);
# reports "udp ok kbps= lost=" (the receiver's line).
tap_udp() {
	local out rc line
	out=$(iperf3 -c "$SERVER_IP" -p "$IPERF_PORT" -u -b 0 -l 1400 -t 3 \
		-f k 2>&1)
	rc=$?
	echo "$out" | grep -E 'sender|receiver|error' |
		sed "s/^/tap-guest: iperf3 udp: /" >"$QG_CONSOLE"
	line=$(echo "$out" | grep 'receiver$' | tail -1)
	if [ "$rc" != 0 ] || [ -z "$line" ]; then
		qg_mark udp fail rc="$rc"
		return 1
	fi
	qg_mark udp ok kbps="$(echo "$line" | awk '{ for (i = 2; i <= NF; i++)
		if ($i == "Kbits/sec") print $(i - 1) }')" \
		lost="$(echo "$line" | awk '{ for (i = 2; i <= NF; i++)
		if ($i ~ /^[0-9]+\/[0-9]+$/) print $i }')"
}

qg_carrier eth0 10 || { qg_mark ip fail reason=no-carrier; exit 1; }
if ! ip addr add "$GUEST_IP/24" dev eth0; then
	qg_mark ip fail reason=addr
	exit 1
fi
qg_mark ip ok if=eth0 ip="$GUEST_IP" mac="$(cat /sys/class/net/eth0/address)"

# First contact: ARP through the bridge (and e1000 holds RX for 1 s after
# its RCTL write). Single pings until one is answered, at most ~20 s.
t0=$(qg_now)
n=0
while ! ping -c 1 -W 1 "$SERVER_IP" >/dev/null 2>&1; do
	n=$((n + 1))
	if [ "$n" -ge 20 ]; then
		qg_mark reach fail host="$SERVER_IP" tries="$n"
		exit 2
	fi
done
qg_mark reach ok host="$SERVER_IP" lost="$n" secs="$(qg_secs "$t0" "$(qg_now)")"

qg_ping "$SERVER_IP" 5 || exit 3
qg_fetch "$HTTP_URL" "$HTTP_SHA" || exit 4
if command -v iperf3 >/dev/null; then
	tap_iperf up || exit 5
	tap_iperf down || exit 6
	tap_udp || exit 10
else
	qg_mark iperf fail reason=no-iperf3
	exit 5
fi
# tap_mq: QUEUES pinned uploads at once; "mq ok queues= pairs=" when all
# of them finished.
tap_mq() {
	local i pids='' rc=0 p
	for i in $(seq 0 $((QUEUES - 1))); do
		taskset -c "$i" iperf3 -c "$SERVER_IP" -p $((IPERF_PORT + i)) \
			-t 2 -f k >/tmp/mq$i.out 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || rc=1; done
	for i in $(seq 0 $((QUEUES - 1))); do
		grep 'receiver$' /tmp/mq$i.out | sed "s/^/tap-guest: mq $i: /" >"$QG_CONSOLE"
	done
	if [ "$rc" != 0 ]; then
		qg_mark mq fail queues="$QUEUES"
		cat /tmp/mq*.out >"$QG_CONSOLE"
		return 1
	fi
	qg_mark mq ok queues="$QUEUES" \
		pairs="$(ls -d /sys/class/net/eth0/queues/tx-* | wc -l)"
}
if [ "${QUEUES:-1}" -gt 1 ]; then
	tap_mq || exit 9
fi
# The guest NIC's own counters after the transfers (informational).
st=/sys/class/net/eth0/statistics
qg_mark nicstats ok rx_packets="$(cat $st/rx_packets)" \
	tx_packets="$(cat $st/tx_packets)" rx_dropped="$(cat $st/rx_dropped)" \
	rx_missed="$(cat $st/rx_missed_errors)" rx_over="$(cat $st/rx_over_errors)" \
	rx_fifo="$(cat $st/rx_fifo_errors)" rx_errors="$(cat $st/rx_errors)" \
	tcp_retrans="$(awk '/^Tcp:/ { if (h) print $13; h = 1 }' /proc/net/snmp)" \
	virtio_features="$(cat /sys/class/net/eth0/device/features 2>/dev/null || echo none)"
qg_httpd 8080 "$KNOWN_SIZE" || exit 7
qg_mark ready ok
qg_wait_done 120 || exit 8
exit 0
