# SPDX-License-Identifier: GPL-2.0-or-later
# uml-lib.sh: helpers for User-Mode Linux front-end tests (sourced by bash):
# the test guest's userland with UML's own virtio_net modules, booting a UML
# instance on a vhost-user socket, waiting for its QNET-GUEST done marker.

# uml_check: exit 77 unless linux.uml, its modules and cpio are here;
# sets UML_BIN and UML_MODS.
uml_check() {
	UML_BIN=$(command -v linux.uml) ||
		{ echo "SKIP: linux.uml is missing (apt-get install user-mode-linux)"; exit 77; }
	UML_MODS=$(ls -d /usr/lib/uml/modules/*/kernel 2>/dev/null | head -1)
	[ -n "$UML_MODS" ] || { echo "SKIP: no UML modules under /usr/lib/uml/modules"; exit 77; }
	command -v cpio >/dev/null || { echo "SKIP: cpio is missing"; exit 77; }
}

# uml_initrd TOOLS WORK SCRIPT: build WORK/initrd: the test guest's base
# initramfs plus UML's failover/net_failover/virtio_net and SCRIPT as
# /test.sh. Exits 77 when the guest userland cannot be built.
uml_initrd() {
	local tools="$1" work="$2" script="$3"

	if ! eval "$("$tools/build-guest" --quiet 2>"$work/build.err")"; then
		cat "$work/build.err"
		echo "SKIP: cannot build the test guest's userland"
		exit 77
	fi
	mkdir -p "$work/x/lib/modules/qnet" "$work/x/etc"
	cp "$UML_MODS/net/core/failover.ko" "$UML_MODS/drivers/net/net_failover.ko" \
		"$UML_MODS/drivers/net/virtio_net.ko" "$work/x/lib/modules/qnet/"
	printf 'failover\nnet_failover\nvirtio_net\n' >"$work/x/lib/modules/qnet/order"
	: >"$work/x/etc/qnet-guest.env"
	cp "$script" "$work/x/test.sh"
	(cd "$work/x" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/extra.cpio.gz"
	cat "$QNET_GUEST_INITRD" "$work/extra.cpio.gz" >"$work/initrd"
}

# uml_boot WORK ID SOCKET LOG [KEY=VALUE...]: start one UML instance in the
# background on vhost-user SOCKET (device id 1: net); KEY=VALUE words reach
# the guest's init as environment variables. Prints its pid.
uml_boot() {
	local work="$1" id="$2" sock="$3" log="$4"
	shift 4
	mkdir -p "$work/uml"
	TMPDIR="$work" "$UML_BIN" mem=256M initrd="$work/initrd" root=/dev/ram0 \
		rdinit=/init con=null ssl=null con0=null,fd:1 umid="$id" \
		uml_dir="$work/uml" virtio_uml.device="$sock:1" "$@" \
		>"$log" 2>&1 </dev/null &
	echo $!
}

# uml_wait PID LOG SECONDS: wait for the done marker (or the end of the
# instance, or the timeout), then kill the instance and its helper
# processes. Prints the guest's status (124: timeout, 125: no marker).
uml_wait() {
	local pid="$1" log="$2" left=$(($3 * 10)) kids="" st=125

	while [ "$left" -gt 0 ]; do
		kids="$kids $(ps -o pid= --ppid "$pid" 2>/dev/null | tr '\n' ' ')"
		if grep -q 'QNET-GUEST: done' "$log"; then
			st=$(sed -n 's/.*QNET-GUEST: done \([0-9]*\).*/\1/p' "$log" | head -1)
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		left=$((left - 1))
	done
	[ "$left" -le 0 ] && st=124
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" $kids 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "$st"
}
