# SPDX-License-Identifier: GPL-2.0-or-later
# user-badinput-guest.sh: guest side of guest-user-badinput (runs as /test.sh).
# Phase 1: lease, servers for the host, guestfwd with shell metacharacters,
# guestfwd to a dead unix socket, giant frames from the guest. Then "ready";
# the host throws bad input at qnet and requests /cgi-bin/go. Phase 2: the
# same network must still work (4 MiB fetch, ping, guestfwd). Environment:
# HTTP_PORT, HTTP_SHA. Exit status: the number of failed checks.

fails=0
bad() { fails=$((fails + 1)); }

# guestfwd_cmd EVENT: connect to the cmd: guestfwd; its output must be the
# command's arguments, metacharacters included, printed literally by echo.
guestfwd_cmd() {
	local out
	out=$(echo x | timeout 10 nc 10.0.2.100 1234 2>/dev/null | tr ' ' '_' | head -c 600)
	case "$out" in
	*'qnet;touch'*'$(touch'*)
		qg_mark "$1" ok out="$out" ;;
	*)
		qg_mark "$1" fail out="$out"
		bad ;;
	esac
}

qg_dhcp eth0 || exit 98
qg_httpd 8080 1048576 || bad
printf '#!/bin/sh\ntouch /tmp/qg-go\nprintf "Content-Type: text/plain\\r\\n\\r\\ngo\\n"\n' \
	>/srv/www/cgi-bin/go
chmod 755 /srv/www/cgi-bin/go
qg_tcp_echo 7 || bad

guestfwd_cmd guestfwd-cmd
guestfwd_cmd guestfwd-cmd
guestfwd_cmd guestfwd-cmd

# guestfwd to a unix socket nobody listens on: the connection ends (no hang).
t0=$(qg_now)
out=$(echo x | timeout 8 nc 10.0.2.101 80 2>/dev/null)
rc=$?
secs=$(qg_secs "$t0" "$(qg_now)")
if [ "$rc" != 124 ] && [ "$rc" != 143 ] && [ -z "$out" ]; then
	qg_mark guestfwd-dead ok rc="$rc" secs="$secs"
else
	qg_mark guestfwd-dead fail rc="$rc" secs="$secs" out="$(echo "$out" | tr ' ' '_')"
	bad
fi

# Giant frames from the guest: 8042-byte frames are beyond libslirp's MRU
# (1500 + 18), so no echo reply may come back; normal size works after.
if ip link set eth0 mtu 9000 2>/dev/null; then
	out=$(ping -c 2 -W 2 -s 8000 10.0.2.2 2>&1)
	recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	ip link set eth0 mtu 1500
	if [ "${recv:-x}" = 0 ]; then
		qg_mark giant ok sent=2 received=0 frame=8042
	else
		qg_mark giant fail sent=2 received="${recv:-?}" frame=8042
		bad
	fi
else
	qg_mark giant skip reason=mtu-9000-refused
fi
qg_ping 10.0.2.2 2 || bad

qg_mark ready ok fails="$fails"
qg_wait_file /tmp/qg-go 240 || exit 97

qg_fetch "http://10.0.2.2:$HTTP_PORT/big.bin" "$HTTP_SHA" || bad
qg_ping 10.0.2.2 2 || bad
guestfwd_cmd guestfwd-cmd-after
qg_mark after ok fails="$fails"
qg_wait_done 240 || bad
exit "$fails"
