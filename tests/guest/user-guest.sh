# SPDX-License-Identifier: GPL-2.0-or-later
# user-guest.sh: guest side of guest-user-* (runs as /test.sh): lease, DNS,
# fetch, TFTP, ping, servers for the host's forwards, then the restricted NIC.
# Environment (run-guest --env): MAC0 (NIC on the open net 10.0.2.0/24),
# MAC1 (NIC on the restrict=on net 10.0.3.0/24), HTTP_PORT, HTTP_SHA,
# DNS_NAME, TFTP_FILE, TFTP_SHA, PING_TARGET (empty: no relayed ping).
# Every check reports a marker and the script goes on; the exit status is
# the number of failed checks (the host judges the markers too).

fails=0
bad() { fails=$((fails + 1)); }

# ifname MAC: print the ethN with that MAC.
ifname() {
	local d
	for d in /sys/class/net/eth*; do
		[ "$(cat "$d/address" 2>/dev/null)" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# expect_fail EVENT CMD...: CMD must fail (the restrict=on checks).
expect_fail() {
	local ev=$1 t0
	shift
	t0=$(qg_now)
	if "$@" >/dev/null 2>&1; then
		qg_mark "$ev" fail reason=succeeded secs="$(qg_secs "$t0" "$(qg_now)")"
		bad
	else
		qg_mark "$ev" ok reason=refused secs="$(qg_secs "$t0" "$(qg_now)")"
	fi
}

if0=$(ifname "$MAC0") || { qg_mark ifaces fail mac0="$MAC0"; exit 99; }
if1=$(ifname "$MAC1") || { qg_mark ifaces fail mac1="$MAC1"; exit 99; }
qg_mark ifaces ok if0="$if0" if1="$if1"

qg_dhcp "$if0" || exit 98
qg_nslookup "$DNS_NAME" 10.0.2.3 || bad
qg_fetch "http://10.0.2.2:$HTTP_PORT/big.bin" "$HTTP_SHA" || bad
qg_tftp_get 10.0.2.2 "$TFTP_FILE" "$TFTP_SHA" || bad
qg_ping 10.0.2.2 2 || bad
if [ -n "$PING_TARGET" ]; then
	qg_ping "$PING_TARGET" 2 || bad
fi
qg_httpd 8080 1048576 || bad
qg_tcp_echo 7 || bad
qg_udp_echo 7 || bad

# The restrict=on NIC: a lease, then the guest's own connections to the host
# (TCP to the HTTP server, UDP to the DNS server, both on the host's
# 127.0.0.1 through 10.0.3.2) must fail, while the same through the open NIC
# works (the HTTP fetch above; the DNS query here).
cp /etc/resolv.conf /tmp/resolv.keep
qg_dhcp "$if1" || bad
cp /tmp/resolv.keep /etc/resolv.conf
expect_fail restrict-tcp timeout 10 wget -q -O /dev/null \
	"http://10.0.3.2:$HTTP_PORT/big.bin"
qg_nslookup "$DNS_NAME" 10.0.2.2 || bad
expect_fail restrict-udp timeout 8 nslookup "$DNS_NAME" 10.0.3.2

qg_mark ready ok fails="$fails"
qg_wait_done 300 || bad
exit "$fails"
