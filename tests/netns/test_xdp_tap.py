#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real qnet binary with an af-xdp netdev and a tap netdev on one hub
(issue 6): frames both ways between the veth's far end and the tap.
  -netdev af-xdp,id=x0,ifname=qxa,mode=MODE
  -netdev tap,id=t0,ifname=qxtap,script=no,downscript=no
  -netdev hubport,id=h0,hubid=0,netdev=x0
  -netdev hubport,id=h1,hubid=0,netdev=t0
qxa sits in the namespace qnet runs in, its peer qxb in a second one. The
af-xdp netdev is peered with a hub port (no NIC MAC), so its program
steers every frame to qnet. Phases, N distinct frames each (sequence
number in the payload, 60..1514 bytes, unicast, broadcast, multicast):
  qxb -> af-xdp -> hub -> tap   sent by a packet socket on qxb, received
                                by one on the tap (frames qnet wrote)
  tap -> hub -> af-xdp -> qxb   sent by a packet socket on the tap (read
                                by qnet), received on qxb
  both at once (N to the tap, 3N/4 to qxb)
Every frame arrives exactly once and byte for byte, nothing comes back to
its sender; query-netstats (x0, t0) and the steering counters agree with
what was sent; the XDP program runs in MODE. After qnet exits: the tap,
the XDP program on qxa and the pins under /sys/fs/bpf/qnet are gone, and
once the test's own process has ended no process holds its namespaces.
Root only (exit 77 otherwise).
Usage: test_xdp_tap.py native|skb QNET [N, default 200]"""
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "unit", "ctl-run"))
sys.path.insert(0, HERE)
from qrun import FAILS, Qmp, Qnet, check, finish, no_notice  # noqa: E402
from test_qnet_xdp import (PINS, VA, VB, World, bpftool_json, gone,  # noqa
                           hmp, ip, netstats, percpu_u64, pin_dir,
                           prog_exists, skip, stop, xdp_on)

MODE = sys.argv[1] if len(sys.argv) > 1 else ""
QNET = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "qnet"
N = int(sys.argv[3]) if len(sys.argv) > 3 else 200
TAP = "qxtap"
# Frames in flight each way: below every kernel queue on the way (the
# tap's 500-frame txqueuelen towards qnet, veth's 256-frame XDP ring,
# the 1000-frame backlog, the AF_XDP rings' 2048), so a frame is lost only
# if qnet loses it, however the CPUs are shared.
WINDOW, BURST, STALL = 200, 20, 5.0
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
ETYPE = b"\x88\xb6"             # IEEE local experimental
MAGIC = b"qxt"
XDP_MODES = {"native": 1, "skb": 2}     # XDP_ATTACHED_DRV, XDP_ATTACHED_SKB
MCAST = bytes.fromhex("01005e000101")
SRC_TAP = bytes.fromhex("02aa00000001")  # frames sent on the tap


def mac_of(ifname, far=None):
    out = far.far_ip("-j", "link", "show", ifname) if far else \
        ip("-j", "link", "show", ifname)
    return bytes.fromhex(json.loads(out)[0]["address"].replace(":", ""))


def size_of(seq):
    """60..1514 bytes; the first frames of a phase hit both ends."""
    return (60, 1514, 61, 1513)[seq] if seq < 4 else 60 + (seq * 97) % 1455


def frame(direction, seq, dst, src):
    """Test frame @seq of @direction (one byte), size_of(@seq) bytes;
    every 17th broadcast, every 19th multicast, otherwise to @dst."""
    if seq % 17 == 5:
        dst = b"\xff" * 6
    elif seq % 19 == 7:
        dst = MCAST
    head = dst + src + ETYPE + MAGIC + direction + struct.pack("!I", seq)
    size = size_of(seq)
    return head + bytes((seq * 7 + i) & 0xff
                        for i in range(size - len(head)))


def seq_of(f):
    """(direction, seq) of a test frame, or None for any other frame."""
    if len(f) < 22 or f[12:14] != ETYPE or f[14:17] != MAGIC:
        return None
    return f[17:18], struct.unpack("!I", f[18:22])[0]


def psock(ifname):
    """A packet socket on @ifname (of the current namespace) seeing every
    frame, with a receive buffer large enough for a whole phase."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)    # SO_RCVBUFFORCE
    s.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)     # SO_SNDBUFFORCE
    s.bind((ifname, 0))
    s.setblocking(False)
    return s


class Rx:
    """Incoming test frames on one packet socket (outgoing ones, the
    socket's own sends seen by the tap, skipped)."""

    def __init__(self, sock):
        self.s = sock
        self.got = []
        self.other = 0

    def poll(self, secs):
        """Read until @secs pass without a frame."""
        while True:
            r, _, _ = select.select([self.s], [], [], secs)
            if not r:
                return
            while True:
                try:
                    f, addr = self.s.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                if seq_of(f):
                    self.got.append(f)
                else:
                    self.other += 1

    def wait(self, n, secs=5.0):
        """Read until @n test frames are in or @secs pass."""
        end = time.time() + secs
        while len(self.got) < n and time.time() < end:
            self.poll(min(0.2, max(0.01, end - time.time())))
        self.poll(0.3)          # late duplicates

    def count(self, direction):
        return sum(f[17:18] == direction for f in self.got)

    def take(self):
        g, self.got = self.got, []
        return g


def send_all(sock, frames):
    for f in frames:
        while True:
            try:
                sock.send(f)
                break
            except BlockingIOError:
                select.select([], [sock], [], 1.0)


def check_arrival(sent, got, what):
    """Every frame of @sent in @got exactly once, byte for byte."""
    want = {seq_of(f): f for f in sent}
    seen, dup, bad, extra = {}, 0, 0, 0
    for f in got:
        k = seq_of(f)
        if k not in want:
            extra += 1
        elif k in seen:
            dup += 1
        else:
            seen[k] = f
            bad += f != want[k]
    missing = sorted(k[1] for k in want if k not in seen)
    check(not missing and not dup and not bad and not extra,
          f"{what}: {len(seen)}/{len(sent)} frames arrived once and byte "
          f"for byte (missing {missing[:10]}"
          f"{'...' if len(missing) > 10 else ''}, {dup} duplicates, "
          f"{bad} altered, {extra} foreign)")


class Rig:
    """The namespaces, qnet and the packet sockets of one run."""

    def __init__(self, d):
        self.w = World()
        self.qmp_path = os.path.join(d, "qmp.sock")
        args = ["-nodefaults",
                "-netdev", f"af-xdp,id=x0,ifname={VA},mode={MODE}",
                "-netdev", f"tap,id=t0,ifname={TAP},script=no,downscript=no",
                "-netdev", "hubport,id=h0,hubid=0,netdev=x0",
                "-netdev", "hubport,id=h1,hubid=0,netdev=t0",
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        self.q = Qnet(QNET, args, wait=(self.qmp_path,))
        self.qmp = None
        if not check(self.q.ok, "qnet starts: " + " ".join(args)):
            self.q.stop()
            print(self.q.err)
            return
        self.qmp = Qmp(self.qmp_path)
        ip("link", "set", TAP, "up")
        self.tap_mac = mac_of(TAP)
        self.vb_mac = mac_of(VB, self.w)
        self.w._setns(self.w.far)      # qxb's socket lives in its namespace
        try:
            self.vb = psock(VB)
        finally:
            self.w._setns(self.w.home)
        self.tap = psock(TAP)
        self.rx_vb = Rx(self.vb)
        self.rx_tap = Rx(self.tap)

    def close(self):
        for s in (getattr(self, "vb", None), getattr(self, "tap", None)):
            if s:
                s.close()


def window(rig, sent_a, sent_b):
    """Wait until at most WINDOW - BURST frames of each direction are on
    their way (or STALL seconds pass without progress: the check then
    fails on what is missing)."""
    last, end = None, 0.0
    while True:
        rig.rx_tap.poll(0)
        rig.rx_vb.poll(0)
        out = (sent_a - rig.rx_tap.count(b"A"), sent_b - rig.rx_vb.count(b"B"))
        if max(out) <= WINDOW - BURST:
            return
        if out != last:
            last, end = out, time.time() + STALL
        elif time.time() > end:
            return
        select.select([rig.tap, rig.vb], [], [], 0.05)


def phase(rig, to_tap, to_vb, what):
    """Send @to_tap frames from qxb and @to_vb from the tap (interleaved
    when both are given, at most WINDOW each way in flight); check both
    receivers and that nothing came back.
    Return: (frames qxb->tap, frames tap->qxb, their bytes)."""
    a = [frame(b"A", i, rig.tap_mac, rig.vb_mac) for i in range(to_tap)]
    b = [frame(b"B", i, rig.vb_mac, SRC_TAP) for i in range(to_vb)]
    for i in range(0, max(len(a), len(b)), BURST):
        window(rig, min(i, len(a)), min(i, len(b)))
        send_all(rig.vb, a[i:i + BURST])
        send_all(rig.tap, b[i:i + BURST])
    rig.rx_tap.wait(len(a))
    rig.rx_vb.wait(len(b))
    got_tap, got_vb = rig.rx_tap.take(), rig.rx_vb.take()
    if a:
        check_arrival(a, [f for f in got_tap if f[17:18] == b"A"],
                      f"{what}: {VB} -> af-xdp -> hub -> {TAP}")
    if b:
        check_arrival(b, [f for f in got_vb if f[17:18] == b"B"],
                      f"{what}: {TAP} -> hub -> af-xdp -> {VB}")
    back = sum(f[17:18] == b"B" for f in got_tap) + \
        sum(f[17:18] == b"A" for f in got_vb)
    check(back == 0, f"{what}: no frame comes back to its sender ({back})")
    return len(a), len(b), sum(map(len, a)), sum(map(len, b))


def kernel_drops(rig):
    """Drops the kernel counted where a frame could be lost outside qnet:
    the tap's queue towards qnet (tx: past txqueuelen while qnet does not
    read), qxa (rx: no room in the AF_XDP ring, tx), qxb (rx: backlog)."""
    def stats(out):
        return json.loads(out)[0].get("stats64", {})
    t = stats(ip("-s", "-j", "link", "show", TAP))
    a = stats(ip("-s", "-j", "link", "show", VA))
    b = stats(rig.w.far_ip("-s", "-j", "link", "show", VB))
    return {f"{TAP} tx": t.get("tx", {}).get("dropped"),
            f"{VA} rx": a.get("rx", {}).get("dropped"),
            f"{VA} tx": a.get("tx", {}).get("dropped"),
            f"{VB} rx": b.get("rx", {}).get("dropped")}


def check_counters(rig, sent):
    """query-netstats and the steering counters against what was sent:
    @sent = (frames qxb->tap, frames tap->qxb, bytes qxb->tap,
    bytes tap->qxb)."""
    n_a, n_b, b_a, b_b = sent
    x0, t0 = netstats(rig.qmp, "x0"), netstats(rig.qmp, "t0")
    print("query-netstats x0:", json.dumps(x0))
    print("query-netstats t0:", json.dumps(t0))
    # a netdev's rx is what its peer gave it to send out, tx what it
    # delivered to its peer (test_qnet_xdp.py: x0 rx = the guest's frames)
    check(x0.get("tx_packets") == n_a and x0.get("rx_packets") == n_b,
          f"x0: tx {x0.get('tx_packets')} = {n_a} from {VB}, rx "
          f"{x0.get('rx_packets')} = {n_b} to {VB}")
    check(t0.get("rx_packets") == n_a and t0.get("tx_packets") == n_b,
          f"t0: rx {t0.get('rx_packets')} = {n_a} to the tap, tx "
          f"{t0.get('tx_packets')} = {n_b} from the tap")
    if "tx_bytes" in x0 and "rx_bytes" in t0:
        check(x0.get("tx_bytes") == b_a and t0.get("rx_bytes") == b_a and
              x0.get("rx_bytes") == b_b and t0.get("tx_bytes") == b_b,
              f"bytes: x0 tx {x0.get('tx_bytes')}, t0 rx "
              f"{t0.get('rx_bytes')} = {b_a}; x0 rx {x0.get('rx_bytes')}, "
              f"t0 tx {t0.get('tx_bytes')} = {b_b}")
    drops = {n: {k: v for k, v in s.get("drops", {}).items() if v}
             for n, s in (("x0", x0), ("t0", t0))}
    check(not any(drops.values()), f"no drops counted: {drops}")
    kd = kernel_drops(rig)
    check(not any(kd.values()), f"the kernel dropped none: {kd}")
    st = percpu_u64(os.path.join(pin_dir(rig.q), "qnet_x0_steer_st"))
    check(st.get(0) == n_a and not st.get(1) and not st.get(2),
          f"steering: to_guest {st.get(0)} = {n_a}, to_host "
          f"{st.get(1)}, no_socket {st.get(2)}: every frame to qnet")


def run_rig(d):
    """One qnet run: phases, counters, then the exit. Return: qnet's pid
    (0 when it did not start)."""
    rig = Rig(d)
    if not rig.qmp:
        return 0
    try:
        pin = os.path.join(pin_dir(rig.q), "qnet_x0_xdp")
        prog = bpftool_json("prog", "show", "pinned", pin) or {}
        link = json.loads(ip("-j", "link", "show", VA))[0].get("xdp", {})
        check(prog.get("name") == "qnet_xdp" and
              link.get("prog", {}).get("id") == prog.get("id") and
              link.get("mode") == XDP_MODES[MODE],
              f"{VA} runs qnet_xdp ({prog.get('id')}) in {MODE} mode: {link}")
        info = hmp(rig.qmp, "info network")
        check(f"\\ h1: t0: index=0,type=tap,ifname={TAP}," in info and
              f"\\ h0: x0: index=0,type=af-xdp,af-xdp0 to {VA}" in info,
              "info network shows both netdevs on hub 0: " + repr(info))
        total = [0, 0, 0, 0]
        # both at once with fewer frames to qxb: the directions' totals
        # differ, so a counter of the wrong direction shows
        for to_tap, to_vb, what in ((N, 0, "one way"), (0, N, "other way"),
                                    (N, N - N // 4, "both at once")):
            for i, v in enumerate(phase(rig, to_tap, to_vb, what)):
                total[i] += v
        check(rig.rx_tap.other == 0 and rig.rx_vb.other == 0,
              f"no other frame on {TAP} ({rig.rx_tap.other}) or {VB} "
              f"({rig.rx_vb.other})")
        check_counters(rig, total)
    except BaseException:
        rig.q.stop(signal.SIGKILL)      # never leave qnet behind
        raise
    finally:
        rig.close()
    stop(rig.q, rig.qmp)
    extra = [x for x in no_notice(rig.q.err).splitlines()
             if x != "qnet: warning: hub 0 with no nics"]
    check(not extra, f"qnet printed nothing but the hub warning: {extra}")
    after_exit(rig.q, prog.get("id", 0))
    return rig.q.proc.pid


def after_exit(q, prog):
    """What qnet made is gone once it exited."""
    links = [x["ifname"] for x in json.loads(ip("-j", "link", "show"))]
    check(TAP not in links, f"the tap {TAP} is gone ({links})")
    check(xdp_on(VA) == 0, f"no XDP program on {VA}")
    check(not os.path.exists(pin_dir(q)),
          f"the pin directory {pin_dir(q)} is gone")
    check(gone(lambda: not prog_exists(prog)),
          f"the XDP program {prog} is unloaded")


def ns_holders(inodes):
    """Processes (pid, where) that hold a network namespace of @inodes."""
    want = {f"net:[{i}]" for i in inodes}
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        paths = [f"/proc/{pid}/ns/net"]
        try:
            paths += [f"/proc/{pid}/fd/{f}"
                      for f in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue        # gone meanwhile
        for p in paths:
            try:
                if os.readlink(p) in want:
                    out.append((pid, p))
            except OSError:
                pass        # gone meanwhile
    return out


def child(d, wfd):
    """The test proper, in its own namespaces; their inodes go to @wfd."""
    try:
        qpid = run_rig(d)
        inodes = [os.stat("/proc/self/ns/net").st_ino]
        for fd in os.listdir("/proc/self/fd"):
            try:
                t = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            if t.startswith("net:["):
                inodes.append(int(t[5:-1]))
        os.write(wfd, json.dumps({"ns": sorted(set(inodes)),
                                  "qnet": qpid}).encode())
        # the veth pair goes with the namespaces; take it down explicitly
        ip("link", "del", VA)
        check(VA not in [x["ifname"] for x in
                         json.loads(ip("-j", "link", "show"))],
              f"the veth pair {VA}/{VB} is removed")
    except Exception as e:          # report, never hang the parent
        check(False, f"exception: {e!r}")
    return 1 if FAILS else 0


def main():
    if MODE not in XDP_MODES:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        skip("needs root (namespaces, taps, CAP_BPF, CAP_NET_ADMIN)")
    for tool in ("ip", "nsenter", "bpftool"):
        if not shutil.which(tool):
            skip(f"needs {tool}")
    if not os.path.isdir("/sys/fs/bpf"):
        skip("needs bpffs")
    d = tempfile.mkdtemp(prefix="qnet-xdp-tap-")
    r, wfd = os.pipe()
    try:
        pid = os.fork()
        if pid == 0:
            os.close(r)
            rc = 1
            try:
                rc = child(d, wfd)
            except SystemExit as e:     # skip() in the child: 77
                rc = e.code if isinstance(e.code, int) else 1
            finally:
                sys.stdout.flush()
                os._exit(rc)
        os.close(wfd)
        with os.fdopen(r, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        rc = os.waitstatus_to_exitcode(status)
        if rc == 77:
            return 77
        check(rc == 0, f"the test's process passed (exit {rc})")
        info = json.loads(data) if data else {}
        ns = info.get("ns", [])
        check(len(ns) >= 2, f"the test reported its namespaces {ns}")
        gone(lambda: not ns_holders(ns))
        held = ns_holders(ns)
        check(not held, f"no process holds the test's namespaces {ns}: "
              f"{held}")
        left = os.path.join(PINS, f"pid{info.get('qnet')}")
        check(info.get("qnet") and not os.path.exists(left),
              f"nothing of qnet's run under {PINS} ({left})")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
