# SPDX-License-Identifier: GPL-2.0-or-later
# qnet-guest.sh: shell functions for test scripts inside the qnet test guest
# (installed as /lib/qnet-guest.sh; busybox ash). Every function reports one
# marker line "QNET-GUEST: <event> <ok|fail> key=value ... t=<uptime>" on the
# console and returns 0 on success, non-zero on failure.

QG_CONSOLE=${QG_CONSOLE:-/dev/console}
QG_UDHCPC_SCRIPT=/lib/qnet-guest-udhcpc.sh
QG_WWW=/srv/www
QG_PIDS=/tmp/qg-pids

# qg_now: print the guest's uptime in seconds (two decimals).
qg_now() {
	local up rest
	read -r up rest </proc/uptime
	echo "$up"
}

# qg_mark EVENT STATUS [KEY=VALUE...]: print one marker line on the console.
qg_mark() {
	echo "QNET-GUEST: $* t=$(qg_now)" >"$QG_CONSOLE"
}

# qg_secs T0 T1: print T1 - T0 (seconds, three decimals).
qg_secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# qg_bg CMD...: start CMD in the background and remember its pid for
# qg_stop_servers.
qg_bg() {
	"$@" </dev/null >/dev/null 2>&1 &
	echo $! >>"$QG_PIDS"
}

# qg_stop_servers: kill every server started through qg_bg.
qg_stop_servers() {
	local pid
	[ -f "$QG_PIDS" ] || return 0
	while read -r pid; do
		kill "$pid" 2>/dev/null
	done <"$QG_PIDS"
	rm -f "$QG_PIDS"
}

# qg_carrier IFACE [SECONDS]: wait until IFACE reports carrier (e1000 needs
# about 1.5 s after "up"); returns 1 if it did not come in time.
qg_carrier() {
	local left=$((${2:-5} * 20)) c
	[ -e "/sys/class/net/$1" ] || return 1
	while :; do
		read -r c 2>/dev/null <"/sys/class/net/$1/carrier"
		[ "$c" = 1 ] && return 0
		[ "$left" -le 0 ] && return 1
		left=$((left - 1))
		usleep 50000
	done
}

# qg_dhcp [IFACE] [TRIES]: get a lease with udhcpc, configure address, route
# and /etc/resolv.conf, report "dhcp ok if= ip= mask= router= dns= secs=".
qg_dhcp() {
	local ifc="${1:-eth0}" tries="${2:-10}" t0 t1 ip mask router dns
	t0=$(qg_now)
	qg_carrier "$ifc" 5 || true
	rm -f "/tmp/qg-lease.$ifc"
	if ! udhcpc -i "$ifc" -s "$QG_UDHCPC_SCRIPT" -f -q -n -t "$tries" \
		-T 1 >/tmp/qg-udhcpc.log 2>&1 || [ ! -f "/tmp/qg-lease.$ifc" ]; then
		qg_mark dhcp fail if="$ifc" secs="$(qg_secs "$t0" "$(qg_now)")"
		return 1
	fi
	t1=$(qg_now)
	. "/tmp/qg-lease.$ifc"
	qg_mark dhcp ok if="$ifc" ip="$ip" mask="$mask" router="$router" \
		dns="$dns" secs="$(qg_secs "$t0" "$t1")"
}

# qg_fetch URL [SHA256]: download URL with wget, streaming it through
# sha256sum; report "fetch ok url= bytes= sha256= secs= kbps=". With SHA256
# given, a different hash is a failure.
qg_fetch() {
	local url="$1" want="$2" t0 t1 bytes sum rc secs
	t0=$(qg_now)
	bytes=$( { { wget -q -O- "$url" 2>/tmp/qg-fetch.err
		     echo $? >/tmp/qg-fetch.rc; } |
		   tee /proc/self/fd/3 | sha256sum >/tmp/qg-fetch.sum; } 3>&1 |
		 wc -c)
	t1=$(qg_now)
	read -r rc </tmp/qg-fetch.rc
	read -r sum _ </tmp/qg-fetch.sum
	secs=$(qg_secs "$t0" "$t1")
	if [ "$rc" != 0 ] || { [ -n "$want" ] && [ "$want" != "$sum" ]; }; then
		qg_mark fetch fail url="$url" rc="$rc" bytes="$bytes" \
			sha256="$sum" secs="$secs"
		return 1
	fi
	qg_mark fetch ok url="$url" bytes="$bytes" sha256="$sum" secs="$secs" \
		kbps="$(awk -v b="$bytes" -v s="$secs" \
			'BEGIN { printf "%d", (s > 0 ? b * 8 / s / 1000 : 0) }')"
}

# qg_httpd PORT [SIZE]: serve /srv/www with busybox httpd on PORT: a random
# file /known.bin of SIZE bytes (default 1 MiB), /cgi-bin/echo?TEXT answering
# TEXT, /cgi-bin/done creating /tmp/qg-done (see qg_wait_done). Reports
# "httpd ok port= path=/known.bin bytes= sha256=".
qg_httpd() {
	local port="$1" size="${2:-1048576}" sum
	mkdir -p "$QG_WWW/cgi-bin"
	head -c "$size" /dev/urandom >"$QG_WWW/known.bin"
	read -r sum _ <<EOF
$(sha256sum "$QG_WWW/known.bin")
EOF
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$QUERY_STRING"\n' \
		>"$QG_WWW/cgi-bin/echo"
	printf '#!/bin/sh\ntouch /tmp/qg-done\nprintf "Content-Type: text/plain\\r\\n\\r\\ndone\\n"\n' \
		>"$QG_WWW/cgi-bin/done"
	chmod 755 "$QG_WWW/cgi-bin/echo" "$QG_WWW/cgi-bin/done"
	qg_bg httpd -f -p "$port" -h "$QG_WWW"
	qg_mark httpd ok port="$port" path=/known.bin bytes="$size" sha256="$sum"
}

# qg_tcp_echo PORT: run a persistent TCP echo server (nc -ll -e cat).
qg_tcp_echo() {
	qg_bg nc -ll -p "$1" -e /bin/cat
	qg_mark tcp-echo ok port="$1"
}

# qg_udp_echo PORT: run a UDP echo server (qg-udp echo; busybox nc has no -u).
qg_udp_echo() {
	if ! [ -x /bin/qg-udp ]; then
		qg_mark udp-echo fail port="$1" reason=no-qg-udp
		return 1
	fi
	qg_bg qg-udp echo "$1"
	qg_mark udp-echo ok port="$1"
}

# qg_tcp_check HOST PORT [TEXT]: send TEXT to a TCP echo service and expect it
# back; report "tcp-check ok|fail host= port=".
qg_tcp_check() {
	local msg="${3:-qnet-tcp-$$}" got
	got=$(echo "$msg" | nc -w 5 "$1" "$2" 2>/dev/null)
	if [ "$got" != "$msg" ]; then
		qg_mark tcp-check fail host="$1" port="$2"
		return 1
	fi
	qg_mark tcp-check ok host="$1" port="$2"
}

# qg_udp_check HOST PORT [TEXT]: send TEXT to a UDP echo service and expect it
# back within 5 s; report "udp-check ok|fail host= port=".
qg_udp_check() {
	local msg="${3:-qnet-udp-$$}" got
	got=$(qg-udp send "$1" "$2" "$msg" 5 2>/dev/null)
	if [ "$got" != "$msg" ]; then
		qg_mark udp-check fail host="$1" port="$2"
		return 1
	fi
	qg_mark udp-check ok host="$1" port="$2"
}

# qg_tftp_get HOST FILE [SHA256]: fetch FILE by TFTP; report "tftp ok host=
# file= bytes= sha256=" (a different SHA256 than given is a failure).
qg_tftp_get() {
	local host="$1" file="$2" want="$3" out=/tmp/qg-tftp.bin sum bytes
	rm -f "$out"
	if ! tftp -g -r "$file" -l "$out" "$host" >/dev/null 2>&1; then
		qg_mark tftp fail host="$host" file="$file"
		return 1
	fi
	bytes=$(wc -c <"$out")
	read -r sum _ <<EOF
$(sha256sum "$out")
EOF
	rm -f "$out"
	if [ -n "$want" ] && [ "$want" != "$sum" ]; then
		qg_mark tftp fail host="$host" file="$file" bytes="$bytes" \
			sha256="$sum"
		return 1
	fi
	qg_mark tftp ok host="$host" file="$file" bytes="$bytes" sha256="$sum"
}

# qg_ping HOST [COUNT]: ping HOST; report "ping ok|fail host= sent= received=
# avg_ms=" (ok when at least one reply came back).
qg_ping() {
	local host="$1" count="${2:-3}" out sent recv avg
	out=$(ping -c "$count" -W 5 "$host" 2>&1)
	sent=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	avg=$(echo "$out" | sed -n 's|.*min/avg/max = [^/]*/\([^/]*\)/.*|\1|p')
	if [ "${recv:-0}" -gt 0 ] 2>/dev/null; then
		qg_mark ping ok host="$host" sent="$sent" received="$recv" \
			avg_ms="$avg"
		return 0
	fi
	qg_mark ping fail host="$host" sent="${sent:-0}" received=0
	return 1
}

# qg_nslookup NAME [SERVER]: resolve NAME; report "nslookup ok name= addr=A,B".
qg_nslookup() {
	local name="$1" addrs
	addrs=$(nslookup "$name" $2 2>/dev/null |
		awk '/^Name:/ { n = 1; next }
		     n && /^Address/ { sub(/^Address[^:]*: */, ""); print }' |
		paste -sd, -)
	if [ -z "$addrs" ]; then
		qg_mark nslookup fail name="$name"
		return 1
	fi
	qg_mark nslookup ok name="$name" addr="$addrs"
}

# qg_wait_file FILE [SECONDS]: wait until FILE exists; report "wait ok|fail
# file=".
qg_wait_file() {
	local file="$1" left=$((${2:-60} * 10))
	while [ ! -e "$file" ]; do
		if [ "$left" -le 0 ]; then
			qg_mark wait fail file="$file"
			return 1
		fi
		left=$((left - 1))
		usleep 100000
	done
	qg_mark wait ok file="$file"
}

# qg_wait_done [SECONDS]: wait until the host requests /cgi-bin/done from
# qg_httpd (default 60 s).
qg_wait_done() {
	qg_wait_file /tmp/qg-done "${1:-60}"
}

# qg_link_report: report "link ok dev= mac= driver= mtu=" for every ethN.
qg_link_report() {
	local d dev drv found=0
	for d in /sys/class/net/eth*; do
		[ -e "$d" ] || continue
		dev=${d##*/}
		drv=$(readlink "$d/device/driver" 2>/dev/null)
		qg_mark link ok dev="$dev" mac="$(cat "$d/address")" \
			driver="${drv##*/}" mtu="$(cat "$d/mtu")"
		found=1
	done
	[ "$found" = 1 ] && return 0
	qg_mark link fail reason=no-nic
	return 1
}
