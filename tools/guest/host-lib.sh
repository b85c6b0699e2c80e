# SPDX-License-Identifier: GPL-2.0-or-later
# host-lib.sh: bash helpers for host-side guest tests: read the markers that
# run-guest writes to its --log while the guest runs. Source it.

# qgh_free_port [tcp|udp]: print a port on 127.0.0.1 that is free right now.
qgh_free_port() {
	python3 - "${1:-tcp}" <<'EOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

# qgh_marker LOG EVENT: print the first "QNET-GUEST: EVENT ..." line of LOG
# (from "QNET-GUEST:" on); returns 1 if there is none.
qgh_marker() {
	grep -o "QNET-GUEST: $2 .*" "$1" 2>/dev/null | head -1 | grep .
}

# qgh_field LINE KEY: print the value of KEY=VALUE in a marker line.
qgh_field() {
	local w
	for w in $1; do
		case "$w" in "$2="*) echo "${w#*=}"; return 0 ;; esac
	done
	return 1
}

# qgh_status LINE: print the status word (ok, fail, or done's number).
qgh_status() {
	local w
	read -r _ _ w _ <<<"$1"
	echo "$w"
}

# qgh_wait_marker LOG EVENT SECONDS [PID]: wait until LOG has an EVENT marker
# and print it. Fails after SECONDS, or as soon as PID (run-guest) has exited
# or the guest reported "done".
qgh_wait_marker() {
	local log=$1 ev=$2 left=$(($3 * 10)) pid=${4:-} line
	while [ "$left" -gt 0 ]; do
		if line=$(qgh_marker "$log" "$ev"); then
			echo "$line"
			return 0
		fi
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
		[ "$ev" != "done" ] && qgh_marker "$log" "done" >/dev/null && break
		left=$((left - 1))
		sleep 0.1
	done
	qgh_marker "$log" "$ev"
}
