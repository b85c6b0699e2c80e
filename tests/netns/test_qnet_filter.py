#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real qnet binary with -object qnet-filter (qnet's drop/allow
filter), a fake VM on a stream attach= NIC and UDP sockets on the host.
Modes:
  tap       a tap qnet creates, in a private namespace: action=drop runs as
            TC programs (both directions in the kernel): matching frames
            reach neither side, the others pass; query-filters, info
            network and bpftool (program, pinned counters) say so while
            qnet runs; qom-set status=off lets them through; nothing is
            pinned or loaded after exit. Then action=allow,queue=rx: only
            the guest's frames are filtered, in the kernel ingress hook.
  afxdp     an af-xdp netdev on a veth whose far end is in a second
            namespace: frames to the guest dropped by the XDP program's
            slot, frames from the guest in user space ("filtered" drops);
            bpftool shows the slot's counters; nothing left after exit
  user      a user (slirp) netdev, no kernel interface: the filters run in
            user space on the netdev's port, a drop filter on the guest's
            UDP and an allow filter on queue=tx that keeps slirp's echo
            replies away until qom-set pauses it; query-filters and
            query-netstats ("filtered" drops) count what they dropped
  fallback  a tap given as fd= to a qnet without capabilities: the kernel
            attach fails, qnet warns and filters in user space
Root only except `user`, which uses the loopback of the current namespace (exit 77 when a privilege or tool is missing); every
namespace, interface and pin the test makes is gone when it ends.
Usage: test_qnet_filter.py MODE QNET"""
import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "unit", "ctl-run"))
sys.path.insert(0, HERE)
from qrun import check  # noqa: E402
from test_qnet_xdp import (FAR_IP, GUEST_MAC, NOCAPS, SLIRP_GUEST,  # noqa
                           SLIRP_IP, VA, Traffic, World, bpftool_json, csum,
                           filters, gone, hmp, ip, netstats, open_tap,
                           pin_dir, prog_exists, quit_warned, run_mode,
                           skip, slot_stats, start, start_tap_fd, stop)
from test_qnet_xdp import GUEST_IP as XDP_GUEST_IP  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else ""
QNET = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "qnet"
CLONE_NEWNET = 0x40000000
HOST_IP, GUEST_IP = "10.81.0.1", "10.81.0.2"
N = 5                       # frames per port and direction


def private_netns():
    """Move this process into a new network namespace (no IPv6 chatter)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET):
        skip("unshare(CLONE_NEWNET): " + os.strerror(ctypes.get_errno()))
    for k in ("all", "default"):
        try:
            with open(f"/proc/sys/net/ipv6/conf/{k}/disable_ipv6", "w") as f:
                f.write("1")
        except FileNotFoundError:
            pass    # no IPv6 here: nothing to silence
    ip("link", "set", "lo", "up")


def udp(dst_mac, src_ip, dst_ip, sport, dport, seq):
    """A UDP frame from the guest (IPv4 header checksum set, UDP's 0)."""
    data = b"qnet-filter %d" % seq + bytes(20)
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), seq, 0, 64, 17,
                      0, socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return dst_mac + GUEST_MAC + b"\x08\x00" + iph + u


def udp_ports(f):
    """(sport, dport) of an IPv4/UDP frame, or None."""
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
        return None
    off = 14 + (f[14] & 15) * 4
    return struct.unpack("!HH", f[off:off + 4])


def host_sock(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.setblocking(False)
    return s


def host_recv(s, secs=0.5):
    """Datagrams that reach @s within @secs: [(data, addr)]."""
    out, end = [], time.time() + secs
    while True:
        r, _, _ = select.select([s], [], [], max(0, end - time.time()))
        if not r:
            return out
        out.append(s.recvfrom(65536))


def guest_udp(t, secs=0.5):
    """UDP frames the fake VM got within @secs, by destination port."""
    n = len(t.got)
    t.drain(secs)
    got = {}
    for f in t.got[n:]:
        p = udp_ports(f)
        if p:
            got[p[1]] = got.get(p[1], 0) + 1
    return got


def guest_send(t, mac, src_ip, dst_ip, sport, dport, n=N):
    for i in range(n):
        t.send(udp(mac, src_ip, dst_ip, sport, dport, i))


def tap_setup(tap):
    ip("link", "set", tap, "up")
    ip("addr", "add", HOST_IP + "/24", "dev", tap)
    ip("neigh", "replace", GUEST_IP, "lladdr", "52:54:00:12:34:56", "dev",
       tap, "nud", "permanent")
    link = json.loads(ip("-j", "link", "show", tap))[0]
    return bytes.fromhex(link["address"].replace(":", ""))


def exchange(t, mac, what, want_in, want_out, addrs=(GUEST_IP, HOST_IP),
             socks=None):
    """Guest sends N frames to the host's 5555 and 5556, the host N to the
    guest's 5555 and 5556; check which arrive. @want_in / @want_out: the
    ports expected to pass towards the host / the guest. @addrs: the
    guest's and the host's address; @socks: the host's sockets by port
    (default: bound here to HOST_IP, closed at the end)."""
    guest_ip, host_ip = addrs
    own = socks is None
    if own:
        socks = {p: host_sock(host_ip, p) for p in (5555, 5556)}
    try:
        for p in (5555, 5556):
            guest_send(t, mac, guest_ip, host_ip, 4000, p)
        for p in (5555, 5556):
            got = len(host_recv(socks[p]))
            check(got == (N if p in want_in else 0),
                  f"{what}: {got}/{N} guest frames to port {p} reach the "
                  f"host (want {N if p in want_in else 0})")
        for p in (5555, 5556):
            for i in range(N):
                socks[p].sendto(b"to guest %d" % i, (guest_ip, p))
        got = guest_udp(t)
        for p in (5555, 5556):
            check(got.get(p, 0) == (N if p in want_out else 0),
                  f"{what}: {got.get(p, 0)}/{N} host frames to port {p} "
                  f"reach the guest (want {N if p in want_out else 0})")
    finally:
        for s in socks.values() if own else ():
            s.close()


def reset_socks(d):
    for n in ("vm.sock", "qmp.sock"):
        if os.path.exists(os.path.join(d, n)):
            os.unlink(os.path.join(d, n))


# --- modes ----------------------------------------------------------------

def tap_drop(d):
    tap = "qft0"
    q, vm, qmp = start(d, f"tap,id=t0,ifname={tap},script=no,downscript=no",
                       ["-object", "qnet-filter,id=f0,netdev=t0,action=drop,"
                        "filter=udp port 5555"])
    if not q:
        return
    mac = tap_setup(tap)
    t = Traffic(vm)
    exchange(t, mac, "tap drop", {5556}, {5556})
    f = filters(qmp).get("f0", {})
    check(f.get("type") == "qnet-filter" and f.get("action") == "drop" and
          f.get("kernel") == ["rx", "tx"] and f.get("dropped") == 2 * N and
          f.get("matched") == 2 * N and f.get("seen", 0) >= 4 * N,
          f"tap drop: query-filters: both directions in the kernel, "
          f"{2 * N} matched and dropped: {f}")
    info = hmp(qmp, "info network")
    check("  - f0: type=qnet-filter,action=drop,filter=udp port 5555," in
          info, "info network lists the filter: " + repr(info))
    pd = pin_dir(q)
    pins = sorted(os.listdir(pd)) if os.path.isdir(pd) else []
    check("qnet_t0_f0_tc_in" in pins and "qnet_t0_f0_tc_out" in pins and
          "qnet_t0_f0_cap_stats" in pins,
          f"tap drop: programs and counters are pinned: {pins}")
    progs = [(bpftool_json("prog", "show", "pinned",
                           os.path.join(pd, "qnet_t0_f0_tc_" + h)) or {})
             for h in ("in", "out")]
    check([p.get("name") for p in progs] == ["qnet_tc_in", "qnet_tc_out"],
          f"bpftool prog show: {[p.get('name') for p in progs]}")
    st = slot_stats(os.path.join(pd, "qnet_t0_f0_cap_stats")).get(0, {})
    check(st.get("dropped") == 2 * N and st.get("matched") == 2 * N,
          f"bpftool map dump qnet_t0_f0_cap_stats: slot 0 dropped "
          f"{2 * N}: {dict(st)}")
    # paused: everything passes, the drop counter stays
    r = qmp.cmd("qom-set", {"path": "f0", "property": "status",
                            "value": "off"})
    check(r == {"return": {}}, f"qom-set status off: {r}")
    exchange(t, mac, "tap drop, status=off", {5555, 5556}, {5555, 5556})
    r = qmp.cmd("qom-set", {"path": "/objects/f0", "property": "status",
                            "value": True})
    check(r == {"return": {}}, f"qom-set status true: {r}")
    exchange(t, mac, "tap drop, status=on again", {5556}, {5556})
    f = filters(qmp).get("f0", {})
    check(f.get("dropped") == 4 * N and f.get("status") is True,
          f"tap drop: {4 * N} dropped in all: {f}")
    ids = [p.get("id") for p in progs]
    stop(q, qmp)
    check(not os.path.exists(pd), "tap drop: the pins are gone")
    check(None not in ids and
          gone(lambda: not any(prog_exists(p) for p in ids)),
          f"tap drop: the TC programs {ids} are unloaded")


def tap_allow(d):
    reset_socks(d)
    tap = "qft1"
    q, vm, qmp = start(d, f"tap,id=t0,ifname={tap},script=no,downscript=no",
                       ["-object", "{\"qom-type\":\"qnet-filter\",\"id\":"
                        "\"f1\",\"netdev\":\"t0\",\"action\":\"allow\","
                        "\"filter\":\"udp port 5556\",\"queue\":\"rx\"}"])
    if not q:
        return
    mac = tap_setup(tap)
    t = Traffic(vm)
    # queue=rx: the guest's frames are filtered, the host's all pass
    exchange(t, mac, "tap allow queue=rx", {5556}, {5555, 5556})
    f = filters(qmp).get("f1", {})
    check(f.get("action") == "allow" and f.get("kernel") == ["rx"] and
          f.get("dropped") == N and f.get("matched") == N,
          f"tap allow: query-filters: rx in the kernel, {N} dropped, "
          f"{N} matched: {f}")
    pd = pin_dir(q)
    pins = sorted(os.listdir(pd)) if os.path.isdir(pd) else []
    check("qnet_t0_f1_tc_in" in pins and "qnet_t0_f1_tc_out" not in pins,
          f"tap allow queue=rx: only the ingress program: {pins}")
    st = slot_stats(os.path.join(pd, "qnet_t0_f1_cap_stats")).get(0, {})
    check(st.get("dropped") == N, f"bpftool: slot 0 dropped {N}: "
          f"{dict(st)}")
    stop(q, qmp)
    check(not os.path.exists(pd), "tap allow: the pins are gone")


def mode_tap(d):
    private_netns()
    tap_drop(d)
    tap_allow(d)


def mode_afxdp(d):
    """qnet-filter on an af-xdp netdev: frames to the guest are dropped by
    the XDP program's slot, frames from the guest in user space by the
    netdev (its TX ring bypasses every kernel hook)."""
    w = World()
    w._setns(w.far)     # the far host's sockets live in its namespace
    try:
        socks = {p: host_sock(FAR_IP, p) for p in (5555, 5556)}
    finally:
        w._setns(w.home)
    try:
        afxdp_frames(d, w, socks)
    finally:
        for s in socks.values():
            s.close()


def afxdp_frames(d, w, socks):
    q, vm, qmp = start(d, f"af-xdp,id=x0,ifname={VA}", [
        "-object", "qnet-filter,id=f0,netdev=x0,action=drop,"
        "filter=udp port 5555"])
    if not q:
        return
    t = Traffic(vm)
    exchange(t, w.far_mac, "af-xdp drop", {5556}, {5556},
             (XDP_GUEST_IP, FAR_IP), socks)
    f = filters(qmp).get("f0", {})
    check(f.get("kernel") == ["tx"] and f.get("dropped") == 2 * N and
          f.get("matched") == 2 * N, f"af-xdp: query-filters: tx in the "
          f"kernel, {2 * N} dropped in all: {f}")
    filtered = netstats(qmp, "x0").get("drops", {}).get("filtered", 0)
    check(filtered == N, f"af-xdp: query-netstats: x0 counts {filtered} "
          f"'filtered' drops, the guest's (want {N})")
    pd = pin_dir(q)
    prog = bpftool_json("prog", "show", "pinned",
                        os.path.join(pd, "qnet_x0_xdp")) or {}
    check(prog.get("name") == "qnet_xdp", "af-xdp: bpftool shows the XDP "
          "program")
    st = slot_stats(os.path.join(pd, "qnet_x0_cap_stats"))
    dropped = sum(v.get("dropped", 0) for v in st.values())
    check(dropped == N, f"af-xdp: bpftool map dump qnet_x0_cap_stats: the "
          f"slot dropped the {N} frames to the guest: "
          f"{ {k: dict(v) for k, v in st.items()} }")
    stop(q, qmp)
    check(not os.path.exists(pd), "af-xdp: the pins are gone")
    check(gone(lambda: not prog_exists(prog.get("id", 0))),
          "af-xdp: the XDP program is unloaded")


def mode_user(d):
    socks = [host_sock("127.0.0.1", 0) for _ in range(2)]
    p1, p2 = [s.getsockname()[1] for s in socks]
    q, vm, qmp = start(d, "user,id=u0,ipv6=off", [
        "-object", f"qnet-filter,id=f0,netdev=u0,action=drop,"
        f"filter=udp dst port {p1}",
        "-object", "qnet-filter,id=f1,netdev=u0,action=allow,queue=tx,"
        "filter=not icmp"])
    if not q:
        for s in socks:
            s.close()
        return
    try:
        user_frames(q, vm, qmp, socks, (p1, p2))
    finally:
        for s in socks:
            s.close()


def user_frames(q, vm, qmp, socks, ports):
    """f0 drops the guest's UDP to p1 (rx), f1 lets only non-ICMP frames
    reach the guest (tx): slirp's ARP reply passes, its echo replies do
    not until f1 is paused."""
    t = Traffic(vm)
    mac = t.arp(SLIRP_GUEST, SLIRP_IP)
    if not check(mac is not None, "user: slirp's ARP reply passes the "
                 "allow filter"):
        return
    for i, p in enumerate(ports):
        guest_send(t, mac, SLIRP_GUEST, SLIRP_IP, 7000 + i, p)
    got = [len(host_recv(s)) for s in socks]
    check(got == [0, N], f"user: guest frames reaching the host on ports "
          f"{ports}: {got} (want [0, {N}]: {ports[0]} dropped)")
    n = t.pings(mac, SLIRP_GUEST, SLIRP_IP, 1, [64] * N)
    check(n == 0, f"user: {n}/{N} echo replies reach the guest (want 0: "
          "allow queue=tx filter=not icmp)")
    fl = filters(qmp)
    f0, f1 = fl.get("f0", {}), fl.get("f1", {})
    check(f0.get("kernel") == [] and f0.get("dropped") == N and
          f0.get("matched") == N, f"user: query-filters f0: user space, "
          f"{N} dropped: {f0}")
    check(f1.get("kernel") == [] and f1.get("dropped") == N and
          f1.get("queue") == "tx", f"user: query-filters f1: user space, "
          f"{N} dropped: {f1}")
    filtered = sum(netstats(qmp, n).get("drops", {}).get("filtered", 0)
                   for n in ("u0", "e1000.0"))
    check(filtered == 2 * N, f"user: query-netstats counts {filtered} "
          f"'filtered' drops (want {2 * N})")
    r = qmp.cmd("qom-set", {"path": "f1", "property": "status",
                            "value": "off"})
    check(r == {"return": {}}, f"user: qom-set f1 status off: {r}")
    n = t.pings(mac, SLIRP_GUEST, SLIRP_IP, 100, [64] * N)
    check(n == N, f"user: f1 paused: {n}/{N} echo replies reach the guest")
    check(filters(qmp).get("f1", {}).get("dropped") == N,
          "user: f1's drop counter stays while paused")
    check(not os.path.exists(pin_dir(q)), "user: nothing pinned")
    stop(q, qmp)


def mode_fallback(d):
    private_netns()
    tap = "qft2"
    fd = open_tap(tap)
    mac = tap_setup(tap)
    vmp, qmpp = os.path.join(d, "vm.sock"), os.path.join(d, "qmp.sock")
    obj = "qnet-filter,id=f0,netdev=t0,action=drop,filter=udp port 5555"
    proc, vm, qmp = start_tap_fd(fd, vmp, qmpp, obj, "a qnet-filter")
    if not proc:
        return
    t = Traffic(vm)
    exchange(t, mac, "fallback drop", {5556}, {5556})
    f = filters(qmp).get("f0", {})
    check(f.get("kernel") == [] and f.get("dropped") == 2 * N,
          f"fallback: query-filters: user space, {2 * N} dropped: {f}")
    filtered = sum(netstats(qmp, n).get("drops", {}).get("filtered", 0)
                   for n in ("t0", "e1000.0"))
    check(filtered == 2 * N, f"fallback: query-netstats counts {filtered} "
          f"'filtered' drops (want {2 * N})")
    quit_warned(proc, qmp,
                f"qnet: -object {obj}: warning: cannot filter on '{tap}' in "
                "the kernel: Operation not permitted (needs CAP_NET_ADMIN); "
                "filtering in user space",
                "the filter says it falls back to user space")


MODES = {"tap": mode_tap, "afxdp": mode_afxdp, "user": mode_user,
         "fallback": mode_fallback}


def main():
    return run_mode(__doc__, MODES, "namespaces, taps, CAP_BPF",
                    ("ip", "nsenter", "bpftool", "setpriv"), (),
                    "qnet-filter-")


if __name__ == "__main__":
    sys.exit(main())
