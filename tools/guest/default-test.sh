# SPDX-License-Identifier: GPL-2.0-or-later
# default-test.sh: the test guest's script when no /test.sh is given
# (installed as /lib/qnet-guest-default.sh): DHCP, then ping the router.

qg_dhcp || exit 1
. /tmp/qg-lease.eth0
[ -n "$router" ] && qg_ping "$router" 2
exit 0
