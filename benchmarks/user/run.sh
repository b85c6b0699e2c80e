#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: bench-user: TCP namespace -> host loopback through qnet's user networking vs slirp4netns and pasta.
#
# Each run: a fresh named namespace (ip netns add), one networking process
# serving it (qnet, slirp4netns or pasta), a one-off iperf3 server on the
# host's 127.0.0.1, iperf3 -c from inside the namespace to the host as the
# namespace sees it (10.0.2.2 for qnet and slirp4netns; pasta's gateway,
# which pasta maps to the host's loopback), then the networking process's
# peak RSS (VmHWM) and CPU time are read and everything is removed.
# Contenders are interleaved (the order rotates every round), rounds are
# repeated, and the table shows medians with ratios to slirp4netns.
#
# Needs root (ip netns add, a tap in the namespace), slirp4netns, pasta
# (Debian: passt), iperf3, and the driver benchmarks/user/qnet-nsuser
# (meson compile -C BUILD benchmarks/user/qnet-nsuser) or a qnet binary
# that takes -device netns (--qnet PATH).

set -u

ROUNDS=5
SECS=3
OMIT=1
MTUS="1500 65520"
CONTENDERS="slirp4netns qnet pasta"
DRIVER=${QNET_NSUSER:-}
BASE=
QNET=
PORT=
KEEP=0
REVERSE=
DIRTEXT="namespace -> host 127.0.0.1"
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
	cat <<EOF
usage: $0 [--quick] [--rounds N] [--time S] [--mtu "M ..."]
          [--contenders "slirp4netns qnet pasta ..."] [--driver PATH]
          [--base PATH] [--qnet PATH] [--port P] [--reverse] [--keep-logs]
  --quick       1 round, 2 s per run, no omitted warm-up
  --rounds N    interleaved rounds (default $ROUNDS)
  --time S      iperf3 seconds per run, after a ${OMIT} s omitted warm-up
                (default $SECS)
  --mtu LIST    MTUs (default "$MTUS")
  --contenders  which, in this order (default "$CONTENDERS"); also
                qnet-noackc (qnet-nsuser -A: every ACK sent), qnet-notso
                (-T: no offloads on the tap) and qnet-base (--base)
  --driver PATH qnet-nsuser driver (default: build*/benchmarks/user/)
  --base PATH   another qnet-nsuser (say, built from an earlier commit),
                run as contender qnet-base with no switches
  --qnet PATH   use a qnet binary that serves -device netns instead
  --port P      iperf3 port on 127.0.0.1 (default: a free one from 15201)
  --reverse     host -> namespace instead (iperf3 -R)
  --keep-logs   keep the per-run logs (qnet's counters) and print where
EOF
}

die() {
	echo "bench-user: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) ROUNDS=1; SECS=2; OMIT=0 ;;
	--rounds) ROUNDS=$2; shift ;;
	--time) SECS=$2; shift ;;
	--mtu) MTUS=$2; shift ;;
	--contenders) CONTENDERS=$2; shift ;;
	--driver) DRIVER=$2; shift ;;
	--base) BASE=$2; shift ;;
	--qnet) QNET=$2; shift ;;
	--port) PORT=$2; shift ;;
	--keep-logs) KEEP=1 ;;
	--reverse) REVERSE=-R; DIRTEXT="host 127.0.0.1 -> namespace" ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

# --- what this needs --------------------------------------------------------

[ "$(id -u)" = 0 ] || die "needs root (ip netns add, a tap inside the namespace)"
missing=
for tool in ip iperf3 slirp4netns pasta awk sort timeout; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	pkgs=
	case "$missing" in *iperf3*) pkgs="$pkgs iperf3" ;; esac
	case "$missing" in *slirp4netns*) pkgs="$pkgs slirp4netns" ;; esac
	case "$missing" in *pasta*) pkgs="$pkgs passt" ;; esac
	die "missing:$missing (apt-get install -y$pkgs)"
fi
if [ -z "$QNET" ]; then
	if [ -z "$DRIVER" ]; then
		for d in "$REPO"/build-benchuser "$REPO"/build "$REPO"/build*; do
			if [ -x "$d/benchmarks/user/qnet-nsuser" ]; then
				DRIVER=$d/benchmarks/user/qnet-nsuser
				break
			fi
		done
	fi
	[ -n "$DRIVER" ] && [ -x "$DRIVER" ] ||
		die "no qnet-nsuser: meson compile -C BUILD benchmarks/user/qnet-nsuser, or --driver PATH"
fi
if [ -z "$PORT" ]; then
	PORT=15201
	while ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q .; do
		PORT=$((PORT + 1))
	done
fi

# --- cleanup of everything this run creates ---------------------------------

[ -n "$DRIVER" ] && DRIVER=$(realpath "$DRIVER")
[ -n "$QNET" ] && QNET=$(realpath "$QNET")
[ -n "$BASE" ] && BASE=$(realpath "$BASE")
case " $CONTENDERS " in
*" qnet-base "*) [ -n "$BASE" ] && [ -x "$BASE" ] || die "qnet-base needs --base PATH" ;;
esac
TMP=$(mktemp -d /tmp/bench-user.XXXXXX)
cd "$TMP" || die "cannot enter $TMP"
NETNS=()
PIDS=()

cleanup() {
	local p n
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for n in "${NETNS[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	if [ "$KEEP" = 1 ]; then
		echo "bench-user: logs in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# forget a pid / namespace once it is gone
forget_pid() {
	local keep=() p
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}
forget_ns() {
	local keep=() n
	for n in "${NETNS[@]}"; do [ "$n" = "$1" ] || keep+=("$n"); done
	NETNS=("${keep[@]}")
}

# CPU time of a process, in clock ticks (utime + stime)
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# peak RSS of a process, KiB
vm_hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# --- one run ----------------------------------------------------------------

# start_contender NAME MTU NETNS LOG: starts the networking process; sets SRV
start_contender() {
	local c=$1 mtu=$2 ns=$3 log=$4
	case "$c" in
	qnet)
		if [ -n "$QNET" ]; then
			"$QNET" -netdev "user,id=u0,mtu=$mtu,mru=$mtu" \
				-device "netns,netdev=u0,netns=$ns,configure=on,mtu=$mtu" \
				>"$log" 2>&1 &
		else
			"$DRIVER" -s -m "$mtu" "$ns" >"$log" 2>&1 &
		fi
		;;
	qnet-noackc | qnet-notso)
		# A/B: every ACK sent (-A), or no offloads on the tap (-T)
		[ -n "$DRIVER" ] || die "$c needs the qnet-nsuser driver"
		local sw=-A
		[ "$c" = qnet-notso ] && sw=-T
		"$DRIVER" -s "$sw" -m "$mtu" "$ns" >"$log" 2>&1 &
		;;
	qnet-base)
		"$BASE" -s -m "$mtu" "$ns" >"$log" 2>&1 &
		;;
	slirp4netns)
		slirp4netns --configure --mtu="$mtu" --netns-type=path \
			"/run/netns/$ns" tap0 >"$log" 2>&1 &
		;;
	pasta)
		# as root pasta would switch to nobody, who cannot join the
		# namespace: --runas 0.  -f: stay in the foreground (our pid).
		pasta -f -q --runas 0 --config-net -m "$mtu" --netns "$ns" \
			>"$log" 2>&1 &
		;;
	*) die "unknown contender $c" ;;
	esac
	SRV=$!
	PIDS+=("$SRV")
}

# wait_ready NETNS PID: the namespace has a default route (configured)
wait_ready() {
	local i
	for i in $(seq 100); do
		kill -0 "$2" 2>/dev/null || return 1
		[ -n "$(ip -n "$1" -4 route show default 2>/dev/null)" ] && return 0
		sleep 0.05
	done
	return 1
}

# one_run CONTENDER MTU ROUND: appends "CONTENDER MTU ROUND GBITS HWM_KIB CPU% ok|stall|fail"
# to $RESULTS (in this shell, so the cleanup trap knows what is running)
one_run() {
	local c=$1 mtu=$2 r=$3 ns="qnbu-$$-$c-$mtu-$r" log="$TMP/$c-$mtu-$r"
	local target ips out kbps hwm t0 t1 c0 c1 cpu tck state

	ip netns add "$ns" || die "ip netns add $ns failed"
	NETNS+=("$ns")
	start_contender "$c" "$mtu" "$ns" "$log.srv"
	if ! wait_ready "$ns" "$SRV"; then
		echo "bench-user: $c mtu $mtu: namespace not configured:" \
			"$(head -c 300 "$log.srv")" >&2
		record "$c $mtu $r 0 0 0 fail"
		kill -TERM "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null
		forget_pid "$SRV"; ip netns del "$ns"; forget_ns "$ns"
		return
	fi
	if [ "$c" = pasta ]; then
		target=$(ip -n "$ns" -4 route show default | awk '{ print $3; exit }')
	else
		target=10.0.2.2
	fi
	iperf3 -s -1 -B 127.0.0.1 -p "$PORT" >"$log.ips" 2>&1 &
	ips=$!
	PIDS+=("$ips")
	for _ in $(seq 40); do
		ss -Hltn "sport = :$PORT" | grep -q . && break
		sleep 0.05
	done
	tck=$(getconf CLK_TCK)
	c0=$(cpu_ticks "$SRV")
	t0=$(date +%s%N)
	out=$(timeout $((SECS + OMIT + 8)) ip netns exec "$ns" \
		iperf3 -c "$target" -p "$PORT" -t "$SECS" -O "$OMIT" -f k $REVERSE \
		--connect-timeout 3000 2>&1)
	t1=$(date +%s%N)
	c1=$(cpu_ticks "$SRV")
	hwm=$(vm_hwm "$SRV")
	echo "$out" >"$log.cli"
	state=ok
	if ! kill -0 "$SRV" 2>/dev/null; then
		wait "$SRV"
		state="died($?)"
		echo "bench-user: $c mtu $mtu round $r: the networking process" \
			"died during the run: $(tail -c 300 "$log.srv")" >&2
	fi
	kbps=$(echo "$out" | awk '/receiver/ { for (i = 1; i < NF; i++)
		if ($(i + 1) == "Kbits/sec") v = $i } END { print v + 0 }')
	cpu=$(awk -v a="$c0" -v b="$c1" -v t="$tck" -v s="$t0" -v e="$t1" \
		'BEGIN { w = (e - s) / 1e9; printf "%.0f", (w > 0 ? 100 * (b - a) / t / w : 0) }')
	kill -TERM "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	forget_pid "$SRV"
	kill -TERM "$ips" 2>/dev/null
	wait "$ips" 2>/dev/null
	forget_pid "$ips"
	ip netns del "$ns"
	forget_ns "$ns"
	[ "$state" = ok ] && [ "${kbps%.*}" -le 0 ] 2>/dev/null && state=stall
	record "$(awk -v c="$c" -v m="$mtu" -v r="$r" -v k="$kbps" -v h="$hwm" \
		-v u="$cpu" -v s="$state" 'BEGIN { printf "%s %s %s %.3f %d %s %s",
			c, m, r, k / 1e6, h, u, s }')"
}

# record LINE: keep a result and show it
record() {
	echo "$1" >>"$RESULTS"
	echo "  $1" >&2
}

# --- rounds, interleaved ------------------------------------------------------

read -r -a CL <<<"$CONTENDERS"
RESULTS=$TMP/results
: >"$RESULTS"
echo "bench-user: $ROUNDS round(s), iperf3 -t $SECS -O $OMIT, MTU $MTUS," \
	"port $PORT, qnet = ${QNET:-$DRIVER}${BASE:+, qnet-base = $BASE}" >&2
for r in $(seq "$ROUNDS"); do
	for mtu in $MTUS; do
		n=${#CL[@]}
		for i in $(seq 0 $((n - 1))); do
			c=${CL[$(((i + r - 1) % n))]}
			one_run "$c" "$mtu" "$r"
		done
	done
done

# --- table --------------------------------------------------------------------
#
# Gbit/s: median over rounds.  vs slirp: ratio of the medians.  paired:
# median over rounds of (this run / slirp4netns's run in the same round and
# MTU), which cancels load that changes between rounds; the target verdict
# uses it.  peak MiB: the highest VmHWM of the networking process.  CPU %:
# its CPU time over the run's wall time (100 = one core), median.
# Gbit/cpu-s: throughput per CPU-second of the networking process, median.

echo
echo "bench-user: TCP $DIRTEXT, iperf3 ${SECS} s x $ROUNDS round(s), medians"
awk -v contenders="$CONTENDERS" -v mtus="$MTUS" '
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	if (n == 0) return 0
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 SUBSEP $2
	g[k] = g[k] " " $4; c[k] = c[k] " " $6
	e[k] = e[k] " " ($6 > 0 ? 100 * $4 / $6 : 0)
	run[$1, $2, $3] = $4; rounds[$3] = 1
	if ($5 > h[k]) h[k] = $5
	if ($7 != "ok") bad[k] = bad[k] " " $7
}
END {
	nc = split(contenders, C, " "); nm = split(mtus, M, " ")
	printf "%-12s %6s %7s %8s %7s %9s %6s %10s  %s\n", "contender", "MTU",
	       "Gbit/s", "vs slirp", "paired", "peak MiB", "CPU %",
	       "Gbit/cpu-s", "runs (Gbit/s)"
	for (j = 1; j <= nm; j++) {
		base = median(g["slirp4netns" SUBSEP M[j]])
		for (i = 1; i <= nc; i++) {
			k = C[i] SUBSEP M[j]
			if (!(k in g)) continue
			v = median(g[k])
			ratio = base > 0 ? sprintf("%.2f", v / base) : "-"
			pr = ""
			for (r in rounds) {
				b = run["slirp4netns", M[j], r] + 0
				if (b > 0 && ((C[i], M[j], r) in run))
					pr = pr " " run[C[i], M[j], r] / b
			}
			paired = pr != "" ? sprintf("%.2f", median(pr)) : "-"
			printf "%-12s %6s %7.2f %8s %7s %9.1f %6.0f %10.2f %s%s\n",
			       C[i], M[j], v, ratio, paired, h[k] / 1024,
			       median(c[k]), median(e[k]), g[k],
			       bad[k] != "" ? "  (not ok:" bad[k] ")" : ""
			if (C[i] == "qnet" && paired != "-")
				verdict = verdict sprintf("  MTU %s: qnet/slirp4netns %s paired, %s of medians %s\n",
					M[j], paired, ratio,
					(paired + 0 >= 1 ? "(target met)" : "(BELOW target)"))
		}
	}
	if (verdict != "")
		printf "\ntarget: qnet >= slirp4netns at every MTU\n%s", verdict
}' "$RESULTS"
if [ "$KEEP" = 1 ]; then
	echo
	for f in "$TMP"/qnet*.srv; do
		[ -s "$f" ] && { echo "== ${f##*/}"; cat "$f"; }
	done
fi
