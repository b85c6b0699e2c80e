# SPDX-License-Identifier: GPL-2.0-or-later
# smoke-guest.sh: guest side of guest-smoke-qemu-user (runs as /test.sh):
# lease, fetch from the host, then serve the host until it calls done.
# Needs HTTP_URL and HTTP_SHA (run-guest --env).

qg_dhcp || exit 1
qg_fetch "$HTTP_URL" "$HTTP_SHA" || exit 2
qg_httpd 8080 1048576 || exit 3
qg_tcp_echo 7 || exit 4
qg_udp_echo 7 || exit 5
qg_mark ready ok
qg_wait_done 120 || exit 6
exit 0
