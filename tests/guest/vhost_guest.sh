# SPDX-License-Identifier: GPL-2.0-or-later
# vhost_guest.sh: guest side of guest-vhost-* (runs as /test.sh): report the
# virtio features and queues qnet's vhost-user device negotiated, take a
# lease, fetch a file from the host through 10.0.2.2, then serve the host's
# TCP and UDP forwards until the host says done.
# Environment (run-guest --env): HTTP_URL, HTTP_SHA. Every check reports a
# marker; the exit status is the number of failed checks.

fails=0
bad() { fails=$((fails + 1)); }

dev=/sys/class/net/eth0/device
if [ -r "$dev/features" ]; then
	qg_mark features ok bits="$(cat "$dev/features")" \
		rxq="$(ls -d /sys/class/net/eth0/queues/rx-* | wc -l)" \
		txq="$(ls -d /sys/class/net/eth0/queues/tx-* | wc -l)"
else
	qg_mark features fail reason=no-virtio-device
	bad
fi

qg_dhcp eth0 || exit 98
qg_fetch "$HTTP_URL" "$HTTP_SHA" || bad
qg_httpd 8080 2097152 || bad
qg_tcp_echo 7 || bad
qg_udp_echo 7 || bad
qg_mark ready ok fails="$fails"
qg_wait_done 240 || bad
exit "$fails"
