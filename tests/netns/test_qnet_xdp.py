#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real qnet binary with -netdev af-xdp and -object filter-dump: a veth
whose far end sits in a second network namespace (an IPv4 host), and a fake
VM on a stream attach= NIC. Modes:
  afxdp   frames both ways (ARP, pings), steering, counters, pins shown by
          bpftool while running, no descriptor leak, nothing pinned or
          attached after exit, a killed instance cleaned by the next,
          inhibit=on with map-path=, QEMU's option errors
  dump    filter-dump on the af-xdp netdev (kernel tx, user-space rx): the
          pcap tcpdump reads holds exactly the frames that crossed, a
          tcpdump filter= keeps only its matches, maxlen truncates; bpftool
          shows the capture counters; on a tap qnet creates, TC programs
          capture both directions
  user    filter-dump on a user netdev (no kernel interface): user-space
          capture, same pcap format (no root needed)
  status  status=off, then qom-set on, then off: only the frames of the
          "on" phase are in the pcap (af-xdp and user netdevs)
  priv    without capabilities (setpriv): af-xdp falls back to user
          networking with a warning, or fails with fallback=off; a capture
          on a tap qnet may not attach BPF to falls back to user space
Root only except `user` (exit 77 otherwise); every namespace, interface and
pin the test makes is gone when it ends.
Usage: test_qnet_xdp.py MODE QNET"""
import ctypes
import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "unit", "ctl-run"))
from qrun import Qmp, Qnet, Vm, check, finish, run  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else ""
QNET = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "qnet"
CLONE_NEWNET = 0x40000000
GUEST_MAC = bytes.fromhex("525400123456")
GUEST_IP, FAR_IP = "10.77.0.2", "10.77.0.1"
SLIRP_IP, SLIRP_GUEST = "10.0.2.2", "10.0.2.15"
VA, VB = "qxa", "qxb"
PINS = "/sys/fs/bpf/qnet"
NOCAPS = ["setpriv", "--inh-caps=-all", "--ambient-caps=-all",
          "--bounding-set=-all", "--"]
SIZES = [60, 64, 98, 200, 512, 1000, 1400, 1514]


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


# --- namespaces -------------------------------------------------------------

class World:
    """This process in a private network namespace (home, where qnet runs)
    holding the veth end VA; the far end VB in a second private namespace
    (far) with FAR_IP. Both vanish with the process."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.home = self._new_ns()
        self.far = self._new_ns()
        self._setns(self.home)
        self.far_path = f"/proc/{os.getpid()}/fd/{self.far}"
        ip("link", "set", "lo", "up")
        ip("link", "add", VA, "type", "veth", "peer", "name", VB)
        ip("link", "set", VB, "netns", self.far_path)
        ip("link", "set", VA, "up")
        self.far_ip("link", "set", VB, "up")
        self.far_ip("addr", "add", FAR_IP + "/24", "dev", VB)
        # the guest is known for good: the far host never ARPs for it
        self.far_ip("neigh", "replace", GUEST_IP, "lladdr",
                    "52:54:00:12:34:56", "dev", VB, "nud", "permanent")
        self.far_mac = bytes.fromhex(json.loads(self.far_ip(
            "-j", "link", "show", VB))[0]["address"].replace(":", ""))

    def _new_ns(self):
        if self.libc.unshare(CLONE_NEWNET):
            skip("unshare(CLONE_NEWNET): " +
                 os.strerror(ctypes.get_errno()))
        # no IPv6 (router solicitations, MLD): exact frame counts
        for k in ("all", "default"):
            try:
                with open(f"/proc/sys/net/ipv6/conf/{k}/disable_ipv6",
                          "w") as f:
                    f.write("1")
            except FileNotFoundError:
                pass    # no IPv6 here: nothing to silence
        return os.open("/proc/self/ns/net", os.O_RDONLY)

    def _setns(self, fd):
        if self.libc.setns(fd, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns")

    def far_ip(self, *args):
        return sh("nsenter", "--net=" + self.far_path, "ip", *args)

    def far_send(self, frame):
        """Send one raw frame out of VB (from the far namespace)."""
        code = ("import socket,sys;s=socket.socket(socket.AF_PACKET,"
                f"socket.SOCK_RAW);s.bind(('{VB}',0));"
                "s.send(bytes.fromhex(sys.argv[1]))")
        sh("nsenter", "--net=" + self.far_path, sys.executable, "-c", code,
           frame.hex())


def sh(*args, ok=True):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if ok and r.returncode:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def ip(*args):
    return sh("ip", *args)


def xdp_on(ifname):
    """The XDP program id on @ifname, 0 when there is none."""
    link = json.loads(ip("-j", "link", "show", ifname))[0]
    return link.get("xdp", {}).get("prog", {}).get("id", 0)


def gone(pred, secs=3):
    """Wait up to @secs for @pred() (the kernel frees programs and maps
    after an RCU grace period)."""
    end = time.time() + secs
    while not pred() and time.time() < end:
        time.sleep(0.05)
    return pred()


def prog_exists(pid):
    return subprocess.run(["bpftool", "prog", "show", "id", str(pid)],
                          capture_output=True).returncode == 0


# --- frames -------------------------------------------------------------------

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def pad(f):
    return f + bytes(max(0, 60 - len(f)))


def arp_request(src_ip, dst_ip, src_mac=GUEST_MAC):
    return pad(b"\xff" * 6 + src_mac + b"\x08\x06" +
               struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, src_mac,
                           socket.inet_aton(src_ip), bytes(6),
                           socket.inet_aton(dst_ip)))


def ping(dst_mac, src_ip, dst_ip, seq, size):
    """An ICMP echo request frame of @size bytes (padded to 60)."""
    body = bytes((seq + i) & 0xff for i in range(max(0, size - 42)))
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7171, seq) + body
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64,
                      1, 0, socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return pad(dst_mac + GUEST_MAC + b"\x08\x00" + iph + icmp)


def is_arp_reply(f, ip_from):
    return (len(f) >= 42 and f[12:14] == b"\x08\x06" and
            f[20:22] == b"\x00\x02" and f[28:32] == socket.inet_aton(ip_from))


def is_echo_reply(f, seq):
    return (len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 1 and
            f[34] == 0 and struct.unpack("!H", f[40:42])[0] == seq)


class Traffic:
    """What the fake VM sent and received, frame by frame."""

    def __init__(self, vm):
        self.vm = vm
        self.sent = []
        self.got = []

    def send(self, f):
        self.vm.send(f)
        self.sent.append(f)

    def wait(self, pred, timeout=3):
        end = time.time() + timeout
        while time.time() < end:
            f = self.vm.recv(max(0.05, end - time.time()))
            if f is None:
                return None
            self.got.append(f)
            if pred(f):
                return f
        return None

    def drain(self, secs=0.3):
        while True:
            f = self.vm.recv(secs)
            if f is None:
                return
            self.got.append(f)

    def arp(self, src_ip, dst_ip):
        self.send(arp_request(src_ip, dst_ip))
        f = self.wait(lambda g: is_arp_reply(g, dst_ip))
        return f[6:12] if f else None

    def pings(self, mac, src_ip, dst_ip, seq0, sizes):
        ok = 0
        for i, size in enumerate(sizes):
            self.send(ping(mac, src_ip, dst_ip, seq0 + i, size))
            ok += self.wait(lambda g, s=seq0 + i: is_echo_reply(g, s)) \
                is not None
        return ok

    def frames(self):
        return self.sent + self.got


# --- pcap -----------------------------------------------------------------------

def pcap_read(path):
    """Records of a classic pcap: [(caplen data, orig_len)], or None."""
    try:
        with open(path, "rb") as f:
            d = f.read()
    except OSError:
        return None
    if len(d) < 24 or d[:4] != b"\xd4\xc3\xb2\xa1":
        return None
    if struct.unpack("<HHiIII", d[4:24])[5] != 1:
        return None
    recs, off = [], 24
    while off + 16 <= len(d):
        _, _, incl, orig = struct.unpack("<IIII", d[off:off + 16])
        recs.append((d[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return recs if off == len(d) else None


def tcpdump_count(path, expr=()):
    r = subprocess.run(["tcpdump", "-nn", "-r", path, *expr],
                       capture_output=True, text=True)
    if r.returncode:
        return -1
    return len([x for x in r.stdout.splitlines() if x.strip()])


def check_pcap(path, frames, what, maxlen=65536):
    """The pcap holds exactly @frames (any order), each cut at @maxlen."""
    recs = pcap_read(path)
    if not check(recs is not None, f"{what}: {path} is a classic Ethernet pcap"):
        return
    n = tcpdump_count(path)
    check(n == len(frames), f"{what}: tcpdump -r reads {n} frames, "
          f"{len(frames)} crossed")
    want = Counter((f[:maxlen], len(f)) for f in frames)
    have = Counter((bytes(d), o) for d, o in recs)
    check(have == want, f"{what}: records equal the frames byte for byte "
          f"({sum(have.values())} records, "
          f"{sum(len(d) for d, _ in recs)} bytes kept, "
          f"{sum(o for _, o in recs)} wire bytes; want "
          f"{sum(len(f) for f in frames)})")


# --- qnet ---------------------------------------------------------------------

def start(d, netdev, extra=(), prefix=()):
    vm, qmp = os.path.join(d, "vm.sock"), os.path.join(d, "qmp.sock")
    nid = netdev.split("id=")[1].split(",")[0]
    q = Qnet(QNET, ["-nodefaults", "-netdev", netdev, "-device",
                    f"e1000,netdev={nid},attach=stream:unix:{vm}",
                    "-qmp", f"unix:{qmp},server=on,wait=off", *extra],
             wait=(vm, qmp), prefix=prefix)
    if not check(q.ok, f"qnet starts: {' '.join(q.args[len(prefix):])}"):
        q.stop()
        print(q.err)
        return None, None, None
    return q, Vm(vm), Qmp(qmp)


def stop(q, qmp):
    r = qmp.cmd("quit")
    check(r == {"return": {}}, "QMP quit")
    try:
        q.out, q.err = q.proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        q.proc.kill()
        q.out, q.err = q.proc.communicate()
    q.rc = q.proc.returncode
    check(q.rc == 0, f"qnet exits 0 (rc={q.rc})")
    if q.rc:
        print(q.err)


def hmp(qmp, line):
    r = qmp.cmd("human-monitor-command", {"command-line": line})
    return r.get("return", "") if r else ""


def netstats(qmp, name):
    r = qmp.cmd("query-netstats") or {}
    for p in r.get("return", {}).get("ports", []):
        if p.get("name") == name:
            return p
    return {}


def filters(qmp):
    r = qmp.cmd("query-filters") or {}
    return {f["id"]: f for f in r.get("return", [])}


def pin_dir(q):
    return os.path.join(PINS, f"pid{q.proc.pid}")


def check_clean(q, progs, what):
    """Nothing of the instance is pinned or attached any more."""
    check(not os.path.exists(pin_dir(q)),
          f"{what}: the pin directory {pin_dir(q)} is gone")
    check(xdp_on(VA) == 0, f"{what}: no XDP program on {VA}")
    gone(lambda: not any(prog_exists(p) for p in progs))
    left = [p for p in progs if prog_exists(p)]
    check(not left, f"{what}: qnet's programs are unloaded ({left})")


def bpftool_json(*args):
    r = subprocess.run(["bpftool", "-j", *args], capture_output=True,
                       text=True)
    return json.loads(r.stdout) if r.returncode == 0 and r.stdout else None


def percpu_u64(path):
    """A pinned per-CPU array of u64: {key: sum over CPUs}."""
    out = {}
    for e in bpftool_json("map", "dump", "pinned", path) or []:
        f = e.get("formatted", e)
        vals = [v.get("value", 0) for v in f.get("values", [])]
        out[f.get("key")] = sum(v if isinstance(v, int) else
                                int.from_bytes(bytes(int(x, 16) for x in v),
                                               "little") for v in vals)
    return out


def slot_stats(path):
    """Per-slot counters of a pinned qnet_*_cap_stats map, CPUs summed."""
    dump = bpftool_json("map", "dump", "pinned", path) or []
    out = {}
    for e in dump:
        f = e.get("formatted", e)
        key = f.get("key")
        tot = Counter()
        for v in f.get("values", []):
            tot.update(v.get("value", {}))
        out[key] = tot
    return out


# --- modes ----------------------------------------------------------------------

def mode_afxdp(d):
    w = World()
    q, vm, qmp = start(d, f"af-xdp,id=x0,ifname={VA}")
    if not q:
        return
    t = Traffic(vm)
    mac = t.arp(GUEST_IP, FAR_IP)
    check(mac is not None, "the far host answers the guest's ARP through af-xdp")
    n = t.pings(mac or bytes(6), GUEST_IP, FAR_IP, 1, SIZES)
    check(n == len(SIZES), f"{n}/{len(SIZES)} pings of every size answered")
    t.drain()
    info = hmp(qmp, "info network")
    check(f"x0: index=0,type=af-xdp,af-xdp0 to {VA}" in info,
          "info network shows the af-xdp netdev: " + repr(info))
    st = netstats(qmp, "x0")
    check(st.get("rx_packets") == len(t.sent) and
          st.get("tx_packets") == len(t.got),
          f"netdev counters: rx {st.get('rx_packets')} = {len(t.sent)} sent,"
          f" tx {st.get('tx_packets')} = {len(t.got)} received")
    pin = os.path.join(pin_dir(q), "qnet_x0_xdp")
    prog = bpftool_json("prog", "show", "pinned", pin) or {}
    check(prog.get("name") == "qnet_xdp",
          f"bpftool prog show pinned {pin}: {prog.get('name')}")
    check(xdp_on(VA) == prog.get("id"), f"{VA} runs that program")
    # a frame for another MAC stays with the host stack
    va_mac = bytes.fromhex(json.loads(ip("-j", "link", "show", VA))[0]
                           ["address"].replace(":", ""))
    before = percpu_u64(os.path.join(pin_dir(q), "qnet_x0_steer_st"))
    w.far_send(va_mac + w.far_mac + b"\x88\xb6" + bytes(46))
    stray = t.wait(lambda g: g[12:14] == b"\x88\xb6", 1.0)
    check(stray is None, "a frame for the host's MAC does not reach the guest")
    after = percpu_u64(os.path.join(pin_dir(q), "qnet_x0_steer_st"))
    check(before.get(0) == len(t.got) and
          after.get(1, 0) == before.get(1, 0) + 1,
          "bpftool map dump of the steering counters: to_guest "
          f"{before.get(0)} = {len(t.got)}, to_host +1 ({before} -> {after})")
    # a long-running qnet must not leak: the same descriptors 3 s later
    fds0 = sorted(os.listdir(f"/proc/{q.proc.pid}/fd"))
    time.sleep(3)
    fds1 = sorted(os.listdir(f"/proc/{q.proc.pid}/fd"))
    check(fds0 == fds1, f"no descriptor leaks while idle ({len(fds0)} -> "
          f"{len(fds1)} open)")
    stop(q, qmp)
    check_clean(q, [prog.get("id", 0)], "after exit")
    crash(d)
    inhibit(d, w)
    bad_options(d)


def crash(d):
    """A killed qnet leaves its pins and its XDP program; the next qnet
    removes them before it attaches its own."""
    q, vm, qmp = start(d, f"af-xdp,id=x0,ifname={VA}")
    if not q:
        return
    old = xdp_on(VA)
    check(old != 0 and os.path.isdir(pin_dir(q)), "second qnet attached")
    q.stop(signal.SIGKILL)
    check(os.path.isdir(pin_dir(q)) and xdp_on(VA) == old,
          "after SIGKILL its pins and its XDP program stay")
    os.unlink(os.path.join(d, "vm.sock"))
    os.unlink(os.path.join(d, "qmp.sock"))
    q2, vm, qmp = start(d, f"af-xdp,id=x0,ifname={VA}")
    if not q2:
        return
    check(not os.path.exists(pin_dir(q)),
          "the next qnet removed the dead instance's pins")
    check(gone(lambda: not prog_exists(old)),
          f"and its program {old} is unloaded")
    new = xdp_on(VA)
    check(new not in (0, old) and os.path.isdir(pin_dir(q2)),
          f"and runs its own program ({old} -> {new})")
    t = Traffic(vm)
    check(t.arp(GUEST_IP, FAR_IP) is not None, "frames flow after the restart")
    stop(q2, qmp)
    check_clean(q2, [new], "after the restart's exit")


def rx_packets(w):
    st = json.loads(w.far_ip("-j", "-s", "link", "show", VB))[0]
    return st["stats64"]["rx"]["packets"]


def inhibit(d, w):
    """inhibit=on,map-path=: qnet loads nothing and puts its socket in a
    manager's pinned XSK map; a capture there runs in user space (warned)."""
    path = f"/sys/fs/bpf/qnet-test-xsks-{os.getpid()}"
    pcap = os.path.join(d, "inhibit.pcap")
    sh("bpftool", "map", "create", path, "type", "xskmap", "key", "4",
       "value", "4", "entries", "8", "name", "test_xsks")
    try:
        q, vm, qmp = start(d, f"af-xdp,id=x0,ifname={VA},inhibit=on,"
                           f"map-path={path}",
                           ["-object", f"filter-dump,id=f0,netdev=x0,"
                            f"file={pcap}"])
        if not q:
            return
        check(xdp_on(VA) == 0, "inhibit=on: no program on the interface")
        rx0 = rx_packets(w)
        t = Traffic(vm)
        t.send(arp_request(GUEST_IP, FAR_IP))
        end = time.time() + 3
        while rx_packets(w) == rx0 and time.time() < end:
            time.sleep(0.05)
        check(rx_packets(w) == rx0 + 1, "the guest's frame leaves through "
              "the socket (the far end got it)")
        f = filters(qmp).get("f0", {})
        check(f.get("kernel") == [] and f.get("copied") == 1,
              f"the capture runs in user space: {f}")
        stop(q, qmp)
        want = (f"warning: cannot capture on '{VA}' in the kernel: "
                "inhibit=on, no qnet program; capturing in user space")
        check(want in q.err, "the capture says why it is not in the kernel: "
              + repr(q.err))
        check_pcap(pcap, t.sent, "inhibit=on, user-space capture")
    finally:
        os.unlink(path)


def bad_options(d):
    """QEMU's checks and texts, in QEMU's order."""
    cases = [
        ("ifname=nope0", "failed to get ifindex for 'nope0': No such device"),
        (f"ifname={VA},queues=0", f"invalid number of queues (0) for '{VA}'"),
        (f"ifname={VA},inhibit=on",
         "'inhibit=on' requires 'sock-fds' or 'map-path'"),
        (f"ifname={VA},sock-fds=3",
         "'sock-fds' and 'map-path' require 'inhibit=on'"),
        (f"ifname={VA},inhibit=on,sock-fds=3,map-path=/x",
         "'sock-fds' and 'map-path' are mutually exclusive"),
        (f"ifname={VA},map-start-index=1,inhibit=on,sock-fds=3",
         "'map-start-index' requires 'map-path'"),
        (f"ifname={VA},queues=2,inhibit=on,sock-fds=3",
         "expected 2 socket fds, got 1"),
        (f"ifname={VA},inhibit=on,map-path={PINS}/nope",
         f"failed to insert AF_XDP socket into map {PINS}/nope: "
         "No such file or directory"),
    ]
    for opts, text in cases:
        nd = f"af-xdp,id=x0,{opts}"
        rc, _, err = run(QNET, ["-nodefaults", "-netdev", nd])
        check(rc == 1 and f"qnet: -netdev {nd}: {text}\n" in err,
              f"-netdev {nd}: {text!r} ({rc}, {err!r})")
    check(xdp_on(VA) == 0, "bad options leave nothing attached")


def mode_dump(d):
    World()
    f0, f1, f2 = (os.path.join(d, n) for n in ("all.pcap", "icmp.pcap",
                                               "cut.pcap"))
    q, vm, qmp = start(d, f"af-xdp,id=x0,ifname={VA}", [
        "-object", f"filter-dump,id=f0,netdev=x0,file={f0}",
        "-object", f"filter-dump,id=f1,netdev=x0,file={f1},filter=icmp",
        "-object", f"filter-dump,id=f2,netdev=x0,file={f2},maxlen=64"])
    if not q:
        return
    t = Traffic(vm)
    mac = t.arp(GUEST_IP, FAR_IP)
    check(mac is not None, "ARP answered with three captures on the netdev")
    n = t.pings(mac or bytes(6), GUEST_IP, FAR_IP, 1, SIZES)
    check(n == len(SIZES), f"{n}/{len(SIZES)} pings answered")
    t.drain()
    fl = filters(qmp)
    all_n = len(t.frames())
    icmp_n = sum(1 for f in t.frames() if f[12:14] == b"\x08\x00")
    for fid in ("f0", "f1", "f2"):
        f = fl.get(fid, {})
        check(f.get("kernel") == ["tx"] and f.get("seen") == all_n and
              f.get("running") and f.get("error") is None,
              f"query-filters {fid}: kernel tx, seen {f.get('seen')} = "
              f"{all_n}: {f}")
    check(fl.get("f0", {}).get("copied") == all_n,
          f"f0 copied every frame ({fl.get('f0', {}).get('copied')})")
    check(fl.get("f1", {}).get("matched") == icmp_n and
          fl.get("f1", {}).get("copied") == icmp_n,
          f"f1 (icmp) matched and copied {icmp_n}")
    pd = pin_dir(q)
    prog = bpftool_json("prog", "show", "pinned",
                        os.path.join(pd, "qnet_x0_xdp")) or {}
    check(prog.get("name") == "qnet_xdp", "bpftool shows the XDP program")
    st = slot_stats(os.path.join(pd, "qnet_x0_cap_stats"))
    got_n = len(t.got)
    slots = sorted(k for k, v in st.items() if v.get("seen"))
    check(len(slots) == 3 and all(st[k]["seen"] == got_n for k in slots),
          f"bpftool map dump qnet_x0_cap_stats: 3 slots saw the {got_n} "
          f"frames to the guest: { {k: dict(v) for k, v in st.items()} }")
    check(sorted(st[k]["copied"] for k in slots) ==
          sorted([got_n, got_n, sum(1 for f in t.got
                                    if f[12:14] == b"\x08\x00")]),
          "kernel copies: every frame to the guest, and its ICMP ones")
    maps = prog.get("map_ids", [])
    check(len(maps) >= 4, f"the program uses qnet's maps {maps}")
    stop(q, qmp)
    check_pcap(f0, t.frames(), "f0 (all)")
    check_pcap(f1, [f for f in t.frames() if f[12:14] == b"\x08\x00"],
               "f1 (filter=icmp)")
    check(tcpdump_count(f1, ["not", "icmp"]) == 0, "f1 holds no other frame")
    check_pcap(f2, t.frames(), "f2 (maxlen=64)", maxlen=64)
    check_clean(q, [prog.get("id", 0)], "after exit")
    left = [m for m in maps if subprocess.run(
        ["bpftool", "map", "show", "id", str(m)],
        capture_output=True).returncode == 0]
    check(not left, f"its maps are gone ({left})")
    tap_kernel(d)


def tap_kernel(d):
    """A tap qnet creates: the capture runs as TC programs on it (both
    directions in the kernel, tcx links), pinned while qnet runs."""
    tap, pcap = "qxt1", os.path.join(d, "tapk.pcap")
    for n in ("vm.sock", "qmp.sock"):
        if os.path.exists(os.path.join(d, n)):
            os.unlink(os.path.join(d, n))
    q, vm, qmp = start(d, f"tap,id=t0,ifname={tap},script=no,downscript=no",
                       ["-object", f"filter-dump,id=f0,netdev=t0,"
                        f"file={pcap}"])
    if not q:
        return
    ip("link", "set", tap, "up")
    ip("addr", "add", "10.79.0.1/24", "dev", tap)
    ip("neigh", "replace", "10.79.0.2", "lladdr", "52:54:00:12:34:56",
       "dev", tap, "nud", "permanent")
    t = Traffic(vm)
    mac = t.arp("10.79.0.2", "10.79.0.1")
    check(mac is not None, "tap: the host answers the guest's ARP")
    n = t.pings(mac or bytes(6), "10.79.0.2", "10.79.0.1", 1, SIZES)
    check(n == len(SIZES), f"tap: {n}/{len(SIZES)} pings answered")
    t.drain()
    f = filters(qmp).get("f0", {})
    check(f.get("kernel") == ["rx", "tx"] and f.get("seen") ==
          len(t.frames()) and f.get("copied") == len(t.frames()),
          f"tap: query-filters: both directions in the kernel, copied "
          f"{len(t.frames())}: {f}")
    pins = sorted(os.listdir(pin_dir(q))) if os.path.isdir(pin_dir(q)) \
        else []
    check("qnet_t0_f0_tc_in" in pins and "qnet_t0_f0_tc_out" in pins,
          f"tap: the TC programs are pinned: {pins}")
    progs = [(bpftool_json("prog", "show", "pinned",
                           os.path.join(pin_dir(q), "qnet_t0_f0_tc_" + h))
              or {}).get("id") for h in ("in", "out")]
    links = [x for x in bpftool_json("link", "show") or []
             if x.get("prog_id") in progs]
    check(len(links) == 2 and None not in progs,
          f"tap: programs {progs} run through two links: {links}")
    stop(q, qmp)
    check_pcap(pcap, t.frames(), "tap, kernel capture")
    check(not os.path.exists(pin_dir(q)), "tap: the pins are gone")
    check(gone(lambda: not any(prog_exists(p) for p in progs)),
          "tap: the TC programs are unloaded")


def mode_user(d):
    f0, f1 = os.path.join(d, "all.pcap"), os.path.join(d, "arp.pcap")
    q, vm, qmp = start(d, "user,id=u0,ipv6=off", [
        "-object", f"filter-dump,id=f0,netdev=u0,file={f0}",
        "-object", f"filter-dump,id=f1,netdev=u0,file={f1},filter=arp,"
        "maxlen=30"])
    if not q:
        return
    t = Traffic(vm)
    mac = t.arp(SLIRP_GUEST, SLIRP_IP)
    check(mac is not None, "slirp answers the guest's ARP")
    n = t.pings(mac or bytes(6), SLIRP_GUEST, SLIRP_IP, 1, SIZES[:4])
    check(n == 4, f"{n}/4 pings to the slirp host answered")
    t.drain()
    fl = filters(qmp)
    f = fl.get("f0", {})
    check(f.get("kernel") == [] and f.get("seen") == len(t.frames()) and
          f.get("copied") == len(t.frames()),
          f"query-filters f0: user space, seen = copied = "
          f"{len(t.frames())}: {f}")
    arps = [g for g in t.frames() if g[12:14] == b"\x08\x06"]
    check(fl.get("f1", {}).get("matched") == len(arps),
          f"f1 matched the {len(arps)} ARP frames")
    stop(q, qmp)
    check_pcap(f0, t.frames(), "user f0 (all)")
    check_pcap(f1, arps, "user f1 (filter=arp, maxlen=30)", maxlen=30)


def status_phases(t, qmp, mac, src, dst, what):
    """Pings with the capture off, on (qom-set true), off (qom-set "off");
    return the frames of the "on" phase."""
    t.pings(mac, src, dst, 100, SIZES[:3])
    t.drain(0.2)
    check(filters(qmp).get("f0", {}).get("copied") == 0,
          f"{what}: nothing copied while status=off")
    r = qmp.cmd("qom-set", {"path": "f0", "property": "status",
                            "value": True})
    check(r == {"return": {}}, f"{what}: qom-set f0 status true: {r}")
    check("status=on" in hmp(qmp, "info network"),
          f"{what}: info network shows status=on")
    mark = len(t.sent), len(t.got)
    n = t.pings(mac, src, dst, 200, SIZES[:5])
    check(n == 5, f"{what}: pings answered while on")
    t.drain(0.2)
    on = t.sent[mark[0]:] + t.got[mark[1]:]
    r = qmp.cmd("qom-set", {"path": "/objects/f0", "property": "status",
                            "value": "off"})
    check(r == {"return": {}}, f"{what}: qom-set /objects/f0 status \"off\"")
    t.pings(mac, src, dst, 300, SIZES[:2])
    t.drain(0.2)
    f = filters(qmp).get("f0", {})
    check(f.get("status") is False and f.get("copied") == len(on) and
          f.get("seen") == len(t.frames()),
          f"{what}: query-filters: off, copied {f.get('copied')} = "
          f"{len(on)}, seen {f.get('seen')} = {len(t.frames())}")
    return on


def status_errors(qmp):
    r = qmp.cmd("qom-set", {"path": "nope", "property": "status",
                            "value": True})
    check(r.get("error", {}).get("class") == "DeviceNotFound",
          f"qom-set on an unknown object: DeviceNotFound {r}")
    r = qmp.cmd("qom-set", {"path": "f0", "property": "status",
                            "value": "maybe"})
    check(r.get("error", {}).get("desc") ==
          "Invalid value for netfilter status, should be 'on' or 'off'",
          f"qom-set status maybe: QEMU's text {r}")
    r = qmp.cmd("qom-set", {"path": "f0", "property": "bogus",
                            "value": 1})
    check(r.get("error", {}).get("desc") ==
          "Property 'filter-dump.bogus' not found",
          f"qom-set of an unknown property {r}")


def mode_status(d):
    World()
    f0 = os.path.join(d, "x.pcap")
    q, vm, qmp = start(d, f"af-xdp,id=x0,ifname={VA}", [
        "-object", f"filter-dump,id=f0,netdev=x0,file={f0},status=off"])
    if not q:
        return
    t = Traffic(vm)
    mac = t.arp(GUEST_IP, FAR_IP) or bytes(6)
    check("status=off" in hmp(qmp, "info network"),
          "af-xdp: info network shows status=off")
    on = status_phases(t, qmp, mac, GUEST_IP, FAR_IP, "af-xdp")
    status_errors(qmp)
    stop(q, qmp)
    check_pcap(f0, on, "af-xdp: only the frames of the 'on' phase")

    f1 = os.path.join(d, "u.pcap")
    q, vm, qmp = start(d, "user,id=u0,ipv6=off", [
        "-object", f"filter-dump,id=f0,netdev=u0,file={f1},status=off"])
    if not q:
        return
    t = Traffic(vm)
    mac = t.arp(SLIRP_GUEST, SLIRP_IP) or bytes(6)
    on = status_phases(t, qmp, mac, SLIRP_GUEST, SLIRP_IP, "user")
    stop(q, qmp)
    check_pcap(f1, on, "user: only the frames of the 'on' phase")


def open_tap(name):
    """A tap made by this (privileged) process, for qnet's fd=."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), 0x0002 | 0x1000)  # TAP, NO_PI
    fcntl.ioctl(fd, 0x400454ca, ifr)                           # TUNSETIFF
    return fd


def start_tap_fd(fd, vmp, qmpp, obj, what):
    """Start qnet without capabilities on the tap @fd (handed over as fd=,
    and closed here) with an e1000 on the socket @vmp, QMP on @qmpp and
    `-object @obj`; @what names the object in the check that qnet runs.
    Return (proc, Vm, Qmp), or (None, None, None) when qnet exited."""
    args = NOCAPS + [QNET, "-nodefaults", "-netdev", f"tap,id=t0,fd={fd}",
                     "-device", f"e1000,netdev=t0,attach=stream:unix:{vmp}",
                     "-qmp", f"unix:{qmpp},server=on,wait=off",
                     "-object", obj]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, pass_fds=[fd])
    os.close(fd)
    end = time.time() + 10
    while time.time() < end and proc.poll() is None and not (
            os.path.exists(vmp) and os.path.exists(qmpp)):
        time.sleep(0.05)
    if not check(proc.poll() is None, "unprivileged qnet runs a tap given "
                 f"as fd= with {what} on it"):
        print(proc.communicate()[1])
        return None, None, None
    return proc, Vm(vmp), Qmp(qmpp)


def quit_warned(proc, qmp, want, what):
    """Quit the qnet of start_tap_fd() through QMP; check that it printed
    @want (@what says what that shows) and exited 0."""
    qmp.cmd("quit")
    _, err = proc.communicate(timeout=15)
    check(want in err, what + ": " + repr(err))
    check(proc.returncode == 0, f"qnet exits 0 ({proc.returncode})")


def priv_tap(d):
    """A tap handed over as fd= to an unprivileged qnet: the capture cannot
    load TC programs, says so, and captures in user space."""
    tap = "qxt0"
    fd = open_tap(tap)
    ip("link", "set", tap, "up")
    ip("addr", "add", "10.78.0.1/24", "dev", tap)
    ip("neigh", "replace", "10.78.0.2", "lladdr", "52:54:00:12:34:56",
       "dev", tap, "nud", "permanent")
    pcap = os.path.join(d, "tap.pcap")
    vmp, qmpp = os.path.join(d, "tvm.sock"), os.path.join(d, "tqmp.sock")
    proc, vm, qmp = start_tap_fd(fd, vmp, qmpp,
                                 f"filter-dump,id=f0,netdev=t0,file={pcap}",
                                 "a filter-dump")
    if not proc:
        return
    t = Traffic(vm)
    mac = t.arp("10.78.0.2", "10.78.0.1")
    check(mac is not None, "the host answers the guest's ARP through the tap")
    n = t.pings(mac or bytes(6), "10.78.0.2", "10.78.0.1", 1, SIZES[:4])
    check(n == 4, f"{n}/4 pings through the tap answered")
    t.drain()
    f = filters(qmp).get("f0", {})
    check(f.get("kernel") == [] and f.get("copied") == len(t.frames()),
          f"query-filters: user space, copied {len(t.frames())}: {f}")
    quit_warned(proc, qmp,
                f"qnet: -object filter-dump,id=f0,netdev=t0,file={pcap}: "
                f"warning: cannot capture on '{tap}' in the kernel: "
                "Operation not permitted (needs CAP_NET_ADMIN); capturing "
                "in user space", "the capture says it falls back to user "
                "space")
    check_pcap(pcap, t.frames(), "tap fd=, user-space capture")


def mode_priv(d):
    World()
    pcap = os.path.join(d, "fb.pcap")
    nd = f"af-xdp,id=x0,ifname={VA}"
    q, vm, qmp = start(d, nd, ["-object",
                               f"filter-dump,id=f0,netdev=x0,file={pcap}"],
                       prefix=NOCAPS)
    if not q:
        return
    t = Traffic(vm)
    mac = t.arp(SLIRP_GUEST, SLIRP_IP)
    check(mac is not None, "without capabilities the af-xdp netdev is user "
          "networking: slirp answers ARP")
    t.drain()
    info = hmp(qmp, "info network")
    check("x0: index=0,type=user" in info and "fallback-from=af-xdp" in info,
          "info network shows the fallback: " + repr(info))
    check(xdp_on(VA) == 0, f"nothing attached to {VA}")
    check(not os.path.exists(pin_dir(q)), "nothing pinned")
    stop(q, qmp)
    want = (f"qnet: -netdev {nd}: cannot open AF_XDP sockets on '{VA}': "
            "Operation not permitted (needs CAP_NET_ADMIN); falling back "
            "to user networking")
    check(want in q.err, "fallback warning: " + repr(q.err))
    check_pcap(pcap, t.frames(), "capture on the fallback (user space)")

    rc, _, err = run(QNET, ["-nodefaults", "-netdev", nd + ",fallback=off"],
                     prefix=NOCAPS)
    want = (f"qnet: -netdev {nd},fallback=off: cannot open AF_XDP sockets "
            f"on '{VA}': Operation not permitted (needs CAP_NET_ADMIN)\n")
    check(rc == 1 and want in err, f"fallback=off: exit 1 ({rc}), " +
          repr(err))
    check(xdp_on(VA) == 0, f"still nothing attached to {VA}")
    priv_tap(d)


MODES = {"afxdp": mode_afxdp, "dump": mode_dump, "user": mode_user,
         "status": mode_status, "priv": mode_priv}


def run_mode(doc, modes, root_why, tools, user_tools, prefix):
    """Run the mode of argv[1] from @modes in a temporary directory, or
    print @doc (the usage) for an unknown one. Every mode but `user` needs
    root (@root_why says for what), bpffs and @tools; `user` needs
    @user_tools. A missing one skips (exit 77).
    Return: the exit code."""
    if MODE not in modes:
        print(doc)
        return 2
    if MODE != "user":
        if os.geteuid() != 0:
            skip(f"{MODE} needs root ({root_why})")
        for tool in tools:
            if not shutil.which(tool):
                skip(f"needs {tool}")
        if not os.path.isdir("/sys/fs/bpf"):
            skip("needs bpffs")
    for tool in user_tools if MODE == "user" else ():
        if not shutil.which(tool):
            skip(f"needs {tool}")
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    d = tempfile.mkdtemp(prefix=prefix)
    try:
        modes[MODE](d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return finish()


def main():
    return run_mode(__doc__, MODES, "namespaces, CAP_BPF, CAP_NET_ADMIN",
                    ("ip", "nsenter", "bpftool", "setpriv", "tcpdump"),
                    ("tcpdump",), "qnet-xdp-")


if __name__ == "__main__":
    sys.exit(main())
